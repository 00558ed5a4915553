package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

type inboxEntry struct {
	ID           string        `json:"id"`
	Status       ticket.Status `json:"status"`
	DepartmentID string        `json:"departmentId"`
	Role         string        `json:"role"`
	ReplyBy      string        `json:"replyBy"`
	CreatedAt    string        `json:"createdAt"`
	Category     string        `json:"category"`
}

// inboxPage reads one page of a department's inbox tab as that department.
func (e *env) inboxPage(t *testing.T, dept, status, limit, cursor string) ([]inboxEntry, string) {
	t.Helper()
	r := route("GET /v1/departments/{deptId}/tickets", dept).as(auth.RoleDepartment, dept).q("status", status)
	if limit != "" {
		r.q("limit", limit)
	}
	if cursor != "" {
		r.q("cursor", cursor)
	}
	got := e.do(t, r)
	got.want(t, dept+" inbox "+status, 200)
	var page struct {
		Tickets    []inboxEntry `json:"tickets"`
		NextCursor string       `json:"nextCursor"`
	}
	if err := json.Unmarshal([]byte(got.body), &page); err != nil {
		t.Fatal(err)
	}
	return page.Tickets, page.NextCursor
}

// inboxIDs reads a whole tab page by page and returns the ids in order.
func (e *env) inboxIDs(t *testing.T, dept, status, limit string) []string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		items, next := e.inboxPage(t, dept, status, limit, cursor)
		for _, x := range items {
			out = append(out, x.ID)
		}
		if next == "" {
			return out
		}
		cursor = next
	}
}

// constructionNoise files a complaint the construction-noise rule routes to
// urban_enforcement with housing as co-handler, and waits for the dispatch.
// Each citizen n is a different one in a different place, so review sees no
// duplicates.
func (e *env) constructionNoise(t *testing.T, n int) (id, code string) {
	t.Helper()
	sub := complaint()
	sub["contact"] = map[string]any{"name": "李四", "phone": fmt.Sprintf("1391234%04d", n), "email": fmt.Sprintf("c%d@example.com", n)}
	// Each in its own place: one matter reported in one place by several
	// citizens goes to an operator as the same matter.
	sub["location"] = map[string]any{"region": county(n)}
	sub["category"] = "housing.construction_noise"
	sub["content"] = "小区旁边的工地每天夜里十二点以后还在施工，噪音很大，影响休息。"
	sub["involvedUnit"] = "某建筑公司"
	id, code = e.file(t, sub)
	e.parked(t, id, "AwaitReply")
	if tk := e.ticket(t, id); tk.DepartmentID != "urban_enforcement" || !slices.Equal(tk.CoHandlers, []string{"housing"}) {
		t.Fatalf("routed to %s with %v", tk.DepartmentID, tk.CoHandlers)
	}
	return id, code
}

