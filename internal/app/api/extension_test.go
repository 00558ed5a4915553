package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// accepted files a complaint, waits for dispatch and accepts it as market
// regulation (so the accept-deadline sweep leaves it alone).
func (e *env) accepted(t *testing.T) (id, code string) {
	t.Helper()
	id, code = e.dispatched(t)
	e.do(t, route("POST /v1/tickets/{id}/accept", id).as(auth.RoleDepartment, "market")).want(t, "accept", 200)
	return id, code
}

// reviewQueueIDs lists the ticket ids in the operators' review queue.
func (e *env) reviewQueueIDs(t *testing.T) []string {
	t.Helper()
	r := e.do(t, route("GET /v1/review-queue", "").as(auth.RoleOperator, ""))
	r.want(t, "review queue", 200)
	var page struct {
		Tickets []struct {
			ID string `json:"id"`
		} `json:"tickets"`
	}
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range page.Tickets {
		ids = append(ids, tk.ID)
	}
	return ids
}

// parkedAfter waits until AwaitReply has parked again after the latest entry
// into state, and returns the timeout that wait was scheduled with.
func (e *env) parkedAfter(t *testing.T, id, state string) int64 {
	t.Helper()
	var timeout int64
	e.waitExec(t, id, "AwaitReply parked after "+state, func(h []asl.HistoryEvent) bool {
		seen, inAwait, submitted := false, false, false
		for _, ev := range h {
			switch {
			case strings.HasSuffix(ev.Type, "StateEntered"):
				name := ev.StateEnteredEventDetails.Name
				if name == state {
					seen = true
				}
				inAwait, submitted = seen && name == "AwaitReply", false
			case ev.Type == "TaskScheduled" && inAwait:
				timeout = ev.TaskScheduledEventDetails.TimeoutInSeconds
			case ev.Type == "TaskSubmitted":
				submitted = true
			}
		}
		return inAwait && submitted
	})
	return timeout
}

func extension(id string, days int) *req {
	return route("POST /v1/tickets/{id}/extension", id).as(auth.RoleDepartment, "market").
		json(map[string]any{"days": days, "reason": "需要现场核查，涉及多个部门"})
}

func decision(id string, approve bool, reason string) *req {
	return route("POST /v1/tickets/{id}/extension-decision", id).as(auth.RoleOperator, "").
		json(map[string]any{"approve": approve, "reason": reason})
}

