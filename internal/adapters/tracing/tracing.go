// Package tracing follows a ticket through a function invocation and the AWS
// calls it makes, with OpenTelemetry. Not the X-Ray SDK: it is in
// maintenance (end of support 2027-02-25), API Gateway's HTTP APIs have no
// X-Ray, and Lambda has no X-Ray integration in the China regions. Spans go
// over OTLP/HTTP to a collector (the ADOT collector layer in AWS, a
// self-hosted one in China) only when OTEL_EXPORTER_OTLP_ENDPOINT is set;
// otherwise the tracer is a no-op and tracing costs nothing. Spans carry ids
// (ticket, request), never a citizen's contact or text.
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// TicketID is the span attribute naming the ticket an invocation works on.
const TicketID = attribute.Key("hotline.ticket_id")

// Tracing is a function's tracer provider and how to flush it.
type Tracing struct {
	Provider trace.TracerProvider
	flush    func(context.Context) error
	off      bool
}

// Off traces nothing.
func Off() *Tracing { return &Tracing{Provider: noop.NewTracerProvider(), off: true} }

// flusher is a provider that batches spans (the SDK's).
type flusher interface {
	ForceFlush(ctx context.Context) error
}

// Of uses a provider made elsewhere (tests: one with an in-memory exporter).
func Of(tp trace.TracerProvider) *Tracing {
	t := &Tracing{Provider: tp}
	if f, ok := tp.(flusher); ok {
		t.flush = f.ForceFlush
	}
	return t
}

// New exports spans over OTLP/HTTP to endpoint (OTEL_EXPORTER_OTLP_ENDPOINT,
// a base URL) when it is set, and traces nothing otherwise. service names the
// function in the traces.
func New(ctx context.Context, service, endpoint string) (*Tracing, error) {
	if endpoint == "" {
		return Off(), nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("tracing: OTLP endpoint %q must be an absolute http(s) URL", endpoint)
	}
	exp, err := otlptrace.New(ctx, &otlpHTTP{url: tracesURL(endpoint), client: &http.Client{Timeout: flushTimeout}})
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	tp := sdktrace.NewTracerProvider(
		// Batched, and flushed before each invocation returns (Handler):
		// a Lambda is frozen between invocations.
		sdktrace.WithBatcher(exp),
		// X-Ray's id form (time first), which X-Ray takes from a collector
		// and which continues a Lambda trace header's trace.
		sdktrace.WithIDGenerator(xray.NewIDGenerator()),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "hotline-"+service))),
	)
	return Of(tp), nil
}

// flushTimeout bounds the flush at the end of an invocation: a collector
// that is down must not hold the function until Lambda's timeout.
const flushTimeout = 2 * time.Second

// Flush sends the spans still batched. Its error says only that spans were
// lost, which must not fail the invocation.
func (t *Tracing) Flush(ctx context.Context) error {
	if t.flush == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
	defer cancel()
	return t.flush(ctx)
}
