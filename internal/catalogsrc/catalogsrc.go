// Package catalogsrc serves the admin-managed catalog (departments, categories,
// routing rules, calendars) from the table, cached briefly so a warm Lambda does
// not read it on every request, and seeds it on first start.
package catalogsrc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hotline12345/hotline/internal/catalog"
	"github.com/hotline12345/hotline/internal/store"
)

// Config item the whole catalog is kept under.
const (
	Kind = "catalog"
	ID   = "current"
)

// DefaultTTL is how stale a warm function's catalog may be after an admin change.
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
	var notFound *store.NotFoundError
	if !errors.As(err, &notFound) {
		return false, fmt.Errorf("read catalog: %w", err)
	}
	if err := s.Store.PutConfig(ctx, Kind, ID, json.RawMessage(seed), 0); err != nil {
		var conflict *store.ConflictError
		if errors.As(err, &conflict) {
			return false, nil // another instance seeded it first
		}
		return false, fmt.Errorf("store seed: %w", err)
	}
	return true, nil
}