func TestCoHandlerInbox(t *testing.T) {
	e := newEnv(t)
	id, code := e.constructionNoise(t, 0)

	// housing finds it on its co tab, as co-handler; the lead on its own tab.
	co, _ := e.inboxPage(t, "housing", "co", "", "")
	if len(co) != 1 || co[0].ID != id || co[0].Role != "co" || co[0].DepartmentID != "urban_enforcement" ||
		co[0].Status != ticket.StatusDispatched || co[0].ReplyBy == "" || co[0].Category != "housing.construction_noise" {
		t.Fatalf("housing co tab %+v", co)
	}
	lead, _ := e.inboxPage(t, "urban_enforcement", "dispatched", "", "")
	if len(lead) != 1 || lead[0].ID != id || lead[0].Role != "lead" || lead[0].ReplyBy != co[0].ReplyBy || lead[0].CreatedAt != co[0].CreatedAt {
		t.Fatalf("lead tab %+v", lead)
	}
	if got := e.inboxIDs(t, "urban_enforcement", "co", ""); len(got) != 0 {
		t.Fatalf("the lead's co tab lists %v", got)
	}
	if got := e.inboxIDs(t, "housing", "dispatched", ""); len(got) != 0 {
		t.Fatalf("housing leads %v", got)
	}
	// Another department may not read housing's co tab.
	e.do(t, route("GET /v1/departments/{deptId}/tickets", "housing").as(auth.RoleDepartment, "market").q("status", "co")).want(t, "market reads housing's co tab", 403)

	// housing heard of it once, as co-handler.
	if msgs := e.messages(t, "housing", id); len(msgs) != 1 || msgs[0].Role != deptmsg.RoleCo || msgs[0].Type != deptmsg.TypeDispatched || msgs[0].DepartmentID != "housing" {
		t.Fatalf("housing messages %+v", msgs)
	}
	if msgs := e.messages(t, "urban_enforcement", id); len(msgs) != 1 || msgs[0].Role != deptmsg.RoleLead {
		t.Fatalf("lead messages %+v", msgs)
	}

	// housing reads the staff view but only the lead acts.
	housing := func(r *req) *req { return r.as(auth.RoleDepartment, "housing") }
	e.do(t, housing(route("GET /v1/tickets/{id}", id))).want(t, "co-handler reads", 200)
	e.do(t, housing(route("POST /v1/tickets/{id}/reply", id)).json(map[string]any{"result": "resolved", "message": "已处理。"})).want(t, "co-handler replies", 403)
	e.do(t, housing(route("POST /v1/tickets/{id}/accept", id))).want(t, "co-handler accepts", 403)
	e.do(t, housing(route("POST /v1/tickets/{id}/return", id)).json(map[string]any{"reason": "不归我们管"})).want(t, "co-handler returns", 403)

	// The co tab follows the lead's actions.
	asLead := func(r *req) *req { return r.as(auth.RoleDepartment, "urban_enforcement") }
	e.do(t, asLead(route("POST /v1/tickets/{id}/accept", id))).want(t, "lead accepts", 200)
	if co, _ := e.inboxPage(t, "housing", "co", "", ""); len(co) != 1 || co[0].Status != ticket.StatusAccepted {
		t.Fatalf("after accept %+v", co)
	}
	e.do(t, asLead(route("POST /v1/tickets/{id}/reply", id)).json(map[string]any{"result": "resolved", "message": "已责令工地停止夜间施工。"})).want(t, "lead replies", 200)
	e.parked(t, id, "Feedback")
	if co, _ := e.inboxPage(t, "housing", "co", "", ""); len(co) != 1 || co[0].Status != ticket.StatusReplied {
		t.Fatalf("after reply %+v", co)
	}

	// Closed: final, so off the co tab.
	e.do(t, route("POST /v1/tickets/{id}/rating", id).code(code).json(map[string]any{"satisfied": true, "score": 5})).want(t, "rating", 200)
	if d := e.done(t, id); d.Status != "SUCCEEDED" {
		t.Fatalf("execution %s", d.Status)
	}
	if tk := e.ticket(t, id); tk.Status != ticket.StatusClosed {
		t.Fatalf("status %s", tk.Status)
	}
	if got := e.inboxIDs(t, "housing", "co", ""); len(got) != 0 {
		t.Fatalf("closed ticket still on the co tab: %v", got)
	}
}

