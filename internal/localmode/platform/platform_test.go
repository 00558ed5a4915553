package platform_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
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
	body = localtest.VerifiedBody(t, p.EdgeURL, inbox.HTTPPoster(p.APIURL), body)
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

// Local mode on a laptop: a page in the browser cannot reach the API or the
// edge under another name (DNS rebinding), and the platform refuses to face
// the network with the public development secret or with the edge at all.
func TestLocalModeStaysOnThisMachine(t *testing.T) {
	ctx := context.Background()
	var unsafe *platform.UnsafeBindError
	for _, o := range []platform.Options{
		{APIAddr: "0.0.0.0:0", EdgeAddr: "127.0.0.1:0"},
		{APIAddr: "0.0.0.0:0", EdgeAddr: "127.0.0.1:0", JWTSecret: auth.DevSecret},
		{APIAddr: "0.0.0.0:0", EdgeAddr: "127.0.0.1:0", JWTSecret: "short"},
		{APIAddr: "127.0.0.1:0", EdgeAddr: "0.0.0.0:0", JWTSecret: strings.Repeat("s", 40)},
	} {
		if p, err := platform.Start(ctx, o); !errors.As(err, &unsafe) {
			if p != nil {
				_ = p.Close()
			}
			t.Fatalf("%+v: %v, want a refusal", o, err)
		}
	}
	p, err := platform.Start(ctx, platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, u := range []string{p.APIURL + "/v1/categories", p.EdgeURL + "/_aws/ses"} {
		req, _ := http.NewRequest("GET", u, nil)
		req.Host = "attacker.example"
		req.Header.Set("Origin", "http://attacker.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("%s under another name: %d %v", u, resp.StatusCode, resp.Header)
		}
		ok, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		ok.Body.Close()
		if ok.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", u, ok.StatusCode)
		}
	}
}

// A client's spare connection that never sent a request (net/http keeps
// them new for five seconds) does not make Close fail.
func TestCloseWithAnUnusedConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out Close's grace for requests under way")
	}
	p, err := platform.Start(context.Background(), platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(p.APIURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := p.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}
