package feedback_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/hotline12345/hotline/internal/api"
	"github.com/hotline12345/hotline/internal/asl"
	"github.com/hotline12345/hotline/internal/awsconf"
	"github.com/hotline12345/hotline/internal/local"
	"github.com/hotline12345/hotline/internal/store"
	"github.com/hotline12345/hotline/internal/task"
	"github.com/hotline12345/hotline/internal/ticket"
	"github.com/hotline12345/hotline/internal/wire"
)

// env is the local platform on a fake clock with handlers wired to the same
// table. Tickets made with newTicket have no workflow execution: the test
// invokes the steps itself, as Step Functions would.
type env struct {
	p      *local.Platform
	clock  *asl.FakeClock
	store  *store.Store
	sqs    *sqs.Client
	getenv func(string) string
	wo     wire.Options
	api    *api.Handler
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	keys := make([]byte, 64) // local.Env draws the sealing keys first
	if _, err := rand.Read(keys); err != nil {
		t.Fatal(err)
	}
	clock := asl.NewFakeClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)) // Monday 09:00 in Beijing
	p, err := local.Start(ctx, local.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Clock: clock,
		Random: io.MultiReader(bytes.NewReader(keys), rand.Reader)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	vars, err := local.Env(p.EdgeURL, p.StateMachineArn, bytes.NewReader(keys))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{p: p, clock: clock, getenv: func(k string) string { return vars[k] }, wo: wire.Options{Now: clock.Now, Log: io.Discard}}
	base, err := wire.Load(ctx, "api", e.getenv, e.wo)
	if err != nil {
		t.Fatal(err)
	}
	e.store, e.sqs = base.Store, awsconf.SQS(base.AWS)
	if e.api, err = wire.API(ctx, e.getenv, e.wo); err != nil {
		t.Fatal(err)
	}
	return e
}

// newTicket registers a consumer complaint without starting its workflow.
func (e *env) newTicket(t *testing.T) (id, code string) {
	t.Helper()
	now := e.clock.Now().UTC().Truncate(time.Millisecond)
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
		Language: ticket.LanguageZH, AccessCodeHash: ticket.HashAccessCode(e.api.CodeKey, id, code), Status: ticket.StatusReceived,
		CreatedAt: now, UpdatedAt: now,
		Contact: &ticket.Contact{Name: "张三", Phone: "13912345678", Email: "citizen-" + strings.ToLower(id) + "@example.com"},
	}
	first := tk.Note("received", ticket.Actor{Role: ticket.ActorCitizen}, now, "工单已受理", true)
	if _, err := e.store.CreateTicket(context.Background(), tk, first, nil); err != nil {
		t.Fatal(err)
	}
	return id, code
}

func (e *env) ticket(t *testing.T, id string) *ticket.Ticket {
	t.Helper()
	tk, err := e.store.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// staff calls the api function as a staff member.
func (e *env) staff(t *testing.T, route, id string, role, dept string, body any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	claims := map[string]string{"sub": "t", "role": role}
	if dept != "" {
		claims["dept"] = dept
	}
	out, err := e.api.Handle(context.Background(), events.APIGatewayV2HTTPRequest{
		RouteKey: route, PathParameters: map[string]string{"id": id}, Body: string(b),
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.StatusCode
}

// citizen calls the api function with the access code.
func (e *env) citizen(t *testing.T, route, id, code string, body any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	out, err := e.api.Handle(context.Background(), events.APIGatewayV2HTTPRequest{
		RouteKey: route, PathParameters: map[string]string{"id": id}, Body: string(b),
		Headers: map[string]string{"x-access-code": code},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.StatusCode
}

// probe runs one waiting step of a real function in its own execution and
// returns the execution when it has finished or parked its token: a
// one-state workflow whose task calls function with action and a token.
func (e *env) probe(t *testing.T, function, action, id string) string {
	t.Helper()
	def := map[string]any{"StartAt": "W", "States": map[string]any{"W": map[string]any{
		"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 3600, "End": true,
		"Parameters": map[string]any{"FunctionName": local.FunctionArn(function),
			"Payload": map[string]any{"action": action, "ticketId.$": "$.ticketId", "taskToken.$": "$$.Task.Token"}},
	}}}
	b, _ := json.Marshal(def)
	name := "probe-" + strings.ReplaceAll(function+"-"+action, "_", "-")
	sm, err := e.p.Engine.CreateStateMachine(name, b, "arn:aws:iam::000000000000:role/test")
	if err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]string{"ticketId": id})
	x, err := e.p.Engine.StartExecution(sm.StateMachineArn, id, in)
	if err != nil {
		t.Fatal(err)
	}
	return x.ExecutionArn
}

// settled waits until the execution has finished or its task has parked.
func (e *env) settled(t *testing.T, arn string) *asl.ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := e.p.Engine.WaitFor(ctx, arn, func(d *asl.ExecutionInfo) bool {
		if d.Status != asl.StatusRunning {
			return true
		}
		h, _ := e.p.Engine.GetExecutionHistory(arn)
		for _, ev := range h {
			if ev.Type == "TaskSubmitted" {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sent counts the e-mails and SMS the edge captured that name the ticket.
func (e *env) sent(t *testing.T, id string) (mails, sms int) {
	t.Helper()
	var m struct {
		Messages []struct{ Subject string } `json:"messages"`
	}
	getJSON(t, e.p.EdgeURL+"/_aws/ses", &m)
	for _, x := range m.Messages {
		if strings.Contains(x.Subject, id) {
			mails++
		}
	}
	var s struct {
		SMS map[string][]struct{ Message string } `json:"sms_messages"`
	}
	getJSON(t, e.p.EdgeURL+"/_aws/sns/sms-messages", &s)
	for _, xs := range s.SMS {
		for _, x := range xs {
			if strings.Contains(x.Message, id) {
				sms++
			}
		}
	}
	return mails, sms
}

func getJSON(t *testing.T, url string, v any) {
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

func in(action, id, token string) task.Input {
	return task.Input{Action: action, TicketID: id, TaskToken: token}
}

// fakeToken is a token no execution waits on: steps that do not complete
// anything accept it.
const fakeToken = "test-token-not-waited-on"
