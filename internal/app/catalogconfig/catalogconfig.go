// Package catalogconfig serves the admin-managed catalog (departments, categories,
// routing rules, calendars) from the table, cached briefly so a warm Lambda does
// not read it on every request, and seeds it on first start.
package catalogconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
)

// Config item the whole catalog is kept under.
const (
	Kind = "catalog"
	ID   = "current"
)

// DefaultTTL is how stale a warm function's catalog may be after an admin
// change: every function caches the catalog on its own, so a change made
// through the admin API reaches routing, deadlines and review within this
// time (the api function that made it sees it at once).
const DefaultTTL = 30 * time.Second

// Store reads and writes configuration items.
type Store interface {
	GetConfig(ctx context.Context, kind, id string, out any) (int, error)
	PutConfig(ctx context.Context, kind, id string, value any, expectedVersion int) error
}

// Source caches the catalog.
type Source struct {
	Store Store
	TTL   time.Duration
	Now   func() time.Time

	mu       sync.Mutex
	cached   *catalog.Catalog
	version  int
	loadedAt time.Time
}

// Current returns the catalog, reading it again when the cache is older than TTL.
func (s *Source) Current(ctx context.Context) (*catalog.Catalog, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if s.cached != nil && now.Sub(s.loadedAt) < s.TTL {
		return s.cached, nil
	}
	var raw json.RawMessage
	version, err := s.Store.GetConfig(ctx, Kind, ID, &raw)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	c, err := catalog.Load(raw)
	if err != nil {
		return nil, fmt.Errorf("stored catalog is invalid: %w", err)
	}
	s.cached, s.version, s.loadedAt = c, version, now
	return c, nil
}

// Invalidate drops the cached catalog so the next Current reads the table;
// the api function calls it after its own admin change.
func (s *Source) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cached = nil
}

// MaxStoredBytes bounds the stored catalog: it must fit a DynamoDB item
// (400 KB with its keys) and catalog.MaxSeedBytes, or no function could
// load it again.
const MaxStoredBytes = 350 << 10

// TooLargeError says a changed catalog would not fit its config item.
type TooLargeError struct{ Size int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("catalog of %d bytes exceeds the %d bytes a config item holds", e.Size, MaxStoredBytes)
}

// Read returns the stored catalog and its version, bypassing any cache, for
// read-modify-write by the admin API.
func Read(ctx context.Context, st Store) (*catalog.Catalog, int, error) {
	var raw json.RawMessage
	version, err := st.GetConfig(ctx, Kind, ID, &raw)
	if err != nil {
		return nil, 0, fmt.Errorf("read catalog: %w", err)
	}
	c, err := catalog.Load(raw)
	if err != nil {
		return nil, 0, fmt.Errorf("stored catalog is invalid: %w", err)
	}
	return c, version, nil
}

// Write validates seed (every problem in a *catalog.LoadError) and stores it
// if the stored catalog is still at expectedVersion; a concurrent change
// gives *ports.ConflictError. It returns the new catalog and version.
func Write(ctx context.Context, st Store, seed catalog.Seed, expectedVersion int) (*catalog.Catalog, int, error) {
	c, err := catalog.New(seed)
	if err != nil {
		return nil, 0, err
	}
	b, err := json.Marshal(c.Seed())
	if err != nil {
		return nil, 0, fmt.Errorf("encode catalog: %w", err)
	}
	if len(b) > MaxStoredBytes {
		return nil, 0, &TooLargeError{Size: len(b)}
	}
	if err := st.PutConfig(ctx, Kind, ID, json.RawMessage(b), expectedVersion); err != nil {
		return nil, 0, fmt.Errorf("store catalog: %w", err)
	}
	return c, expectedVersion + 1, nil
}

// Version is the stored version of the cached catalog, for optimistic updates.
func (s *Source) Version() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// SeedIfEmpty stores the seed unless a catalog is already stored, so restarting
// local mode keeps an administrator's changes.
func (s *Source) SeedIfEmpty(ctx context.Context, seed []byte) (bool, error) {
	if _, err := catalog.Load(seed); err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	var raw json.RawMessage
	_, err := s.Store.GetConfig(ctx, Kind, ID, &raw)
	if err == nil {
		return false, nil
	}
	var notFound *ports.NotFoundError
	if !errors.As(err, &notFound) {
		return false, fmt.Errorf("read catalog: %w", err)
	}
	if err := s.Store.PutConfig(ctx, Kind, ID, json.RawMessage(seed), 0); err != nil {
		var conflict *ports.ConflictError
		if errors.As(err, &conflict) {
			return false, nil // another instance seeded it first
		}
		return false, fmt.Errorf("store seed: %w", err)
	}
	return true, nil
}
