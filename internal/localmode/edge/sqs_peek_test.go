package edge_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

func peekGet(t *testing.T, target string, asJSON bool) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	return do(t, req)
}

// peekJSON is LocalStack's JSON shape of the peek answer.
type peekJSON struct {
	ReceiveMessageResponse struct {
		ReceiveMessageResult *struct {
			Message json.RawMessage
		}
		ResponseMetadata struct{ RequestId string }
	}
}

type peekedMessage struct {
	MessageId     string
	ReceiptHandle *string
	MD5OfBody     string
	Body          string
	Attribute     []nameValue
}

// messagesOf reads Message, which is an object for one message and an
// array for several (xmltodict's rule, kept for LocalStack's clients).
func messagesOf(t *testing.T, raw json.RawMessage) []peekedMessage {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var many []peekedMessage
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &many); err != nil {
			t.Fatalf("messages %s: %v", raw, err)
		}
		return many
	}
	var one peekedMessage
	if err := json.Unmarshal(raw, &one); err != nil {
		t.Fatalf("message %s: %v", raw, err)
	}
	return []peekedMessage{one}
}

func TestSQSPeek(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	ctx := context.Background()
	qurl := createQueue(t, c, "peeked", nil)
	peekURL := h.url + "/_aws/sqs/messages?QueueUrl=" + url.QueryEscape(qurl)

	status, body := peekGet(t, peekURL, true)
	var empty peekJSON
	if err := json.Unmarshal(body, &empty); status != 200 || err != nil || empty.ReceiveMessageResponse.ReceiveMessageResult != nil {
		t.Fatalf("empty queue: %d %s (%v)", status, body, err)
	}

	for _, m := range []struct {
		body  string
		delay int32
	}{{"in flight", 0}, {"waiting", 0}, {"delayed", 60}} {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(qurl), MessageBody: aws.String(m.body), DelaySeconds: m.delay,
			MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String(m.body)}}})
		if err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
	}
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(qurl)})
	if err != nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "in flight" {
		t.Fatalf("ReceiveMessage = %+v, %v", out, err)
	}

	// XML by default: the visible message only, nothing handed out.
	status, body = peekGet(t, peekURL, false)
	var x struct {
		XMLName xml.Name
		Result  receiveResult `xml:"ReceiveMessageResult"`
	}
	if err := xml.Unmarshal(body, &x); status != 200 || err != nil || x.XMLName.Local != "ReceiveMessageResponse" || x.XMLName.Space != sqsNS {
		t.Fatalf("XML peek: %d %s (%v)", status, body, err)
	}
	if len(x.Result.Message) != 1 || x.Result.Message[0].Body != "waiting" || x.Result.Message[0].ReceiptHandle != "" ||
		x.Result.Message[0].MD5OfBody != md5hex("waiting") || attrMap(x.Result.Message[0].Attribute)["ApproximateReceiveCount"] != "0" ||
		len(x.Result.Message[0].MessageAttribute) != 1 || x.Result.Message[0].MD5OfMessageAttributes == "" {
		t.Fatalf("XML peek messages = %+v", x.Result.Message)
	}

	// JSON, with the in-flight and the delayed ones, each flagged.
	status, body = peekGet(t, peekURL+"&ShowInvisible=true&ShowDelayed=True", true)
	var j peekJSON
	if err := json.Unmarshal(body, &j); status != 200 || err != nil || j.ReceiveMessageResponse.ReceiveMessageResult == nil ||
		j.ReceiveMessageResponse.ResponseMetadata.RequestId == "" {
		t.Fatalf("JSON peek: %d %s (%v)", status, body, err)
	}
	msgs := messagesOf(t, j.ReceiveMessageResponse.ReceiveMessageResult.Message)
	want := map[string][2]string{"in flight": {"false", "false"}, "waiting": {"true", "false"}, "delayed": {"false", "true"}}
	if len(msgs) != 3 {
		t.Fatalf("JSON peek got %d messages: %s", len(msgs), body)
	}
	for _, m := range msgs {
		a := attrMap(m.Attribute)
		if w := want[m.Body]; a["IsVisible"] != w[0] || a["IsDelayed"] != w[1] || m.ReceiptHandle != nil || a["SenderId"] != "000000000000" {
			t.Errorf("peeked %q: %v", m.Body, a)
		}
	}

	// Nothing changed: one in flight, one visible never received, one delayed.
	visible, inflight := queueCounts(t, c, qurl)
	if visible != "1" || inflight != "1" {
		t.Errorf("after peeks: %s visible, %s in flight", visible, inflight)
	}
	next := receive(t, c, qurl, 0)
	if len(next) != 1 || aws.ToString(next[0].Body) != "waiting" || next[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("the peeked message was consumed or counted: %+v", next)
	}

	// The path form, one message: an object, as xmltodict makes it.
	status, body = peekGet(t, h.url+"/_aws/sqs/messages/us-east-1/000000000000/peeked?ShowInvisible=true", true)
	j = peekJSON{}
	if err := json.Unmarshal(body, &j); status != 200 || err != nil || j.ReceiveMessageResponse.ReceiveMessageResult == nil {
		t.Fatalf("path peek: %d %s", status, body)
	}
	if raw := j.ReceiveMessageResponse.ReceiveMessageResult.Message; len(raw) == 0 || raw[0] != '[' || len(messagesOf(t, raw)) != 2 {
		t.Errorf("path peek messages = %s", raw)
	}
	status, body = peekGet(t, h.url+"/_aws/sqs/messages/us-east-1/000000000000/peeked?ShowDelayed=1", true)
	j = peekJSON{}
	if err := json.Unmarshal(body, &j); status != 200 || err != nil || j.ReceiveMessageResponse.ReceiveMessageResult == nil ||
		!strings.HasPrefix(string(j.ReceiveMessageResponse.ReceiveMessageResult.Message), "{") {
		t.Fatalf("one message (the delayed one) should be one object: %s", body)
	}
	if m := messagesOf(t, j.ReceiveMessageResponse.ReceiveMessageResult.Message); len(m) != 1 || m[0].Body != "delayed" {
		t.Errorf("delayed peek = %+v", m)
	}
}

