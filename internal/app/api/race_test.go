package api_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// race sends every request at once and returns the answers in order.
func race(t *testing.T, e *env, reqs ...*req) []resp {
	t.Helper()
	out := make([]resp, len(reqs))
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i, r := range reqs {
		wg.Go(func() {
			<-gate
			out[i] = e.do(t, r)
		})
	}
	close(gate)
	wg.Wait()
	return out
}

// statuses counts the answers by status code.
func statuses(rs []resp) map[int]int {
	m := map[int]int{}
	for _, r := range rs {
		m[r.status]++
	}
	return m
}

func TestConcurrentAcceptsOneWins(t *testing.T) {
	e := newEnv(t)
	id, _ := e.dispatched(t)
	const n = 8
	var reqs []*req
	for range n {
		reqs = append(reqs, route("POST /v1/tickets/{id}/accept", id).as(auth.RoleDepartment, "market"))
	}
	got := race(t, e, reqs...)
	if s := statuses(got); s[200] != 1 || s[409] != n-1 {
		t.Fatalf("answers %v, want one 200 and %d 409", s, n-1)
	}
	for _, r := range got {
		if r.status == 409 {
			r.want(t, "losing accept", 409)
		}
	}
	if tk := e.ticket(t, id); tk.Status != ticket.StatusAccepted {
		t.Fatalf("status %s", tk.Status)
	}
	if n := countTo(e.events(t, id), ticket.StatusAccepted); n != 1 {
		t.Fatalf("%d accepted events on the timeline", n)
	}
}

func countTo(evs []ticket.Event, to ticket.Status) int {
	n := 0
	for _, e := range evs {
		if e.To == to {
			n++
		}
	}
	return n
}

func TestConcurrentReplyAndReturnOneWins(t *testing.T) {
	for round := range 3 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			e := newEnv(t)
			id, _ := e.dispatched(t)
			got := race(t, e,
				route("POST /v1/tickets/{id}/reply", id).as(auth.RoleDepartment, "market").json(map[string]any{"result": "resolved", "message": "已处理完毕。"}),
				route("POST /v1/tickets/{id}/return", id).as(auth.RoleDepartment, "market").json(map[string]any{"reason": "不属于本部门职责"}),
			)
			if s := statuses(got); s[200] != 1 || s[409] != 1 {
				t.Fatalf("answers %v (%s | %s), want one 200 and one 409", s, got[0].body, got[1].body)
			}
			winner := ticket.StatusReplied
			next := "Feedback"
			if got[1].status == 200 {
				winner, next = ticket.StatusReturned, "AwaitOperator"
			}
			tk := e.ticket(t, id)
			if tk.Status != winner {
				t.Fatalf("status %s, winner %s", tk.Status, winner)
			}
			evs := e.events(t, id)
			if countTo(evs, ticket.StatusReplied)+countTo(evs, ticket.StatusReturned) != 1 {
				t.Fatalf("timeline has both or neither: %+v", evs)
			}
			// The workflow follows the winner.
			e.parked(t, id, next)
		})
	}
}

func TestConcurrentRatingsOneRatingOneCompletion(t *testing.T) {
	e := newEnv(t)
	id, code := e.replied(t)
	const n = 6
	var reqs []*req
	for i := range n {
		reqs = append(reqs, route("POST /v1/tickets/{id}/rating", id).code(code).json(map[string]any{"satisfied": i%2 == 0, "score": 1 + i%5}))
	}
	got := race(t, e, reqs...)
	if s := statuses(got); s[200] != 1 || s[409] != n-1 {
		t.Fatalf("answers %v, want one 200 and %d 409", s, n-1)
	}
	var winner int
	for i, r := range got {
		if r.status == 200 {
			winner = i
		}
	}
	if winner%2 == 0 { // satisfied: the one completion closes the ticket
		if d := e.done(t, id); d.Status != "SUCCEEDED" {
			t.Fatalf("execution %s %s", d.Status, d.Cause)
		}
	} else { // unsatisfied: the one completion reopens it
		e.parked(t, id, "AwaitReply")
	}
	tk := e.ticket(t, id)
	if localtest.CountKind(e.events(t, id), "rated") != 1 {
		t.Fatalf("more than one rating recorded")
	}
	if winner%2 == 0 {
		if tk.Status != ticket.StatusClosed || tk.Rating == nil || !tk.Rating.Satisfied || tk.Rating.Score != 1+winner%5 {
			t.Fatalf("satisfied: ticket %s rating %+v, winner %d", tk.Status, tk.Rating, winner)
		}
	} else {
		if tk.Status != ticket.StatusDispatched || tk.ReopenCount != 1 {
			t.Fatalf("unsatisfied: ticket %s reopen %d", tk.Status, tk.ReopenCount)
		}
		if msgs := e.messages(t, "market", id); len(msgs) != 2 || msgs[1].Type != "ticket.reopened" {
			t.Fatalf("department messages %+v", msgs)
		}
	}
	if n := countTo(e.events(t, id), ticket.StatusClosed); n > 1 {
		t.Fatalf("closed %d times", n)
	}
}

