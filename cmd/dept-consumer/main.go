// Command dept-consumer is the smallest department system: it reads its
// department's queue and prints one JSON line per message, for a department's
// developers to start from. It imports only the AWS SDK and the public
// contract, package github.com/hotline12345/hotline/deptmsg, so it can be
// copied out of this repository as it is. The contract for systems in other
// languages is the AsyncAPI document deptmsg/asyncapi.yaml: the queue, its
// dead-letter queue, each message type with its JSON Schema and example, and
// what each asks of the department.
//
// It runs under the department's consumer role (infra/template.yaml, output
// Dept<Name>ConsumerRoleArn), which may read only that department's queue and
// dead-letter queue.
//
//	dept-consumer --region cn-north-1 --queue-url https://sqs.cn-north-1.amazonaws.com.cn/123456789012/hotline-prod-dept-market
//
// A message is deleted once handled. One that does not decode as the
// contract is left alone: after five receives SQS moves it to the dead-letter
// queue, whose alarm tells the hotline's operators. Messages carry no
// personal data; the ticket itself is read through the API with the
// department's staff token (GET /v1/tickets/{id}).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/deptmsg"
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
	if *region == "" {
		return errors.New("--region (or AWS_REGION) is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := sqsClient(ctx, *region, *endpoint)
	if err != nil {
		return err
	}
	return consume(ctx, client, *queueURL, *count, stdout, stderr)
}

// sqsClient uses the default credential chain (the assumed consumer role),
// or, with an endpoint, fixed dummy credentials: a local edge (hotline serve,
// LocalStack) accepts any signature, and the machine's own AWS settings then
// play no part.
func sqsClient(ctx context.Context, region, endpoint string) (*sqs.Client, error) {
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--endpoint-url %q must be an absolute http(s) URL", endpoint)
		}
		return sqs.New(sqs.Options{
			Region:       region,
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
			BaseEndpoint: aws.String(endpoint),
		}), nil
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return sqs.NewFromConfig(cfg), nil
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
				return fmt.Errorf("print message %s: %w", aws.ToString(m.MessageId), err)
			}
			if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return fmt.Errorf("delete: %w", err)
			}
			handled++
		}
	}
	return nil
}
