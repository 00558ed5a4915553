package edge_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func receive(t *testing.T, c *sqs.Client, url string, wait int32) []types.Message {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(url),
		MaxNumberOfMessages:         10,
		WaitTimeSeconds:             wait,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount", "SentTimestamp"},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

func queueCounts(t *testing.T, c *sqs.Client, url string) (visible, inflight string) {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"]
}

func TestSQSVisibilityTimeoutAndDelete(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	ctx := context.Background()
	url := createQueue(t, c, "hotline-dept-d1", map[string]string{"VisibilityTimeout": "30"})

	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(`{"type":"ticket.dispatched","summary":"路灯不亮"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"type": {DataType: aws.String("String"), StringValue: aws.String("ticket.dispatched")},
		},
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err) // the SDK checks MD5OfMessageBody
	}
	if aws.ToString(sent.MD5OfMessageAttributes) == "" {
		t.Error("MD5OfMessageAttributes missing")
	}

	first := receive(t, c, url, 0)
	if len(first) != 1 || aws.ToString(first[0].MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("first receive = %+v", first)
	}
	if got := first[0].Attributes["ApproximateReceiveCount"]; got != "1" {
		t.Errorf("ApproximateReceiveCount = %q, want 1", got)
	}
	if got := first[0].Attributes["SentTimestamp"]; got != "1772442000000" {
		t.Errorf("SentTimestamp = %q", got)
	}
	if got := aws.ToString(first[0].MessageAttributes["type"].StringValue); got != "ticket.dispatched" {
		t.Errorf("type attribute = %q", got)
	}
	if got := receive(t, c, url, 0); len(got) != 0 {
		t.Fatalf("message visible during its visibility timeout: %+v", got)
	}
	if v, nv := queueCounts(t, c, url); v != "0" || nv != "1" {
		t.Errorf("counts visible=%s inflight=%s, want 0/1", v, nv)
	}

	h.clock.Advance(29 * time.Second)
	if got := receive(t, c, url, 0); len(got) != 0 {
		t.Fatal("message visible before the timeout ended")
	}
	h.clock.Advance(2 * time.Second)
	second := receive(t, c, url, 0)
	if len(second) != 1 || aws.ToString(second[0].MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("redelivery = %+v", second)
	}
	if got := second[0].Attributes["ApproximateReceiveCount"]; got != "2" {
		t.Errorf("ApproximateReceiveCount = %q, want 2", got)
	}
	if aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Error("redelivery reused the receipt handle")
	}

	// A stale handle succeeds but does not delete (AWS documents this).
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage(stale): %v", err)
	}
	if _, nv := queueCounts(t, c, url); nv != "1" {
		t.Fatalf("stale handle deleted the message (inflight=%s)", nv)
	}

	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("not-a-handle")})
	var invalid *types.ReceiptHandleIsInvalid
	if !errors.As(err, &invalid) {
		t.Fatalf("DeleteMessage(garbage) err = %T %v, want ReceiptHandleIsInvalid", err, err)
	}

	for range 2 { // the second delete of a deleted message succeeds too
		if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle}); err != nil {
			t.Fatalf("DeleteMessage(current): %v", err)
		}
	}
	if v, nv := queueCounts(t, c, url); v != "0" || nv != "0" {
		t.Errorf("after delete visible=%s inflight=%s", v, nv)
	}
	h.clock.Advance(time.Hour)
	if got := receive(t, c, url, 0); len(got) != 0 {
		t.Errorf("deleted message came back: %+v", got)
	}
}

func TestSQSLongPollWakesOnSend(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	url := createQueue(t, c, "poll", nil)

	got := make(chan []types.Message, 1)
	go func() {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		got <- out.Messages
	}()
	h.clock.awaitWaiter(t) // the poll is parked on the clock
	select {
	case m := <-got:
		t.Fatalf("long poll returned before any message: %+v", m)
	default:
	}
	if _, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hi")}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if len(m) != 1 || aws.ToString(m[0].Body) != "hi" {
			t.Fatalf("long poll got %+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not wake on send")
	}
}

func TestSQSLongPollEndsAtWaitTime(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	url := createQueue(t, c, "idle", nil)

	got := make(chan int, 1)
	go func() {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 5})
		if err != nil {
			t.Error(err)
		}
		got <- len(out.Messages)
	}()
	h.clock.awaitWaiter(t)
	h.clock.Advance(5 * time.Second)
	select {
	case n := <-got:
		if n != 0 {
			t.Fatalf("got %d messages from an empty queue", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not end when the clock passed WaitTimeSeconds")
	}
}

func TestSQSLongPollWakesWhenDelayedMessageBecomesVisible(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	url := createQueue(t, c, "delayed", nil)
	if _, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("later"), DelaySeconds: 3}); err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	go func() {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		got <- len(out.Messages)
	}()
	h.clock.awaitWaiter(t)
	h.clock.Advance(3 * time.Second)
	select {
	case n := <-got:
		if n != 1 {
			t.Fatalf("got %d messages, want the delayed one", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not wake when the delay ended")
	}
}

func TestSQSChangeVisibilityAndErrors(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	ctx := context.Background()
	url := createQueue(t, c, "vis", nil)
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	first := receive(t, c, url, 0)
	if len(first) != 1 {
		t.Fatal("no message")
	}
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatalf("ChangeMessageVisibility: %v", err)
	}
	second := receive(t, c, url, 0)
	if len(second) != 1 {
		t.Fatal("message not visible after ChangeMessageVisibility 0")
	}
	_, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 10})
	var notInflight *types.MessageNotInflight
	if !errors.As(err, &notInflight) {
		t.Fatalf("stale handle: err = %T %v, want MessageNotInflight", err, err)
	}

	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	var noQueue *types.QueueDoesNotExist
	if !errors.As(err, &noQueue) {
		t.Fatalf("GetQueueUrl(missing) err = %T %v", err, err)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("error code = %v, want the awsQuery-compatible code", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(h.url + "/000000000000/missing"), MessageBody: aws.String("x")})
	if !errors.As(err, &noQueue) {
		t.Fatalf("SendMessage(missing queue) err = %T %v", err, err)
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("vis"), Attributes: map[string]string{"VisibilityTimeout": "99"}})
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Fatalf("CreateQueue(conflicting attributes) err = %T %v", err, err)
	}
	if again := createQueue(t, c, "vis", nil); again != url {
		t.Errorf("CreateQueue is not idempotent: %s != %s", again, url)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("bad \x01 char")})
	var contents *types.InvalidMessageContents
	if !errors.As(err, &contents) {
		t.Fatalf("SendMessage(control char) err = %T %v", err, err)
	}
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterValue" {
		t.Fatalf("MaxNumberOfMessages 11 err = %v", err)
	}
}

func TestSQSRedriveListPurge(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	ctx := context.Background()
	dlqURL := createQueue(t, c, "work-dlq", nil)
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(dlqURL), AttributeNames: []types.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	dlqArn := attrs.Attributes["QueueArn"]
	if dlqArn != "arn:aws:sqs:us-east-1:000000000000:work-dlq" {
		t.Errorf("QueueArn = %q", dlqArn)
	}
	url := createQueue(t, c, "work", map[string]string{
		"VisibilityTimeout": "10",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"2"}`,
	})
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("poison")}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if got := receive(t, c, url, 0); len(got) != 1 {
			t.Fatalf("receive %d got %d", i, len(got))
		}
		h.clock.Advance(11 * time.Second)
	}
	if got := receive(t, c, url, 0); len(got) != 0 {
		t.Fatalf("message delivered past maxReceiveCount")
	}
	dead := receive(t, c, dlqURL, 0)
	if len(dead) != 1 || aws.ToString(dead[0].Body) != "poison" {
		t.Fatalf("DLQ got %+v", dead)
	}

	list, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.QueueUrls) != 2 || list.QueueUrls[0] != url || list.QueueUrls[1] != dlqURL {
		t.Errorf("ListQueues = %v", list.QueueUrls)
	}

	for range 3 {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := queueCounts(t, c, url); v != "3" {
		t.Fatalf("visible = %s, want 3", v)
	}
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if v, _ := queueCounts(t, c, url); v != "0" {
		t.Fatalf("visible after purge = %s", v)
	}
}

func TestCloseEndsLongPoll(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	url := createQueue(t, c, "closing", nil)
	done := make(chan error, 1)
	go func() {
		_, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		done <- err
	}()
	h.clock.awaitWaiter(t)
	if err := h.edge.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("long poll succeeded on a closed edge")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close left a long poll hanging")
	}
}
