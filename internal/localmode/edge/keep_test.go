package edge_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/localmode/durable"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// keptEdge is an edge on a store in a folder, as `hotline serve --data`
// runs it; restart closes both and opens them again on the same folder and
// clock, as a new process would.
type keptEdge struct {
	*harness
	t     *testing.T
	dir   string
	store *durable.Store
	once  *sync.Once
}

func startKept(t *testing.T, dir string, clock *fakeClock) *keptEdge {
	t.Helper()
	st, err := durable.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	e, err := edge.Open(edge.Options{Store: st, Clock: clock, Logger: slog.New(slog.NewJSONHandler(&lockedBuffer{b: logs}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	url, err := e.Start("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := awsconf.Load(context.Background(), awsconf.Settings{Region: "cn-north-1", EndpointURL: url, RetryMaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	k := &keptEdge{harness: &harness{edge: e, url: url, cfg: cfg, clock: clock, logs: logs}, t: t, dir: dir, store: st, once: &sync.Once{}}
	t.Cleanup(k.stop)
	return k
}

func (k *keptEdge) stop() {
	k.once.Do(func() {
		if err := k.edge.Close(); err != nil {
			k.t.Error(err)
		}
		if err := k.store.Close(); err != nil {
			k.t.Error(err)
		}
	})
}

func (k *keptEdge) restart() *keptEdge {
	k.t.Helper()
	k.stop()
	return startKept(k.t, k.dir, k.clock)
}

func queueURL(t *testing.T, c *sqs.Client, name string) string {
	t.Helper()
	out, err := c.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetQueueUrl %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func allAttributes(t *testing.T, c *sqs.Client, url string) map[string]string {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"All"},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	return out.Attributes
}

func TestKeptQueuesAndMessagesAcrossRestart(t *testing.T) {
	k := startKept(t, t.TempDir(), newFakeClock())
	c := queue.SQSClient(k.cfg)
	ctx := context.Background()

	url := createQueue(t, c, "hotline-dept-d1", map[string]string{"VisibilityTimeout": "30"})
	purged := createQueue(t, c, "hotline-dept-d2", nil)
	k.clock.Advance(10 * time.Second) // so LastModifiedTimestamp differs from CreatedTimestamp
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(url), Attributes: map[string]string{"MessageRetentionPeriod": "86400", "DelaySeconds": "0"},
	}); err != nil {
		t.Fatal(err)
	}
	send := func(url, body string) *sqs.SendMessageOutput {
		t.Helper()
		out, err := c.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl: aws.String(url), MessageBody: aws.String(body),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"type": {DataType: aws.String("String"), StringValue: aws.String("ticket.dispatched")},
				"blob": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 0xff}},
			},
		})
		if err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
		return out
	}
	inflight := send(url, `{"summary":"路灯不亮"}`)
	deleted := send(url, "deleted")
	got := receive(t, c, url, 0)
	if len(got) != 2 {
		t.Fatalf("received %d, want 2", len(got))
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: got[1].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got[1].MessageId) != aws.ToString(deleted.MessageId) {
		t.Fatalf("received out of order: %v", got)
	}
	inflightReceipt := got[0].ReceiptHandle
	k.clock.Advance(5 * time.Second)
	waiting := send(url, "waiting <&> \u2028 é")
	send(purged, "one")
	send(purged, "two")
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(purged)}); err != nil {
		t.Fatal(err)
	}
	createQueue(t, c, "hotline-gone", nil)
	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(queueURL(t, c, "hotline-gone"))}); err != nil {
		t.Fatal(err)
	}
	before := allAttributes(t, c, url)

	k = k.restart()
	c = queue.SQSClient(k.cfg)
	list, err := c.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.QueueUrls) != 2 {
		t.Fatalf("queues after restart: %v", list.QueueUrls)
	}
	url, purged = queueURL(t, c, "hotline-dept-d1"), queueURL(t, c, "hotline-dept-d2")
	if after := allAttributes(t, c, url); !maps.Equal(after, before) {
		t.Errorf("attributes after restart:\n%v\nwant\n%v", after, before)
	}
	if before["CreatedTimestamp"] == before["LastModifiedTimestamp"] || before["MessageRetentionPeriod"] != "86400" ||
		before["ApproximateNumberOfMessages"] != "1" || before["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Errorf("attributes before restart: %v", before)
	}

	// The unreceived message comes back whole; the in-flight one stays
	// invisible; the deleted one stays deleted.
	got = receive(t, c, url, 0)
	if len(got) != 1 {
		t.Fatalf("received %d after restart, want only the waiting one", len(got))
	}
	m := got[0]
	if aws.ToString(m.MessageId) != aws.ToString(waiting.MessageId) || aws.ToString(m.Body) != "waiting <&> \u2028 é" ||
		aws.ToString(m.MD5OfBody) != aws.ToString(waiting.MD5OfMessageBody) ||
		aws.ToString(m.MD5OfMessageAttributes) != aws.ToString(waiting.MD5OfMessageAttributes) ||
		aws.ToString(m.MessageAttributes["type"].StringValue) != "ticket.dispatched" ||
		!bytes.Equal(m.MessageAttributes["blob"].BinaryValue, []byte{0, 1, 2, 0xff}) ||
		m.Attributes["ApproximateReceiveCount"] != "1" ||
		m.Attributes["SentTimestamp"] != strconv.FormatInt(time.Date(2026, 3, 2, 9, 0, 15, 0, time.UTC).UnixMilli(), 10) {
		t.Errorf("received after restart: %+v %v", m, m.Attributes)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}

	// The in-flight message kept its receipt: it can still change its
	// visibility (only the latest receipt of a message in flight can).
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(url), ReceiptHandle: inflightReceipt, VisibilityTimeout: 40,
	}); err != nil {
		t.Fatalf("ChangeMessageVisibility with the receipt from before the restart: %v", err)
	}
	k.clock.Advance(39 * time.Second)
	if got := receive(t, c, url, 0); len(got) != 0 {
		t.Fatalf("in-flight message visible before its timeout: %v", got)
	}

	// A visibility change is kept too (lazily; a clean close keeps it).
	k = k.restart()
	c = queue.SQSClient(k.cfg)
	if got := receive(t, c, url, 0); len(got) != 0 {
		t.Fatalf("in-flight message visible before its timeout after a second restart: %v", got)
	}
	k.clock.Advance(time.Second)
	got = receive(t, c, url, 0)
	if len(got) != 1 || aws.ToString(got[0].MessageId) != aws.ToString(inflight.MessageId) ||
		got[0].Attributes["ApproximateReceiveCount"] != "2" || aws.ToString(got[0].Body) != `{"summary":"路灯不亮"}` {
		t.Fatalf("in-flight message after its timeout: %+v", got)
	}
	if visible, inflight := queueCounts(t, c, purged); visible != "0" || inflight != "0" {
		t.Errorf("purged queue after restart: %s visible, %s in flight", visible, inflight)
	}
	if got := receive(t, c, purged, 0); len(got) != 0 {
		t.Errorf("purged queue delivered %v", got)
	}

	// New messages sort after the loaded ones.
	send(url, "after")
	k.clock.Advance(30 * time.Second)
	got = receive(t, c, url, 0)
	var bodies []string
	for _, m := range got {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	if !slices.Equal(bodies, []string{`{"summary":"路灯不亮"}`, "after"}) {
		t.Errorf("order after restart: %q", bodies)
	}
}

