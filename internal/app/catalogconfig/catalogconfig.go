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
	if err := configcache.Put(ctx, st, Kind, ID, c.Seed(), expectedVersion); err != nil {
		return nil, 0, err
	}
	return c, expectedVersion + 1, nil
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
