package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// parkedTicket stores a fresh ticket in review, parked at the operator step.
func (e *env) parkedTicket(t *testing.T, id string) *ticket.Ticket {
	t.Helper()
	ctx := context.Background()
	tk := newTicket(id, e.clock.Now())
	if _, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), nil); err != nil {
		t.Fatal(err)
	}
	ev, err := tk.Transition(ticket.StatusInReview, ticket.Actor{Role: ticket.ActorSystem}, e.clock.Now(), ticket.Verbatim(""))
	if err != nil {
		t.Fatal(err)
	}
	tk.TaskToken, tk.WaitingStep = "token-"+id, ticket.StepOperator
	if err := e.store.SaveTicket(ctx, tk, ticket.StatusReceived, ev); err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestOutboxIsWrittenWithTheChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.parkedTicket(t, "T1")
	if err := tk.AnswerStep(ticket.StepOperator, map[string]string{"decision": "accept"}); err != nil {
		t.Fatal(err)
	}
	tk.TaskToken, tk.WaitingStep = "", ticket.StepNone
	saved := e.clock.Now()
	if err := e.store.SaveTicket(ctx, tk, ticket.StatusInReview, tk.Note("reviewed", ticket.Actor{Role: ticket.ActorOperator}, saved, ticket.Verbatim("ok"), true)); err != nil {
		t.Fatal(err)
	}
	if len(tk.Outbox) != 1 || tk.Outbox[0].Key == "" {
		t.Fatalf("the saved callback has no key: %+v", tk.Outbox)
	}

	// Not listed before the time it was written, listed from then on.
	if got, err := e.store.PendingCallbacks(ctx, saved.Add(-time.Millisecond)); err != nil || len(got) != 0 {
		t.Fatalf("pending before it was written: %+v %v", got, err)
	}
	got, err := e.store.PendingCallbacks(ctx, saved)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("pending: %+v", got)
	}
	p := got[0]
	if p.TicketID != "T1" || p.Token != "token-T1" || string(p.Output) != `{"decision":"accept"}` || p.Key != tk.Outbox[0].Key || !p.At.Equal(saved) {
		t.Fatalf("pending callback %+v", p)
	}
	// The outbox is not part of the ticket.
	if back, err := e.store.GetTicket(ctx, "T1"); err != nil || len(back.Outbox) != 0 {
		t.Fatalf("ticket read back with an outbox: %+v %v", back, err)
	}

	if err := e.store.DeleteCallback(ctx, "T1", p.Key); err != nil {
		t.Fatal(err)
	}
	if err := e.store.DeleteCallback(ctx, "T1", p.Key); err != nil {
		t.Fatalf("deleting a delivered callback twice: %v", err)
	}
	if got, err := e.store.PendingCallbacks(ctx, saved.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("pending after delete: %+v %v", got, err)
	}
}

func TestOutboxOfALostRaceIsNotWritten(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.parkedTicket(t, "T1")
	winner, loser := *tk, *tk
	winner.ReviewReason = "first"
	if err := e.store.SaveTicket(ctx, &winner, ticket.StatusInReview); err != nil {
		t.Fatal(err)
	}
	if err := loser.AnswerStep(ticket.StepOperator, "late"); err != nil {
		t.Fatal(err)
	}
	var ce *ports.ConflictError
	if err := e.store.SaveTicket(ctx, &loser, ticket.StatusInReview); !errors.As(err, &ce) {
		t.Fatalf("stale save: %v", err)
	}
	if got, err := e.store.PendingCallbacks(ctx, e.clock.Now().Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("a save that lost its race left an answer to send: %+v %v", got, err)
	}
}

func TestPendingCallbacksAcrossShards(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 12
	for i := range n {
		tk := e.parkedTicket(t, fmt.Sprintf("T%02d", i))
		if err := tk.AnswerStep(ticket.StepOperator, i); err != nil {
			t.Fatal(err)
		}
		if err := e.store.SaveTicket(ctx, tk, ticket.StatusInReview); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Second)
	}
	got, err := e.store.PendingCallbacks(ctx, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range got {
		seen[p.TicketID] = true
	}
	if len(got) != n || len(seen) != n {
		t.Fatalf("listed %d callbacks of %d tickets, want %d", len(got), len(seen), n)
	}
	shards := map[string]bool{}
	for id := range seen {
		shards[outboxPK(id)] = true
	}
	if len(shards) < 2 {
		t.Fatalf("all %d tickets fell in one shard; the test proves nothing about shards", n)
	}
}
