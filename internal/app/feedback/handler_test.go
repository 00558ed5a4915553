package feedback_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/hotline12345/hotline/internal/app/feedback"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	feedbackwiring "github.com/hotline12345/hotline/internal/wiring/feedback"
)

// repliedTicket takes a new ticket through review, route and the department's
// reply with the real handlers.
func repliedTicket(t *testing.T, e *localtest.Env) (*feedback.Handler, string, string) {
	t.Helper()
	ctx := context.Background()
	fb, err := feedbackwiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	id, code := e.Routed(t)
	if st := e.Staff(t, "POST /v1/tickets/{id}/reply", id, "department", "market", map[string]string{"result": "resolved", "message": "商家已退款。"}); st != 200 {
		t.Fatalf("reply: %d", st)
	}
	return fb, id, code
}

func TestAwaitRatingTwiceSendsOneEmailAndOneSMS(t *testing.T) {
	e := localtest.Start(t)
	fb, id, _ := repliedTicket(t, e)
	for i := range 2 {
		if _, err := fb.Handle(context.Background(), localtest.In(feedback.ActionAwaitRating, id, localtest.FakeToken)); err != nil {
			t.Fatalf("await-rating %d: %v", i, err)
		}
	}
	if mails, sms := e.Sent(t, id); mails != 1 || sms != 1 {
		t.Fatalf("%d e-mails and %d SMS, want one each", mails, sms)
	}
	if tk := e.Ticket(t, id); tk.WaitingStep != ticket.StepFeedback || tk.TaskToken != localtest.FakeToken {
		t.Fatalf("token not parked: %q", tk.WaitingStep)
	}
}

// The citizen rates before the rating step parks its token: the step finds
// the rating and answers itself, a reopen failing the step by the name the
// workflow catches.
func TestAwaitRatingAfterTheRatingCompletesItself(t *testing.T) {
	for _, c := range []struct {
		satisfied       bool
		output, failure string
	}{{true, `{"reopen":false,"satisfied":true}`, ""}, {false, `{"satisfied":false,"reopen":true}`, "Rating.Reopen"}} {
		t.Run(c.output, func(t *testing.T) {
			e := localtest.Start(t)
			_, id, code := repliedTicket(t, e)
			if st := e.Citizen(t, "POST /v1/tickets/{id}/rating", id, code, map[string]any{"satisfied": c.satisfied, "score": 3}); st != 200 {
				t.Fatalf("rating: %d", st)
			}
			// The step completes itself: wait for its end, not for its
			// TaskSubmitted, which comes first (Settled would race).
			x := e.Finished(t, e.Probe(t, "feedback", feedback.ActionAwaitRating, id))
			status, answer := "SUCCEEDED", x.Output
			if c.failure != "" {
				status, answer = "FAILED", x.Cause
			}
			if x.Status != status || x.Error != c.failure || answer != c.output {
				t.Fatalf("step %s with %s (%s %s)", x.Status, x.Output, x.Error, x.Cause)
			}
			// The citizen was still told the result, once.
			if mails, sms := e.Sent(t, id); mails != 1 || sms != 1 {
				t.Fatalf("%d e-mails and %d SMS", mails, sms)
			}
		})
	}
}

// The rating window's end on a ticket that is no longer waiting for a rating
// is a state error the workflow catches, not a silent close or reopen.
func TestRatingWindowClosedOnAClosedTicketIsAStateError(t *testing.T) {
	e := localtest.Start(t)
	fb, id, code := repliedTicket(t, e)
	if st := e.Citizen(t, "POST /v1/tickets/{id}/rating", id, code, map[string]any{"satisfied": true, "score": 5}); st != 200 {
		t.Fatalf("rating: %d", st)
	}
	if _, err := fb.Handle(context.Background(), localtest.In(feedback.ActionClose, id, "")); err != nil || e.Ticket(t, id).Status != ticket.StatusClosed {
		t.Fatalf("close: %v", err)
	}
	_, err := fb.Handle(context.Background(), localtest.In(feedback.ActionRatingWindowClosed, id, ""))
	var reported messages.InvokeResponse_Error
	if !errors.As(err, &reported) || reported.Type != "StateError" {
		t.Fatalf("error %v, want a StateError for the workflow", err)
	}
}

// failingMailer stands for SES refusing the address (a non-deliverable one).
type failingMailer struct{}

func (failingMailer) Send(context.Context, ports.Email) (string, error) {
	return "", errors.New("MessageRejected")
}

type failingTexter struct{}

func (failingTexter) Send(context.Context, string, ports.SMS) (string, error) {
	return "", errors.New("InvalidParameter")
}

// E-mail and SMS are independent: a refused e-mail does not keep the SMS
// from going out, and the step goes on.
func TestRefusedEmailStillSendsTheSMS(t *testing.T) {
	e := localtest.Start(t)
	fb, id, _ := repliedTicket(t, e)
	fb.Mailer = failingMailer{}
	if _, err := fb.Handle(context.Background(), localtest.In(feedback.ActionAwaitRating, id, localtest.FakeToken)); err != nil {
		t.Fatalf("await-rating: %v", err)
	}
	if _, sms := e.Sent(t, id); sms != 1 {
		t.Fatalf("%d SMS, want 1", sms)
	}
	if tk := e.Ticket(t, id); tk.PhoneCallNeeded != "" || tk.WaitingStep != ticket.StepFeedback {
		t.Fatalf("told by SMS, yet %+v", tk)
	}
}

// When no notice reaches the citizen, the step still succeeds (the rating
// wait starts), and the ticket goes to the operator's queue for a phone call;
// the operator records the call and the ticket leaves the queue.
func TestUndeliverableNoticeEndsOnTheOperatorQueue(t *testing.T) {
	e := localtest.Start(t)
	fb, id, _ := repliedTicket(t, e)
	fb.Mailer, fb.Texter = failingMailer{}, failingTexter{}
	for range 2 { // a retried step flags the ticket once
		if _, err := fb.Handle(context.Background(), localtest.In(feedback.ActionAwaitRating, id, localtest.FakeToken)); err != nil {
			t.Fatalf("await-rating: %v", err)
		}
	}
	tk := e.Ticket(t, id)
	if tk.PhoneCallNeeded == "" || tk.WaitingStep != ticket.StepFeedback {
		t.Fatalf("not flagged for a call, or the wait did not start: %+v", tk)
	}
	if n := localtest.CountKind(e.Events(t, id), "notice.undelivered"); n != 1 {
		t.Fatalf("%d undelivered notes", n)
	}
	if !e.InReviewQueue(t, id) {
		t.Fatal("not in the operator's queue")
	}
	if st := e.Staff(t, "POST /v1/tickets/{id}/phone-call", id, "operator", "", map[string]string{"note": "已电话告知答复内容"}); st != 200 {
		t.Fatalf("phone call: %d", st)
	}
	if e.InReviewQueue(t, id) || e.Ticket(t, id).PhoneCallNeeded != "" {
		t.Fatal("still waiting for a call after it was recorded")
	}
}
