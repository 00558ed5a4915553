package dispatch_test

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
	"github.com/hotline12345/hotline/internal/auth"
	"github.com/hotline12345/hotline/internal/awsconf"
	"github.com/hotline12345/hotline/internal/local"
	"github.com/hotline12345/hotline/internal/queue"
	"github.com/hotline12345/hotline/internal/store"
	"github.com/hotline12345/hotline/internal/ticket"
	"github.com/hotline12345/hotline/internal/wire"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A missed reply deadline reminds the department (催办), the next missed
// working day escalates (督办), and a late reply still reaches the citizen.
func TestMissedReplyDeadlineIsRemindedThenEscalated(t *testing.T) {
	ctx := context.Background()
	clock := asl.NewFakeClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)) // Monday 09:00 in Beijing
	logs := &lockedBuffer{}
	p, err := local.Start(ctx, local.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Clock: clock, Log: logs, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.Close()
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	base, err := wire.Load(ctx, "dispatch", func(k string) string { return p.Env[k] }, wire.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sq := awsconf.SQS(base.AWS)

	body := `{"type":"complaint","category":"consumer.refund","channel":"web","content":"买的电饭煲坏了，商家不给退货，请处理。","contact":{"email":"a@example.com"}}`
	resp, err := http.Post(p.APIURL+"/v1/tickets", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ ID, AccessCode string }
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	arn := strings.Replace(p.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + rec.ID
	token := awaitNewToken(t, p.Engine, arn, "")
	tk := load(t, base.Store, rec.ID)
	if got := drain(t, sq, tk.DepartmentID, rec.ID); len(got) != 1 || got[0] != queue.TypeDispatched {
		t.Fatalf("messages after dispatch: %v", got)
	}

	// The reply deadline passes.
	clock.Advance(tk.Deadlines.Reply.Sub(clock.Now()) + time.Second)
	token = awaitNewToken(t, p.Engine, arn, token)
	tk = load(t, base.Store, rec.ID)
	if !tk.Overdue || tk.Escalated || tk.Status != ticket.StatusDispatched {
		t.Fatalf("after the deadline: overdue %v escalated %v status %s", tk.Overdue, tk.Escalated, tk.Status)
	}
	if got := drain(t, sq, tk.DepartmentID, rec.ID); len(got) != 1 || got[0] != queue.TypeOverdue {
		t.Fatalf("messages after the deadline: %v", got)
	}

	// One more working day without a reply.
	nextCheck := p.Catalog.Calendar().AddWorkingDays(clock.Now(), 1)
	clock.Advance(nextCheck.Sub(clock.Now()) + time.Second)
	awaitNewToken(t, p.Engine, arn, token)
	tk = load(t, base.Store, rec.ID)
	if !tk.Escalated {
		t.Fatal("not escalated a working day after the deadline")
	}
	if got := drain(t, sq, tk.DepartmentID, rec.ID); len(got) != 1 || got[0] != queue.TypeEscalated {
		t.Fatalf("messages after escalation: %v", got)
	}

	// A late reply still goes to the citizen.
	tok, err := p.Issuer.Sign(auth.Claims{Subject: "d", Role: auth.RoleDepartment, Dept: tk.DepartmentID}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", p.APIURL+"/v1/tickets/"+rec.ID+"/reply", strings.NewReader(`{"result":"resolved","message":"已处理，商家同意退货。"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("late reply: %d", r.StatusCode)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := p.Engine.WaitFor(wctx, arn, func(d *asl.ExecutionInfo) bool {
		return len(d.WaitingTokens) > 0 && load(t, base.Store, rec.ID).WaitingStep == ticket.StepFeedback
	}); err != nil {
		t.Fatal(err)
	}
}

func awaitNewToken(t *testing.T, e *asl.Engine, arn, old string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := e.WaitFor(ctx, arn, func(d *asl.ExecutionInfo) bool {
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

func load(t *testing.T, s *store.Store, id string) *ticket.Ticket {
	t.Helper()
	tk, err := s.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func drain(t *testing.T, sq *sqs.Client, dept, id string) []queue.MessageType {
	t.Helper()
	ctx := context.Background()
	q, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(local.QueuePrefix + dept)})
	if err != nil {
		t.Fatal(err)
	}
	var out []queue.MessageType
	for {
		r, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
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
				out = append(out, msg.Type)
			}
			if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
