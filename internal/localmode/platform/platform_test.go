package platform_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// The platform runs the sweep function on its schedule, on its own clock.
func TestScheduledSweepRemindsDepartments(t *testing.T) {
	ctx := context.Background()
	clock := asl.NewFakeClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	p, err := platform.Start(ctx, platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	body := `{"type":"complaint","category":"consumer.refund","channel":"web","content":"买的电饭煲坏了，商家不给退货，请处理。","contact":{"email":"a@example.com"}}`
	resp, err := http.Post(p.APIURL+"/v1/tickets", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	base, err := dataplane.Load(ctx, "api", func(k string) string { return p.Env[k] }, wiring.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	execs, err := p.Engine.ListExecutions(p.StateMachineArn, "")
	if err != nil || len(execs) != 1 {
		t.Fatalf("executions: %v %v", execs, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := p.Engine.WaitFor(wctx, execs[0].ExecutionArn, asl.WaitingForToken); err != nil {
		t.Fatal(err)
	}
	clock.Advance(48 * time.Hour) // past the accept deadline; the sweep timer fires
	for {
		tk, err := base.Store.GetTicket(ctx, execs[0].Name)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Overdue && tk.Status == ticket.StatusDispatched {
			return
		}
		select {
		case <-wctx.Done():
			t.Fatal("the scheduled sweep did not remind the department")
		case <-time.After(5 * time.Millisecond): // polling another goroutine's outcome
		}
	}
}