// An approved extension moves the reply deadline by working days, leaves the
// review queue, and the running workflow waits for the new deadline: past the
// old one nothing happens, past the new one the ticket is overdue. The
// department hears of the ticket once; the citizen sees the new deadline.
func TestExtensionApprovedWaitsForNewDeadline(t *testing.T) {
	e := newEnv(t)
	id, code := e.accepted(t)
	old := e.ticket(t, id).Deadlines.Reply

	e.do(t, route("POST /v1/tickets/{id}/extension", id).as(auth.RoleDepartment, "housing").json(map[string]any{"days": 5, "reason": "需要现场核查"})).want(t, "other department", 404)
	e.do(t, route("POST /v1/tickets/{id}/extension", id).as(auth.RoleOperator, "").json(map[string]any{"days": 5, "reason": "需要现场核查"})).want(t, "operator asks", 403)
	e.do(t, extension(id, 0)).want(t, "0 days", 400)
	e.do(t, extension(id, 31)).want(t, "31 days", 400)
	e.do(t, decision(id, true, "")).want(t, "decision without a request", 409)
	e.do(t, extension(id, 5)).want(t, "request", 202)
	e.do(t, extension(id, 3)).want(t, "second open request", 409)
	if tk := e.ticket(t, id); !tk.ExtensionRequested || tk.Extension == nil || tk.Extension.Days != 5 || !tk.Deadlines.Reply.Equal(old) {
		t.Fatalf("after the request: %+v", tk.Extension)
	}
	if !slices.Contains(e.reviewQueueIDs(t), id) {
		t.Fatal("extension request not in the review queue")
	}

	e.do(t, route("POST /v1/tickets/{id}/extension-decision", id).as(auth.RoleDepartment, "market").json(map[string]any{"approve": true})).want(t, "department decides", 403)
	e.do(t, route("POST /v1/tickets/{id}/extension-decision", id).as(auth.RoleOperator, "").json(map[string]any{"reason": "x"})).want(t, "no approve", 400)
	e.do(t, decision(id, true, "同意")).want(t, "approve", 200)
	tk := e.ticket(t, id)
	want := e.p.Catalog.Calendar().AddWorkingDays(old, 5)
	if !tk.Deadlines.Reply.Equal(want) || tk.ExtensionRequested || tk.Extension.Decision != ticket.ExtensionApproved {
		t.Fatalf("after approval: deadline %v (want %v), requested %v, %+v", tk.Deadlines.Reply, want, tk.ExtensionRequested, tk.Extension)
	}
	if slices.Contains(e.reviewQueueIDs(t), id) {
		t.Fatal("decided request still in the review queue")
	}
	e.do(t, decision(id, true, "")).want(t, "second decision", 409)

	// The workflow waits again, until the new deadline.
	timeout := e.parkedAfter(t, id, "Rewait")
	if wantSecs := int64(want.Sub(e.clock.Now()).Seconds()); timeout < wantSecs-1 || timeout > wantSecs {
		t.Fatalf("AwaitReply waits %d s, want %d (until the new deadline)", timeout, wantSecs)
	}
	// The department heard of the ticket once, and of the decision.
	if got := e.messages(t, "market", id); len(got) != 2 || got[0].Type != deptmsg.TypeDispatched ||
		got[1].Type != deptmsg.TypeExtensionApproved || !got[1].Deadline.Equal(want) {
		t.Fatalf("department messages %+v, want the dispatch and the approval with the new deadline", got)
	}

	// The citizen sees the new deadline, not the staff events.
	var view struct {
		Deadlines map[string]string `json:"deadlines"`
		Timeline  []struct {
			Kind string `json:"kind"`
		} `json:"timeline"`
	}
	r := e.do(t, route("GET /v1/tickets/{id}", id).code(code))
	r.want(t, "citizen view", 200)
	if err := json.Unmarshal([]byte(r.body), &view); err != nil {
		t.Fatal(err)
	}
	if view.Deadlines["reply"] != want.In(ticket.China).Format(time.RFC3339) {
		t.Fatalf("citizen sees deadline %q, want %v", view.Deadlines["reply"], want)
	}
	for _, ev := range view.Timeline {
		if strings.HasPrefix(ev.Kind, "extension.") {
			t.Fatalf("citizen timeline shows %s", ev.Kind)
		}
	}

	// Past the old deadline: still waiting, not overdue.
	e.clock.Advance(old.Sub(e.clock.Now()) + time.Minute)
	if tk := e.ticket(t, id); tk.Overdue || localtest.CountKind(e.events(t, id), "overdue") != 0 {
		t.Fatal("overdue after the old deadline")
	}
	// Past the new one: overdue (催办).
	e.clock.Advance(want.Sub(e.clock.Now()) + time.Second)
	e.parkedAfter(t, id, "ReplyOverdue")
	if tk := e.ticket(t, id); !tk.Overdue || localtest.CountKind(e.events(t, id), "overdue") != 1 {
		t.Fatalf("not overdue after the new deadline: %+v", tk)
	}
	evs := e.events(t, id)
	for _, ev := range evs {
		if ev.Kind == "overdue" && ev.At.Before(want) {
			t.Fatalf("overdue at %v, before the new deadline %v", ev.At, want)
		}
	}
}

