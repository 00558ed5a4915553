package tracing_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/hotline12345/hotline/internal/adapters/tracing"
)

// collector is an OTLP/HTTP endpoint that decodes what it is sent.
type collector struct {
	mu     sync.Mutex
	status int
	got    []*tracepb.ResourceSpans
	errs   []string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		c.errs = append(c.errs, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
	}
	body, _ := io.ReadAll(r.Body)
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 || num != 1 || typ != protowire.BytesType {
			c.errs = append(c.errs, "not an ExportTraceServiceRequest")
			break
		}
		body = body[n:]
		b, n := protowire.ConsumeBytes(body)
		if n < 0 {
			c.errs = append(c.errs, "truncated")
			break
		}
		body = body[n:]
		rs := &tracepb.ResourceSpans{}
		if err := proto.Unmarshal(b, rs); err != nil {
			c.errs = append(c.errs, err.Error())
		}
		c.got = append(c.got, rs)
	}
	if c.status != 0 {
		w.WriteHeader(c.status)
	}
}

func TestSpansReachTheCollectorAsOTLPProtobuf(t *testing.T) {
	c := &collector{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	ctx := context.Background()
	tr, err := tracing.New(ctx, "dispatch", srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	_, span := tr.Provider.Tracer("test").Start(ctx, "dispatch")
	span.SetAttributes(tracing.TicketID.String("T-1"))
	span.End()
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) > 0 || len(c.got) != 1 {
		t.Fatalf("collector: %v, %d resource spans", c.errs, len(c.got))
	}
	rs := c.got[0]
	var service string
	for _, a := range rs.GetResource().GetAttributes() {
		if a.GetKey() == "service.name" {
			service = a.GetValue().GetStringValue()
		}
	}
	if service != "hotline-dispatch" {
		t.Errorf("service.name %q", service)
	}
	if len(rs.ScopeSpans) != 1 || len(rs.ScopeSpans[0].Spans) != 1 || rs.ScopeSpans[0].Spans[0].Name != "dispatch" || len(rs.ScopeSpans[0].Spans[0].TraceId) != 16 {
		t.Errorf("spans: %v", rs.ScopeSpans)
	}
}

func TestCollectorTroubleIsReportedNotHidden(t *testing.T) {
	c := &collector{status: http.StatusServiceUnavailable}
	srv := httptest.NewServer(c)
	defer srv.Close()
	ctx := context.Background()
	tr, err := tracing.New(ctx, "api", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, span := tr.Provider.Tracer("test").Start(ctx, "api")
	span.End()
	if err := tr.Flush(ctx); err == nil {
		t.Error("a collector answering 503 lost spans silently")
	}
	for _, bad := range []string{"localhost:4318", "ftp://collector", "http://"} {
		if _, err := tracing.New(ctx, "api", bad); err == nil {
			t.Errorf("endpoint %q accepted", bad)
		}
	}
}
