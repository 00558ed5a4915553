package review_test

import (
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// A ticket no operator reviews in time is escalated and stays in the queue.
func TestUnreviewedTicketIsEscalated(t *testing.T) {
	e := localtest.Start(t)
	// No category: automated review cannot route it and asks an operator.
	rec := e.File(t, `{"type":"complaint","channel":"web","content":"小区门口的路灯坏了很久了，晚上很黑，请处理。","contact":{"email":"a@example.com"}}`)
	token := e.AwaitNewToken(t, rec.ID, "")
	tk := e.Ticket(t, rec.ID)
	if tk.WaitingStep != ticket.StepOperator || tk.Escalated {
		t.Fatalf("waiting %q escalated %v", tk.WaitingStep, tk.Escalated)
	}
	e.Clock.Advance(72*time.Hour + time.Second)
	e.AwaitNewToken(t, rec.ID, token)
	tk = e.Ticket(t, rec.ID)
	if !tk.Escalated || tk.Status != ticket.StatusInReview || tk.WaitingStep != ticket.StepOperator {
		t.Fatalf("after the review deadline: escalated %v status %s waiting %q", tk.Escalated, tk.Status, tk.WaitingStep)
	}
}
