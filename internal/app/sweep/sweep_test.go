package sweep_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/sweep"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/internal/wiring"
	sweepwiring "github.com/hotline12345/hotline/internal/wiring/sweep"
)

const complaint = `{"type":"complaint","category":"consumer.refund","channel":"web","content":"买的电饭煲坏了，商家不给退货，请处理。","contact":{"email":"a@example.com"}}`

func sweepHandler(t *testing.T, e *localtest.Env) *sweep.Handler {
	t.Helper()
	h, err := sweepwiring.Build(context.Background(), e.P.Getenv, wiring.Options{Now: e.Clock.Now, Log: e.Logs})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

const scheduled = `{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`

func TestUnacceptedTicketIsRemindedOnce(t *testing.T) {
	e := localtest.Start(t)
	h := sweepHandler(t, e)
	id := e.File(t, complaint).ID
	e.AwaitNewToken(t, id, "")
	tk := e.Ticket(t, id)
	if got := localtest.Types(e.Drain(t, tk.DepartmentID, id)); len(got) != 1 || got[0] != deptmsg.TypeDispatched {
		t.Fatalf("dispatch messages = %+v", got)
	}
	ctx := context.Background()

	// Before the accept deadline nothing happens.
	rep, err := h.Handle(ctx, json.RawMessage(scheduled))
	if err != nil || rep.AcceptWarnings != 0 {
		t.Fatalf("early sweep: %+v %v", rep, err)
	}
	e.Clock.Advance(tk.Deadlines.Accept.Sub(e.Clock.Now()) + time.Minute)
	rep, err = h.Handle(ctx, json.RawMessage(scheduled))
	if err != nil || rep.AcceptWarnings != 1 || rep.Errors != 0 {
		t.Fatalf("sweep after the deadline: %+v %v", rep, err)
	}
	if got := localtest.Types(e.Drain(t, tk.DepartmentID, id)); len(got) != 1 || got[0] != deptmsg.TypeOverdue {
		t.Fatalf("warning messages = %+v", got)
	}
	if !e.Ticket(t, id).Overdue {
		t.Error("ticket not flagged overdue")
	}
	// The next sweep does not remind again.
	if rep, err := h.Handle(ctx, json.RawMessage(`{}`)); err != nil || rep.AcceptWarnings != 0 {
		t.Fatalf("second sweep: %+v %v", rep, err)
	}
	if got := e.Drain(t, tk.DepartmentID, id); len(got) != 0 {
		t.Fatalf("second warning sent: %+v", got)
	}
}

// registered writes a received ticket as intake does, without starting its
// workflow (intake's start failed).
func registered(t *testing.T, e *localtest.Env, id string) *ticket.Ticket {
	t.Helper()
	now := e.Clock.Now()
	tk := &ticket.Ticket{
		ID: id, Type: ticket.TypeComplaint, Category: "consumer.refund", Channel: ticket.ChannelWeb,
		Content: "买的电饭煲坏了，商家不给退货，请处理。", Language: ticket.LanguageZH, Status: ticket.StatusReceived,
		AccessCodeHash: ticket.HashAccessCode(e.CodeKey, id, "ABCDEFGH"), CreatedAt: now, UpdatedAt: now,
	}
	if _, err := e.Store.CreateTicket(context.Background(), tk, tk.Note("received", ticket.Actor{Role: ticket.ActorCitizen}, now, ticket.Verbatim(""), true), nil); err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestTicketWithoutWorkflowIsStarted(t *testing.T) {
	e := localtest.Start(t)
	h := sweepHandler(t, e)
	ctx := context.Background()
	tk := registered(t, e, "260302ABCDEF")
	// Within the grace period intake may still be starting it.
	if rep, err := h.Handle(ctx, json.RawMessage(scheduled)); err != nil || rep.WorkflowsRestored != 0 {
		t.Fatalf("early sweep: %+v %v", rep, err)
	}
	e.Clock.Advance(sweep.StartGrace + time.Second)
	if rep, err := h.Handle(ctx, json.RawMessage(scheduled)); err != nil || rep.WorkflowsRestored != 1 {
		t.Fatalf("sweep: %+v %v", rep, err)
	}
	e.AwaitNewToken(t, tk.ID, "")
	if got := e.Ticket(t, tk.ID).Status; got != ticket.StatusDispatched {
		t.Fatalf("status %s after the restarted workflow", got)
	}
}

// A ticket still "received" whose execution already ran and ended (it failed
// before review) is not "restarted" by taking ExecutionAlreadyExists for
// success every sweep: it goes on the admins' stuck list, once.
func TestTicketWhoseWorkflowEndedIsListedAsStuck(t *testing.T) {
	e := localtest.Start(t)
	h := sweepHandler(t, e)
	ctx := context.Background()
	tk := registered(t, e, "260302ABCDEG")
	// An execution of that name ran and failed before it reviewed the ticket
	// (here: it was given another ticket's id, so it touches nothing of this one).
	if _, err := e.P.Engine.StartExecution(e.P.StateMachineArn, tk.ID, []byte(`{"ticketId":"260302ZZZZZZ"}`)); err != nil {
		t.Fatal(err)
	}
	if x, err := e.P.Engine.AdvanceUntil(ctx, e.Clock, e.ExecutionArn(tk.ID), asl.Done); err != nil || x.Status != asl.StatusFailed {
		t.Fatalf("execution %+v %v", x, err)
	}
	e.Clock.Advance(sweep.StartGrace + time.Second)
	for i := range 2 {
		rep, err := h.Handle(ctx, json.RawMessage(scheduled))
		if err != nil || rep.WorkflowsRestored != 0 || rep.WorkflowsStuck != 1-i {
			t.Fatalf("sweep %d: %+v %v", i, rep, err)
		}
	}
	if got := e.Ticket(t, tk.ID); got.Stuck == nil || got.Stuck.Error != "WorkflowEnded" {
		t.Fatalf("not listed as stuck: %+v", got.Stuck)
	}
}

func TestParseTrigger(t *testing.T) {
	for _, ok := range []string{scheduled, `{}`} {
		if _, err := sweep.ParseTrigger([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{`[]`, `"x"`, `{"source":"aws.s3","detail-type":"Object Created"}`, `{`} {
		if _, err := sweep.ParseTrigger([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func FuzzParseTrigger(f *testing.F) {
	f.Add([]byte(scheduled))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := sweep.ParseTrigger(b)
		if err == nil && ev.Source != "" && ev.Source != "aws.events" {
			t.Fatalf("accepted source %q", ev.Source)
		}
	})
}

// The department hears once that a reply deadline nears (临期预警), accepted
// tickets too.
func TestDepartmentIsWarnedBeforeTheReplyDeadline(t *testing.T) {
	e := localtest.Start(t)
	h := sweepHandler(t, e)
	ctx := context.Background()
	id := e.File(t, complaint).ID
	e.AwaitNewToken(t, id, "")
	tk := e.Ticket(t, id)
	e.Drain(t, tk.DepartmentID, id)
	if st := e.Staff(t, "POST /v1/tickets/{id}/accept", id, "department", tk.DepartmentID, nil); st != 200 {
		t.Fatalf("accept: %d", st)
	}
	at := ticket.DueSoonAt(tk.DispatchedAt, tk.Deadlines.Reply)
	e.Clock.Advance(at.Sub(e.Clock.Now()) - time.Minute)
	if rep, err := h.Handle(ctx, json.RawMessage(scheduled)); err != nil || rep.DueSoonWarnings != 0 {
		t.Fatalf("sweep before the warning time: %+v %v", rep, err)
	}
	e.Clock.Advance(2 * time.Minute)
	for i := range 2 {
		if rep, err := h.Handle(ctx, json.RawMessage(scheduled)); err != nil || rep.DueSoonWarnings != 1-i {
			t.Fatalf("sweep %d: %+v %v", i, rep, err)
		}
	}
	if got := localtest.Types(e.Drain(t, tk.DepartmentID, id)); len(got) != 1 || got[0] != deptmsg.TypeDueSoon {
		t.Fatalf("messages %v, want one due-soon warning", got)
	}
}