func TestKeptRedriveAndExpiry(t *testing.T) {
	k := startKept(t, t.TempDir(), newFakeClock())
	c := queue.SQSClient(k.cfg)
	ctx := context.Background()
	dlq := createQueue(t, c, "hotline-dlq", nil)
	dlqArn := allAttributes(t, c, dlq)["QueueArn"]
	src := createQueue(t, c, "hotline-src", map[string]string{
		"VisibilityTimeout": "10", "MessageRetentionPeriod": "60",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":1}`,
	})
	for _, body := range []string{"expiring", "redriven"} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
		k.clock.Advance(20 * time.Second)
	}
	got := receive(t, c, src, 0) // at 40s: each uses its one receive
	if len(got) != 2 {
		t.Fatalf("received %d, want 2", len(got))
	}
	k.clock.Advance(25 * time.Second)
	// At 65s: the one sent at 0s is past its retention (60s) and expires;
	// the one sent at 20s is redriven.
	if got := receive(t, c, src, 0); len(got) != 0 {
		t.Fatalf("received %v, want none (one expired, one redriven)", got)
	}

	k = k.restart()
	c = queue.SQSClient(k.cfg)
	got = receive(t, c, queueURL(t, c, "hotline-dlq"), 0)
	if len(got) != 1 || aws.ToString(got[0].Body) != "redriven" || got[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("dead-letter queue after restart: %+v", got)
	}
	if visible, inflight := queueCounts(t, c, queueURL(t, c, "hotline-src")); visible != "0" || inflight != "0" {
		t.Errorf("source queue after restart: %s visible, %s in flight", visible, inflight)
	}
	k.stop()

	// The expired and the redriven messages left the source queue's keys,
	// not only its memory.
	st, err := durable.Open(k.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	if err := st.Scan(durable.Key("sqs", "m", "hotline-src", ""), func(_, _ []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d messages of the source queue left in the store", n)
	}
}

func TestKeptMailAndSMSAcrossRestart(t *testing.T) {
	k := startKept(t, t.TempDir(), newFakeClock())
	ctx := context.Background()
	ses := notify.SESClient(k.cfg)
	sendMail := func(to, subject string) string {
		t.Helper()
		out, err := ses.SendEmail(ctx, &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("noreply@12345.example.cn"),
			Destination:      &sestypes.Destination{ToAddresses: []string{to}},
			Content: &sestypes.EmailContent{Simple: &sestypes.Message{
				Subject: &sestypes.Content{Data: aws.String(subject)},
				Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("编号 T1")}, Html: &sestypes.Content{Data: aws.String("<b>T1</b>")}},
			}},
		})
		if err != nil {
			t.Fatalf("SendEmail: %v", err)
		}
		return aws.ToString(out.MessageId)
	}
	first := sendMail("a@example.com", "您的工单已受理")
	second := sendMail("b@example.com", "second")
	third := sendMail("c@example.com", "third")
	deleteURL(t, k.url+"/_aws/ses?id="+second)
	snsc := notify.SNSClient(k.cfg)
	publish := func(phone, msg string) string {
		t.Helper()
		out, err := snsc.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String(phone), Message: aws.String(msg), Subject: aws.String("s")})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		return aws.ToString(out.MessageId)
	}
	sms1 := publish("+8613800138000", "您的工单 T1 已办结")
	publish("+8613900000000", "gone")
	sms3 := publish("+8613800138000", "second")
	deleteURL(t, k.url+"/_aws/sns/sms-messages?phoneNumber=%2B8613900000000")
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("dropped")}); err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:dropped")}); err != nil {
		t.Fatal(err)
	}
	mailBefore := k.edge.SentEmails()

	k = k.restart()
	mail := k.edge.SentEmails()
	if len(mail) != 2 || mail[0].ID != first || mail[1].ID != third || mail[0].Subject != "您的工单已受理" ||
		mail[0].Body.HTMLPart == nil || *mail[0].Body.HTMLPart != "<b>T1</b>" || mail[0].Timestamp != "2026-03-02T09:00:00" {
		t.Fatalf("SentEmails after restart = %+v", mail)
	}
	if !slices.EqualFunc(mail, mailBefore, func(a, b edge.SentEmail) bool {
		return a.ID == b.ID && a.Subject == b.Subject && slices.Equal(a.Destination.ToAddresses, b.Destination.ToAddresses)
	}) {
		t.Errorf("SentEmails after restart = %+v, before %+v", mail, mailBefore)
	}
	var inbox struct {
		Messages []map[string]any `json:"messages"`
	}
	getJSON(t, k.url+"/_aws/ses?to=c@example.com", &inbox)
	if len(inbox.Messages) != 1 || inbox.Messages[0]["Id"] != third {
		t.Errorf("/_aws/ses?to= after restart = %v", inbox.Messages)
	}
	var sms struct {
		SMS map[string][]map[string]any `json:"sms_messages"`
	}
	getJSON(t, k.url+"/_aws/sns/sms-messages", &sms)
	if len(sms.SMS) != 1 || len(sms.SMS["+8613800138000"]) != 2 ||
		sms.SMS["+8613800138000"][0]["MessageId"] != sms1 || sms.SMS["+8613800138000"][1]["MessageId"] != sms3 ||
		sms.SMS["+8613800138000"][0]["Message"] != "您的工单 T1 已办结" || sms.SMS["+8613800138000"][0]["Subject"] != "s" {
		t.Errorf("sms-messages after restart = %v", sms.SMS)
	}
	topics, err := notify.SNSClient(k.cfg).ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(topics.Topics) != 1 || aws.ToString(topics.Topics[0].TopicArn) != aws.ToString(topic.TopicArn) {
		t.Errorf("topics after restart = %+v", topics.Topics)
	}

	// Clearing through the retrospection endpoints is kept too, and new
	// captures sort after the loaded ones.
	deleteURL(t, k.url+"/_aws/ses")
	deleteURL(t, k.url+"/_aws/sns/sms-messages")
	ses = notify.SESClient(k.cfg)
	fourth := sendMail("d@example.com", "fourth")
	k = k.restart()
	if mail := k.edge.SentEmails(); len(mail) != 1 || mail[0].ID != fourth {
		t.Errorf("SentEmails after clearing and a restart = %+v", mail)
	}
	if got := k.edge.SentSMS(); len(got) != 0 {
		t.Errorf("SentSMS after clearing and a restart = %+v", got)
	}
}

