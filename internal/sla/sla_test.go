package sla_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/hotline12345/hotline/internal/asl"
	"github.com/hotline12345/hotline/internal/awsconf"
	"github.com/hotline12345/hotline/internal/local"
	"github.com/hotline12345/hotline/internal/queue"
	"github.com/hotline12345/hotline/internal/sla"
	"github.com/hotline12345/hotline/internal/store"
	"github.com/hotline12345/hotline/internal/ticket"
	"github.com/hotline12345/hotline/internal/wire"
)

// Monday 09:00 in Beijing.
var monday = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

type fixture struct {
	p     *local.Platform
	clock *asl.FakeClock
	sla   *sla.Handler
	store *store.Store
	sqs   *sqs.Client
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := asl.NewFakeClock(monday)
	logs := &lockedBuffer{}
	p, err := local.Start(ctx, local.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Clock: clock, Log: logs, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	getenv := func(k string) string { return p.Env[k] }
	wo := wire.Options{Now: clock.Now, Log: logs}
	h, err := wire.SLA(ctx, getenv, wo)
	if err != nil {
		t.Fatal(err)
	}
	base, err := wire.Load(ctx, "sla", getenv, wo)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{p: p, clock: clock, sla: h, store: base.Store, sqs: awsconf.SQS(base.AWS)}
}

func (f *fixture) file(t *testing.T) string {
	t.Helper()
	body := `{"type":"complaint","category":"consumer.refund","channel":"web","content":"买的电饭煲坏了，商家不给退货，请处理。","contact":{"email":"a@example.com"}}`
	resp, err := http.Post(f.p.APIURL+"/v1/tickets", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rec struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil || resp.StatusCode != 201 {
		t.Fatalf("file: %d %v", resp.StatusCode, err)
	}
	return rec.ID
}

func (f *fixture) awaitStatus(t *testing.T, id string, want ticket.Status) *ticket.Ticket {
	t.Helper()
	arn := strings.Replace(f.p.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + id
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := f.p.Engine.WaitFor(ctx, arn, asl.WaitingForToken); err != nil {
		t.Fatal(err)
	}
	tk, err := f.store.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != want {
		t.Fatalf("status %s, want %s", tk.Status, want)
	}
	return tk
}

// drain returns the department's queued messages for a ticket, deleting them.
func (f *fixture) drain(t *testing.T, dept, id string) []queue.DepartmentMessage {
	t.Helper()
	ctx := context.Background()
	q, err := f.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(local.QueuePrefix + dept)})
	if err != nil {
		t.Fatal(err)
	}
	var out []queue.DepartmentMessage
	for {
		r, err := f.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			return out
		}
		for _, m := range r.Messages {
			msg, err := queue.DecodeDepartmentMessage([]byte(aws.ToString(m.Body)))
			if err != nil {
				t.Fatal(err)
			}
			if msg.TicketID == id {
				out = append(out, msg)
			}
			if _, err := f.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

const scheduled = `{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`

func TestUnacceptedTicketIsRemindedOnce(t *testing.T) {
	f := setup(t)
	id := f.file(t)
	tk := f.awaitStatus(t, id, ticket.StatusDispatched)
	if got := f.drain(t, tk.DepartmentID, id); len(got) != 1 || got[0].Type != queue.TypeDispatched {
		t.Fatalf("dispatch messages = %+v", got)
	}
	ctx := context.Background()

	// Before the accept deadline nothing happens.
	rep, err := f.sla.Handle(ctx, json.RawMessage(scheduled))
	if err != nil || rep.AcceptWarnings != 0 {
		t.Fatalf("early sweep: %+v %v", rep, err)
	}
	f.clock.Advance(tk.Deadlines.Accept.Sub(f.clock.Now()) + time.Minute)
	rep, err = f.sla.Handle(ctx, json.RawMessage(scheduled))
	if err != nil || rep.AcceptWarnings != 1 || rep.Errors != 0 {
		t.Fatalf("sweep after the deadline: %+v %v", rep, err)
	}
	got := f.drain(t, tk.DepartmentID, id)
	if len(got) != 1 || got[0].Type != queue.TypeOverdue || !got[0].Deadline.Equal(tk.Deadlines.Accept) {
		t.Fatalf("warning messages = %+v", got)
	}
	after, err := f.store.GetTicket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Overdue {
		t.Error("ticket not flagged overdue")
	}
	// The next sweep does not remind again.
	if rep, err := f.sla.Handle(ctx, json.RawMessage(`{}`)); err != nil || rep.AcceptWarnings != 0 {
		t.Fatalf("second sweep: %+v %v", rep, err)
	}
	if got := f.drain(t, tk.DepartmentID, id); len(got) != 0 {
		t.Fatalf("second warning sent: %+v", got)
	}
}

func TestTicketWithoutWorkflowIsStarted(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	now := f.clock.Now()
	tk := &ticket.Ticket{
		ID: "260302ABCDEF", Type: ticket.TypeComplaint, Category: "consumer.refund", Channel: ticket.ChannelWeb,
		Content: "买的电饭煲坏了，商家不给退货，请处理。", Language: ticket.LanguageZH, Status: ticket.StatusReceived,
		AccessCodeHash: ticket.HashAccessCode("260302ABCDEF", "ABCDEFGH"), CreatedAt: now, UpdatedAt: now,
	}
	if _, err := f.store.CreateTicket(ctx, tk, tk.Note("received", ticket.Actor{Role: ticket.ActorCitizen}, now, "", true), nil); err != nil {
		t.Fatal(err)
	}
	// Within the grace period intake may still be starting it.
	if rep, err := f.sla.Handle(ctx, json.RawMessage(scheduled)); err != nil || rep.WorkflowsRestored != 0 {
		t.Fatalf("early sweep: %+v %v", rep, err)
	}
	f.clock.Advance(sla.StartGrace + time.Second)
	if rep, err := f.sla.Handle(ctx, json.RawMessage(scheduled)); err != nil || rep.WorkflowsRestored != 1 {
		t.Fatalf("sweep: %+v %v", rep, err)
	}
	f.awaitStatus(t, tk.ID, ticket.StatusDispatched)
}

func TestParseTrigger(t *testing.T) {
	for _, ok := range []string{scheduled, `{}`} {
		if _, err := sla.ParseTrigger([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{`[]`, `"x"`, `{"source":"aws.s3","detail-type":"Object Created"}`, `{`} {
		if _, err := sla.ParseTrigger([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func FuzzParseTrigger(f *testing.F) {
	f.Add([]byte(scheduled))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := sla.ParseTrigger(b)
		if err == nil && ev.Source != "" && ev.Source != "aws.events" {
			t.Fatalf("accepted source %q", ev.Source)
		}
	})
}
