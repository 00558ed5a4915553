// Command dept-consumer is the smallest department system: it reads its
// department's queue and prints one JSON line per message, for a department's
// developers to start from. It runs under the department's consumer role
// (infra/template.yaml, output Dept<Name>ConsumerRoleArn), which may read only
// that department's queue and dead-letter queue.
//
//	dept-consumer --queue-url https://sqs.cn-north-1.amazonaws.com.cn/123456789012/hotline-prod-dept-market
//
// A message is deleted once handled. One that does not decode as the
// contract (API.md "Department queue message") is left alone: after five
// receives SQS moves it to the dead-letter queue, whose alarm tells the
// hotline's operators. Messages carry no personal data; the ticket itself is
// read through the API with the department's staff token.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/queue"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dept-consumer:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dept-consumer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	queueURL := fs.String("queue-url", "", "the department's queue (required)")
	region := fs.String("region", os.Getenv("AWS_REGION"), "AWS region, e.g. cn-north-1")
	endpoint := fs.String("endpoint-url", "", "another endpoint, e.g. local mode's http://127.0.0.1:4566")
	count := fs.Int("count", 0, "stop after this many messages (0: run until interrupted)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *queueURL == "" {
		return errors.New("--queue-url is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: *region, EndpointURL: *endpoint})
	if err != nil {
		return err
	}
	return consume(ctx, queue.SQSClient(cfg), *queueURL, *count, stdout, stderr)
}

// Receiver is what the consumer needs of SQS.
type Receiver interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

// consume long-polls the queue and handles messages until count are handled
// (0: until ctx ends).
func consume(ctx context.Context, q Receiver, queueURL string, count int, out, errs io.Writer) error {
	enc := json.NewEncoder(out)
	handled := 0
	for count == 0 || handled < count {
		got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 20})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("receive: %w", err)
		}
		for _, m := range got.Messages {
			msg, err := deptmsg.Decode([]byte(aws.ToString(m.Body)))
			if err != nil {
				fmt.Fprintf(errs, "message %s left for the dead-letter queue: %v\n", aws.ToString(m.MessageId), err)
				continue
			}
			// Handle it here: open the ticket in the department's system.
			if err := enc.Encode(msg); err != nil {
				return err
			}
			if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return fmt.Errorf("delete: %w", err)
			}
			handled++
		}
	}
	return nil
}