func TestSendFailsWhenTheStoreFails(t *testing.T) {
	k := startKept(t, t.TempDir(), newFakeClock())
	c := queue.SQSClient(k.cfg)
	ctx := context.Background()
	url := createQueue(t, c, "hotline-dept-d1", nil)

	edge.FailStoreWrites(k.edge, errors.New("disk full"))
	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("lost")})
	assertInternalError(t, "SendMessage", err)
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("lost a")}, {Id: aws.String("b"), MessageBody: aws.String("lost b")},
	}})
	assertInternalError(t, "SendMessageBatch", err)
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("hotline-unkept")})
	assertInternalError(t, "CreateQueue", err)
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"DelaySeconds": "5"}})
	assertInternalError(t, "SetQueueAttributes", err)
	edge.FailStoreWrites(k.edge, nil)

	// A failed call changed nothing: no message to deliver, no queue, the
	// attribute as it was.
	if got := receive(t, c, url, 0); len(got) != 0 {
		t.Errorf("a send that failed delivered %v", got)
	}
	if _, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("hotline-unkept")}); err == nil {
		t.Error("a CreateQueue that failed made the queue")
	}
	if d := allAttributes(t, c, url)["DelaySeconds"]; d != "0" {
		t.Errorf("DelaySeconds = %s after a SetQueueAttributes that failed", d)
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("kept")}); err != nil {
		t.Fatalf("SendMessage once the store works: %v", err)
	}
	k = k.restart()
	c = queue.SQSClient(k.cfg)
	got := receive(t, c, queueURL(t, c, "hotline-dept-d1"), 0)
	if len(got) != 1 || aws.ToString(got[0].Body) != "kept" {
		t.Errorf("after restart: %+v", got)
	}

	// SES and SNS captures fail whole too.
	edge.FailStoreWrites(k.edge, errors.New("disk full"))
	_, err = notify.SNSClient(k.cfg).Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+8613800138000"), Message: aws.String("x")})
	if status := httpStatus(err); status != http.StatusInternalServerError {
		t.Errorf("Publish on a failing store: status %d, %v", status, err)
	}
	if got := k.edge.SentSMS(); len(got) != 0 {
		t.Errorf("a Publish that failed captured %v", got)
	}
}

