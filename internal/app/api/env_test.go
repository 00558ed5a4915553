package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/app/api"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/intake"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/deptschema"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/internal/wiring"
	apiwiring "github.com/hotline12345/hotline/internal/wiring/api"
	"github.com/hotline12345/hotline/internal/wiring/config"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
	intakewiring "github.com/hotline12345/hotline/internal/wiring/intake"
)

// start is a Monday 09:00 in Beijing, a working day.
var start = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func withoutEdge(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if !strings.Contains(line, `"component":"edge"`) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// env is the local platform (edge, DynamoDB, Step Functions running the real
// workflow and functions) on a fake clock, plus the api and intake handlers
// under test wired to the same table, exactly as a Lambda would be.
type env struct {
	p      *platform.Platform
	clock  *asl.FakeClock
	api    *api.Handler
	intake *intake.Handler
	store  *store.Store
	sqs    *sqs.Client
	logs   *localtest.Logs
	// getenv and wo build more functions on the same platform.
	getenv func(string) string
	wo     wiring.Options

	mu   sync.Mutex
	seen map[string][]deptmsg.Message // drained department messages
}

func newEnv(t testing.TB, opts ...func(*platform.Options)) *env {
	t.Helper()
	ctx := context.Background()
	// platform.Env draws the sealing keys first from Random: give the platform and
	// the handlers under test the same ones.
	keys := make([]byte, 64)
	if _, err := rand.Read(keys); err != nil {
		t.Fatal(err)
	}
	clock := asl.NewFakeClock(start)
	logs := &localtest.Logs{}
	o := platform.Options{
		APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Clock: clock, Log: logs,
		Random: io.MultiReader(bytes.NewReader(keys), rand.Reader), Limits: platform.LooseLimits,
	}
	for _, opt := range opts {
		opt(&o)
	}
	p := localtest.StartPlatform(t, o, func() string { return "(edge requests left out)\n" + withoutEdge(logs.String()) })
	vars, err := platform.Env(p.EdgeURL, p.StateMachineArn, bytes.NewReader(keys))
	if err != nil {
		t.Fatal(err)
	}
	vars[config.EnvLimits] = p.Env[config.EnvLimits]
	getenv := func(k string) string { return vars[k] }
	wo := wiring.Options{Now: clock.Now, Log: logs, Random: rand.Reader}
	a, err := apiwiring.Build(ctx, getenv, wo)
	if err != nil {
		t.Fatal(err)
	}
	in, err := intakewiring.Build(ctx, getenv, wo)
	if err != nil {
		t.Fatal(err)
	}
	base, err := dataplane.Load(ctx, "api", getenv, wo)
	if err != nil {
		t.Fatal(err)
	}
	return &env{p: p, clock: clock, api: a, intake: in, store: base.Store.Store, sqs: queue.SQSClient(base.AWS), logs: logs, getenv: getenv, wo: wo, seen: map[string][]deptmsg.Message{}}
}

// req builds an API Gateway request for the api function.
type req struct {
	route   string
	params  map[string]string
	query   map[string]string
	headers map[string]string
	claims  map[string]string
	body    string
}

func route(key string, id string) *req {
	r := &req{route: key, params: map[string]string{}, headers: map[string]string{}}
	if strings.Contains(key, "{id}") {
		r.params["id"] = id
	}
	if strings.Contains(key, "{deptId}") {
		r.params["deptId"] = id
	}
	if strings.Contains(key, "{year}") {
		r.params["year"] = id
	}
	return r
}

func (r *req) as(role auth.Role, dept string) *req {
	r.claims = map[string]string{"sub": "test-" + string(role) + "-" + dept, "role": string(role)}
	if dept != "" {
		r.claims["dept"] = dept
	}
	return r
}

func (r *req) code(c string) *req { r.headers["x-access-code"] = c; return r }

func (r *req) json(v any) *req {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	r.body = string(b)
	return r
}

func (r *req) q(k, v string) *req {
	if r.query == nil {
		r.query = map[string]string{}
	}
	r.query[k] = v
	return r
}

func (r *req) event() events.APIGatewayV2HTTPRequest {
	ev := events.APIGatewayV2HTTPRequest{
		RouteKey: r.route, PathParameters: r.params, QueryStringParameters: r.query,
		Headers: r.headers, Body: r.body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "test"},
	}
	if r.claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: r.claims},
		}
	}
	return ev
}

type resp struct {
	status int
	body   string
}

// errorCode returns the API.md error code of an error answer.
func (r resp) errorCode() string {
	var p httpapi.Problem
	_ = json.Unmarshal([]byte(r.body), &p)
	return p.Code
}

func (e *env) do(t testing.TB, r *req) resp {
	t.Helper()
	out, err := e.api.Handle(context.Background(), r.event())
	if err != nil {
		t.Fatalf("%s: handler error %v", r.route, err)
	}
	return resp{status: out.StatusCode, body: out.Body}
}

// want checks the status and, for errors, the API.md code that goes with it.
func (r resp) want(t testing.TB, what string, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
	}
	if status >= 400 {
		if code := r.errorCode(); code != codes[status] {
			t.Fatalf("%s: error code %q, want %q: %s", what, code, codes[status], r.body)
		}
	}
}

var codes = map[int]string{
	400: "validation_failed", 401: "unauthorized", 403: "forbidden", 404: "not_found",
	405: "method_not_allowed", 409: "conflict", 410: "gone", 412: "precondition_failed", 413: "payload_too_large",
	428: "precondition_required", 429: "rate_limited", 500: "internal",
}

