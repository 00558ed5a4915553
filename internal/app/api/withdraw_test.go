package api_test

import (
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// A withdrawal ends the ticket's workflow cleanly wherever it waits: for an
// operator's review or for the department's reply. Nothing is left stuck.
func TestWithdrawalEndsTheWorkflow(t *testing.T) {
	for name, submission := range map[string]string{
		"waiting for an operator": `{"type":"complaint","channel":"web","content":"小区门口的路灯坏了很久了，晚上很黑，请处理。","contact":{"email":"a@example.com"}}`,
		"waiting for the reply":   `{"type":"complaint","category":"consumer.refund","channel":"web","content":"我在某某超市购买的电饭煲三天就坏了，商家拒绝退货。","contact":{"email":"b@example.com"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := localtest.Start(t)
			rec := e.File(t, submission)
			e.AwaitNewToken(t, rec.ID, "")
			if st := e.Citizen(t, "POST /v1/tickets/{id}/withdrawal", rec.ID, rec.AccessCode, map[string]string{"reason": "问题已经解决"}); st != 200 {
				t.Fatalf("withdrawal: %d", st)
			}
			if x := e.Finished(t, e.ExecutionArn(rec.ID)); x.Status != asl.StatusSucceeded {
				t.Fatalf("workflow %s %s %s", x.Status, x.Error, x.Cause)
			}
			if tk := e.Ticket(t, rec.ID); tk.Status != ticket.StatusWithdrawn || tk.Stuck != nil || tk.WaitingStep != ticket.StepNone {
				t.Fatalf("after the withdrawal: %+v", tk)
			}
		})
	}
}

// A right-to-left override or a NUL is refused at every door, not only at
// intake: the citizen's supplement and the department's reply get a 400 that
// names the field, and nothing is kept.
func TestFormatCharactersAreRefusedAfterIntake(t *testing.T) {
	e := newEnv(t)
	id, code := e.dispatched(t)
	e.do(t, route("POST /v1/tickets/{id}/supplements", id).code(code).json(map[string]string{"content": "发票\u202e照片"})).want(t, "supplement with U+202E", 400)
	e.do(t, route("POST /v1/tickets/{id}/reply", id).as(auth.RoleDepartment, "market").
		json(map[string]any{"result": "resolved", "message": "已退款\x00。"})).want(t, "reply with NUL", 400)
	e.do(t, route("POST /v1/tickets/{id}/notes", id).as(auth.RoleOperator, "").json(map[string]string{"text": "\x1b[2J清屏"})).want(t, "note with ESC", 400)
	if tk := e.ticket(t, id); tk.Status != ticket.StatusDispatched || tk.Reply != nil {
		t.Fatalf("after refused input: %s %+v", tk.Status, tk.Reply)
	}
	e.do(t, route("GET /v1/tickets", "").as(auth.RoleSupervisor, "").q("q", "退\u2028款")).want(t, "search with U+2028", 400)
}