func TestSQSPeekErrors(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	createQueue(t, c, "exists", nil)
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/_aws/sqs/messages", 400, "AWS.SimpleQueueService.NonExistentQueue"},
		{"/_aws/sqs/messages?QueueUrl=" + url.QueryEscape(h.url+"/000000000000/nosuch"), 400, "AWS.SimpleQueueService.NonExistentQueue"},
		{"/_aws/sqs/messages?QueueUrl=" + url.QueryEscape(h.url+"/111111111111/exists"), 400, "AWS.SimpleQueueService.NonExistentQueue"},
		{"/_aws/sqs/messages?QueueUrl=" + url.QueryEscape(h.url+"/nonsense"), 404, "InvalidAddress"},
		{"/_aws/sqs/messages/eu-west-1/000000000000/exists", 400, "AWS.SimpleQueueService.NonExistentQueue"},
		{"/_aws/sqs/messages/us-east-1/exists", 404, "InvalidAddress"},
	} {
		status, body := peekGet(t, h.url+tc.path, true)
		var e struct {
			ErrorResponse struct {
				Error struct{ Type, Code, Message string }
			}
		}
		if err := json.Unmarshal(body, &e); err != nil || status != tc.status || e.ErrorResponse.Error.Code != tc.code || e.ErrorResponse.Error.Type != "Sender" {
			t.Errorf("%s (JSON): %d %s, want %d %s", tc.path, status, body, tc.status, tc.code)
		}
		status, body = peekGet(t, h.url+tc.path, false)
		checkQueryError(t, tc.path, status, body, tc.status, tc.code, sqsNS)
	}
}

// TestSQSPeekAsSDKEndpoint: an SDK whose endpoint is the developer endpoint
// lists the queue with ReceiveMessage (LocalStack's use), in either protocol.
func TestSQSPeekAsSDKEndpoint(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	ctx := context.Background()
	qurl := createQueue(t, c, "listed", nil)
	for _, b := range []string{"one", "two"} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(qurl), MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	dev := queue.SQSClient(h.cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(h.url + "/_aws/sqs/messages") })
	out, err := dev.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(qurl), MaxNumberOfMessages: 1})
	if err != nil || len(out.Messages) != 2 || aws.ToString(out.Messages[1].Body) != "two" || out.Messages[0].Attributes["ApproximateReceiveCount"] != "0" {
		t.Fatalf("ReceiveMessage at the developer endpoint = %+v, %v", out, err)
	}
	_, err = dev.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(qurl), MessageBody: aws.String("x")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidRequest" {
		t.Errorf("SendMessage at the developer endpoint: %v", err)
	}

	var recv receiveResult
	status, body := postForm(t, h.url+"/_aws/sqs/messages", url.Values{"Action": {"ReceiveMessage"}, "Version": {"2012-11-05"}, "QueueUrl": {qurl}}, "")
	if status != 200 {
		t.Fatalf("query ReceiveMessage at the developer endpoint: %d %s", status, body)
	}
	decodeEnvelope(t, "ReceiveMessage", body, &recv)
	if len(recv.Message) != 2 {
		t.Errorf("query peek = %+v", recv)
	}
	status, body = postForm(t, h.url+"/_aws/sqs/messages", url.Values{"Action": {"PurgeQueue"}, "Version": {"2012-11-05"}, "QueueUrl": {qurl}}, "")
	checkQueryError(t, "PurgeQueue at the developer endpoint", status, body, 400, "InvalidRequest", sqsNS)
	if visible, _ := queueCounts(t, c, qurl); visible != "2" {
		t.Errorf("after peeks, %s visible, want 2", visible)
	}
}
