package review_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/domain/screening"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	intakewiring "github.com/hotline12345/hotline/internal/wiring/intake"
	reviewwiring "github.com/hotline12345/hotline/internal/wiring/review"
)

// notStarted leaves the workflow alone, so the test runs review itself.
type notStarted struct{}

func (notStarted) Start(context.Context, string) error { return nil }

// A caller blocked by the number an operator wrote down (010 62345678) stays
// blocked however they type it when filing: intake stores the canonical form
// and review hashes the same form.
func TestBlockedLandlineCallerIsBlockedHoweverTheNumberIsTyped(t *testing.T) {
	e := localtest.Start(t)
	ctx := context.Background()
	in, err := intakewiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	in.Workflow = notStarted{}
	rv, err := reviewwiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	// An admin blocks the number as the operator wrote it down, through the
	// admin API (the shipped rules plus one blocked sender).
	var rules map[string]any
	if err := json.Unmarshal(configfiles.Screening, &rules); err != nil {
		t.Fatal(err)
	}
	rules["blockedSenders"] = []string{rv.Blinder.Phone("010 62345678")}
	if st := e.StaffWith(t, "PUT /v1/admin/screening-rules", "", "admin", "", map[string]string{"if-match": "*"}, rules); st != 200 {
		t.Fatalf("block the number: %d", st)
	}

	for _, typed := range []string{"010-62345678", "+86 10 62345678", "0086 10 6234 5678", "（０１０）６２３４５６７８"} {
		// A blocked caller rings in: the operator enters the call.
		body, _ := json.Marshal(map[string]any{
			"type": "complaint", "category": "consumer.refund", "channel": "phone",
			"content": "我在某某超市购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理。",
			"contact": map[string]string{"name": "李四", "phone": typed},
		})
		resp, err := in.Handle(ctx, events.APIGatewayV2HTTPRequest{
			RouteKey: "POST /v1/tickets", RawPath: "/v1/tickets", Body: string(body),
			Headers: map[string]string{"content-type": "application/json"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/v1/tickets"},
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
					Claims: map[string]string{"sub": "op-1", "role": "operator"}}}},
		})
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("file with phone %q: %d %s %v", typed, resp.StatusCode, resp.Body, err)
		}
		var receipt struct{ ID string }
		if err := json.Unmarshal([]byte(resp.Body), &receipt); err != nil {
			t.Fatal(err)
		}
		if got := e.Ticket(t, receipt.ID).Contact.Phone; got != "01062345678" {
			t.Errorf("phone %q stored as %q, want the canonical 01062345678", typed, got)
		}
		out, failure := reviewed(t, rv, receipt.ID)
		if failure != "Review.Reject" || out.Decision != "reject" || e.Ticket(t, receipt.ID).ReviewReason != screening.ReasonBlockedSender {
			t.Errorf("phone typed %q: review %+v %s, reason %q; want rejected as a blocked sender", typed, out, failure, e.Ticket(t, receipt.ID).ReviewReason)
		}
	}
}