// A rejected extension keeps the deadline and the running wait: past the
// deadline the ticket is overdue.
func TestExtensionRejectedKeepsDeadline(t *testing.T) {
	e := newEnv(t)
	id, _ := e.accepted(t)
	old := e.ticket(t, id).Deadlines.Reply
	e.do(t, extension(id, 5)).want(t, "request", 202)
	e.do(t, decision(id, false, "")).want(t, "reject without reason", 400)
	e.do(t, decision(id, false, "理由不充分，请按期办结")).want(t, "reject", 200)
	tk := e.ticket(t, id)
	if !tk.Deadlines.Reply.Equal(old) || tk.ExtensionRequested || tk.Extension.Decision != ticket.ExtensionRejected || tk.WaitingStep != ticket.StepDispatch {
		t.Fatalf("after rejection: %v %v %+v %s", tk.Deadlines.Reply, tk.ExtensionRequested, tk.Extension, tk.WaitingStep)
	}
	if localtest.CountKind(e.events(t, id), "extension.rejected") != 1 {
		t.Fatal("no rejection on the staff timeline")
	}
	// The lead department is told why, with the deadline it keeps.
	got := e.messages(t, "market", id)
	if last := got[len(got)-1]; last.Type != deptmsg.TypeExtensionRejected || last.Role != deptmsg.RoleLead ||
		!strings.Contains(last.Summary, "理由不充分，请按期办结") || !last.Deadline.Equal(old) {
		t.Fatalf("department told %+v, want ticket.extension_rejected with the reason and deadline %v", last, old)
	}
	e.clock.Advance(old.Sub(e.clock.Now()) + time.Second)
	e.parkedAfter(t, id, "ReplyOverdue")
	if !e.ticket(t, id).Overdue {
		t.Fatal("not overdue after the kept deadline")
	}
	// A request after the deadline is refused.
	e.do(t, extension(id, 5)).want(t, "request after the deadline", 409)
}

// A reply withdraws an open request; deciding it afterwards is a conflict.
func TestExtensionWithdrawnByReply(t *testing.T) {
	e := newEnv(t)
	id, _ := e.accepted(t)
	e.do(t, extension(id, 2)).want(t, "request", 202)
	e.do(t, route("POST /v1/tickets/{id}/reply", id).as(auth.RoleDepartment, "market").
		json(map[string]any{"result": "resolved", "message": "已处理完毕。"})).want(t, "reply", 200)
	if tk := e.ticket(t, id); tk.ExtensionRequested || tk.Extension.Decision != ticket.ExtensionWithdrawn {
		t.Fatalf("after reply: %v %+v", tk.ExtensionRequested, tk.Extension)
	}
	e.do(t, decision(id, true, "")).want(t, "decision after reply", 409)
	e.parked(t, id, "Feedback")
}

// A supplement is screened like intake: one that reports an emergency is
// answered with the number to call at once, and the department is told of
// every supplement on its queue.
func TestSupplementIsScreenedAndTheDepartmentTold(t *testing.T) {
	e := newEnv(t)
	id, code := e.accepted(t)

	r := e.do(t, route("POST /v1/tickets/{id}/supplements", id).code(code).json(map[string]any{"content": "补充：商家今天又拒绝了一次，发票照片已上传。"}))
	r.want(t, "ordinary supplement", 201)
	if strings.Contains(r.body, "notice") {
		t.Fatalf("an ordinary supplement got a notice: %s", r.body)
	}
	r = e.do(t, route("POST /v1/tickets/{id}/supplements", id).code(code).json(map[string]any{"content": "刚才那家超市着火了，浓烟很大！"}))
	r.want(t, "supplement reporting a fire", 201)
	var out struct{ Notice string }
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || !strings.Contains(out.Notice, "119") {
		t.Fatalf("no emergency notice: %s", r.body)
	}
	got := e.messages(t, "market", id)
	if len(got) != 3 || got[0].Type != deptmsg.TypeDispatched || got[1].Type != deptmsg.TypeSupplemented || got[2].Type != deptmsg.TypeSupplemented || !strings.Contains(got[2].Summary, "紧急") {
		t.Fatalf("department messages %+v", got)
	}
	for _, m := range got {
		if strings.Contains(m.Summary, "发票") || strings.Contains(m.Summary, "着火") {
			t.Fatalf("the queue message carries the citizen's words: %+v", m)
		}
	}
}
