package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// lambdaResponseLimit is the most a synchronous Lambda function may answer.
const lambdaResponseLimit = 6 * 1024 * 1024

// What people add to a ticket is bounded (20 supplements, 200 staff notes),
// and its timeline comes in pages: with every field at its limit, written in
// the character JSON inflates most ("<" is six bytes), no view comes near
// Lambda's answer limit, and the pages together hold the whole timeline.
func TestTicketViewsStayBoundedAndPaged(t *testing.T) {
	e := newEnv(t)
	id, code := e.dispatched(t)
	widest := func(n int) string { return "说" + strings.Repeat("<", n-1) }

	for range ticket.MaxSupplements {
		e.do(t, route("POST /v1/tickets/{id}/supplements", id).code(code).
			json(map[string]string{"content": widest(ticket.MaxSupplementRunes)})).want(t, "supplement", 201)
	}
	e.do(t, route("POST /v1/tickets/{id}/supplements", id).code(code).
		json(map[string]string{"content": "再补充一次"})).want(t, "supplement past the limit", 409)

	for range ticket.MaxStaffNotes {
		e.do(t, route("POST /v1/tickets/{id}/notes", id).as(auth.RoleOperator, "").
			json(map[string]string{"text": widest(ticket.MaxNoteRunes)})).want(t, "note", 201)
	}
	e.do(t, route("POST /v1/tickets/{id}/notes", id).as(auth.RoleOperator, "").
		json(map[string]string{"text": "再记一条"})).want(t, "note past the limit", 409)
	stored := len(e.events(t, id))

	type page struct {
		Timeline     []json.RawMessage `json:"timeline"`
		TimelineNext string            `json:"timelineNext"`
	}
	walk := func(view string, get func(cursor string) resp) int {
		entries, pages, biggest := 0, 0, 0
		for cursor := ""; ; pages++ {
			out := get(cursor)
			out.want(t, view+" page", 200)
			biggest = max(biggest, len(out.body))
			var p page
			if err := json.Unmarshal([]byte(out.body), &p); err != nil {
				t.Fatal(err)
			}
			entries += len(p.Timeline)
			if p.TimelineNext == "" {
				break
			}
			cursor = p.TimelineNext
		}
		if biggest > lambdaResponseLimit/4 {
			t.Errorf("%s: a page of %d bytes", view, biggest)
		}
		t.Logf("%s: %d entries in %d pages, the biggest %d bytes", view, entries, pages+1, biggest)
		return entries
	}
	staff := walk("staff view", func(cursor string) resp {
		r := route("GET /v1/tickets/{id}", id).as(auth.RoleOperator, "")
		if cursor != "" {
			r.q("timelineCursor", cursor)
		}
		return e.do(t, r)
	})
	if staff != stored {
		t.Fatalf("the staff pages hold %d entries of %d", staff, stored)
	}
	citizen := walk("citizen view", func(cursor string) resp {
		r := route("GET /v1/tickets/{id}", id).code(code)
		if cursor != "" {
			r.q("timelineCursor", cursor)
		}
		return e.do(t, r)
	})
	if citizen < ticket.MaxSupplements || citizen >= stored {
		t.Fatalf("the citizen pages hold %d entries: the supplements, not the staff notes", citizen)
	}
	for _, bad := range []string{"abc", "-100", "7", "0100"} {
		e.do(t, route("GET /v1/tickets/{id}", id).code(code).q("timelineCursor", bad)).want(t, "cursor "+bad, 400)
	}
}
