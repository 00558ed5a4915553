package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/sweep"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	intakewiring "github.com/hotline12345/hotline/internal/wiring/intake"
	sweepwiring "github.com/hotline12345/hotline/internal/wiring/sweep"
)

type stepFunctionsDown struct{}

func (stepFunctionsDown) Start(context.Context, string) error {
	return errors.New("operation error SFN: StartExecution, ServiceUnavailable")
}

// A ticket saved while Step Functions is down is answered 202 with its
// receipt, not 500: the citizen has the id and code, and the sweep starts
// the workflow once the grace has passed.
func TestTicketSavedWhileTheWorkflowCannotStartIsAcceptedAndSweptIn(t *testing.T) {
	e := localtest.Start(t)
	ctx := context.Background()
	h, err := intakewiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	h.Workflow = stepFunctionsDown{}
	body := `{"type":"complaint","category":"consumer.refund","channel":"web","content":"我在某某超市购买的电饭煲三天就坏了，商家拒绝退货。","contact":{"phone":"13800138000"}}`
	body = localtest.VerifiedBody(t, e.P.EdgeURL, localtest.HandlerPoster(h), body)
	req := events.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/tickets", Body: body, Headers: map[string]string{"idempotency-key": "k-1"}}
	var rec struct{ ID, AccessCode string }
	for attempt := range 2 { // the client's retry with the same key gets the same receipt
		resp, err := h.Handle(ctx, req)
		var again struct{ ID, AccessCode string }
		if err != nil || resp.StatusCode != 202 || json.Unmarshal([]byte(resp.Body), &again) != nil || again.AccessCode == "" {
			t.Fatalf("attempt %d: %v %d %s", attempt, err, resp.StatusCode, resp.Body)
		}
		if attempt > 0 && again != rec {
			t.Fatalf("replay gave another receipt: %+v, first %+v", again, rec)
		}
		rec = again
	}
	if tk := e.Ticket(t, rec.ID); tk.Status != ticket.StatusReceived {
		t.Fatalf("status %s", tk.Status)
	}
	sw, err := sweepwiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(sweep.StartGrace + time.Second)
	rep, err := sw.Handle(ctx, json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if rep.WorkflowsRestored != 1 {
		t.Fatalf("sweep report %+v", rep)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := e.P.Engine.WaitFor(waitCtx, e.ExecutionArn(rec.ID), func(d *asl.ExecutionInfo) bool { return len(d.WaitingTokens) > 0 }); err != nil {
		t.Fatal(err)
	}
	if tk := e.Ticket(t, rec.ID); tk.Status != ticket.StatusDispatched {
		t.Fatalf("after the sweep: %s", tk.Status)
	}
}