func assertInternalError(t *testing.T, op string, err error) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InternalError" || httpStatus(err) != http.StatusInternalServerError {
		t.Errorf("%s on a failing store: %v, want InternalError (500)", op, err)
	}
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestNilStoreKeepsNothing: without a store an edge starts empty and a
// restart forgets, as before stores existed.
func TestNilStoreKeepsNothing(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	url := createQueue(t, c, "hotline-dept-d1", nil)
	if _, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	h2 := start(t, edge.Options{Clock: h.clock})
	c2 := queue.SQSClient(h2.cfg)
	if _, err := c2.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("hotline-dept-d1")}); err == nil {
		t.Error("a new edge without a store has the old queue")
	}
	if got := receive(t, c, url, 0); len(got) != 1 {
		t.Errorf("the edge without a store lost its message: %v", got)
	}
}

// TestSentMessageSurvivesKill runs an edge in a child process, sends a
// message there and kills the child (SIGKILL) as soon as the client has its
// MessageId: a new edge on the same folder delivers the message.
func TestSentMessageSurvivesKill(t *testing.T) {
	if dir := os.Getenv("EDGE_KILL_CHILD"); dir != "" {
		k := startKept(t, dir, newFakeClock())
		c := queue.SQSClient(k.cfg)
		url := createQueue(t, c, "hotline-dept-d1", nil)
		out, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("kept through kill -9")})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("sent", aws.ToString(out.MessageId))
		select {} // until killed
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSentMessageSurvivesKill$")
	cmd.Env = append(os.Environ(), "EDGE_KILL_CHILD="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var id string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "sent "); ok {
			id = rest
			break
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if id == "" {
		t.Fatalf("the child sent nothing: %s", stderr.String())
	}

	k := startKept(t, dir, newFakeClock())
	c := queue.SQSClient(k.cfg)
	got := receive(t, c, queueURL(t, c, "hotline-dept-d1"), 0)
	if len(got) != 1 || aws.ToString(got[0].MessageId) != id || aws.ToString(got[0].Body) != "kept through kill -9" {
		t.Fatalf("after kill -9: %+v, want message %s", got, id)
	}
}

