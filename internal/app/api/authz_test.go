package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// Every route of the api function against every kind of caller, with the
// status codes of API.md. The ticket is dispatched to urban_enforcement with
// housing as co-handler (construction noise).
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	sub := complaint()
	sub["category"] = "housing.construction_noise"
	sub["content"] = "小区旁边的工地每天夜里十二点以后还在施工，噪音很大，影响休息。"
	sub["involvedUnit"] = "某建筑公司"
	id, code := e.file(t, sub)
	e.parked(t, id, "AwaitReply")
	if tk := e.ticket(t, id); tk.DepartmentID != "urban_enforcement" || len(tk.CoHandlers) != 1 || tk.CoHandlers[0] != "housing" {
		t.Fatalf("routed to %s with %v", tk.DepartmentID, tk.CoHandlers)
	}

	type caller struct {
		name string
		set  func(*req) *req
	}
	var (
		nobody     = caller{"nobody", func(r *req) *req { return r }}
		citizen    = caller{"citizen with code", func(r *req) *req { return r.code(code) }}
		wrongCode  = caller{"citizen with a wrong code", func(r *req) *req { return r.code("AAAAAAAA") }}
		operator   = caller{"operator", func(r *req) *req { return r.as(auth.RoleOperator, "") }}
		supervisor = caller{"supervisor", func(r *req) *req { return r.as(auth.RoleSupervisor, "") }}
		admin      = caller{"admin", func(r *req) *req { return r.as(auth.RoleAdmin, "") }}
		lead       = caller{"lead department", func(r *req) *req { return r.as(auth.RoleDepartment, "urban_enforcement") }}
		co         = caller{"co-handler", func(r *req) *req { return r.as(auth.RoleDepartment, "housing") }}
		other      = caller{"other department", func(r *req) *req { return r.as(auth.RoleDepartment, "market") }}
		badClaims  = caller{"token without role", func(r *req) *req {
			r.claims = map[string]string{"sub": "x"}
			return r
		}}
		deptNoDept = caller{"department token without dept", func(r *req) *req {
			r.claims = map[string]string{"sub": "x", "role": "department"}
			return r
		}}
	)
	reply := map[string]any{"result": "resolved", "message": "已责令工地停止夜间施工。"}
	ret := map[string]any{"reason": "不属于本部门职责范围"}
	review := map[string]any{"decision": "reject", "reason": "重复投诉"}
	reassign := map[string]any{"departmentId": "housing", "reason": "住建委负责"}
	supplement := map[string]any{"content": "补充：施工时间是每晚十二点到凌晨三点。"}
	rating := map[string]any{"satisfied": true, "score": 5}
	extensionReq := map[string]any{"days": 5, "reason": "需要现场核查"}
	approve := map[string]any{"approve": true}

	cases := []struct {
		route string
		pid   string
		body  any
		who   caller
		want  int
	}{
		{"GET /v1/categories", "", nil, nobody, 200},
		{"GET /v1/categories", "", nil, other, 200},

		{"GET /v1/tickets/{id}", id, nil, nobody, 404},
		{"GET /v1/tickets/{id}", id, nil, wrongCode, 404},
		{"GET /v1/tickets/{id}", "261127ZZZZZZ", nil, citizen, 404},
		{"GET /v1/tickets/{id}", id, nil, citizen, 200},
		{"GET /v1/tickets/{id}", id, nil, lead, 200},
		{"GET /v1/tickets/{id}", id, nil, co, 200},
		{"GET /v1/tickets/{id}", id, nil, other, 404}, // as for a missing ticket: no existence oracle
		{"GET /v1/tickets/{id}", id, nil, operator, 200},
		{"GET /v1/tickets/{id}", id, nil, supervisor, 200},
		{"GET /v1/tickets/{id}", id, nil, admin, 200},
		{"GET /v1/tickets/{id}", "261127ZZZZZZ", nil, operator, 404},
		{"GET /v1/tickets/{id}", id, nil, badClaims, 401},
		{"GET /v1/tickets/{id}", id, nil, deptNoDept, 401},

		{"POST /v1/tickets/{id}/supplements", id, supplement, nobody, 404},
		{"POST /v1/tickets/{id}/supplements", id, supplement, wrongCode, 404},
		{"POST /v1/tickets/{id}/supplements", id, supplement, lead, 404},
		{"POST /v1/tickets/{id}/rating", id, rating, nobody, 404},
		{"POST /v1/tickets/{id}/rating", id, rating, wrongCode, 404},
		{"POST /v1/tickets/{id}/rating", id, rating, operator, 400}, // an operator records only phone ratings ("method": "phone")
		{"POST /v1/tickets/{id}/rating", id, map[string]any{"satisfied": true, "score": 5, "method": "phone"}, operator, 409},
		{"POST /v1/tickets/{id}/rating", id, map[string]any{"satisfied": true, "score": 5, "method": "phone"}, lead, 403},
		{"POST /v1/tickets/{id}/rating", id, map[string]any{"satisfied": true, "score": 5, "method": "phone"}, supervisor, 403},
		{"POST /v1/tickets/{id}/rating", id, rating, citizen, 409}, // not replied yet

		{"GET /v1/review-queue", "", nil, nobody, 401},
		{"GET /v1/review-queue", "", nil, citizen, 401},
		{"GET /v1/review-queue", "", nil, lead, 403},
		{"GET /v1/review-queue", "", nil, operator, 200},
		{"GET /v1/review-queue", "", nil, supervisor, 200},
		{"GET /v1/review-queue", "", nil, admin, 200},

		{"POST /v1/tickets/{id}/review", id, review, nobody, 401},
		{"POST /v1/tickets/{id}/review", id, review, citizen, 401},
		{"POST /v1/tickets/{id}/review", id, review, lead, 403},
		{"POST /v1/tickets/{id}/review", id, review, supervisor, 403},
		{"POST /v1/tickets/{id}/review", id, review, operator, 409}, // not waiting for review
		{"POST /v1/tickets/{id}/review", "261127ZZZZZZ", review, operator, 404},

		{"POST /v1/tickets/{id}/reassign", id, reassign, nobody, 401},
		{"POST /v1/tickets/{id}/reassign", id, reassign, lead, 403},
		{"POST /v1/tickets/{id}/reassign", id, reassign, supervisor, 403},
		{"POST /v1/tickets/{id}/reassign", id, reassign, operator, 409}, // not returned

		{"GET /v1/departments/{deptId}/tickets", "urban_enforcement", nil, nobody, 401},
		{"GET /v1/departments/{deptId}/tickets", "urban_enforcement", nil, citizen, 401},
		{"GET /v1/departments/{deptId}/tickets", "urban_enforcement", nil, other, 403},
		{"GET /v1/departments/{deptId}/tickets", "urban_enforcement", nil, co, 403},
		{"GET /v1/departments/{deptId}/tickets", "urban_enforcement", nil, lead, 200},
		{"GET /v1/departments/{deptId}/tickets", "urban_enforcement", nil, operator, 200},
		{"GET /v1/departments/{deptId}/tickets", "urban_enforcement", nil, supervisor, 200},

		// Department actions: only the lead; co-handlers read only.
		{"POST /v1/tickets/{id}/accept", id, nil, nobody, 401},
		{"POST /v1/tickets/{id}/accept", id, nil, citizen, 401},
		{"POST /v1/tickets/{id}/accept", id, nil, operator, 403},
		{"POST /v1/tickets/{id}/accept", id, nil, admin, 403},
		{"POST /v1/tickets/{id}/accept", id, nil, other, 404}, // as for a missing ticket: no existence oracle
		{"POST /v1/tickets/{id}/accept", id, nil, co, 403},
		{"POST /v1/tickets/{id}/reply", id, reply, nobody, 401},
		{"POST /v1/tickets/{id}/reply", id, map[string]any{}, nobody, 401},
		{"POST /v1/tickets/{id}/reply", id, reply, citizen, 401},
		{"POST /v1/tickets/{id}/reply", id, reply, operator, 403},
		{"POST /v1/tickets/{id}/reply", id, map[string]any{"result": "x"}, operator, 403},
		{"POST /v1/tickets/{id}/reply", id, reply, other, 404}, // as for a missing ticket: no existence oracle
		{"POST /v1/tickets/{id}/reply", id, reply, co, 403},
		{"POST /v1/tickets/{id}/return", id, ret, nobody, 401},
		{"POST /v1/tickets/{id}/return", id, map[string]any{}, nobody, 401},
		{"POST /v1/tickets/{id}/return", id, ret, supervisor, 403},
		{"POST /v1/tickets/{id}/return", id, ret, other, 404}, // as for a missing ticket: no existence oracle
		{"POST /v1/tickets/{id}/return", id, ret, co, 403},
		{"POST /v1/tickets/{id}/accept", "261127ZZZZZZ", nil, lead, 404},
		{"POST /v1/tickets/{id}/accept", "../../etc", nil, lead, 404},

		{"DELETE /v1/tickets/{id}", id, nil, admin, 404},
		{"DELETE /v1/admin/categories", "", nil, admin, 404},

		{"POST /v1/tickets/{id}/extension", id, extensionReq, nobody, 401},
		{"POST /v1/tickets/{id}/extension", id, extensionReq, citizen, 401},
		{"POST /v1/tickets/{id}/extension", id, extensionReq, operator, 403},
		{"POST /v1/tickets/{id}/extension", id, extensionReq, co, 403},
		{"POST /v1/tickets/{id}/extension", id, extensionReq, other, 404}, // as for a missing ticket: no existence oracle
		{"POST /v1/tickets/{id}/extension-decision", id, approve, nobody, 401},
		{"POST /v1/tickets/{id}/extension-decision", id, approve, lead, 403},
		{"POST /v1/tickets/{id}/extension-decision", id, approve, supervisor, 409}, // the centre decides (operator or supervisor); nothing is waiting here
		{"POST /v1/tickets/{id}/extension-decision", id, approve, operator, 409},   // nothing requested

		{"GET /v1/stats", "", nil, nobody, 401},
		{"GET /v1/stats", "", nil, citizen, 401},
		{"GET /v1/stats", "", nil, lead, 400}, // its own row, no range
		{"GET /v1/stats", "", nil, operator, 403},
		{"GET /v1/stats", "", nil, admin, 400}, // no range

		{"GET /v1/admin/routing-rules", "", nil, nobody, 401},
		{"GET /v1/admin/routing-rules", "", nil, lead, 403},
		{"GET /v1/admin/routing-rules", "", nil, operator, 403},
		{"GET /v1/admin/routing-rules", "", nil, supervisor, 200},
		{"GET /v1/admin/routing-rules", "", nil, admin, 200},
		{"GET /v1/admin/categories", "", nil, supervisor, 200},
		{"GET /v1/admin/categories", "", nil, citizen, 401},
		{"GET /v1/departments", "", nil, nobody, 401},
		{"GET /v1/departments", "", nil, citizen, 401},
		{"GET /v1/departments", "", nil, operator, 200},
		{"GET /v1/departments", "", nil, other, 200},
		{"GET /v1/departments", "", nil, admin, 200},
		{"GET /v1/admin/departments/{id}", "market", nil, supervisor, 200},
		{"GET /v1/admin/departments/{id}", "nosuch", nil, admin, 404},
		{"GET /v1/admin/departments/{id}", "market", nil, other, 403},
		{"GET /v1/admin/calendar/{year}", "2026", nil, supervisor, 200},
		{"GET /v1/admin/calendar/{year}", "1999", nil, admin, 404},
		{"PUT /v1/admin/routing-rules", "", map[string]any{}, nobody, 401},
		{"PUT /v1/admin/routing-rules", "", map[string]any{}, supervisor, 403},
		{"PUT /v1/admin/routing-rules", "", map[string]any{}, operator, 403},
		{"PUT /v1/admin/routing-rules", "", map[string]any{}, admin, 428}, // no If-Match
		{"PUT /v1/admin/categories", "", map[string]any{}, lead, 403},
		{"PUT /v1/admin/departments/{id}", "market", map[string]any{"name": "x", "active": true}, supervisor, 403},
		{"PUT /v1/admin/calendar/{year}", "2026", map[string]any{"holidays": []string{}}, supervisor, 403},
	}
	for _, c := range cases {
		r := route(c.route, c.pid)
		if c.body != nil {
			r.json(c.body)
		}
		got := e.do(t, c.who.set(r))
		name := fmt.Sprintf("%s %s by %s", c.route, c.pid, c.who.name)
		if got.status != c.want {
			t.Errorf("%s: %d, want %d: %s", name, got.status, c.want, got.body)
			continue
		}
		if c.want >= 400 && got.errorCode() != codes[c.want] {
			t.Errorf("%s: error code %q: %s", name, got.errorCode(), got.body)
		}
	}
	// None of the refused actions changed the ticket.
	if tk := e.ticket(t, id); tk.Status != ticket.StatusDispatched || tk.Version != 3 && localtest.CountKind(e.events(t, id), "supplement") != 0 {
		t.Fatalf("refused requests changed the ticket: %s v%d", tk.Status, tk.Version)
	}

	// The lead's inbox lists the ticket; bad queries are 400, never 500.
	var inbox struct {
		Tickets []struct{ ID string } `json:"tickets"`
	}
	ib := e.do(t, lead.set(route("GET /v1/departments/{deptId}/tickets", "urban_enforcement").q("status", "dispatched").q("limit", "5")))
	ib.want(t, "inbox", 200)
	if err := json.Unmarshal([]byte(ib.body), &inbox); err != nil || len(inbox.Tickets) != 1 || inbox.Tickets[0].ID != id {
		t.Fatalf("inbox %s", ib.body)
	}
	for _, q := range [][2]string{{"status", "closed"}, {"status", "x"}, {"limit", "0"}, {"limit", "101"}, {"limit", "x"}, {"cursor", "junk"}, {"cursor", "eyJhIjoiYiJ9"}} {
		e.do(t, lead.set(route("GET /v1/departments/{deptId}/tickets", "urban_enforcement").q(q[0], q[1]))).want(t, "inbox ?"+q[0]+"="+q[1], 400)
	}

	// What each allowed reader sees: contact masked except for operators and admins.
	for _, c := range []struct {
		who      caller
		unmasked bool
	}{{lead, false}, {co, false}, {supervisor, false}, {operator, true}, {admin, true}} {
		var v struct {
			Contact       struct{ Phone, Email string } `json:"contact"`
			ContactMasked bool                          `json:"contactMasked"`
			Timeline      []struct{ Kind string }       `json:"timeline"`
		}
		got := e.do(t, c.who.set(route("GET /v1/tickets/{id}", id)))
		if err := json.Unmarshal([]byte(got.body), &v); err != nil {
			t.Fatal(err)
		}
		if c.unmasked != (v.Contact.Phone == citizenPhone) || c.unmasked == v.ContactMasked {
			t.Errorf("%s sees contact %+v (masked %v)", c.who.name, v.Contact, v.ContactMasked)
		}
		if !c.unmasked && (v.Contact.Phone != "139****5678" || strings.Contains(got.body, citizenEmail) || strings.Contains(got.body, "张三")) {
			t.Errorf("%s: contact not masked: %s", c.who.name, got.body)
		}
	}
	// The citizen's view never carries the contact or internal events.
	cv := e.do(t, route("GET /v1/tickets/{id}", id).code(code))
	for _, s := range []string{citizenPhone, citizenEmail, "taskToken", "notified", "review.manual"} {
		if strings.Contains(cv.body, s) {
			t.Errorf("citizen view contains %q: %s", s, cv.body)
		}
	}
}

