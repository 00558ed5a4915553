// Package localtest starts the local platform on a fake clock for tests that
// drive whole workflows, and offers the few steps those tests share: file a
// ticket over HTTP, wait for the workflow to park, read a department's queue.
package localtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
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
	"github.com/hotline12345/hotline/internal/app/dispatch"
	"github.com/hotline12345/hotline/internal/app/review"
	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/deptschema"
	"github.com/hotline12345/hotline/internal/wiring"
	apiwiring "github.com/hotline12345/hotline/internal/wiring/api"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
	dispatchwiring "github.com/hotline12345/hotline/internal/wiring/dispatch"
	reviewwiring "github.com/hotline12345/hotline/internal/wiring/review"
)

// Monday is 09:00 on Monday 2 March 2026 in Beijing, a working day.
var Monday = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// Logs collects the platform's logs from many goroutines.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Env is a running platform on a fake clock with the store and SQS client a
// test needs to look behind the API.
type Env struct {
	P     *platform.Platform
	Clock *asl.FakeClock
	Store *store.Store
	SQS   *sqs.Client
	Logs  *Logs
	// CodeKey is the platform's access-code hash key, for tickets a test
	// writes to the store itself.
	CodeKey []byte
	// API is an api function wired to the same table, for calling it as
	// API Gateway would without HTTP.
	API *api.Handler
	// Options are the wiring options of the platform's functions, for tests
	// that build a function of their own (with P.Getenv).
	Options wiring.Options
}

// Start starts the platform at Monday with the scheduled sweep off (tests run
// it themselves); logs are shown when the test fails.
func Start(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	clock := asl.NewFakeClock(Monday)
	logs := &Logs{}
	p := StartPlatform(t, platform.Options{Clock: clock, Log: logs, SweepInterval: -1, Limits: platform.LooseLimits}, logs.String)
	wo := wiring.Options{Now: clock.Now, Log: logs}
	base, err := dataplane.Load(ctx, "api", p.Getenv, wo)
	if err != nil {
		t.Fatal(err)
	}
	a, err := apiwiring.Build(ctx, p.Getenv, wo)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{P: p, Clock: clock, Store: base.Store.Store, SQS: queue.SQSClient(base.AWS), Logs: logs, CodeKey: base.CodeKey(), API: a, Options: wo}
}

// StartPlatform starts a local platform on free loopback ports (o's
// addresses are set) and stops it when the test ends; a failed test logs
// what logs returns.
func StartPlatform(t testing.TB, o platform.Options, logs func() string) *platform.Platform {
	t.Helper()
	o.APIAddr, o.EdgeAddr = "127.0.0.1:0", "127.0.0.1:0"
	p, err := platform.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() && logs != nil {
			t.Logf("platform logs:\n%s", logs())
		}
	})
	return p
}

// Receipt is the answer to a filed ticket.
type Receipt struct {
	ID         string `json:"id"`
	AccessCode string `json:"accessCode"`
}

// File posts a submission (JSON) as a citizen and returns the receipt.
func (e *Env) File(t testing.TB, submission string) Receipt {
	t.Helper()
	body := VerifiedBody(t, e.P.EdgeURL, inbox.HTTPPoster(e.P.APIURL), submission)
	resp, err := http.Post(e.P.APIURL+"/v1/tickets", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rec Receipt
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("file ticket: %d %v", resp.StatusCode, err)
	}
	return rec
}

