package api_test

import (
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
