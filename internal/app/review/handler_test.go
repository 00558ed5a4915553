package review_test

import (
	"context"
	"testing"

	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	reviewwiring "github.com/hotline12345/hotline/internal/wiring/review"
)

// Review run twice gives the same decision even when the facts it looks at
// changed in between (a near-identical ticket from the same citizen arrived,
// which would now make it a possible duplicate).
func TestReviewTwiceGivesTheSameDecision(t *testing.T) {
	e := localtest.Start(t)
	ctx := context.Background()
	rv, err := reviewwiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := e.NewTicket(t)
	first, failure := reviewed(t, rv, id)
	if failure != "" || first.Decision != "accept" || first.DepartmentID != "market" || first.ReplyTimeoutSeconds <= 0 {
		t.Fatalf("review: %+v %s", first, failure)
	}
	v := e.Ticket(t, id).Version

	// The same citizen files the same complaint again: that one is a possible duplicate.
	dup, _ := e.NewTicket(t)
	tk := e.Ticket(t, dup)
	if got, failure := reviewed(t, rv, dup); failure != "Review.Manual" || got.Decision != "manual" {
		t.Fatalf("duplicate review: %+v %s (%s)", got, failure, tk.ID)
	}
	if got := e.Ticket(t, dup); got.DuplicateOf != id {
		t.Fatalf("the operator is not told which ticket it repeats: %q", got.DuplicateOf)
	}

	again, failure := reviewed(t, rv, id)
	if failure != "" || again.Decision != first.Decision || again.DepartmentID != first.DepartmentID {
		t.Fatalf("second review %+v %s, first %+v", again, failure, first)
	}
	// Accepted and dispatched in one save; the second review changes nothing.
	if after := e.Ticket(t, id); after.Version != v || after.Status != ticket.StatusDispatched {
		t.Fatalf("second review changed the ticket: v%d->v%d %s", v, after.Version, after.Status)
	}
}
