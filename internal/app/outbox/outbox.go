// Package outbox delivers the answers to waiting workflow steps that a saved
// change queued (ticket.Callback): the request that saved the change sends
// them at once, and the sweep sends whatever that request could not.
// Sending twice is harmless: a task token answers once, and a second answer is
// refused by Step Functions as a step no longer waiting.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Deleter removes delivered outbox items.
type Deleter interface {
	DeleteCallback(ctx context.Context, ticketID, key string) error
}

// Store keeps the outbox items.
type Store interface {
	Deleter
	PendingCallbacks(ctx context.Context, before time.Time) ([]ports.PendingCallback, error)
}

// Workflow answers waiting steps.
type Workflow interface {
	Complete(ctx context.Context, token string, output any) error
	Fail(ctx context.Context, token, errorName, cause string) error
}

// Deliver sends cb and removes its outbox item once Step Functions has it or
// the step no longer waits (gone, with the reason). An error leaves the item
// for the sweep.
func Deliver(ctx context.Context, s Deleter, w Workflow, ticketID string, cb ticket.Callback) (gone *ports.StepGoneError, err error) {
	if cb.Failure != "" {
		err = w.Fail(ctx, cb.Token, cb.Failure, string(cb.Output))
	} else {
		err = w.Complete(ctx, cb.Token, cb.Output)
	}
	if err != nil && !errors.As(err, &gone) {
		return nil, fmt.Errorf("answer workflow step of ticket %s: %w", ticketID, err)
	}
	if err := s.DeleteCallback(ctx, ticketID, cb.Key); err != nil {
		// Delivered but still listed: the sweep sends it again, Step
		// Functions refuses it as gone, and the item goes then.
		return gone, fmt.Errorf("clear answered workflow step of ticket %s: %w", ticketID, err)
	}
	return gone, nil
}

// Grace is how long an answer may stay in the outbox before the sweep sends
// it: the request that saved it sends it within seconds normally, and leaving
// it alone that long keeps the two from racing.
const Grace = time.Minute

// Report counts what one sweep of the outbox did.
type Report struct {
	Delivered int `json:"delivered"`
	Gone      int `json:"gone"`
	Errors    int `json:"errors"`
}

// Sweep sends every answer at least Grace old. A failure is logged and counted,
// and the next sweep tries again.
func Sweep(ctx context.Context, s Store, w Workflow, now time.Time, log *slog.Logger) Report {
	var rep Report
	pending, err := s.PendingCallbacks(ctx, now.Add(-Grace))
	if err != nil {
		log.ErrorContext(ctx, "list pending workflow answers", "error", err.Error())
		rep.Errors++
		return rep
	}
	for _, p := range pending {
		gone, err := Deliver(ctx, s, w, p.TicketID, p.Callback)
		switch {
		case err != nil:
			log.ErrorContext(ctx, "queued workflow answer not delivered", "ticket_id", p.TicketID, "error", err.Error())
			rep.Errors++
		case gone != nil:
			log.InfoContext(ctx, "queued workflow answer no longer needed", "ticket_id", p.TicketID, "reason", gone.Reason)
			rep.Gone++
		default:
			log.WarnContext(ctx, "workflow answer delivered by the sweep", "ticket_id", p.TicketID, "queued_at", p.At)
			rep.Delivered++
		}
	}
	return rep
}
