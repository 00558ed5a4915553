package queue_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/localmode/edge"
	"github.com/hotline12345/hotline/internal/testfixtures/deptschema"
)

// countingSQS counts GetQueueUrl calls to prove the URL cache.
type countingSQS struct {
	*sqs.Client
	lookups atomic.Int32
}

func (c *countingSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	c.lookups.Add(1)
	return c.Client.GetQueueUrl(ctx, in, optFns...)
}

func setup(t *testing.T) (*sqs.Client, *countingSQS) {
	t.Helper()
	e := edge.New(edge.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	url, err := e.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	cfg, err := awsconf.Load(context.Background(), awsconf.Settings{Region: "us-east-1", EndpointURL: url, RetryMaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := queue.SQSClient(cfg)
	return c, &countingSQS{Client: c}
}

func message(dept string) deptmsg.Message {
	return deptmsg.Message{Type: deptmsg.TypeDispatched, TicketID: "T1", DepartmentID: dept, Role: deptmsg.RoleLead,
		Category: "urban.streetlight", Deadline: time.Date(2026, 3, 5, 18, 0, 0, 0, time.FixedZone("", 8*3600)), Summary: "投诉 · 路灯"}
}

func TestPublishToDepartmentQueue(t *testing.T) {
	raw, client := setup(t)
	ctx := context.Background()
	p, err := queue.NewSQSPublisher(client, queue.PublisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.EnsureQueues(ctx, []string{"d1", "d2"}); err != nil {
		t.Fatalf("EnsureQueues: %v", err)
	}
	if err := p.EnsureQueues(ctx, []string{"d1"}); err != nil {
		t.Fatalf("EnsureQueues is not idempotent: %v", err)
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := p.Publish(ctx, "d2", message("d2")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := client.lookups.Load(); n != 0 {
		t.Errorf("GetQueueUrl called %d times although EnsureQueues cached the URL", n)
	}

	url, err := raw.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("hotline-dept-d2")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := raw.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 8 {
		t.Fatalf("got %d messages, want 8", len(out.Messages))
	}
	for _, m := range out.Messages {
		deptschema.Check(t, []byte(aws.ToString(m.Body)))
	}
	got, err := deptmsg.Decode([]byte(aws.ToString(out.Messages[0].Body)))
	if err != nil {
		t.Fatalf("consumer cannot decode: %v", err)
	}
	want := message("d2")
	if got.TicketID != want.TicketID || got.Summary != want.Summary || !got.Deadline.Equal(want.Deadline) {
		t.Errorf("decoded %+v", got)
	}
	if typ := aws.ToString(out.Messages[0].MessageAttributes["type"].StringValue); typ != "ticket.dispatched" {
		t.Errorf("type attribute = %q", typ)
	}

	attrs, err := raw.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl, AttributeNames: []types.QueueAttributeName{"RedrivePolicy"}})
	if err != nil {
		t.Fatal(err)
	}
	if rp := attrs.Attributes["RedrivePolicy"]; !strings.Contains(rp, ":hotline-dept-d2-dlq") || !strings.Contains(rp, `"maxReceiveCount":"5"`) {
		t.Errorf("RedrivePolicy = %q", rp)
	}
}

func TestPublishResolvesAndCachesURL(t *testing.T) {
	raw, client := setup(t)
	ctx := context.Background()
	if _, err := raw.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x-d7")}); err != nil {
		t.Fatal(err)
	}
	p, err := queue.NewSQSPublisher(client, queue.PublisherConfig{QueuePrefix: "x-"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := p.Publish(ctx, "d7", message("d7")); err != nil {
			t.Fatal(err)
		}
	}
	if n := client.lookups.Load(); n != 1 {
		t.Errorf("GetQueueUrl called %d times, want 1", n)
	}

	// A deleted queue is reported as ErrQueueNotFound and forgotten.
	url, _ := raw.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("x-d7")})
	if _, err := raw.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: url.QueueUrl}); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, "d7", message("d7")); !errors.Is(err, queue.ErrQueueNotFound) {
		t.Fatalf("Publish to deleted queue err = %v", err)
	}
	if err := p.Publish(ctx, "d7", message("d7")); !errors.Is(err, queue.ErrQueueNotFound) {
		t.Fatalf("Publish after forgetting err = %v", err)
	}
	if n := client.lookups.Load(); n != 2 {
		t.Errorf("GetQueueUrl called %d times, want 2 (cache dropped after the failure)", n)
	}
}

func TestPublishRejectsBadInput(t *testing.T) {
	_, client := setup(t)
	ctx := context.Background()
	p, err := queue.NewSQSPublisher(client, queue.PublisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, "d1", message("d2")); !errors.Is(err, deptmsg.ErrInvalid) {
		t.Errorf("mismatched department err = %v", err)
	}
	bad := message("d1")
	bad.Type = "ticket.unknown"
	if err := p.Publish(ctx, "d1", bad); !errors.Is(err, deptmsg.ErrInvalid) {
		t.Errorf("unknown type err = %v", err)
	}
	if err := p.Publish(ctx, "a/b", message("a/b")); err == nil || !strings.Contains(err.Error(), "cannot name an SQS queue") {
		t.Errorf("bad department id err = %v", err)
	}
	if err := p.EnsureQueues(ctx, []string{strings.Repeat("d", 80)}); err == nil {
		t.Error("EnsureQueues accepted a department id too long for a queue name")
	}
	if _, err := queue.NewSQSPublisher(client, queue.PublisherConfig{QueuePrefix: "bad prefix"}); err == nil {
		t.Error("bad prefix accepted")
	}
	if _, err := queue.NewSQSPublisher(nil, queue.PublisherConfig{}); err == nil {
		t.Error("nil client accepted")
	}
}