func TestConcurrentSupplementsAreAllKept(t *testing.T) {
	e := newEnv(t)
	id, code := e.dispatched(t)
	const n = 10
	var reqs []*req
	for i := range n {
		reqs = append(reqs, route("POST /v1/tickets/{id}/supplements", id).code(code).json(map[string]any{"content": fmt.Sprintf("补充材料第%d份：发票照片。", i)}))
	}
	// The department accepts meanwhile: supplements must not be lost to that race either.
	reqs = append(reqs, route("POST /v1/tickets/{id}/accept", id).as(auth.RoleDepartment, "market"))
	got := race(t, e, reqs...)
	for i, r := range got[:n] {
		r.want(t, fmt.Sprintf("supplement %d", i), 201)
	}
	// The accept is a status change: it may lose its race (409, reload and
	// retry), but what it answers must be what happened.
	accepted := e.ticket(t, id).Status == ticket.StatusAccepted
	if acc := got[n]; !(acc.status == 200 && accepted || acc.status == 409 && !accepted && acc.errorCode() == "conflict") {
		t.Fatalf("accept answered %d %s, ticket accepted: %v", acc.status, acc.body, accepted)
	}
	evs := e.events(t, id)
	seen := map[string]bool{}
	for _, ev := range evs {
		if ev.Kind == "supplement" {
			seen[ev.Note] = true
		}
	}
	for i := range n {
		if note := fmt.Sprintf("补充材料第%d份：发票照片。", i); !seen[note] {
			t.Errorf("supplement %d lost", i)
		}
	}
	if len(seen) != n || localtest.CountKind(evs, "supplement") != n {
		t.Errorf("%d supplements on the timeline, want %d", localtest.CountKind(evs, "supplement"), n)
	}
}

// Two operators decide the same manual review at once: one decision wins, the
// workflow follows it, the other operator is told of the conflict.
func TestConcurrentReviewDecisionsOneWins(t *testing.T) {
	for round := range 3 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			e := newEnv(t)
			sub := complaint()
			delete(sub, "category")
			id, _ := e.file(t, sub)
			e.parked(t, id, "AwaitOperator")
			got := race(t, e,
				route("POST /v1/tickets/{id}/review", id).as(auth.RoleOperator, "").json(map[string]any{"decision": "accept", "category": "consumer.refund", "departmentId": "market"}),
				route("POST /v1/tickets/{id}/review", id).as(auth.RoleOperator, "").json(map[string]any{"decision": "reject", "reason": "内容与本热线无关"}),
				route("POST /v1/tickets/{id}/review", id).as(auth.RoleOperator, "").json(map[string]any{"decision": "accept", "category": "housing.property_mgmt", "departmentId": "housing"}),
			)
			if s := statuses(got); s[200] != 1 || s[409] != 2 {
				t.Fatalf("answers %v: %s | %s | %s", s, got[0].body, got[1].body, got[2].body)
			}
			switch {
			case got[1].status == 200:
				if d := e.done(t, id); d.Status != "SUCCEEDED" || e.ticket(t, id).Status != ticket.StatusRejected {
					t.Fatalf("reject won, execution %s (%s), ticket %s", d.Status, d.Error, e.ticket(t, id).Status)
				}
			default:
				want := "market"
				if got[2].status == 200 {
					want = "housing"
				}
				e.parked(t, id, "AwaitReply")
				if tk := e.ticket(t, id); tk.Status != ticket.StatusDispatched || tk.DepartmentID != want {
					t.Fatalf("accept to %s won, ticket %s at %s", want, tk.Status, tk.DepartmentID)
				}
				if len(e.messages(t, want, id)) != 1 {
					t.Fatalf("department %s was not told once", want)
				}
			}
			if n := localtest.CountKind(e.events(t, id), "reviewed") + countTo(e.events(t, id), ticket.StatusRejected); n != 1 {
				t.Fatalf("%d decisions on the timeline", n)
			}
		})
	}
}
