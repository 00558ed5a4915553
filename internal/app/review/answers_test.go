package review_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/hotline12345/hotline/internal/app/review"
	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	reviewwiring "github.com/hotline12345/hotline/internal/wiring/review"
)

// answers records how the review step answered itself: the output it
// completed with, or the failure it failed with and the output as cause.
type answers struct {
	mu      sync.Mutex
	output  review.Output
	failure string
}

func (a *answers) Complete(_ context.Context, _ string, output any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, err := json.Marshal(output)
	if err != nil {
		return err
	}
	a.failure, a.output = "", review.Output{}
	return json.Unmarshal(b, &a.output)
}

func (a *answers) Fail(_ context.Context, _, name, cause string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failure, a.output = name, review.Output{}
	return json.Unmarshal([]byte(cause), &a.output)
}

// reviewed runs the review step on a ticket and returns its answer.
func reviewed(t *testing.T, rv *review.Handler, id string) (review.Output, string) {
	t.Helper()
	a := &answers{}
	rv.Workflow = a
	if _, err := rv.Handle(context.Background(), localtest.In(review.ActionReview, id, localtest.FakeToken)); err != nil {
		t.Fatalf("review of %s: %v", id, err)
	}
	return a.output, a.failure
}

// A repaired ticket's new execution starts at review, which names the step
// the ticket's saved state resumes at instead of reviewing it again.
func TestRepairedTicketResumesWhereItStood(t *testing.T) {
	e := localtest.Start(t)
	ctx := context.Background()
	id, _ := e.Routed(t)
	rv, err := reviewwiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	a := &answers{}
	rv.Workflow = a
	in := localtest.In(review.ActionReview, id, localtest.FakeToken)
	in.Start = &task.Start{Resume: true}
	v := e.Ticket(t, id).Version
	if _, err := rv.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	if a.failure != "Resume.Reply" || e.Ticket(t, id).Version != v {
		t.Fatalf("resumed with %q, version %d -> %d", a.failure, v, e.Ticket(t, id).Version)
	}
}
