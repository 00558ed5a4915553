package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/auth"
	"github.com/hotline12345/hotline/internal/outbox"
	"github.com/hotline12345/hotline/internal/sla"
	"github.com/hotline12345/hotline/internal/ticket"
	"github.com/hotline12345/hotline/internal/wire"
)

// outage is Step Functions refusing every call (after the SDK's retries).
type outage struct{}

func (outage) Complete(context.Context, string, any) error {
	return errors.New("operation error SFN: SendTaskSuccess, ServiceUnavailable")
}

func (e *env) sweep(t *testing.T) sla.Report {
	t.Helper()
	h, err := wire.SLA(context.Background(), e.getenv, e.wo)
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
// and reach the workflow through the sla sweep: nothing the department or
// the citizen did is lost, and nothing is sent twice.
func TestAnswersSavedDuringAWorkflowOutageAreSentByTheSweep(t *testing.T) {
	e := newEnv(t)
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
	if !strings.Contains(e.logs.String(), `"workflow step not answered yet; the sla sweep will answer it"`) {
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
	e := newEnv(t)
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
