package tracing

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Scope is the instrumentation scope of the spans made here.
const Scope = "github.com/hotline12345/hotline/internal/adapters/tracing"

// lambdaTraceKey is where aws-lambda-go puts the invocation's
// X-Amzn-Trace-Id (a string key of its choosing).
const lambdaTraceKey = "x-amzn-trace-id"

// Handler wraps a function's handler in a span per invocation, named after
// the function, with the ticket id the payload names (TicketIDOf); the
// spans of the AWS calls made meanwhile are its children. The spans are
// flushed before the invocation returns.
//
// newHandler makes the handler an invocation runs in. A handler from
// lambda.NewHandler reuses one response buffer, so concurrent invocations
// (local mode runs many at once) each take one of their own from a pool.
func Handler(t *Tracing, function string, newHandler func() lambda.Handler) lambda.Handler {
	i := &invoker{t: t, function: function, tracer: t.Provider.Tracer(Scope)}
	i.idle.New = func() any { return newHandler() }
	return i
}

type invoker struct {
	t        *Tracing
	function string
	idle     sync.Pool // of lambda.Handler
	tracer   trace.Tracer
}

func (i *invoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx = parent(ctx)
	ctx, span := i.tracer.Start(ctx, i.function, trace.WithSpanKind(trace.SpanKindServer))
	if id := TicketIDOf(payload); id != "" {
		span.SetAttributes(TicketID.String(id))
	}
	next := i.idle.Get().(lambda.Handler)
	out, err := next.Invoke(ctx, payload)
	// The answer may be the handler's buffer: copied before another
	// invocation takes the handler.
	out = append([]byte(nil), out...)
	i.idle.Put(next)
	if err != nil {
		// The type, not the text: an error's text can quote input.
		span.SetStatus(codes.Error, "invocation failed")
	}
	span.End()
	_ = i.t.Flush(ctx) // lost spans must not fail the ticket's step
	return out, err
}

// parent continues the trace of Lambda's trace header where Lambda tracing
// is on (Sampled=1); elsewhere (China, tracing off) the header says
// Sampled=0, and following it would switch this function's own traces off.
func parent(ctx context.Context) context.Context {
	header, _ := ctx.Value(lambdaTraceKey).(string)
	if header == "" {
		return ctx
	}
	pctx := xray.Propagator{}.Extract(ctx, propagation.MapCarrier{"X-Amzn-Trace-Id": header})
	if sc := trace.SpanContextFromContext(pctx); sc.IsValid() && sc.IsSampled() {
		return pctx
	}
	return ctx
}

// TicketIDOf finds the ticket a payload is about: a workflow step's input
// ({"ticketId": …}) or an API request's path ({"pathParameters": {"id": …}}).
// It reads outside input, so it decodes only those members and answers ""
// for anything else; intake's new ticket gets its id when it is created
// (SetTicketID).
func TicketIDOf(payload []byte) string {
	var p struct {
		TicketID       string `json:"ticketId"`
		PathParameters struct {
			ID string `json:"id"`
		} `json:"pathParameters"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return ""
	}
	id := p.TicketID
	if id == "" {
		id = p.PathParameters.ID
	}
	if !plausibleID(id) {
		return ""
	}
	return id
}

// plausibleID keeps arbitrary text (a mistyped path, a probe) out of the
// traces: ticket ids are short runs of letters, digits and dashes.
func plausibleID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// SetTicketID names the ticket on the invocation's span once it is known.
func SetTicketID(ctx context.Context, id string) {
	trace.SpanFromContext(ctx).SetAttributes(TicketID.String(id))
}
