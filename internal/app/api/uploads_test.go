package api_test

import (
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
)

// Who may ask for an upload form, for which body: the answer's status says
// it, and a department learns nothing of another's ticket.
func TestWhoMayAskForAnUpload(t *testing.T) {
	e := newEnv(t)
	id, code := e.dispatched(t)
	lead := e.ticket(t, id).DepartmentID
	photo := func(purpose string, extra map[string]any) map[string]any {
		b := map[string]any{"contentType": "image/jpeg", "size": 1000, "purpose": purpose}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	up := func() *req { return route("POST /v1/uploads", "") }
	for _, c := range []struct {
		what   string
		r      *req
		status int
	}{
		{"a citizen filing", up().json(photo("ticket", nil)), 201},
		{"a citizen's supplement with the code", up().code(code).json(photo("supplement", map[string]any{"ticketId": id})), 201},
		{"a supplement with a wrong code", up().code("AAAAAAAA").json(photo("supplement", map[string]any{"ticketId": id})), 404},
		{"a supplement without a code", up().json(photo("supplement", map[string]any{"ticketId": id})), 404},
		{"a citizen's reply", up().code(code).json(photo("reply", map[string]any{"ticketId": id})), 401},
		{"an operator filing", up().as(auth.RoleOperator, "").json(photo("ticket", nil)), 201},
		{"a supervisor filing", up().as(auth.RoleSupervisor, "").json(photo("ticket", nil)), 403},
		{"the lead's reply", up().as(auth.RoleDepartment, lead).json(photo("reply", map[string]any{"ticketId": id})), 201},
		{"another department's reply", up().as(auth.RoleDepartment, "water").json(photo("reply", map[string]any{"ticketId": id})), 404},
		{"staff supplementing", up().as(auth.RoleOperator, "").json(photo("supplement", map[string]any{"ticketId": id})), 403},
		{"a reply to no ticket", up().as(auth.RoleDepartment, lead).json(photo("reply", map[string]any{"ticketId": "261201ZZZZZZ"})), 404},
	} {
		e.do(t, c.r).want(t, c.what, c.status)
	}
	r := e.do(t, up().json(photo("ticket", map[string]any{"verification": map[string]any{"id": "vnope", "code": "123456"}})))
	if r.status != 400 || r.errorCode() != "verification_required" {
		t.Errorf("a wrong verification: %d %s", r.status, r.body)
	}
}
