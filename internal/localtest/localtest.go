// Package localtest starts the local platform on a fake clock for tests that
// drive whole workflows, and offers the few steps those tests share: file a
// ticket over HTTP, wait for the workflow to park, read a department's queue.
package localtest

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
	P     *local.Platform
	Clock *asl.FakeClock
	Store *store.Store
	SQS   *sqs.Client
	Logs  *Logs
	// CodeKey is the platform's access-code hash key, for tickets a test
	// writes to the store itself.
	CodeKey []byte
}

// Start starts the platform at Monday with the scheduled sweep off (tests run
// it themselves); logs are shown when the test fails.
func Start(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	clock := asl.NewFakeClock(Monday)
	logs := &Logs{}
	p, err := local.Start(ctx, local.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Clock: clock, Log: logs, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("platform logs:\n%s", logs.String())
		}
	})
	base, err := wire.Load(ctx, "api", p.Getenv, wire.Options{Now: clock.Now, Log: logs})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{P: p, Clock: clock, Store: base.Store, SQS: awsconf.SQS(base.AWS), Logs: logs, CodeKey: base.CodeKey()}
}

// Receipt is the answer to a filed ticket.
type Receipt struct {
	ID         string `json:"id"`
	AccessCode string `json:"accessCode"`
}

// File posts a submission (JSON) as a citizen and returns the receipt.
func (e *Env) File(t testing.TB, submission string) Receipt {
	t.Helper()
	resp, err := http.Post(e.P.APIURL+"/v1/tickets", "application/json", strings.NewReader(submission))
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
// the types of those about the ticket.
func (e *Env) Drain(t testing.TB, dept, id string) []queue.MessageType {
	t.Helper()
	ctx := context.Background()
	q, err := e.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(local.QueuePrefix + dept)})
	if err != nil {
		t.Fatal(err)
	}
	var out []queue.MessageType
	for {
		r, err := e.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
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
			if _, err := e.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