// TestKeptStateFollowsConcurrentCalls: with sends, receives and deletes
// racing, what a restart loads is what memory held (each change is written
// in the critical section that makes it).
func TestKeptStateFollowsConcurrentCalls(t *testing.T) {
	k := startKept(t, t.TempDir(), newFakeClock())
	c := queue.SQSClient(k.cfg)
	ctx := context.Background()
	url := createQueue(t, c, "hotline-busy", map[string]string{"VisibilityTimeout": "60"})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 15 {
				if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(fmt.Sprintf("w%d-%d", w, i))}); err != nil {
					t.Error(err)
					return
				}
				if i%3 != 0 {
					continue
				}
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 2})
				if err != nil {
					t.Error(err)
					return
				}
				if len(out.Messages) > 0 { // the others stay in flight
					if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	peek := func(k *keptEdge) []peekedMessage {
		t.Helper()
		status, body := peekGet(t, k.url+"/_aws/sqs/messages/us-east-1/000000000000/hotline-busy?ShowInvisible=true", true)
		var j peekJSON
		if err := json.Unmarshal(body, &j); status != http.StatusOK || err != nil || j.ReceiveMessageResponse.ReceiveMessageResult == nil {
			t.Fatalf("peek: %d %s", status, body)
		}
		msgs := messagesOf(t, j.ReceiveMessageResponse.ReceiveMessageResult.Message)
		for _, m := range msgs {
			slices.SortFunc(m.Attribute, func(a, b nameValue) int { return strings.Compare(a.Name, b.Name) })
		}
		return msgs
	}
	before := peek(k)
	if len(before) < 30 {
		t.Fatalf("%d messages left of 60 sent, some deleted: want most of them", len(before))
	}
	k = k.restart()
	if after := peek(k); !reflect.DeepEqual(after, before) {
		t.Errorf("after restart:\n%+v\nbefore:\n%+v", after, before)
	}
}
