package review_test

import (
	"context"
	"testing"

	"github.com/hotline12345/hotline/internal/review"
	"github.com/hotline12345/hotline/internal/ticket"
	"github.com/hotline12345/hotline/internal/wire"
)

// Review run twice gives the same decision even when the facts it looks at
// changed in between (a near-identical ticket from the same citizen arrived,
// which would now make it a possible duplicate).
func TestReviewTwiceGivesTheSameDecision(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rv, err := wire.Review(ctx, e.getenv, e.wo)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := e.newTicket(t)
	first, err := rv.Handle(ctx, in(review.ActionReview, id, ""))
	if err != nil || first.Decision != "accept" {
		t.Fatalf("review: %+v %v", first, err)
	}
	v := e.ticket(t, id).Version

	// The same citizen files the same complaint again: that one is a possible duplicate.
	dup, _ := e.newTicket(t)
	tk := e.ticket(t, dup)
	if got, err := rv.Handle(ctx, in(review.ActionReview, dup, "")); err != nil || got.Decision != "manual" {
		t.Fatalf("duplicate review: %+v %v (%s)", got, err, tk.ID)
	}

	again, err := rv.Handle(ctx, in(review.ActionReview, id, ""))
	if err != nil || again != first {
		t.Fatalf("second review %+v %v, first %+v", again, err, first)
	}
	if after := e.ticket(t, id); after.Version != v || after.Status != ticket.StatusInReview {
		t.Fatalf("second review changed the ticket: v%d->v%d %s", v, after.Version, after.Status)
	}
}
