package platform_test

import (
	"context"
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

// fastPlatform runs the platform at 10,000x: its workflow clock is the
// test's wall clock (a FakeClock) scaled, as hotline serve --speed 10000
// scales real time.
func fastPlatform(t *testing.T) (*platform.Platform, *asl.FakeClock, *asl.ScaledClock) {
	t.Helper()
	wall := asl.NewFakeClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	workflow := &asl.ScaledClock{Base: wall, Speed: 10000}
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Clock: workflow, WallClock: wall, SweepInterval: -1, Log: logs, Limits: platform.LooseLimits}, logs.String)
	return p, wall, workflow
}

// A sped-up workflow clock does not shorten staff tokens: they last their
// lifetime in real time, whatever the workflow's deadlines do.
func TestStaffTokensLastInRealTime(t *testing.T) {
	p, wall, workflow := fastPlatform(t)
	start := workflow.Now()
	tok, err := p.Issuer.Sign(auth.Claims{Subject: "op-1", Role: auth.RoleOperator}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, p.APIURL+"/v1/departments", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	wall.Advance(10 * time.Minute) // 10,000 minutes (about a week) of workflow time
	if got := workflow.Now().Sub(start); got < 24*time.Hour {
		t.Fatalf("workflow clock moved %v", got)
	}
	if got := get(); got != http.StatusOK {
		t.Fatalf("an hour's token after 10 real minutes: %d", got)
	}
	wall.Advance(time.Hour)
	if got := get(); got != http.StatusUnauthorized {
		t.Fatalf("an hour's token after 70 real minutes: %d", got)
	}
}

const complaint = `{"type":"complaint","category":"consumer.refund","channel":"web","content":"买的电饭煲坏了，商家不给退货，请处理。","contact":{"email":"a@example.com"}}`

// At 10,000x a citizen still has the code's 30 minutes of real time to file
// (10 real minutes here are 70 days of workflow time).
func TestCitizenFilesAtSpeed10000(t *testing.T) {
	p, wall, _ := fastPlatform(t)
	body := localtest.VerifiedBody(t, p.EdgeURL, inbox.HTTPPoster(p.APIURL), complaint)
	wall.Advance(10 * time.Minute)
	fileAndAwaitDepartment(t, p, body)
}

// hotline serve --speed 10000 as it runs: on the real clock sped up, the
// ticket's workflow reaches the department, its functions not cut off after
// their 60 s timeout / 10,000 (6 ms) of real time. The test waits for the
// workflow's progress, not for time.
func TestWorkflowAtSpeed10000OnTheRealClock(t *testing.T) {
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Clock: &asl.RealClock{Speed: 10000}, SweepInterval: -1, Log: logs, Limits: platform.LooseLimits}, logs.String)
	fileAndAwaitDepartment(t, p, localtest.VerifiedBody(t, p.EdgeURL, inbox.HTTPPoster(p.APIURL), complaint))
}

// fileAndAwaitDepartment files a verified ticket and waits until its
// workflow has dispatched it and waits for the department's reply.
func fileAndAwaitDepartment(t *testing.T, p *platform.Platform, body string) {
	t.Helper()
	resp, err := http.Post(p.APIURL+"/v1/tickets", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("filing: %d", resp.StatusCode)
	}
	execs, err := p.Engine.ListExecutions(p.StateMachineArn, "")
	if err != nil || len(execs) != 1 {
		t.Fatalf("executions: %v %v", execs, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	x, err := p.Engine.WaitFor(ctx, execs[0].ExecutionArn, func(d *asl.ExecutionInfo) bool { return asl.Done(d) || asl.WaitingForToken(d) })
	if err != nil || x.Status != asl.StatusRunning {
		t.Fatalf("the workflow did not wait for the department: %+v %v", x, err)
	}
	base, err := dataplane.Load(ctx, "api", p.Getenv, wiring.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tk, err := base.Store.GetTicket(ctx, execs[0].Name); err != nil || tk.Status != ticket.StatusDispatched {
		t.Fatalf("ticket %+v, %v; want it dispatched", tk.Status, err)
	}
}

// Sped up 10,000 times, the five-minute sweep would run 33 times a second;
// SweepMinGap (hotline serve: a second) keeps runs a second of real time
// apart.
func TestSweepKeepsItsGapInRealTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wall := asl.NewFakeClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	start := wall.Now()
	logs := &localtest.Logs{}
	localtest.StartPlatform(t, platform.Options{Clock: &asl.ScaledClock{Base: wall, Speed: 10000}, WallClock: wall,
		SweepInterval: 5 * time.Minute, SweepMinGap: time.Second, Log: logs}, logs.String)
	// Timers fire one at a time: the schedule's (30 ms of real time), then
	// the gap's, then the schedule's again; the sweep has run and logged
	// before its goroutine arms the next timer.
	for range 3 {
		if err := wall.WaitForTimers(ctx, 1); err != nil {
			t.Fatal(err)
		}
		wall.AdvanceToNext()
	}
	if err := wall.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(logs.String(), `"msg":"sweep"`); got != 2 {
		t.Fatalf("%d sweeps, want 2:\n%s", got, logs.String())
	}
	if got, want := wall.Now().Sub(start), 30*time.Millisecond+time.Second+30*time.Millisecond; got != want {
		t.Errorf("second sweep after %v of real time, want %v", got, want)
	}
}
