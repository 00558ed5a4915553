package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/outbox"
	"github.com/hotline12345/hotline/internal/app/sweep"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	sweepwiring "github.com/hotline12345/hotline/internal/wiring/sweep"
)

// outage is Step Functions refusing every call (after the SDK's retries).
type outage struct{}

func (outage) Complete(context.Context, string, any) error {
	return errors.New("operation error SFN: SendTaskSuccess, ServiceUnavailable")
}

func (outage) Fail(context.Context, string, string, string) error {
	return errors.New("operation error SFN: SendTaskFailure, ServiceUnavailable")
}

func (outage) Resume(context.Context, string, int) error {
	return errors.New("operation error SFN: StartExecution, ServiceUnavailable")
}

// noPlatformSweep leaves the sweep to the test (e.sweep).
func noPlatformSweep(o *platform.Options) { o.SweepInterval = -1 }

func (e *env) sweep(t *testing.T) sweep.Report {
	t.Helper()
	h, err := sweepwiring.Build(context.Background(), e.getenv, e.wo)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := h.Handle(context.Background(), json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (e *env) pending(t *testing.T) int {
	t.Helper()
	p, err := e.store.PendingCallbacks(context.Background(), e.clock.Now().Add(outbox.Grace))
	if err != nil {
		t.Fatal(err)
	}
	return len(p)
}

// A reply and a rating saved while Step Functions is down are answered 200
// and reach the workflow through the sweep: nothing the department or
// the citizen did is lost, and nothing is sent twice.
func TestAnswersSavedDuringAWorkflowOutageAreSentByTheSweep(t *testing.T) {
	e := newEnv(t, noPlatformSweep)
	id, code := e.dispatched(t)
	e.do(t, route("POST /v1/tickets/{id}/accept", id).as(auth.RoleDepartment, "market")).want(t, "accept", 200)

	working := e.api.Workflow
	e.api.Workflow = outage{}
	e.do(t, route("POST /v1/tickets/{id}/reply", id).as(auth.RoleDepartment, "market").
		json(map[string]any{"result": "resolved", "message": "商家已同意退货退款。"})).want(t, "reply during the outage", 200)
	if tk := e.ticket(t, id); tk.Status != ticket.StatusReplied {
		t.Fatalf("reply not saved: %s", tk.Status)
	}
	if n := e.pending(t); n != 1 {
		t.Fatalf("%d answers waiting in the outbox, want 1", n)
	}
	if !strings.Contains(e.logs.String(), `"workflow step not answered yet; the sweep will answer it"`) {
		t.Fatal("the failed send is not logged")
	}

	// Within the grace period the sweep leaves the answer to the request.
	if rep := e.sweep(t); rep.AnswersDelivered != 0 || rep.Errors != 0 {
		t.Fatalf("early sweep %+v", rep)
	}
	e.clock.Advance(outbox.Grace)
	if rep := e.sweep(t); rep.AnswersDelivered != 1 || rep.Errors != 0 {
		t.Fatalf("sweep %+v, want the reply delivered", rep)
	}
	e.parked(t, id, "Feedback")

	// The citizen is not satisfied, still during the outage: the reopen is kept.
	resp := e.do(t, route("POST /v1/tickets/{id}/rating", id).code(code).json(map[string]any{"satisfied": false, "score": 2}))
	resp.want(t, "rating during the outage", 200)
	var rated struct{ Reopened bool }
	if err := json.Unmarshal([]byte(resp.body), &rated); err != nil || !rated.Reopened {
		t.Fatalf("rating answer %s", resp.body)
	}
	e.clock.Advance(outbox.Grace)
	e.api.Workflow = working
	if rep := e.sweep(t); rep.AnswersDelivered != 1 || rep.Errors != 0 {
		t.Fatalf("sweep %+v, want the rating delivered", rep)
	}
	e.parked(t, id, "AwaitReply")
	if tk := e.ticket(t, id); tk.Status != ticket.StatusDispatched || tk.ReopenCount != 1 {
		t.Fatalf("after the reopen: %s, reopened %d times", tk.Status, tk.ReopenCount)
	}
	if msgs := e.messages(t, "market", id); len(msgs) != 2 || msgs[1].Type != "ticket.reopened" {
		t.Fatalf("department messages %+v", msgs)
	}
	if rep := e.sweep(t); rep.AnswersDelivered != 0 || rep.AnswersGone != 0 || rep.Errors != 0 || e.pending(t) != 0 {
		t.Fatalf("a delivered answer is still queued: %+v", rep)
	}
}

// An answer whose step ended meanwhile is dropped by the sweep, not retried
// for ever.
func TestQueuedAnswerToAnEndedStepIsDropped(t *testing.T) {
	e := newEnv(t, noPlatformSweep)
	id, _ := e.dispatched(t)
	e.api.Workflow = outage{}
	e.do(t, route("POST /v1/tickets/{id}/return", id).as(auth.RoleDepartment, "market").
		json(map[string]any{"reason": "不属于本部门职责"})).want(t, "return during the outage", 200)
	if _, err := e.p.Engine.StopExecution(e.execArn(id), "Test", "stopped by the test"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(outbox.Grace)
	if rep := e.sweep(t); rep.AnswersGone != 1 || rep.AnswersDelivered != 0 || rep.Errors != 0 {
		t.Fatalf("sweep %+v, want the answer dropped as gone", rep)
	}
	if n := e.pending(t); n != 0 {
		t.Fatalf("%d answers still queued", n)
	}
}

// An operator decision saved during an outage is followed when the review
// deadline ends the wait before the sweep sent it: the ticket is not escalated
// and no operator is asked to decide again.
func TestOperatorDecisionSavedDuringAnOutageIsFollowedAtTheReviewDeadline(t *testing.T) {
	e := newEnv(t, noPlatformSweep)
	sub := complaint()
	delete(sub, "category")
	id, _ := e.file(t, sub)
	e.parked(t, id, "AwaitOperator")
	e.api.Workflow = outage{}
	e.do(t, route("POST /v1/tickets/{id}/review", id).as(auth.RoleOperator, "").
		json(map[string]any{"decision": "reject", "reason": "内容与本热线无关"})).want(t, "decision during the outage", 200)

	e.clock.Advance(72*time.Hour + time.Second) // the review deadline
	if d := e.done(t, id); d.Status != "SUCCEEDED" {
		t.Fatalf("execution %s (%s: %s)", d.Status, d.Error, d.Cause)
	}
	tk := e.ticket(t, id)
	if tk.Status != ticket.StatusRejected || tk.Escalated {
		t.Fatalf("ticket %s, escalated %v", tk.Status, tk.Escalated)
	}
	if rep := e.sweep(t); rep.AnswersGone != 1 || rep.AnswersDelivered != 0 || rep.Errors != 0 {
		t.Fatalf("sweep %+v, want the spent answer dropped", rep)
	}
}

// A rating saved during an outage is followed when the rating window ends
// before the sweep sent it: an unsatisfied citizen's ticket is reopened, not
// closed against their rating.
func TestRatingSavedDuringAnOutageIsFollowedAtTheWindowEnd(t *testing.T) {
	e := newEnv(t, noPlatformSweep)
	id, code := e.replied(t)
	e.api.Workflow = outage{}
	e.do(t, route("POST /v1/tickets/{id}/rating", id).code(code).json(map[string]any{"satisfied": false, "score": 1})).want(t, "rating during the outage", 200)

	e.clock.Advance(7*24*time.Hour + time.Second) // the rating window
	e.parked(t, id, "AwaitReply")
	if tk := e.ticket(t, id); tk.Status != ticket.StatusDispatched || tk.ReopenCount != 1 {
		t.Fatalf("after the window: %s, reopened %d times", tk.Status, tk.ReopenCount)
	}
	if rep := e.sweep(t); rep.AnswersGone != 1 || rep.Errors != 0 {
		t.Fatalf("sweep %+v, want the spent answer dropped", rep)
	}
}

// Without a rating the window's end closes the ticket, as before.
func TestNoRatingClosesAtTheWindowEnd(t *testing.T) {
	e := newEnv(t, noPlatformSweep)
	id, _ := e.replied(t)
	e.clock.Advance(7*24*time.Hour + time.Second)
	if d := e.done(t, id); d.Status != "SUCCEEDED" {
		t.Fatalf("execution %s (%s: %s)", d.Status, d.Error, d.Cause)
	}
	if tk := e.ticket(t, id); tk.Status != ticket.StatusClosed || tk.Rating != nil {
		t.Fatalf("ticket %s rating %+v", tk.Status, tk.Rating)
	}
}
