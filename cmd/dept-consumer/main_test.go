package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/deptschema"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// The example consumer prints what the platform publishes, deletes it, and
// leaves a message that breaks the contract for the dead-letter queue.
func TestConsumerHandlesTheContractAndLeavesTheRest(t *testing.T) {
	ctx := context.Background()
	p := localtest.StartPlatform(t, platform.Options{}, nil)
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: platform.Region, EndpointURL: p.EdgeURL})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := queue.NewDepartmentPublisher(cfg, platform.QueuePrefix)
	if err != nil {
		t.Fatal(err)
	}
	sq := queue.SQSClient(cfg)
	u, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(platform.QueuePrefix + "market")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: u.QueueUrl, MessageBody: aws.String(`{"type":"ticket.unknown"}`)}); err != nil {
		t.Fatal(err)
	}
	sent := deptmsg.Message{Type: deptmsg.TypeDispatched, TicketID: "261130ABCDEF", DepartmentID: "market", Role: deptmsg.RoleLead, Category: "consumer.refund"}
	if err := pub.Publish(ctx, "market", sent); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if err := run([]string{"--queue-url", aws.ToString(u.QueueUrl), "--region", platform.Region, "--endpoint-url", p.EdgeURL, "--count", "1"}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	deptschema.Check(t, out.Bytes())
	var got deptmsg.Message
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got != sent {
		t.Fatalf("printed %q (%v), want %+v", out.String(), err, sent)
	}
	if !strings.Contains(errs.String(), "left for the dead-letter queue") {
		t.Fatalf("the broken message was not reported: %q", errs.String())
	}
	attrs, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessages"}})
	if err != nil {
		t.Fatal(err)
	}
	left := attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] + "/" + attrs.Attributes["ApproximateNumberOfMessages"]
	if left != "1/0" {
		t.Fatalf("in flight/visible %s: want only the broken message left, in flight", left)
	}
	if err := run(nil, &out, &errs); err == nil {
		t.Fatal("ran without --queue-url")
	}
	if err := run([]string{"--queue-url", aws.ToString(u.QueueUrl), "--region", platform.Region, "--endpoint-url", "127.0.0.1:4566"}, &out, &errs); err == nil {
		t.Fatal("ran with an endpoint that is not a URL")
	}
}
