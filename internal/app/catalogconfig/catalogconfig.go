// Package catalogconfig serves the admin-managed catalog (departments,
// categories, routing rules, calendars) from the table, cached briefly so a
// warm Lambda does not read it on every request, and seeds it on first start.
package catalogconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hotline12345/hotline/internal/app/configcache"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
)

// Config item the whole catalog is kept under.
const (
	Kind = "catalog"
	ID   = "current"
)

// DefaultTTL is how stale a warm function's catalog may be after an admin change.
const DefaultTTL = configcache.DefaultTTL

// Store reads and writes configuration items.
type Store = configcache.Store

// item is the catalog's config item; nothing stored is an error (local mode
// and the seed program store the seed first).
var item = configcache.Item[*catalog.Catalog]{Kind: Kind, ID: ID, Parse: catalog.Load}

// Source caches the catalog.
type Source = configcache.Cache[*catalog.Catalog]

// NewSource caches the stored catalog for DefaultTTL.
func NewSource(st Store, now func() time.Time) *Source {
	return &Source{Item: item, Store: st, TTL: DefaultTTL, Now: now}
}

// MaxStoredBytes bounds the stored catalog: it must fit a DynamoDB item
// (400 KB with its keys) and catalog.MaxSeedBytes, or no function could
// load it again.
const MaxStoredBytes = 350 << 10

// TooLargeError says a changed configuration would not fit its config item.
type TooLargeError struct{ Size int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("configuration of %d bytes exceeds the %d bytes a config item holds", e.Size, MaxStoredBytes)
}

// Read returns the stored catalog and its version, bypassing any cache, for
// read-modify-write by the admin API.
func Read(ctx context.Context, st Store) (*catalog.Catalog, int, error) {
	return item.Read(ctx, st)
}

// Write validates seed (every problem in a *catalog.LoadError) and stores it
// if the stored catalog is still at expectedVersion; a concurrent change
// gives *ports.ConflictError. It returns the new catalog and version.
func Write(ctx context.Context, st Store, seed catalog.Seed, expectedVersion int) (*catalog.Catalog, int, error) {
	c, err := catalog.New(seed)
	if err != nil {
		return nil, 0, err
	}
	if err := Put(ctx, st, Kind, c.Seed(), expectedVersion); err != nil {
		return nil, 0, err
	}
	return c, expectedVersion + 1, nil
}

// Put stores a validated configuration value under kind if it fits a config
// item and the stored one is still at expectedVersion.
func Put(ctx context.Context, st Store, kind string, v any, expectedVersion int) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind, err)
	}
	if len(b) > MaxStoredBytes {
		return &TooLargeError{Size: len(b)}
	}
	if err := st.PutConfig(ctx, kind, ID, json.RawMessage(b), expectedVersion); err != nil {
		return fmt.Errorf("store %s: %w", kind, err)
	}
	return nil
}

// SeedIfEmpty stores the seed unless a catalog is already stored, so restarting
// local mode keeps an administrator's changes.
func SeedIfEmpty(ctx context.Context, st Store, seed []byte) (bool, error) {
	if _, err := catalog.Load(seed); err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	var raw json.RawMessage
	_, err := st.GetConfig(ctx, Kind, ID, &raw)
	if err == nil {
		return false, nil
	}
	var notFound *ports.NotFoundError
	if !errors.As(err, &notFound) {
		return false, fmt.Errorf("read catalog: %w", err)
	}
	if err := st.PutConfig(ctx, Kind, ID, json.RawMessage(seed), 0); err != nil {
		var conflict *ports.ConflictError
		if errors.As(err, &conflict) {
			return false, nil // another instance seeded it first
		}
		return false, fmt.Errorf("store seed: %w", err)
	}
	return true, nil
}
