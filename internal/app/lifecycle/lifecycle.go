// Package lifecycle applies a change to a ticket the one safe way: load, let the
// domain change it, save conditionally on version and status, and start again
// from fresh data when another writer won the race.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Store is the part of the ticket store a change needs.
type Store interface {
	GetTicket(ctx context.Context, id string) (*ticket.Ticket, error)
	SaveTicket(ctx context.Context, t *ticket.Ticket, expected ticket.Status, events ...ticket.Event) error
}

// ErrUnchanged tells Update that fn found nothing to do (an idempotent retry).
var ErrUnchanged = errors.New("ticket unchanged")

// Attempts bounds the reload-and-retry loop; more than a few lost races in a row
// means a real conflict the caller should see.
const Attempts = 4

// NoteAttempts bounds the loop for changes that only add to the timeline
// (supplements): they never become wrong by losing a race, so they retry until
// every concurrent writer has had its turn instead of failing with a conflict.
const NoteAttempts = 32

// pause waits a little after a lost race, longer after each, and by a random
// share of that: writers that collided would otherwise read and write again
// in step and collide again (a sweep and a workflow step on one ticket).
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(1+rand.IntN(2<<min(attempt, 3))) * time.Millisecond
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// Update applies fn to the current ticket and saves the result with its events.
// fn must decide from the ticket it is given only, because it may run again on a
// newer version. It returns the ticket as saved (or as found when fn returned
// ErrUnchanged).
func Update(ctx context.Context, s Store, id string, fn func(t *ticket.Ticket) ([]ticket.Event, error)) (*ticket.Ticket, error) {
	return UpdateAttempts(ctx, s, id, Attempts, fn)
}

// UpdateAttempts is Update with its own bound on lost races.
func UpdateAttempts(ctx context.Context, s Store, id string, attempts int, fn func(t *ticket.Ticket) ([]ticket.Event, error)) (*ticket.Ticket, error) {
	var lastErr error
	for attempt := range max(attempts, 1) {
		t, err := s.GetTicket(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load ticket %s: %w", id, err)
		}
		expected := t.Status
		events, err := fn(t)
		if errors.Is(err, ErrUnchanged) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		err = s.SaveTicket(ctx, t, expected, events...)
		var conflict *ports.ConflictError
		if errors.As(err, &conflict) {
			lastErr = err
			if err := pause(ctx, attempt); err != nil {
				return nil, fmt.Errorf("save ticket %s: %w", id, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("save ticket %s: %w", id, err)
		}
		return t, nil
	}
	return nil, fmt.Errorf("save ticket %s after %d attempts: %w", id, attempts, lastErr)
}
