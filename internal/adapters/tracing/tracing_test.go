package tracing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hotline12345/hotline/internal/adapters/tracing"
)

func TestTicketIDOf(t *testing.T) {
	for payload, want := range map[string]string{
		`{"action":"route","ticketId":"20261130-7K3M9Q"}`:                    "20261130-7K3M9Q",
		`{"routeKey":"GET /v1/tickets/{id}","pathParameters":{"id":"T-1"}}`:  "T-1",
		`{"routeKey":"POST /v1/tickets","body":"{\"ticketId\":\"inside\"}"}`: "",
		`{"pathParameters":{"id":"13800138000 张三"}}`:                         "",
		`{"ticketId":"` + string(make([]byte, 65)) + `"}`:                    "",
		`{"ticketId":42}`: "",
		`not json`:        "",
		`{"version":"0","detail-type":"Scheduled Event","source":"aws.events"}`: "",
	} {
		if got := tracing.TicketIDOf([]byte(payload)); got != want {
			t.Errorf("TicketIDOf(%s) = %q, want %q", payload, got, want)
		}
	}
}

// Whatever arrives, the id put on a span is empty or a short run of
// letters, digits and dashes: never a citizen's text.
func FuzzTicketIDOf(f *testing.F) {
	f.Add([]byte(`{"ticketId":"20261130-7K3M9Q"}`))
	f.Add([]byte(`{"pathParameters":{"id":"T-1"}}`))
	f.Add([]byte(`{"pathParameters":{"id":"电话 138"}}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		id := tracing.TicketIDOf(payload)
		if len(id) > 64 {
			t.Fatalf("id of %d bytes", len(id))
		}
		for _, r := range id {
			if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_') {
				t.Fatalf("id %q has %q", id, r)
			}
		}
	})
}

type handlerFunc func(context.Context, []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, p []byte) ([]byte, error) { return f(ctx, p) }

// withLambdaHeader puts the header where aws-lambda-go puts the invocation's trace
// header, a string key of its own.
func withLambdaHeader(ctx context.Context, header string) context.Context {
	//lint:ignore SA1029 the key is aws-lambda-go's, a string of its choosing
	return context.WithValue(ctx, "x-amzn-trace-id", header)
}

func TestInvocationSpan(t *testing.T) {
	const sampled = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	const unsampled = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
	for _, tc := range []struct {
		name, header string
		fail         bool
		continues    bool
	}{
		{"no header", "", false, false},
		{"Lambda tracing on: continue its trace", sampled, false, true},
		{"Lambda tracing off (China): a trace of our own", unsampled, false, false},
		{"a failed invocation", "", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			var inner lambda.Handler = handlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
				if tc.fail {
					return nil, errors.New("phone 13800138000 refused")
				}
				return []byte(`{}`), nil
			})
			h := tracing.Handler(tracing.Of(tp), "dispatch", func() lambda.Handler { return inner })
			ctx := context.Background()
			if tc.header != "" {
				ctx = withLambdaHeader(ctx, tc.header)
			}
			_, err := h.Invoke(ctx, []byte(`{"action":"route","ticketId":"T-9"}`))
			if (err != nil) != tc.fail {
				t.Fatalf("err = %v", err)
			}
			spans := exp.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("%d spans", len(spans))
			}
			s := spans[0]
			if s.Name != "dispatch" {
				t.Errorf("name %q", s.Name)
			}
			if got := s.SpanContext.TraceID().String() == "5759e988bd862e3fe1be46a994272793"; got != tc.continues {
				t.Errorf("continues Lambda's trace: %v, want %v", got, tc.continues)
			}
			if tc.continues && s.Parent.SpanID().String() != "53995c3f42cd8ad8" {
				t.Errorf("parent %s", s.Parent.SpanID())
			}
			var id string
			for _, a := range s.Attributes {
				if a.Key == tracing.TicketID {
					id = a.Value.AsString()
				}
			}
			if id != "T-9" {
				t.Errorf("ticket id %q", id)
			}
			if tc.fail && (s.Status.Code != codes.Error || s.Status.Description != "invocation failed") {
				t.Errorf("status %+v: want an error without the error's text", s.Status)
			}
		})
	}
}

func TestOffAddsNoMiddlewareAndNewNeedsNoEndpoint(t *testing.T) {
	tr, err := tracing.New(context.Background(), "intake", "")
	if err != nil {
		t.Fatal(err)
	}
	if opts := tr.APIOptions(); len(opts) != 0 {
		t.Errorf("%d AWS middleware without an endpoint", len(opts))
	}
	if err := tr.Flush(context.Background()); err != nil {
		t.Error(err)
	}
	if opts := tracing.Of(sdktrace.NewTracerProvider()).APIOptions(); len(opts) != 1 {
		t.Errorf("%d AWS middleware with a provider, want 1", len(opts))
	}
}