// A department replies after the workflow step it answers has ended (an
// administrator stopped the execution): the reply is recorded and the answer
// is 410 gone.
func TestReplyAfterTheStepEndedIsGone(t *testing.T) {
	e := newEnv(t)
	id, _ := e.dispatched(t)
	if _, err := e.p.Engine.StopExecution(e.execArn(id), "Stopped", "by an administrator"); err != nil {
		t.Fatal(err)
	}
	got := e.do(t, route("POST /v1/tickets/{id}/reply", id).as(auth.RoleDepartment, "market").json(map[string]any{"result": "explained", "message": "已电话联系商家。"}))
	got.want(t, "reply after the step ended", 410)
	if tk := e.ticket(t, id); tk.Status != ticket.StatusReplied || tk.Reply == nil {
		t.Fatalf("the reply was not recorded: %s", tk.Status)
	}
	// Repeating it is a plain conflict: the ticket is already replied.
	e.do(t, route("POST /v1/tickets/{id}/reply", id).as(auth.RoleDepartment, "market").json(map[string]any{"result": "explained", "message": "已电话联系商家。"})).want(t, "second reply", 409)
}

// An operator decides after the workflow step it answers has ended: 410
// gone, and a second decision is a conflict (the first one is recorded).
func TestOperatorReviewAfterTheStepEndedIsGone(t *testing.T) {
	e := newEnv(t)
	sub := complaint()
	delete(sub, "category")
	id, _ := e.file(t, sub)
	e.parked(t, id, "AwaitOperator")
	if _, err := e.p.Engine.StopExecution(e.execArn(id), "Stopped", "by an administrator"); err != nil {
		t.Fatal(err)
	}
	e.do(t, route("POST /v1/tickets/{id}/review", id).as(auth.RoleOperator, "").
		json(map[string]any{"decision": "accept", "category": "consumer.refund", "departmentId": "market"})).want(t, "review after the step ended", 410)
	e.do(t, route("POST /v1/tickets/{id}/review", id).as(auth.RoleOperator, "").
		json(map[string]any{"decision": "accept", "category": "consumer.refund", "departmentId": "market"})).want(t, "second review", 409)
}
