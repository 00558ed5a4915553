// Package screeningconfig serves the admin-managed screening rules (emergency
// keywords, blocked words and senders, the knowledge base) from the table,
// cached like the catalog. Until an admin first changes them, the shipped
// rules serve as version 0.
package screeningconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hotline12345/hotline/internal/app/configcache"
	"github.com/hotline12345/hotline/internal/domain/screening"
)

// Config item the rules are kept under.
const (
	Kind = "screening"
	ID   = "current"
)

func item(shipped []byte) configcache.Item[*screening.Screener] {
	return configcache.Item[*screening.Screener]{Kind: Kind, ID: ID, Parse: screening.Load, Default: shipped}
}

// Source caches the rules.
type Source = configcache.Cache[*screening.Screener]

// NewSource caches the stored rules for DefaultTTL, serving shipped until an
// admin stores rules of their own.
func NewSource(st configcache.Store, now func() time.Time, shipped []byte) *Source {
	return &Source{Item: item(shipped), Store: st, TTL: configcache.DefaultTTL, Now: now}
}

// Read returns the stored rules (or shipped, as version 0) and their version.
func Read(ctx context.Context, st configcache.Store, shipped []byte) (*screening.Screener, int, error) {
	return item(shipped).Read(ctx, st)
}

// Copy returns rules an admin change can edit: the configured fields, without
// the prepared matchers.
func Copy(s *screening.Screener) (screening.Screener, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return screening.Screener{}, fmt.Errorf("encode rules: %w", err)
	}
	var out screening.Screener
	if err := json.Unmarshal(b, &out); err != nil {
		return screening.Screener{}, fmt.Errorf("decode rules: %w", err)
	}
	return out, nil
}

// Write validates the rules (every problem in a *screening.ConfigError) and
// stores them if the stored rules are still at expectedVersion; a concurrent
// change gives *ports.ConflictError.
func Write(ctx context.Context, st configcache.Store, s screening.Screener, expectedVersion int) (*screening.Screener, int, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, 0, fmt.Errorf("encode rules: %w", err)
	}
	valid, err := screening.Load(b)
	if err != nil {
		return nil, 0, err
	}
	if err := configcache.Put(ctx, st, Kind, ID, json.RawMessage(b), expectedVersion); err != nil {
		return nil, 0, err
	}
	return valid, expectedVersion + 1, nil
}

// Fixed serves the same rules always (tests, and callers that hold rules).
type Fixed struct{ Rules *screening.Screener }

// Current returns the rules.
func (f Fixed) Current(context.Context) (*screening.Screener, error) { return f.Rules, nil }
