package review_test

import (
	"context"
	"testing"

	"github.com/hotline12345/hotline/internal/app/review"
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
	first, err := rv.Handle(ctx, localtest.In(review.ActionReview, id, ""))
	if err != nil || first.Decision != "accept" {
		t.Fatalf("review: %+v %v", first, err)
	}
	v := e.Ticket(t, id).Version

	// The same citizen files the same complaint again: that one is a possible duplicate.
	dup, _ := e.NewTicket(t)
	tk := e.Ticket(t, dup)
	if got, err := rv.Handle(ctx, localtest.In(review.ActionReview, dup, "")); err != nil || got.Decision != "manual" {
		t.Fatalf("duplicate review: %+v %v (%s)", got, err, tk.ID)
	}
	if got := e.Ticket(t, dup); got.DuplicateOf != id {
		t.Fatalf("the operator is not told which ticket it repeats: %q", got.DuplicateOf)
	}

	again, err := rv.Handle(ctx, localtest.In(review.ActionReview, id, ""))
	if err != nil || again != first {
		t.Fatalf("second review %+v %v, first %+v", again, err, first)
	}
	if after := e.Ticket(t, id); after.Version != v || after.Status != ticket.StatusInReview {
		t.Fatalf("second review changed the ticket: v%d->v%d %s", v, after.Version, after.Status)
	}
}