// Do sends an API request as a staff member (claims nil: as a citizen) and
// returns the status code.
func (e *Env) Do(t testing.TB, method, path string, claims *auth.Claims, headers map[string]string, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, e.P.APIURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if claims != nil {
		tok, err := e.P.Issuer.Sign(*claims, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// ExecutionArn is the workflow execution of a ticket.
func (e *Env) ExecutionArn(id string) string {
	return strings.Replace(e.P.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + id
}

// AwaitNewToken waits until the ticket's workflow waits on a task token other
// than old, and returns it; it fails if the execution ends instead.
func (e *Env) AwaitNewToken(t testing.TB, id, old string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := e.P.Engine.WaitFor(ctx, e.ExecutionArn(id), func(d *asl.ExecutionInfo) bool {
		return d.Status != asl.StatusRunning || (len(d.WaitingTokens) > 0 && d.WaitingTokens[0] != old)
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != asl.StatusRunning {
		t.Fatalf("execution ended: %s %s %s", d.Status, d.Error, d.Cause)
	}
	return d.WaitingTokens[0]
}

// Ticket reads a ticket from the table.
func (e *Env) Ticket(t testing.TB, id string) *ticket.Ticket {
	t.Helper()
	tk, err := e.Store.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// Drain reads and deletes every message on a department's queue and returns
// those about the ticket. Each must meet deptmsg's AsyncAPI document.
func (e *Env) Drain(t testing.TB, dept, id string) []deptmsg.Message {
	t.Helper()
	ctx := context.Background()
	q, err := e.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(platform.QueuePrefix + dept)})
	if err != nil {
		t.Fatal(err)
	}
	var out []deptmsg.Message
	for {
		r, err := e.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			return out
		}
		for _, m := range r.Messages {
			deptschema.Check(t, []byte(aws.ToString(m.Body)))
			msg, err := deptmsg.Decode([]byte(aws.ToString(m.Body)))
			if err != nil {
				t.Fatal(err)
			}
			if msg.TicketID == id {
				out = append(out, msg)
			}
			if _, err := e.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Types lists the message types, for compact assertions.
func Types(msgs []deptmsg.Message) []deptmsg.Type {
	out := make([]deptmsg.Type, len(msgs))
	for i, m := range msgs {
		out[i] = m.Type
	}
	return out
}

// NewTicket registers a consumer complaint without starting its workflow, for
// tests that invoke the workflow's steps themselves.
func (e *Env) NewTicket(t testing.TB) (id, code string) {
	t.Helper()
	now := e.Clock.Now().UTC().Truncate(time.Millisecond)
	id, err := ticket.NewID(now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	code, err = ticket.NewAccessCode(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tk := &ticket.Ticket{
		ID: id, Type: ticket.TypeComplaint, Category: "consumer.refund", Channel: ticket.ChannelWeb,
		Content: "我在某某超市购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理。", InvolvedUnit: "某某超市",
		Language: ticket.LanguageZH, AccessCodeHash: ticket.HashAccessCode(e.CodeKey, id, code), Status: ticket.StatusReceived,
		CreatedAt: now, UpdatedAt: now,
		Contact: &ticket.Contact{Name: "张三", Phone: "13912345678", Email: "citizen-" + strings.ToLower(id) + "@example.com"},
		// Both proven, as when an operator takes the call: the notice tests
		// see what goes to each channel.
		Reachable: []string{ticket.NoticeSMS, ticket.NoticeEmail},
	}
	first := tk.Note("received", ticket.Actor{Role: ticket.ActorCitizen}, now, ticket.Verbatim("工单已受理"), true)
	if _, err := e.Store.CreateTicket(context.Background(), tk, first, nil); err != nil {
		t.Fatal(err)
	}
	return id, code
}

// InReviewQueue reports whether the ticket is on the operator's queue.
func (e *Env) InReviewQueue(t testing.TB, id string) bool {
	t.Helper()
	cursor := ""
	for {
		items, next, err := e.Store.ReviewQueue(context.Background(), 100, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.ID == id {
				return true
			}
		}
		if next == "" {
			return false
		}
		cursor = next
	}
}

// CountKind counts the events of a kind on a timeline.
func CountKind(evs []ticket.Event, kind string) int {
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// Events reads a ticket's timeline.
func (e *Env) Events(t testing.TB, id string) []ticket.Event {
	t.Helper()
	evs, err := e.Store.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// Staff calls the api function as a staff member and returns the status code.
func (e *Env) Staff(t testing.TB, route, id string, role, dept string, body any) int {
	t.Helper()
	return e.StaffWith(t, route, id, role, dept, nil, body)
}

// StaffWith is Staff with request headers (lower-case names, as API Gateway
// sends them).
func (e *Env) StaffWith(t testing.TB, route, id string, role, dept string, headers map[string]string, body any) int {
	t.Helper()
	claims := map[string]string{"sub": "t", "role": role}
	if dept != "" {
		claims["dept"] = dept
	}
	return e.callAPI(t, route, id, body, headers, &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}})
}

// Citizen calls the api function with the access code.
func (e *Env) Citizen(t testing.TB, route, id, code string, body any) int {
	t.Helper()
	return e.callAPI(t, route, id, body, map[string]string{"x-access-code": code}, nil)
}

func (e *Env) callAPI(t testing.TB, route, id string, body any, headers map[string]string, authz *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) int {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.API.Handle(context.Background(), events.APIGatewayV2HTTPRequest{
		RouteKey: route, PathParameters: map[string]string{"id": id}, Body: string(b), Headers: headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: authz},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.StatusCode
}

// Probe runs one waiting step of a real function in an execution of its own
// (a one-state workflow whose task calls function with action, the ticket id
// and a token) and returns the execution ARN.
func (e *Env) Probe(t testing.TB, function, action, id string) string {
	t.Helper()
	def := map[string]any{"StartAt": "W", "States": map[string]any{"W": map[string]any{
		"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 3600, "End": true,
		"Parameters": map[string]any{"FunctionName": platform.FunctionArn(function),
			"Payload": map[string]any{"action": action, "ticketId.$": "$.ticketId", "taskToken.$": "$$.Task.Token"}},
	}}}
	b, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	name := "probe-" + strings.ReplaceAll(function+"-"+action, "_", "-")
	sm, err := e.P.Engine.CreateStateMachine(name, b, "arn:aws:iam::000000000000:role/test")
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(map[string]string{"ticketId": id})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.P.Engine.StartExecution(sm.StateMachineArn, id, in)
	if err != nil {
		t.Fatal(err)
	}
	return x.ExecutionArn
}

// Settled waits until the execution has finished or its task has parked.
func (e *Env) Settled(t testing.TB, arn string) *asl.ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// A token its own step answered (review's) is never listed as waiting.
	d, err := e.P.Engine.WaitFor(ctx, arn, asl.WaitingForToken)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Finished waits until the execution has ended. A step that completes its
// own task (the Lambda calls SendTaskSuccess) shows TaskSubmitted first, so
// Settled may return while it still runs; tests that expect the end use this.
func (e *Env) Finished(t testing.TB, arn string) *asl.ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := e.P.Engine.WaitFor(ctx, arn, asl.Done)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Sent counts the e-mails and SMS the edge captured that name the ticket.
func (e *Env) Sent(t testing.TB, id string) (mails, sms int) {
	t.Helper()
	var m struct {
		Messages []struct{ Subject string } `json:"messages"`
	}
	GetJSON(t, e.P.EdgeURL+"/_aws/ses", &m)
	for _, x := range m.Messages {
		if strings.Contains(x.Subject, id) {
			mails++
		}
	}
	var s struct {
		SMS map[string][]struct{ Message string } `json:"sms_messages"`
	}
	GetJSON(t, e.P.EdgeURL+"/_aws/sns/sms-messages", &s)
	for _, xs := range s.SMS {
		for _, x := range xs {
			if strings.Contains(x.Message, id) {
				sms++
			}
		}
	}
	return mails, sms
}

// GetJSON reads a JSON answer of the platform (its captured mail and
// messages, its metrics) into v.
func GetJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// In is a workflow task's input.
func In(action, id, token string) task.Input {
	return task.Input{Action: action, TicketID: id, TaskToken: token}
}

// FakeToken is a token no execution waits on: steps that do not complete
// anything accept it.
const FakeToken = "test-token-not-waited-on"

// Routed registers a consumer complaint and takes it through the real review
// step, which dispatches it to market (no workflow execution).
func (e *Env) Routed(t testing.TB) (id, code string) {
	t.Helper()
	ctx := context.Background()
	rv, err := reviewwiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dispatchwiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	id, code = e.NewTicket(t)
	// Review dispatches what it accepts and answers its own step, here one
	// no execution waits on.
	if _, err := rv.Handle(ctx, In(review.ActionReview, id, FakeToken)); err != nil {
		t.Fatalf("review: %v", err)
	}
	// A route after review's is a retry: it changes nothing and answers the same.
	if out, err := d.Handle(ctx, In(dispatch.ActionRoute, id, "")); err != nil || out.DepartmentID != "market" || out.ReplyTimeoutSeconds <= 0 {
		t.Fatalf("route: %+v %v", out, err)
	}
	return id, code
}
