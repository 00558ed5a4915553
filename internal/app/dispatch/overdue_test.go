package dispatch_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

const complaint = `{"type":"complaint","category":"consumer.refund","channel":"web","content":"买的电饭煲坏了，商家不给退货，请处理。","contact":{"email":"a@example.com"}}`

// A missed reply deadline reminds the department (催办), the next missed
// working day escalates (督办), and a late reply still reaches the citizen.
func TestMissedReplyDeadlineIsRemindedThenEscalated(t *testing.T) {
	e := localtest.Start(t)
	rec := e.File(t, complaint)
	token := e.AwaitNewToken(t, rec.ID, "")
	tk := e.Ticket(t, rec.ID)
	if got := localtest.Types(e.Drain(t, tk.DepartmentID, rec.ID)); len(got) != 1 || got[0] != deptmsg.TypeDispatched {
		t.Fatalf("messages after dispatch: %v", got)
	}

	// The reply deadline passes.
	e.Clock.Advance(tk.Deadlines.Reply.Sub(e.Clock.Now()) + time.Second)
	token = e.AwaitNewToken(t, rec.ID, token)
	tk = e.Ticket(t, rec.ID)
	if !tk.Overdue || tk.Escalated || tk.Status != ticket.StatusDispatched {
		t.Fatalf("after the deadline: overdue %v escalated %v status %s", tk.Overdue, tk.Escalated, tk.Status)
	}
	if got := localtest.Types(e.Drain(t, tk.DepartmentID, rec.ID)); len(got) != 1 || got[0] != deptmsg.TypeOverdue {
		t.Fatalf("messages after the deadline: %v", got)
	}
	// The department's inbox lists it under "overdue", no longer among the others.
	for status, want := range map[ticket.Status]int{ticket.InboxOverdue: 1, ticket.StatusDispatched: 0} {
		items, _, err := e.Store.DepartmentInbox(context.Background(), tk.DepartmentID, status, 10, "")
		if err != nil || len(items) != want {
			t.Fatalf("inbox %s: %d tickets (%v), want %d", status, len(items), err, want)
		}
	}

	// One more working day without a reply.
	next := e.P.Catalog.Calendar().AddWorkingDays(e.Clock.Now(), 1)
	e.Clock.Advance(next.Sub(e.Clock.Now()) + time.Second)
	e.AwaitNewToken(t, rec.ID, token)
	if tk = e.Ticket(t, rec.ID); !tk.Escalated {
		t.Fatal("not escalated a working day after the deadline")
	}
	if got := localtest.Types(e.Drain(t, tk.DepartmentID, rec.ID)); len(got) != 1 || got[0] != deptmsg.TypeEscalated {
		t.Fatalf("messages after escalation: %v", got)
	}
	// Supervisors see it among the escalated tickets.
	if ids := escalatedIDs(t, e, "supervisor"); len(ids) != 1 || ids[0] != rec.ID {
		t.Fatalf("escalated list %v", ids)
	}

	// A late reply still goes to the citizen.
	dept := &auth.Claims{Subject: "d", Role: auth.RoleDepartment, Dept: tk.DepartmentID}
	if code := e.Do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", dept, nil, `{"result":"resolved","message":"已处理，商家同意退货。"}`); code != 200 {
		t.Fatalf("late reply: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := e.P.Engine.WaitFor(ctx, e.ExecutionArn(rec.ID), func(d *asl.ExecutionInfo) bool {
		return len(d.WaitingTokens) > 0 && e.Ticket(t, rec.ID).WaitingStep == ticket.StepFeedback
	}); err != nil {
		t.Fatal(err)
	}
}

// An hour-based level (a gas leak: reply within 4 hours) escalates by the
// hour once its deadline is missed, not a working day later.
func TestHourBasedTicketEscalatesByTheHour(t *testing.T) {
	e := localtest.Start(t)
	rec := e.File(t, `{"type":"report","category":"public_safety.gas","channel":"web","content":"楼道里燃气味很重，可能燃气泄漏，请尽快处理。","contact":{"email":"a@example.com"}}`)
	token := e.AwaitNewToken(t, rec.ID, "")
	tk := e.Ticket(t, rec.ID)
	if got := tk.Deadlines.Reply.Sub(tk.DispatchedAt); got != 4*time.Hour {
		t.Fatalf("reply due %v after dispatch", got)
	}
	e.Clock.Advance(tk.Deadlines.Reply.Sub(e.Clock.Now()) + time.Second)
	token = e.AwaitNewToken(t, rec.ID, token)
	if tk = e.Ticket(t, rec.ID); !tk.Overdue || tk.Escalated {
		t.Fatalf("after the deadline: overdue %v escalated %v", tk.Overdue, tk.Escalated)
	}
	e.Clock.Advance(time.Hour + time.Second) // a quarter of the reply time
	e.AwaitNewToken(t, rec.ID, token)
	if tk = e.Ticket(t, rec.ID); !tk.Escalated {
		t.Fatal("not escalated an hour after the missed deadline")
	}
}

// A deadline that runs past the loaded holiday calendar (2026 only) is not
// counted silently: the ticket is flagged with the missing year, the timeline
// says so, and admins see the year among the missing ones.
func TestDeadlinePastTheCalendarIsFlagged(t *testing.T) {
	e := localtest.Start(t)
	admin := func() (years, missing []int) {
		out, err := e.API.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: "GET /v1/admin/calendar",
			RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "a", "role": "admin"}}}}})
		var body struct{ Years, Missing []int }
		if err != nil || out.StatusCode != 200 || json.Unmarshal([]byte(out.Body), &body) != nil {
			t.Fatalf("coverage: %v %d %s", err, out.StatusCode, out.Body)
		}
		return body.Years, body.Missing
	}
	if years, missing := admin(); len(years) != 1 || years[0] != 2026 || len(missing) != 0 {
		t.Fatalf("in March: years %v missing %v", years, missing)
	}
	// Mid-December: thirteen working days reach into 2027.
	e.Clock.Advance(time.Date(2026, 12, 16, 10, 0, 0, 0, ticket.China).Sub(e.Clock.Now()))
	if _, missing := admin(); len(missing) != 1 || missing[0] != 2027 {
		t.Fatalf("in December: missing %v", missing)
	}
	rec := e.File(t, complaint)
	e.AwaitNewToken(t, rec.ID, "")
	tk := e.Ticket(t, rec.ID)
	if len(tk.CalendarGap) != 1 || tk.CalendarGap[0] != 2027 || tk.Deadlines.Reply.Year() != 2027 {
		t.Fatalf("calendar gap %v, reply due %v", tk.CalendarGap, tk.Deadlines.Reply)
	}
	found := false
	for _, ev := range e.Events(t, rec.ID) {
		found = found || ev.Kind == "calendar.gap"
	}
	if !found || !strings.Contains(e.Logs.String(), "deadline counted past the holiday calendar") {
		t.Fatal("the gap is not on the timeline or in the logs")
	}
}

// escalatedIDs lists GET /v1/tickets?escalated=true as role.
func escalatedIDs(t *testing.T, e *localtest.Env, role string) []string {
	t.Helper()
	out, err := e.API.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: "GET /v1/tickets",
		QueryStringParameters: map[string]string{"escalated": "true"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "s", "role": role}}}}})
	var page struct{ Tickets []struct{ ID string } }
	if err != nil || out.StatusCode != 200 || json.Unmarshal([]byte(out.Body), &page) != nil {
		t.Fatalf("escalated list: %v %d %s", err, out.StatusCode, out.Body)
	}
	var ids []string
	for _, x := range page.Tickets {
		ids = append(ids, x.ID)
	}
	return ids
}
