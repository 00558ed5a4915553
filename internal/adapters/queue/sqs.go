// Package queue publishes department messages to the departments' SQS queues
// (dispatch and the sweep) and provisions the queues for local mode and seeding.
package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/ports"
)

// SQSAPI is the part of *sqs.Client the publisher uses.
type SQSAPI interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, optFns ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// PublisherConfig names the queues.
type PublisherConfig struct {
	// QueuePrefix is prepended to the department id; default "hotline-dept-".
	QueuePrefix string
	// MaxReceiveCount before a message goes to the department's DLQ
	// (EnsureQueues only); default 5.
	MaxReceiveCount int
	// VisibilityTimeoutSeconds for queues made by EnsureQueues; default 60.
	VisibilityTimeoutSeconds int
}

// DefaultQueuePrefix is used when PublisherConfig.QueuePrefix is empty.
const DefaultQueuePrefix = "hotline-dept-"

// dlqSuffix names a department's dead-letter queue.
const dlqSuffix = "-dlq"

// ErrQueueNotFound is returned (wrapped) when a department has no queue.
var ErrQueueNotFound = errors.New("department queue does not exist")

// SQSPublisher sends department messages to per-department SQS queues.
// It is safe for concurrent use.
type SQSPublisher struct {
	client     SQSAPI
	prefix     string
	maxReceive int
	visibility int

	mu   sync.RWMutex
	urls map[string]string // queue name -> URL
}

// NewSQSPublisher builds a publisher.
func NewSQSPublisher(client SQSAPI, cfg PublisherConfig) (*SQSPublisher, error) {
	if client == nil {
		return nil, errors.New("queue: SQS client is required")
	}
	p := &SQSPublisher{client: client, prefix: cfg.QueuePrefix, maxReceive: cfg.MaxReceiveCount,
		visibility: cfg.VisibilityTimeoutSeconds, urls: map[string]string{}}
	if p.prefix == "" {
		p.prefix = DefaultQueuePrefix
	}
	if p.maxReceive <= 0 {
		p.maxReceive = 5
	}
	if p.visibility <= 0 {
		p.visibility = 60
	}
	if !validQueueChars(p.prefix) {
		return nil, fmt.Errorf("queue: prefix %q may only hold letters, digits, '-' and '_'", p.prefix)
	}
	return p, nil
}

func validQueueChars(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// QueueName is the queue of a department. SQS names allow 80 characters of
// [A-Za-z0-9_-]; the DLQ suffix must still fit.
func (p *SQSPublisher) QueueName(departmentID string) (string, error) {
	name := p.prefix + departmentID
	if departmentID == "" || !validQueueChars(departmentID) || len(name)+len(dlqSuffix) > 80 {
		return "", fmt.Errorf("queue: department id %q cannot name an SQS queue", departmentID)
	}
	return name, nil
}

// Publish sends msg to the department's queue with a "type" message
// attribute so consumers can filter without parsing the body.
func (p *SQSPublisher) Publish(ctx context.Context, departmentID string, msg deptmsg.Message) error {
	if msg.DepartmentID != departmentID {
		return fmt.Errorf("%w: departmentId %q does not match the target department %q", deptmsg.ErrInvalid, msg.DepartmentID, departmentID)
	}
	body, err := msg.Encode()
	if err != nil {
		return err
	}
	name, err := p.QueueName(departmentID)
	if err != nil {
		return err
	}
	url, err := p.queueURL(ctx, name)
	if err != nil {
		return err
	}
	_, err = p.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(string(body)),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"type": {DataType: aws.String("String"), StringValue: aws.String(string(msg.Type))},
		},
	})
	if err != nil {
		var missing *types.QueueDoesNotExist
		if errors.As(err, &missing) {
			// The queue was deleted (or recreated with a new URL): forget it
			// so the retry resolves again.
			p.forget(name)
			return fmt.Errorf("send %s for ticket %s to %s: %w: %w", msg.Type, msg.TicketID, name, ErrQueueNotFound, err)
		}
		return fmt.Errorf("send %s for ticket %s to %s: %w", msg.Type, msg.TicketID, name, err)
	}
	return nil
}

