package dispatch_test

import (
	"context"
	"testing"

	"github.com/hotline12345/hotline/internal/app/dispatch"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	dispatchwiring "github.com/hotline12345/hotline/internal/wiring/dispatch"
)

// routed routes a new ticket and returns a dispatch function to retry on it.
func routed(t *testing.T, e *localtest.Env) (*dispatch.Handler, string, string) {
	t.Helper()
	id, code := e.Routed(t)
	d, err := dispatchwiring.Build(context.Background(), e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	return d, id, code
}

func TestRouteTwiceKeepsOneDispatch(t *testing.T) {
	e := localtest.Start(t)
	d, id, _ := routed(t, e)
	first := e.Ticket(t, id)
	e.Clock.Advance(3600e9) // a retry an hour later must not move the deadline
	out, err := d.Handle(context.Background(), localtest.In(dispatch.ActionRoute, id, ""))
	if err != nil || out.DepartmentID != "market" {
		t.Fatalf("second route: %+v %v", out, err)
	}
	again := e.Ticket(t, id)
	if again.Version != first.Version || !again.DispatchedAt.Equal(first.DispatchedAt) || !again.Deadlines.Reply.Equal(first.Deadlines.Reply) {
		t.Fatalf("second route changed the dispatch: %+v -> %+v", first, again)
	}
	n := 0
	for _, ev := range e.Events(t, id) {
		if ev.To == ticket.StatusDispatched {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d dispatch events", n)
	}
}

func TestAwaitReplyTwiceSendsOneMessage(t *testing.T) {
	e := localtest.Start(t)
	d, id, _ := routed(t, e)
	ctx := context.Background()
	for i := range 2 {
		if _, err := d.Handle(ctx, localtest.In(dispatch.ActionAwaitReply, id, localtest.FakeToken)); err != nil {
			t.Fatalf("await-reply %d: %v", i, err)
		}
	}
	tk := e.Ticket(t, id)
	if tk.WaitingStep != ticket.StepDispatch || tk.TaskToken != localtest.FakeToken || tk.Status != ticket.StatusDispatched {
		t.Fatalf("token not parked: %s %q", tk.WaitingStep, tk.Status)
	}
	msgs := e.Drain(t, "market", id)
	if len(msgs) != 1 || msgs[0].Type != "ticket.dispatched" || msgs[0].Role != "lead" {
		t.Fatalf("department messages %+v, want one ticket.dispatched", msgs)
	}
}

// The department replies before the await-reply step parks its token: the
// step finds the reply and answers itself, a reply completing the step and a
// return failing it by the name the workflow catches.
func TestAwaitReplyAfterTheReplyCompletesItself(t *testing.T) {
	for _, c := range []struct {
		route, body, outcome, status, failure string
	}{
		{"POST /v1/tickets/{id}/reply", `{"result":"resolved","message":"已退款。"}`, "replied", "SUCCEEDED", ""},
		{"POST /v1/tickets/{id}/return", `{"reason":"不属于本部门"}`, "returned", "FAILED", "Handling.Returned"},
	} {
		t.Run(c.outcome, func(t *testing.T) {
			e := localtest.Start(t)
			_, id, _ := routed(t, e)
			if st := e.Staff(t, c.route, id, "department", "market", rawJSON(c.body)); st != 200 {
				t.Fatalf("%s: %d", c.route, st)
			}
			x := e.Finished(t, e.Probe(t, "dispatch", dispatch.ActionAwaitReply, id))
			answer := x.Output
			if c.failure != "" {
				answer = x.Cause
			}
			if x.Status != c.status || x.Error != c.failure || answer != `{"outcome":"`+c.outcome+`"}` {
				t.Fatalf("step %s with %s (%s %s)", x.Status, x.Output, x.Error, x.Cause)
			}
		})
	}
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
