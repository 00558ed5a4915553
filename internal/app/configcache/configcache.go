// Package configcache keeps an admin-managed configuration item (the catalog,
// the screening rules) cached in a warm function, so it is not read on every
// request, and reads it fresh for the admin API's read-modify-write.
package configcache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// DefaultTTL is how stale a warm function's copy may be after an admin
// change: each function caches on its own, so a change reaches routing,
// deadlines and review within this time (the api function that made it sees
// it at once).
const DefaultTTL = 30 * time.Second

// Store reads and writes configuration items under optimistic versions.
type Store interface {
	GetConfig(ctx context.Context, kind, id string, out any) (int, error)
	PutConfig(ctx context.Context, kind, id string, value any, expectedVersion int) error
}

// Item names one configuration item and how to read it.
type Item[T any] struct {
	Kind, ID string
	Parse    func(raw []byte) (T, error)
	// Default serves, as version 0, while nothing is stored yet (the shipped
	// rules before an admin's first change); nil makes that a not-found error.
	Default []byte
}

// Read returns the stored item and its version, bypassing any cache.
func (it Item[T]) Read(ctx context.Context, st Store) (T, int, error) {
	var zero T
	var raw json.RawMessage
	version, err := st.GetConfig(ctx, it.Kind, it.ID, &raw)
	var missing *ports.NotFoundError
	if errors.As(err, &missing) && it.Default != nil {
		raw, version, err = it.Default, 0, nil
	}
	if err != nil {
		return zero, 0, fmt.Errorf("read %s: %w", it.Kind, err)
	}
	v, err := it.Parse(raw)
	if err != nil {
		return zero, 0, fmt.Errorf("stored %s is invalid: %w", it.Kind, err)
	}
	return v, version, nil
}

// Cache serves an item from memory for up to TTL.
type Cache[T any] struct {
	Item  Item[T]
	Store Store
	TTL   time.Duration
	Now   func() time.Time

	mu       sync.Mutex
	cached   T
	loaded   bool
	version  int
	loadedAt time.Time
}

// Current returns the item, reading it again when the cache is older than TTL.
func (c *Cache[T]) Current(ctx context.Context) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Now()
	if c.loaded && now.Sub(c.loadedAt) < c.TTL {
		return c.cached, nil
	}
	v, version, err := c.Item.Read(ctx, c.Store)
	if err != nil {
		var zero T
		return zero, err
	}
	c.cached, c.version, c.loadedAt, c.loaded = v, version, now, true
	return v, nil
}

// Invalidate drops the cached copy so the next Current reads the table; the
// api function calls it after its own admin change.
func (c *Cache[T]) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loaded = false
}

// Version is the stored version of the cached copy.
func (c *Cache[T]) Version() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}