func TestCoHandlerReassignedAwayAndPaging(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 3 {
		id, _ := e.constructionNoise(t, i)
		ids = append(ids, id)
	}
	// Paging one at a time gives each ticket once, by deadline (the same
	// here, then by id).
	want := slices.Clone(ids)
	slices.Sort(want)
	if got := e.inboxIDs(t, "housing", "co", "1"); !slices.Equal(got, want) {
		t.Fatalf("paged co tab %v, want %v", got, want)
	}
	_, next := e.inboxPage(t, "housing", "co", "1", "")
	// A cursor of the co tab is no good on another tab.
	e.do(t, route("GET /v1/departments/{deptId}/tickets", "housing").as(auth.RoleDepartment, "housing").q("status", "dispatched").q("cursor", next)).want(t, "co cursor on the dispatched tab", 400)

	// The lead returns the first; an operator reassigns it to market, which
	// has no co-handlers: it leaves housing's co tab.
	id := ids[0]
	e.do(t, route("POST /v1/tickets/{id}/return", id).as(auth.RoleDepartment, "urban_enforcement").json(map[string]any{"reason": "不属于本部门职责范围"})).want(t, "return", 200)
	if got := e.inboxIDs(t, "housing", "co", ""); !slices.Contains(got, id) {
		t.Fatalf("returned ticket left the co tab early: %v", got)
	}
	e.parked(t, id, "AwaitOperator")
	e.do(t, route("POST /v1/tickets/{id}/reassign", id).as(auth.RoleOperator, "").json(map[string]any{"departmentId": "market", "reason": "市场监管局负责"})).want(t, "reassign", 200)
	e.parked(t, id, "AwaitReply")
	if tk := e.ticket(t, id); tk.DepartmentID != "market" || len(tk.CoHandlers) != 0 {
		t.Fatalf("reassigned to %s with %v", tk.DepartmentID, tk.CoHandlers)
	}
	if got := e.inboxIDs(t, "housing", "co", ""); slices.Contains(got, id) || len(got) != 2 {
		t.Fatalf("co tab after reassignment %v", got)
	}
	if got := e.inboxIDs(t, "market", "dispatched", ""); !slices.Equal(got, []string{id}) {
		t.Fatalf("market inbox %v", got)
	}
}

// A co-handler records its opinion (协办意见); the lead reads it in its view
// before replying. Staff add internal notes the citizen never sees.
func TestCoHandlerOpinionAndStaffNotes(t *testing.T) {
	e := newEnv(t)
	id, code := e.constructionNoise(t, 0)
	opinion := map[string]any{"message": "经核查，该工地夜间施工许可已过期，建议执法局依法处罚。"}
	e.do(t, route("POST /v1/tickets/{id}/co-opinion", id).as(auth.RoleDepartment, "housing").json(opinion)).want(t, "co-handler's opinion", 201)
	e.do(t, route("POST /v1/tickets/{id}/co-opinion", id).as(auth.RoleDepartment, "urban_enforcement").json(opinion)).want(t, "the lead's own opinion", 409)
	e.do(t, route("POST /v1/tickets/{id}/co-opinion", id).as(auth.RoleDepartment, "market").json(opinion)).want(t, "an unrelated department", 404)
	e.do(t, route("POST /v1/tickets/{id}/co-opinion", id).as(auth.RoleDepartment, "housing").json(map[string]any{"message": " "})).want(t, "an empty opinion", 400)

	e.do(t, route("POST /v1/tickets/{id}/notes", id).as(auth.RoleOperator, "").json(map[string]any{"text": "市民来电催问，已安抚。"})).want(t, "operator note", 201)
	e.do(t, route("POST /v1/tickets/{id}/notes", id).as(auth.RoleDepartment, "market").json(map[string]any{"text": "x"})).want(t, "an unrelated department's note", 404)
	e.do(t, route("POST /v1/tickets/{id}/notes", id).json(map[string]any{"text": "x"})).want(t, "a note without a token", 401)

	r := e.do(t, route("GET /v1/tickets/{id}", id).as(auth.RoleDepartment, "urban_enforcement"))
	r.want(t, "lead's view", 200)
	var lead struct {
		CoOpinions []ticket.CoOpinion      `json:"coOpinions"`
		Timeline   []struct{ Kind string } `json:"timeline"`
	}
	if err := json.Unmarshal([]byte(r.body), &lead); err != nil || len(lead.CoOpinions) != 1 || lead.CoOpinions[0].DepartmentID != "housing" {
		t.Fatalf("the lead does not see the opinion: %s", r.body)
	}
	kinds := map[string]bool{}
	for _, ev := range lead.Timeline {
		kinds[ev.Kind] = true
	}
	if !kinds["staff_note"] || !kinds["co_opinion"] {
		t.Fatalf("staff timeline kinds %v", kinds)
	}
	r = e.do(t, route("GET /v1/tickets/{id}", id).code(code))
	if strings.Contains(r.body, "已安抚") || strings.Contains(r.body, "施工许可") {
		t.Fatalf("the citizen sees internal notes: %s", r.body)
	}
}
