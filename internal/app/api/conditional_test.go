package api_test

import (
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
)

// A client polling a ticket with If-None-Match gets a 304 without a body
// until something it would see changes; each view has its own tag, and a
// tag never stands in for the access code.
func TestTicketReadsAreConditional(t *testing.T) {
	e := newEnv(t)
	id, code := e.dispatched(t)
	view := func() *req { return route("GET /v1/tickets/{id}", id).code(code) }

	first, tag := e.etag(t, view())
	first.want(t, "citizen view", 200)
	if tag == "" {
		t.Fatal("no ETag on the citizen view")
	}
	if again, tag2 := e.etag(t, view()); again.body != first.body || tag2 != tag {
		t.Fatalf("the same view got another tag: %s then %s", tag, tag2)
	}
	r := e.do(t, view().header("If-None-Match", tag))
	r.want(t, "unchanged", 304)
	if r.body != "" {
		t.Fatalf("304 with a body: %s", r.body)
	}
	e.do(t, route("GET /v1/tickets/{id}", id).code("WRONG-CODE").header("If-None-Match", tag)).want(t, "a tag without the code", 404)

	staff, staffTag := e.etag(t, route("GET /v1/tickets/{id}", id).as(auth.RoleOperator, ""))
	staff.want(t, "staff view", 200)
	if staffTag == tag {
		t.Fatal("the staff view shares the citizen view's tag")
	}

	e.do(t, route("POST /v1/tickets/{id}/supplements", id).code(code).json(map[string]string{"content": "补充：购物小票已拍照留存。"})).want(t, "supplement", 201)
	changed, tag3 := e.etag(t, view().header("If-None-Match", tag))
	changed.want(t, "changed", 200)
	if tag3 == tag {
		t.Fatal("a supplement left the tag unchanged")
	}
}

// Timeline notes come in the language asked for with Accept-Language; a
// citizen who asks for none reads the ticket's language, staff read Chinese.
// People's own words stay as they wrote them.
func TestTimelineNotesFollowAcceptLanguage(t *testing.T) {
	e := newEnv(t)
	id, code := e.dispatched(t)
	e.do(t, route("POST /v1/tickets/{id}/notes", id).as(auth.RoleOperator, "").json(map[string]string{"text": "已联系商家负责人"})).want(t, "note", 201)
	for _, c := range []struct {
		who, accept string
		r           *req
		want, not   string
	}{
		{"citizen, English", "en", route("GET /v1/tickets/{id}", id).code(code), "dispatched to", "派单至"},
		{"citizen, ticket's language", "", route("GET /v1/tickets/{id}", id).code(code), "派单至", "dispatched to"},
		{"staff, default", "", route("GET /v1/tickets/{id}", id).as(auth.RoleOperator, ""), "派单至", "dispatched to"},
		{"staff, English", "en-GB,en;q=0.8", route("GET /v1/tickets/{id}", id).as(auth.RoleOperator, ""), "dispatched to", "派单至"},
	} {
		if c.accept != "" {
			c.r.header("Accept-Language", c.accept)
		}
		r := e.do(t, c.r)
		r.want(t, c.who, 200)
		if !strings.Contains(r.body, c.want) || strings.Contains(r.body, c.not) || strings.Contains(r.body, "noteEn") {
			t.Errorf("%s: want %q, not %q: %s", c.who, c.want, c.not, r.body)
		}
		if strings.HasPrefix(c.who, "staff") && !strings.Contains(r.body, "已联系商家负责人") {
			t.Errorf("%s: the staff note is not as written: %s", c.who, r.body)
		}
	}
}
