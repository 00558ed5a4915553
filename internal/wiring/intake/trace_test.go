package intake_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hotline12345/hotline/internal/adapters/tracing"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/internal/wiring/intake"
)

// Filing a ticket gives one trace: the invocation's span, named after the
// function and carrying the new ticket's id, and under it a span per AWS call
// (the DynamoDB transaction that saves the ticket, the workflow's start);
// no span carries the citizen's contact or text.
func TestFilingIsOneTraceFromInvocationToAWSCalls(t *testing.T) {
	e := localtest.Start(t)
	ctx := context.Background()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	wo := e.Options
	wo.Tracing = tracing.Of(tp)
	built, err := intake.Lambda(ctx, e.P.Getenv, wo)
	if err != nil {
		t.Fatal(err)
	}
	h := built.(lambda.Handler)

	const phone, content = "13800138000", "我在某某超市购买的电饭煲三天就坏了，商家拒绝退货。"
	body := localtest.VerifiedBody(t, e.P.EdgeURL, inbox.HTTPPoster(e.P.APIURL),
		`{"type":"complaint","category":"consumer.refund","channel":"web","content":"`+content+`","contact":{"phone":"`+phone+`"}}`)
	payload, err := json.Marshal(events.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/tickets", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayV2HTTPResponse
	var receipt struct{ ID string }
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode != 201 || json.Unmarshal([]byte(resp.Body), &receipt) != nil || receipt.ID == "" {
		t.Fatalf("intake answered %d %s (%v)", resp.StatusCode, resp.Body, err)
	}

	spans := exp.GetSpans()
	var root tracetest.SpanStub
	for _, s := range spans {
		if s.Name == "intake" {
			root = s
		}
	}
	if root.Name == "" || root.SpanKind != trace.SpanKindServer || root.Parent.IsValid() {
		t.Fatalf("no root span named intake among %v", names(spans))
	}
	if !slices.ContainsFunc(root.Attributes, func(a attribute.KeyValue) bool {
		return a.Key == tracing.TicketID && a.Value.AsString() == receipt.ID
	}) {
		t.Errorf("the invocation's span does not name ticket %s: %v", receipt.ID, root.Attributes)
	}
	children := map[string]bool{}
	for _, s := range spans {
		if s.Parent.SpanID() == root.SpanContext.SpanID() && s.SpanContext.TraceID() == root.SpanContext.TraceID() && s.SpanKind == trace.SpanKindClient {
			children[s.Name] = true
		}
		for _, a := range s.Attributes {
			if v := a.Value.String(); strings.Contains(v, phone) || strings.Contains(v, content) {
				t.Errorf("span %s carries personal data in %s", s.Name, a.Key)
			}
		}
	}
	for _, want := range []string{"DynamoDB.TransactWriteItems", "SFN.StartExecution"} {
		if !children[want] {
			t.Errorf("no %s span under the invocation's; children: %v (all: %v)", want, children, names(spans))
		}
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