const (
	citizenPhone = "13912345678"
	citizenEmail = "citizen@example.com"
)

func complaint() map[string]any {
	return map[string]any{
		"type": "complaint", "category": "consumer.refund", "channel": "web",
		"content":      "我在某某超市购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理。",
		"involvedUnit": "某某超市", "location": map[string]any{"region": "110105"},
		"contact":  map[string]any{"name": "张三", "phone": citizenPhone, "email": citizenEmail},
		"language": "zh",
	}
}

// file registers a ticket through the intake handler; its workflow starts.
func (e *env) file(t testing.TB, sub map[string]any) (id, code string) {
	t.Helper()
	b, err := json.Marshal(localtest.Verified(t, e.p.EdgeURL, localtest.HandlerPoster(e.intake), sub))
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.intake.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/tickets", Body: string(b)})
	if err != nil || out.StatusCode != http.StatusCreated {
		t.Fatalf("file ticket: %v %d %s", err, out.StatusCode, out.Body)
	}
	var rec intake.Receipt
	if err := json.Unmarshal([]byte(out.Body), &rec); err != nil {
		t.Fatal(err)
	}
	return rec.ID, rec.AccessCode
}

func (e *env) execArn(id string) string {
	return strings.Replace(e.p.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + id
}

// parked waits until the execution has parked its token in state (the task's
// Lambda returned: TaskSubmitted after the latest entry into state).
func (e *env) parked(t testing.TB, id, state string) {
	t.Helper()
	e.waitExec(t, id, "parked in "+state, func(h []asl.HistoryEvent) bool {
		last, submitted := "", false
		for _, ev := range h {
			switch {
			case strings.HasSuffix(ev.Type, "StateEntered"):
				last, submitted = ev.StateEnteredEventDetails.Name, false
			case ev.Type == "TaskSubmitted":
				submitted = true
			}
		}
		return last == state && submitted
	})
}

// waitExec waits for a condition on the execution's history. It never sleeps:
// the engine wakes it on every history event.
func (e *env) waitExec(t testing.TB, id, what string, pred func([]asl.HistoryEvent) bool) *asl.ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	arn := e.execArn(id)
	var hist []asl.HistoryEvent
	d, err := e.p.Engine.WaitFor(ctx, arn, func(d *asl.ExecutionInfo) bool {
		h, err := e.p.Engine.GetExecutionHistory(arn)
		if err != nil {
			return false
		}
		hist = h
		return pred(h) || d.Status != asl.StatusRunning
	})
	if err != nil {
		t.Fatalf("waiting for %s of %s: %v", what, id, err)
	}
	if !pred(hist) {
		t.Fatalf("execution %s ended %s (%s: %s) before %s", id, d.Status, d.Error, d.Cause, what)
	}
	return d
}

// done waits for the execution to finish and returns how.
func (e *env) done(t testing.TB, id string) *asl.ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := e.p.Engine.WaitFor(ctx, e.execArn(id), asl.Done)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (e *env) ticket(t testing.TB, id string) *ticket.Ticket {
	t.Helper()
	tk, err := e.store.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) events(t testing.TB, id string) []ticket.Event {
	t.Helper()
	evs, err := e.store.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// messages drains the department's queue and returns every message seen on
// it so far for the ticket. Each must meet deptmsg's AsyncAPI document.
func (e *env) messages(t testing.TB, dept, id string) []deptmsg.Message {
	t.Helper()
	ctx := context.Background()
	u, err := e.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(platform.QueuePrefix + dept)})
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: u.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			deptschema.Check(t, []byte(aws.ToString(m.Body)))
			msg, err := deptmsg.Decode([]byte(aws.ToString(m.Body)))
			if err != nil {
				t.Fatal(err)
			}
			e.seen[dept] = append(e.seen[dept], msg)
			if _, err := e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: u.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var mine []deptmsg.Message
	for _, m := range e.seen[dept] {
		if m.TicketID == id {
			mine = append(mine, m)
		}
	}
	return mine
}

// dispatched files a complaint and waits until market regulation has it.
func (e *env) dispatched(t testing.TB) (id, code string) {
	t.Helper()
	id, code = e.file(t, complaint())
	e.parked(t, id, "AwaitReply")
	if tk := e.ticket(t, id); tk.Status != ticket.StatusDispatched || tk.DepartmentID != "market" {
		t.Fatalf("after dispatch: %s %q", tk.Status, tk.DepartmentID)
	}
	return id, code
}

// replied takes a dispatched ticket to replied and waits for the rating step.
func (e *env) replied(t testing.TB) (id, code string) {
	t.Helper()
	id, code = e.dispatched(t)
	e.do(t, route("POST /v1/tickets/{id}/reply", id).as(auth.RoleDepartment, "market").
		json(map[string]any{"result": "resolved", "message": "商家已同意退货退款。"})).want(t, "reply", 200)
	e.parked(t, id, "Feedback")
	return id, code
}

// beijingCounties are real division codes (GB/T 2260) for tickets filed
// in different places; 110105, where complaint() files, comes last.
var beijingCounties = []string{"110101", "110102", "110106", "110107", "110108", "110109", "110111",
	"110112", "110113", "110114", "110115", "110116", "110117", "110118", "110119", "110105"}

func county(n int) string { return beijingCounties[n%len(beijingCounties)] }
