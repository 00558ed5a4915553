package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/screening"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// An admin adds a knowledge-base answer through the API, with the same
// version check as the catalog; the next consultation it matches is answered
// directly by review, through the real workflow.
func TestKnowledgeBaseIsManagedThroughTheAdminAPI(t *testing.T) {
	e := newEnv(t)
	admin := func(key string) *req { return route(key, "").as(auth.RoleAdmin, "") }

	r, tag := e.etag(t, route("GET /v1/admin/knowledge-base", "").as(auth.RoleSupervisor, ""))
	r.want(t, "get knowledge base", 200)
	var kb struct {
		KnowledgeBase []screening.Entry `json:"knowledgeBase"`
	}
	if err := json.Unmarshal([]byte(r.body), &kb); err != nil || len(kb.KnowledgeBase) == 0 || tag != `"0"` {
		t.Fatalf("shipped knowledge base %s, etag %s", r.body, tag)
	}
	e.do(t, route("PUT /v1/admin/knowledge-base", "").as(auth.RoleSupervisor, "").json(kb)).want(t, "supervisor writes", 403)

	kb.KnowledgeBase = append(kb.KnowledgeBase, screening.Entry{
		ID: "library-card", Match: [][]string{{"图书馆", "借书证"}},
		Answer: map[ticket.Language]string{ticket.LanguageZH: "借书证可凭身份证在市图书馆总服务台免费办理，当场发证。", ticket.LanguageEN: "Library cards are free at the city library's main desk with your ID."},
	})
	e.do(t, admin("PUT /v1/admin/knowledge-base").json(kb).header("If-Match", `"7"`)).want(t, "stale If-Match", 412)
	r, tag = e.etag(t, admin("PUT /v1/admin/knowledge-base").json(kb).header("If-Match", `"0"`))
	r.want(t, "add an answer", 200)
	if tag != `"1"` {
		t.Fatalf("version after the change %s", tag)
	}
	e.do(t, admin("PUT /v1/admin/knowledge-base").json(kb).header("If-Match", `"0"`)).want(t, "a change made on an old version", 412)
	bad := map[string]any{"knowledgeBase": []map[string]any{{"id": "empty", "match": [][]string{}, "answer": map[string]string{"zh": "x"}}}}
	e.do(t, admin("PUT /v1/admin/knowledge-base").json(kb)).want(t, "no If-Match", 428)
	if r := e.do(t, admin("PUT /v1/admin/knowledge-base").json(bad).header("If-Match", "*")); r.status != 400 || !strings.Contains(r.body, "fields") {
		t.Fatalf("invalid entry: %d %s", r.status, r.body)
	}

	sub := complaint()
	sub["type"], sub["category"] = "consultation", ""
	sub["content"] = "请问在图书馆办借书证需要带什么材料？"
	id, code := e.file(t, sub)
	e.parked(t, id, "Feedback")
	r = e.do(t, route("GET /v1/tickets/{id}", id).code(code))
	if !strings.Contains(r.body, `"status":"answered"`) || !strings.Contains(r.body, "总服务台") {
		t.Fatalf("the new answer was not used: %s", r.body)
	}
}

// Lists left empty are answered as [], never null: the answers keep the
// types of the OpenAPI document, also after a PUT that leaves them out.
func TestEmptyRuleListsAreAnsweredAsLists(t *testing.T) {
	e := newEnv(t)
	admin := func(key string) *req { return route(key, "").as(auth.RoleAdmin, "").header("If-Match", "*") }
	r := e.do(t, admin("PUT /v1/admin/knowledge-base").json(map[string]any{"knowledgeBase": []any{}}))
	r.want(t, "empty knowledge base", 200)
	if !strings.Contains(r.body, `"knowledgeBase":[]`) {
		t.Fatalf("knowledge base answer: %s", r.body)
	}
	got := e.do(t, route("GET /v1/admin/screening-rules", "").as(auth.RoleAdmin, ""))
	var rules map[string]any
	if err := json.Unmarshal([]byte(got.body), &rules); err != nil {
		t.Fatal(err)
	}
	delete(rules, "blockedSenders")
	delete(rules, "blockedWords")
	r = e.do(t, admin("PUT /v1/admin/screening-rules").json(rules))
	r.want(t, "rules without blocked lists", 200)
	for _, body := range []string{r.body, e.do(t, route("GET /v1/admin/screening-rules", "").as(auth.RoleAdmin, "")).body} {
		if !strings.Contains(body, `"blockedSenders":[]`) || !strings.Contains(body, `"blockedWords":[]`) {
			t.Fatalf("blocked lists: %s", body)
		}
	}
}
