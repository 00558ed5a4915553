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

// MaxStoredBytes bounds a stored configuration: it must fit a DynamoDB item
// (400 KB with its keys) and what the parsers accept, or no function could
// load it again.
const MaxStoredBytes = 350 << 10

// TooLargeError says a changed configuration would not fit its config item.
type TooLargeError struct{ Size int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("configuration of %d bytes exceeds the %d bytes a config item holds", e.Size, MaxStoredBytes)
}

// Put stores a validated configuration value if it fits a config item and
// the stored one is still at expectedVersion (0: nothing stored yet); a
// concurrent change gives *ports.ConflictError.
func Put(ctx context.Context, st Store, kind, id string, v any, expectedVersion int) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind, err)
	}
	if len(b) > MaxStoredBytes {
		return &TooLargeError{Size: len(b)}
	}
	if err := st.PutConfig(ctx, kind, id, json.RawMessage(b), expectedVersion); err != nil {
		return fmt.Errorf("store %s: %w", kind, err)
	}
	return nil
}
