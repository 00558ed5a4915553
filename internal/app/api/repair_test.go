package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// A step that fails after its retries (the department's queue is gone) puts
// the ticket on the admins' list of stuck tickets; once the cause is fixed,
// an admin repairs it and a new execution picks up where the ticket stood.
func TestFailedWorkflowIsListedAndRepaired(t *testing.T) {
	e := localtest.Start(t)
	ctx := context.Background()
	queue := aws.String(platform.QueuePrefix + "market")
	u, err := e.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: queue})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.SQS.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: u.QueueUrl}); err != nil {
		t.Fatal(err)
	}

	rec := e.File(t, `{"type":"complaint","category":"consumer.refund","channel":"web","content":"我在某某超市购买的电饭煲三天就坏了，商家拒绝退货。","contact":{"email":"a@example.com"}}`)
	failed, err := e.P.Engine.AdvanceUntil(ctx, e.Clock, e.ExecutionArn(rec.ID), asl.Done)
	if err != nil || failed.Status != asl.StatusFailed {
		t.Fatalf("execution %+v %v", failed, err)
	}
	tk := e.Ticket(t, rec.ID)
	if tk.Stuck == nil || tk.Stuck.Error != "DeliveryError" || tk.Status != ticket.StatusDispatched {
		t.Fatalf("not listed as stuck: %+v %+v", tk.Stuck, tk.Status)
	}

	var list struct {
		Tickets []struct {
			ID        string       `json:"id"`
			Stuck     ticket.Stuck `json:"stuck"`
			ResumesAt string       `json:"resumesAt"`
		} `json:"tickets"`
	}
	admin := func(route, id string, body any) events.APIGatewayV2HTTPResponse {
		b, _ := json.Marshal(body)
		out, err := e.API.Handle(ctx, events.APIGatewayV2HTTPRequest{RouteKey: route, PathParameters: map[string]string{"id": id}, Body: string(b),
			RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "admin-1", "role": "admin"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := admin("GET /v1/admin/stuck-tickets", "", nil); out.StatusCode != 200 || json.Unmarshal([]byte(out.Body), &list) != nil ||
		len(list.Tickets) != 1 || list.Tickets[0].ID != rec.ID || list.Tickets[0].ResumesAt != "reply" {
		t.Fatalf("stuck list %d %s", out.StatusCode, out.Body)
	}
	if st := e.Staff(t, "POST /v1/admin/tickets/{id}/repair", rec.ID, "operator", "", map[string]any{"stuckSince": tk.Stuck.Since}); st != 403 {
		t.Fatalf("operator repairs: %d", st)
	}
	if out := admin("POST /v1/admin/tickets/{id}/repair", rec.ID, map[string]any{"stuckSince": tk.Stuck.Since.Add(-time.Second)}); out.StatusCode != 409 {
		t.Fatalf("repair of a failure the admin did not see: %d %s", out.StatusCode, out.Body)
	}

	// The cause is fixed; the repair resumes the ticket at the reply wait.
	if _, err := e.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: queue}); err != nil {
		t.Fatal(err)
	}
	if out := admin("POST /v1/admin/tickets/{id}/repair", rec.ID, map[string]any{"stuckSince": tk.Stuck.Since}); out.StatusCode != 200 {
		t.Fatalf("repair: %d %s", out.StatusCode, out.Body)
	}
	// A retried request changes nothing and starts nothing.
	if out := admin("POST /v1/admin/tickets/{id}/repair", rec.ID, map[string]any{"stuckSince": tk.Stuck.Since}); out.StatusCode != 409 {
		t.Fatalf("second repair: %d %s", out.StatusCode, out.Body)
	}
	repaired := e.ExecutionArn(rec.ID + "-r1")
	if x := e.Settled(t, repaired); x.Status != asl.StatusRunning {
		t.Fatalf("repair execution %+v", x)
	}
	if msgs := e.Drain(t, "market", rec.ID); len(msgs) != 1 {
		t.Fatalf("%d department messages after the repair, want 1", len(msgs))
	}
	tk = e.Ticket(t, rec.ID)
	if tk.Stuck != nil || tk.Repairs != 1 || tk.WaitingStep != ticket.StepDispatch {
		t.Fatalf("after the repair: %+v", tk)
	}
	if out := admin("GET /v1/admin/stuck-tickets", "", nil); json.Unmarshal([]byte(out.Body), &list) != nil || len(list.Tickets) != 0 {
		t.Fatalf("still listed: %s", out.Body)
	}
	if st := e.Staff(t, "POST /v1/tickets/{id}/reply", rec.ID, "department", "market", map[string]string{"result": "resolved", "message": "商家已退款。"}); st != 200 {
		t.Fatalf("reply after the repair: %d", st)
	}
	e.AwaitNewToken(t, rec.ID+"-r1", tk.TaskToken) // the repaired execution
	if tk := e.Ticket(t, rec.ID); tk.WaitingStep != ticket.StepFeedback {
		t.Fatalf("the repaired workflow did not go on to the rating: waiting %q", tk.WaitingStep)
	}
}