func (p *SQSPublisher) cached(name string) (string, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	url, ok := p.urls[name]
	return url, ok
}

func (p *SQSPublisher) remember(name, url string) {
	p.mu.Lock()
	p.urls[name] = url
	p.mu.Unlock()
}

func (p *SQSPublisher) forget(name string) {
	p.mu.Lock()
	delete(p.urls, name)
	p.mu.Unlock()
}

// queueURL resolves and caches a queue URL. Concurrent first calls may both
// ask SQS; the answers are identical, so that is harmless.
func (p *SQSPublisher) queueURL(ctx context.Context, name string) (string, error) {
	if url, ok := p.cached(name); ok {
		return url, nil
	}
	out, err := p.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		var missing *types.QueueDoesNotExist
		if errors.As(err, &missing) {
			return "", fmt.Errorf("resolve queue %s: %w: %w", name, ErrQueueNotFound, err)
		}
		return "", fmt.Errorf("resolve queue %s: %w", name, err)
	}
	url := aws.ToString(out.QueueUrl)
	p.remember(name, url)
	return url, nil
}

// Check says whether the department's queue exists: a *ports.QueueMissingError
// when it does not, so no department is activated that dispatch could not
// reach.
func (p *SQSPublisher) Check(ctx context.Context, departmentID string) error {
	name, err := p.QueueName(departmentID)
	if err != nil {
		return err
	}
	if _, err := p.queueURL(ctx, name); errors.Is(err, ErrQueueNotFound) {
		return &ports.QueueMissingError{DepartmentID: departmentID, Queue: name}
	} else if err != nil {
		return err
	}
	return nil
}

// EnsureQueues creates each department's queue and its dead-letter queue
// (redrive after MaxReceiveCount receives). It is idempotent; local mode and
// seeding call it, production creates the queues in the SAM template.
func (p *SQSPublisher) EnsureQueues(ctx context.Context, departmentIDs []string) error {
	for _, dept := range departmentIDs {
		name, err := p.QueueName(dept)
		if err != nil {
			return err
		}
		dlq, err := p.client.CreateQueue(ctx, &sqs.CreateQueueInput{
			QueueName:  aws.String(name + dlqSuffix),
			Attributes: map[string]string{"MessageRetentionPeriod": "1209600"},
		})
		if err != nil {
			return fmt.Errorf("create queue %s: %w", name+dlqSuffix, err)
		}
		attrs, err := p.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       dlq.QueueUrl,
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
		})
		if err != nil {
			return fmt.Errorf("read ARN of %s: %w", name+dlqSuffix, err)
		}
		arn := attrs.Attributes[string(types.QueueAttributeNameQueueArn)]
		if arn == "" {
			return fmt.Errorf("read ARN of %s: no QueueArn in the answer", name+dlqSuffix)
		}
		out, err := p.client.CreateQueue(ctx, &sqs.CreateQueueInput{
			QueueName: aws.String(name),
			Attributes: map[string]string{
				"VisibilityTimeout": strconv.Itoa(p.visibility),
				"RedrivePolicy":     `{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":"` + strconv.Itoa(p.maxReceive) + `"}`,
			},
		})
		if err != nil {
			return fmt.Errorf("create queue %s: %w", name, err)
		}
		p.remember(name, aws.ToString(out.QueueUrl))
	}
	return nil
}

// SQSClient builds an SQS client.
func SQSClient(cfg aws.Config, optFns ...func(*sqs.Options)) *sqs.Client {
	return sqs.NewFromConfig(cfg, optFns...)
}

// NewDepartmentPublisher publishes to the departments' queues named
// <prefix><department id>.
func NewDepartmentPublisher(cfg aws.Config, prefix string) (*SQSPublisher, error) {
	return NewSQSPublisher(SQSClient(cfg), PublisherConfig{QueuePrefix: prefix})
}
