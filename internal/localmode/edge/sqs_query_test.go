package edge_test

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

const sqsNS = "http://queue.amazonaws.com/doc/2012-11-05/"

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// query sends one SQS query-protocol request (form POST, unsigned, with the
// API version) and returns the status and body.
func query(t *testing.T, base, action string, params ...string) (int, []byte) {
	t.Helper()
	form := url.Values{"Action": {action}, "Version": {"2012-11-05"}}
	for i := 0; i+1 < len(params); i += 2 {
		form.Add(params[i], params[i+1])
	}
	return postForm(t, base+"/", form, "")
}

func postForm(t *testing.T, target string, form url.Values, auth string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	return resp.StatusCode, b
}

// queryOK sends a request that must succeed and decodes the <Action>Result
// element into result (nil: none expected); it checks the envelope.
func queryOK(t *testing.T, base, action string, result any, params ...string) {
	t.Helper()
	status, body := query(t, base, action, params...)
	if status != 200 {
		t.Fatalf("%s: %d %s", action, status, body)
	}
	decodeEnvelope(t, action, body, result)
}

func decodeEnvelope(t *testing.T, action string, body []byte, result any) {
	t.Helper()
	var env struct {
		XMLName  xml.Name
		Metadata struct {
			RequestId string
		} `xml:"ResponseMetadata"`
		Inner []byte `xml:",innerxml"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		t.Fatalf("%s: not XML: %v\n%s", action, err, body)
	}
	if env.XMLName.Local != action+"Response" || env.XMLName.Space != sqsNS || env.Metadata.RequestId == "" {
		t.Fatalf("%s: envelope %v, request id %q\n%s", action, env.XMLName, env.Metadata.RequestId, body)
	}
	hasResult := strings.Contains(string(env.Inner), "<"+action+"Result>")
	if result == nil {
		if hasResult {
			t.Fatalf("%s: unexpected result element\n%s", action, body)
		}
		return
	}
	if !hasResult {
		t.Fatalf("%s: no <%sResult>\n%s", action, action, body)
	}
	dec := xml.NewDecoder(strings.NewReader(string(env.Inner)))
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: result not found: %v", action, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == action+"Result" {
			if err := dec.DecodeElement(result, &se); err != nil {
				t.Fatalf("%s: decode result: %v\n%s", action, err, body)
			}
			return
		}
	}
}

type queryError struct {
	XMLName xml.Name
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestId string
}

// queryFails sends a request that must fail with status and code.
func queryFails(t *testing.T, base string, status int, code, action string, params ...string) {
	t.Helper()
	got, body := query(t, base, action, params...)
	checkQueryError(t, action, got, body, status, code, sqsNS)
}

func checkQueryError(t *testing.T, what string, gotStatus int, body []byte, status int, code, ns string) {
	t.Helper()
	var e queryError
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("%s: error answer not XML: %v\n%s", what, err, body)
	}
	if gotStatus != status || e.XMLName.Local != "ErrorResponse" || e.XMLName.Space != ns ||
		e.Error.Type != "Sender" || e.Error.Code != code || e.Error.Message == "" || e.RequestId == "" {
		t.Fatalf("%s: got %d %s, want %d %s", what, gotStatus, body, status, code)
	}
}

type nameValue struct{ Name, Value string }

func attrMap(list []nameValue) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[a.Name] = a.Value
	}
	return m
}

type xmlMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attribute              []nameValue
	MD5OfMessageAttributes string
	MessageAttribute       []struct {
		Name  string
		Value struct {
			StringValue *string
			BinaryValue *string
			DataType    string
		}
	}
}

type receiveResult struct {
	Message []xmlMessage
}

func TestSQSQueryOperations(t *testing.T) {
	h := start(t, edge.Options{})
	var created struct{ QueueUrl string }
	queryOK(t, h.url, "CreateQueue", &created, "QueueName", "q1",
		"Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "45",
		"Attribute.2.Name", "DelaySeconds", "Attribute.2.Value", "0",
		"Tag.1.Key", "team", "Tag.1.Value", "market")
	qurl := created.QueueUrl
	if qurl != h.url+"/000000000000/q1" {
		t.Fatalf("QueueUrl = %q", qurl)
	}
	// Same name, same attributes: the same queue.
	queryOK(t, h.url, "CreateQueue", &created, "QueueName", "q1", "Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "45")
	queryOK(t, h.url, "CreateQueue", &created, "QueueName", "q2")

	var got struct{ QueueUrl string }
	queryOK(t, h.url, "GetQueueUrl", &got, "QueueName", "q1")
	if got.QueueUrl != qurl {
		t.Errorf("GetQueueUrl = %q", got.QueueUrl)
	}
	var listed struct {
		QueueUrl  []string
		NextToken string
	}
	queryOK(t, h.url, "ListQueues", &listed, "MaxResults", "1")
	if len(listed.QueueUrl) != 1 || listed.QueueUrl[0] != qurl || listed.NextToken == "" {
		t.Fatalf("ListQueues page 1 = %+v", listed)
	}
	listed.QueueUrl = nil
	queryOK(t, h.url, "ListQueues", &listed, "MaxResults", "1", "NextToken", listed.NextToken)
	if len(listed.QueueUrl) != 1 || !strings.HasSuffix(listed.QueueUrl[0], "/q2") {
		t.Fatalf("ListQueues page 2 = %+v", listed)
	}

	queryOK(t, h.url, "SetQueueAttributes", nil, "QueueUrl", qurl,
		"Attribute.1.Name", "MessageRetentionPeriod", "Attribute.1.Value", "3600")
	var attrs struct{ Attribute []nameValue }
	queryOK(t, h.url, "GetQueueAttributes", &attrs, "QueueUrl", qurl, "AttributeName.1", "All")
	a := attrMap(attrs.Attribute)
	if a["VisibilityTimeout"] != "45" || a["MessageRetentionPeriod"] != "3600" || a["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:q1" {
		t.Errorf("GetQueueAttributes All = %v", a)
	}
	attrs.Attribute = nil
	queryOK(t, h.url, "GetQueueAttributes", &attrs, "QueueUrl", qurl,
		"AttributeName.1", "ApproximateNumberOfMessages", "AttributeName.2", "DelaySeconds")
	if a := attrMap(attrs.Attribute); len(a) != 2 || a["ApproximateNumberOfMessages"] != "0" || a["DelaySeconds"] != "0" {
		t.Errorf("GetQueueAttributes two = %v", a)
	}

	body := "路灯不亮\r\n<b>&amp;</b>\t"
	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	queryOK(t, h.url, "SendMessage", &sent, "QueueUrl", qurl, "MessageBody", body,
		"MessageAttribute.1.Name", "type", "MessageAttribute.1.Value.DataType", "String", "MessageAttribute.1.Value.StringValue", "ticket.dispatched",
		"MessageAttribute.2.Name", "raw", "MessageAttribute.2.Value.DataType", "Binary", "MessageAttribute.2.Value.BinaryValue", "AAEC/w==")
	if sent.MD5OfMessageBody != md5hex(body) || sent.MD5OfMessageAttributes == "" || sent.MessageId == "" {
		t.Fatalf("SendMessage = %+v", sent)
	}

	var recv receiveResult
	queryOK(t, h.url, "ReceiveMessage", &recv, "QueueUrl", qurl, "MaxNumberOfMessages", "10",
		"AttributeName.1", "All", "MessageAttributeName.1", "All", "WaitTimeSeconds", "0")
	if len(recv.Message) != 1 {
		t.Fatalf("ReceiveMessage = %+v", recv)
	}
	m := recv.Message[0]
	if m.Body != body || m.MD5OfBody != md5hex(body) || m.MessageId != sent.MessageId || m.ReceiptHandle == "" ||
		m.MD5OfMessageAttributes != sent.MD5OfMessageAttributes || attrMap(m.Attribute)["ApproximateReceiveCount"] != "1" ||
		attrMap(m.Attribute)["SenderId"] != "000000000000" || len(m.MessageAttribute) != 2 {
		t.Fatalf("received %+v", m)
	}
	raw := m.MessageAttribute[0] // sorted by name: raw, type
	if raw.Name != "raw" || raw.Value.DataType != "Binary" || raw.Value.BinaryValue == nil || *raw.Value.BinaryValue != "AAEC/w==" || raw.Value.StringValue != nil {
		t.Errorf("binary attribute = %+v", raw)
	}
	if typ := m.MessageAttribute[1]; typ.Name != "type" || typ.Value.StringValue == nil || *typ.Value.StringValue != "ticket.dispatched" {
		t.Errorf("string attribute = %+v", typ)
	}

	// In flight: the next receive gets nothing; visibility 0 brings it back.
	recv = receiveResult{}
	queryOK(t, h.url, "ReceiveMessage", &recv, "QueueUrl", qurl)
	if len(recv.Message) != 0 {
		t.Fatalf("in-flight message received again: %+v", recv)
	}
	queryOK(t, h.url, "ChangeMessageVisibility", nil, "QueueUrl", qurl, "ReceiptHandle", m.ReceiptHandle, "VisibilityTimeout", "0")
	queryOK(t, h.url, "ReceiveMessage", &recv, "QueueUrl", qurl, "AttributeName.1", "ApproximateReceiveCount")
	if len(recv.Message) != 1 || attrMap(recv.Message[0].Attribute)["ApproximateReceiveCount"] != "2" || len(recv.Message[0].Attribute) != 1 {
		t.Fatalf("after ChangeMessageVisibility: %+v", recv)
	}
	queryOK(t, h.url, "DeleteMessage", nil, "QueueUrl", qurl, "ReceiptHandle", recv.Message[0].ReceiptHandle)
	h.clock.Advance(10 * 60 * 1e9)
	recv = receiveResult{}
	queryOK(t, h.url, "ReceiveMessage", &recv, "QueueUrl", qurl)
	if len(recv.Message) != 0 {
		t.Fatalf("deleted message received: %+v", recv)
	}

	queryOK(t, h.url, "SendMessage", &sent, "QueueUrl", qurl, "MessageBody", "x")
	queryOK(t, h.url, "PurgeQueue", nil, "QueueUrl", qurl)
	queryOK(t, h.url, "ReceiveMessage", &recv, "QueueUrl", qurl)
	if len(recv.Message) != 0 {
		t.Fatalf("purged message received: %+v", recv)
	}
	queryOK(t, h.url, "DeleteQueue", nil, "QueueUrl", qurl)
	queryFails(t, h.url, 400, "AWS.SimpleQueueService.NonExistentQueue", "GetQueueUrl", "QueueName", "q1")
}

func TestSQSQueryErrors(t *testing.T) {
	h := start(t, edge.Options{})
	var created struct{ QueueUrl string }
	queryOK(t, h.url, "CreateQueue", &created, "QueueName", "q")
	qurl := created.QueueUrl
	missing := h.url + "/000000000000/nosuch"

	for _, tc := range []struct {
		name, code, action string
		params             []string
	}{
		{"unknown queue", "AWS.SimpleQueueService.NonExistentQueue", "SendMessage", []string{"QueueUrl", missing, "MessageBody", "x"}},
		{"unknown queue on receive", "AWS.SimpleQueueService.NonExistentQueue", "ReceiveMessage", []string{"QueueUrl", missing}},
		{"no action", "MissingAction", "", nil},
		{"unknown action", "InvalidAction", "AddPermission", []string{"QueueUrl", qurl}},
		{"no body", "MissingParameter", "SendMessage", []string{"QueueUrl", qurl}},
		{"bad body", "InvalidMessageContents", "SendMessage", []string{"QueueUrl", qurl, "MessageBody", "\x01"}},
		{"bad integer", "InvalidParameterValue", "ReceiveMessage", []string{"QueueUrl", qurl, "MaxNumberOfMessages", "ten"}},
		{"too many", "InvalidParameterValue", "ReceiveMessage", []string{"QueueUrl", qurl, "MaxNumberOfMessages", "11"}},
		{"bad delay", "InvalidParameterValue", "SendMessage", []string{"QueueUrl", qurl, "MessageBody", "x", "DelaySeconds", "901"}},
		{"bad receipt", "ReceiptHandleIsInvalid", "DeleteMessage", []string{"QueueUrl", qurl, "ReceiptHandle", "forged"}},
		{"no receipt", "MissingParameter", "DeleteMessage", []string{"QueueUrl", qurl}},
		{"no visibility", "MissingParameter", "ChangeMessageVisibility", []string{"QueueUrl", qurl, "ReceiptHandle", "x"}},
		{"unknown attribute", "InvalidAttributeName", "SetQueueAttributes", []string{"QueueUrl", qurl, "Attribute.1.Name", "Colour", "Attribute.1.Value", "red"}},
		{"bad attribute value", "InvalidAttributeValue", "SetQueueAttributes", []string{"QueueUrl", qurl, "Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "-1"}},
		{"attribute without name", "InvalidParameterValue", "SetQueueAttributes", []string{"QueueUrl", qurl, "Attribute.1.Value", "3"}},
		{"queue exists", "QueueAlreadyExists", "CreateQueue", []string{"QueueName", "q", "Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "5"}},
		{"bad queue name", "InvalidParameterValue", "CreateQueue", []string{"QueueName", "a b"}},
		{"bad binary attribute", "InvalidParameterValue", "SendMessage", []string{"QueueUrl", qurl, "MessageBody", "x",
			"MessageAttribute.1.Name", "b", "MessageAttribute.1.Value.DataType", "Binary", "MessageAttribute.1.Value.BinaryValue", "%%%"}},
		{"attribute without value", "InvalidParameterValue", "SendMessage", []string{"QueueUrl", qurl, "MessageBody", "x",
			"MessageAttribute.1.Name", "s", "MessageAttribute.1.Value.DataType", "String"}},
		{"empty batch", "AWS.SimpleQueueService.EmptyBatchRequest", "SendMessageBatch", []string{"QueueUrl", qurl}},
		{"batch ids repeated", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "DeleteMessageBatch", []string{"QueueUrl", qurl,
			"DeleteMessageBatchRequestEntry.1.Id", "a", "DeleteMessageBatchRequestEntry.1.ReceiptHandle", "x",
			"DeleteMessageBatchRequestEntry.2.Id", "a", "DeleteMessageBatchRequestEntry.2.ReceiptHandle", "y"}},
		{"bad batch id", "AWS.SimpleQueueService.InvalidBatchEntryId", "ChangeMessageVisibilityBatch", []string{"QueueUrl", qurl,
			"ChangeMessageVisibilityBatchRequestEntry.1.Id", "a.b", "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle", "x",
			"ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout", "1"}},
		{"batch to unknown queue", "AWS.SimpleQueueService.NonExistentQueue", "SendMessageBatch", []string{"QueueUrl", missing,
			"SendMessageBatchRequestEntry.1.Id", "a", "SendMessageBatchRequestEntry.1.MessageBody", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.action == "" {
				status, body := postForm(t, h.url+"/", url.Values{"Version": {"2012-11-05"}, "QueueUrl": {qurl}}, "")
				checkQueryError(t, tc.name, status, body, 400, tc.code, sqsNS)
				return
			}
			queryFails(t, h.url, 400, tc.code, tc.action, tc.params...)
		})
	}

	var many []string
	for i := 1; i <= 11; i++ {
		p := "SendMessageBatchRequestEntry." + strconv.Itoa(i)
		many = append(many, p+".Id", "e"+strconv.Itoa(i), p+".MessageBody", "x")
	}
	queryFails(t, h.url, 400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "SendMessageBatch", append([]string{"QueueUrl", qurl}, many...)...)
}

func TestSQSQueryBatch(t *testing.T) {
	h := start(t, edge.Options{})
	var created struct{ QueueUrl string }
	queryOK(t, h.url, "CreateQueue", &created, "QueueName", "b")
	qurl := created.QueueUrl

	type sendEntry struct{ Id, MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	type failed struct {
		Id          string
		SenderFault bool
		Code        string
		Message     string
	}
	var sent struct {
		SendMessageBatchResultEntry []sendEntry
		BatchResultErrorEntry       []failed
	}
	queryOK(t, h.url, "SendMessageBatch", &sent, "QueueUrl", qurl,
		"SendMessageBatchRequestEntry.1.Id", "one", "SendMessageBatchRequestEntry.1.MessageBody", "first",
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name", "n",
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType", "Number",
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue", "7",
		"SendMessageBatchRequestEntry.2.Id", "bad", "SendMessageBatchRequestEntry.2.MessageBody", "x",
		"SendMessageBatchRequestEntry.2.DelaySeconds", "901",
		"SendMessageBatchRequestEntry.3.Id", "two", "SendMessageBatchRequestEntry.3.MessageBody", "second",
		"SendMessageBatchRequestEntry.3.DelaySeconds", "0")
	if len(sent.SendMessageBatchResultEntry) != 2 || len(sent.BatchResultErrorEntry) != 1 {
		t.Fatalf("SendMessageBatch = %+v", sent)
	}
	one, two := sent.SendMessageBatchResultEntry[0], sent.SendMessageBatchResultEntry[1]
	if one.Id != "one" || one.MD5OfMessageBody != md5hex("first") || one.MD5OfMessageAttributes == "" ||
		two.Id != "two" || two.MD5OfMessageBody != md5hex("second") || two.MD5OfMessageAttributes != "" {
		t.Errorf("successful entries = %+v", sent.SendMessageBatchResultEntry)
	}
	if f := sent.BatchResultErrorEntry[0]; f.Id != "bad" || !f.SenderFault || f.Code != "InvalidParameterValue" || f.Message == "" {
		t.Errorf("failed entry = %+v", f)
	}

	var recv receiveResult
	queryOK(t, h.url, "ReceiveMessage", &recv, "QueueUrl", qurl, "MaxNumberOfMessages", "10", "MessageAttributeName.1", "n")
	if len(recv.Message) != 2 || recv.Message[0].MD5OfMessageAttributes != one.MD5OfMessageAttributes {
		t.Fatalf("ReceiveMessage = %+v", recv)
	}

	var changed struct {
		ChangeMessageVisibilityBatchResultEntry []struct{ Id string }
		BatchResultErrorEntry                   []failed
	}
	queryOK(t, h.url, "ChangeMessageVisibilityBatch", &changed, "QueueUrl", qurl,
		"ChangeMessageVisibilityBatchRequestEntry.1.Id", "c1",
		"ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle", recv.Message[0].ReceiptHandle,
		"ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout", "0",
		"ChangeMessageVisibilityBatchRequestEntry.2.Id", "c2",
		"ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle", "forged",
		"ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout", "0")
	if len(changed.ChangeMessageVisibilityBatchResultEntry) != 1 || changed.ChangeMessageVisibilityBatchResultEntry[0].Id != "c1" ||
		len(changed.BatchResultErrorEntry) != 1 || changed.BatchResultErrorEntry[0].Code != "ReceiptHandleIsInvalid" {
		t.Errorf("ChangeMessageVisibilityBatch = %+v", changed)
	}

	var again receiveResult
	queryOK(t, h.url, "ReceiveMessage", &again, "QueueUrl", qurl, "MaxNumberOfMessages", "10")
	if len(again.Message) != 1 || again.Message[0].MessageId != recv.Message[0].MessageId {
		t.Fatalf("after visibility 0, ReceiveMessage = %+v", again)
	}
	var deleted struct {
		DeleteMessageBatchResultEntry []struct{ Id string }
		BatchResultErrorEntry         []failed
	}
	queryOK(t, h.url, "DeleteMessageBatch", &deleted, "QueueUrl", qurl,
		"DeleteMessageBatchRequestEntry.1.Id", "d1", "DeleteMessageBatchRequestEntry.1.ReceiptHandle", again.Message[0].ReceiptHandle,
		"DeleteMessageBatchRequestEntry.2.Id", "d2", "DeleteMessageBatchRequestEntry.2.ReceiptHandle", recv.Message[1].ReceiptHandle)
	if len(deleted.DeleteMessageBatchResultEntry) != 2 || len(deleted.BatchResultErrorEntry) != 0 {
		t.Fatalf("DeleteMessageBatch = %+v", deleted)
	}
	h.clock.Advance(10 * 60 * 1e9)
	again = receiveResult{}
	queryOK(t, h.url, "ReceiveMessage", &again, "QueueUrl", qurl)
	if len(again.Message) != 0 {
		t.Fatalf("deleted messages received: %+v", again)
	}
}

// TestSQSQueryMD5MatchesSDK: the SDK checks MD5OfMessageBody and
// MD5OfMessageAttributes on every send and receive; messages sent through
// the query protocol, with attributes of every type, pass its check, and the
// digests the query protocol answers equal those the SDK accepted.
func TestSQSQueryMD5MatchesSDK(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	ctx := context.Background()
	qurl := createQueue(t, c, "md5", nil)
	body := "工单 T1\n<xml> & \"quotes\" \U0001F600"
	bin := []byte{0, 1, 2, 0xff, 0x80}
	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	queryOK(t, h.url, "SendMessage", &sent, "QueueUrl", qurl, "MessageBody", body,
		"MessageAttribute.1.Name", "s", "MessageAttribute.1.Value.DataType", "String", "MessageAttribute.1.Value.StringValue", "值",
		"MessageAttribute.2.Name", "n", "MessageAttribute.2.Value.DataType", "Number.int", "MessageAttribute.2.Value.StringValue", "-12",
		"MessageAttribute.3.Name", "b", "MessageAttribute.3.Value.DataType", "Binary.gz", "MessageAttribute.3.Value.BinaryValue", base64.StdEncoding.EncodeToString(bin))

	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(qurl), MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatalf("SDK ReceiveMessage (checks the MD5s): %v", err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].MD5OfMessageAttributes) != sent.MD5OfMessageAttributes ||
		aws.ToString(out.Messages[0].MD5OfBody) != sent.MD5OfMessageBody || aws.ToString(out.Messages[0].Body) != body {
		t.Fatalf("SDK received %+v, query sent %+v", out.Messages, sent)
	}
	if got := out.Messages[0].MessageAttributes["b"].BinaryValue; string(got) != string(bin) {
		t.Errorf("binary attribute = %v", got)
	}

	// The same message through the SDK (which checks the answer) digests the same.
	viaSDK, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(qurl), MessageBody: aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"s": {DataType: aws.String("String"), StringValue: aws.String("值")},
			"n": {DataType: aws.String("Number.int"), StringValue: aws.String("-12")},
			"b": {DataType: aws.String("Binary.gz"), BinaryValue: bin},
		}})
	if err != nil {
		t.Fatalf("SDK SendMessage: %v", err)
	}
	if aws.ToString(viaSDK.MD5OfMessageAttributes) != sent.MD5OfMessageAttributes {
		t.Errorf("MD5OfMessageAttributes: SDK %s, query %s", aws.ToString(viaSDK.MD5OfMessageAttributes), sent.MD5OfMessageAttributes)
	}

	// Received through the query protocol, the digests are the same again.
	var recv receiveResult
	queryOK(t, h.url, "ReceiveMessage", &recv, "QueueUrl", qurl, "MessageAttributeName.1", "All")
	if len(recv.Message) != 1 || recv.Message[0].MD5OfMessageAttributes != sent.MD5OfMessageAttributes || recv.Message[0].MD5OfBody != md5hex(body) {
		t.Fatalf("query received %+v", recv)
	}
}

// TestSQSJSONBatch: the batch operations through the SDK's JSON protocol.
func TestSQSJSONBatch(t *testing.T) {
	h := start(t, edge.Options{})
	c := queue.SQSClient(h.cfg)
	ctx := context.Background()
	qurl := createQueue(t, c, "jb", nil)
	sent, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(qurl), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("one"), MessageAttributes: map[string]types.MessageAttributeValue{
			"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
		{Id: aws.String("b"), MessageBody: aws.String("two")},
		{Id: aws.String("c"), MessageBody: aws.String("three"), DelaySeconds: 901},
	}})
	if err != nil {
		t.Fatalf("SendMessageBatch (the SDK checks each MD5): %v", err)
	}
	if len(sent.Successful) != 2 || len(sent.Failed) != 1 || aws.ToString(sent.Failed[0].Id) != "c" || aws.ToString(sent.Failed[0].Code) != "InvalidParameterValue" {
		t.Fatalf("SendMessageBatch = %+v", sent)
	}
	msgs := receive(t, c, qurl, 0)
	if len(msgs) != 2 {
		t.Fatalf("received %d", len(msgs))
	}
	vis, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(qurl), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0},
	}})
	if err != nil || len(vis.Successful) != 1 {
		t.Fatalf("ChangeMessageVisibilityBatch = %+v, %v", vis, err)
	}
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(qurl), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: msgs[1].ReceiptHandle},
		{Id: aws.String("y"), ReceiptHandle: aws.String("forged")},
	}})
	if err != nil || len(del.Successful) != 1 || len(del.Failed) != 1 || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("DeleteMessageBatch = %+v, %v", del, err)
	}
	_, err = c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(qurl), Entries: []types.DeleteMessageBatchRequestEntry{}})
	var empty *types.EmptyBatchRequest
	if !errors.As(err, &empty) {
		t.Errorf("empty batch: %v", err)
	}
}

// TestSQSQueryRouting: how a form request finds SQS — by its signature's
// scope, by API version, by action, or by a queue URL path holding the
// queue; GET works as LocalStack documents; SNS still gets its own.
func TestSQSQueryRouting(t *testing.T) {
	h := start(t, edge.Options{})
	var created struct{ QueueUrl string }
	queryOK(t, h.url, "CreateQueue", &created, "QueueName", "r")

	signed := "AWS4-HMAC-SHA256 Credential=test/20260302/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00"
	status, body := postForm(t, h.url+"/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {created.QueueUrl}, "MessageBody": {"signed"}}, signed)
	if status != 200 || !strings.Contains(string(body), "<SendMessageResponse") {
		t.Fatalf("signed, no version: %d %s", status, body)
	}
	status, body = postForm(t, h.url+"/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {created.QueueUrl}, "MessageBody": {"unsigned"}}, "")
	if status != 200 || !strings.Contains(string(body), "<SendMessageResponse") {
		t.Fatalf("unsigned, no version: %d %s", status, body)
	}
	// The queue URL as the request path, QueueUrl left out.
	status, body = postForm(t, created.QueueUrl, url.Values{"Action": {"SendMessage"}, "MessageBody": {"by path"}}, "")
	if status != 200 {
		t.Fatalf("POST to the queue URL: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodGet, created.QueueUrl+"?Action=SendMessage&MessageBody=by%20get", nil)
	if status, body = do(t, req); status != 200 {
		t.Fatalf("GET to the queue URL: %d %s", status, body)
	}
	var recv receiveResult
	queryOK(t, h.url, "ReceiveMessage", &recv, "QueueUrl", created.QueueUrl, "MaxNumberOfMessages", "10")
	var bodies []string
	for _, m := range recv.Message {
		bodies = append(bodies, m.Body)
	}
	if strings.Join(bodies, ",") != "signed,unsigned,by path,by get" {
		t.Errorf("bodies = %q", bodies)
	}

	status, body = postForm(t, h.url+"/", url.Values{"Action": {"ListTopics"}}, "")
	if status != 200 || !strings.Contains(string(body), "<ListTopicsResponse") || !strings.Contains(string(body), "sns.amazonaws.com") {
		t.Errorf("unsigned SNS action: %d %s", status, body)
	}
	status, body = postForm(t, h.url+"/", url.Values{"Action": {"ListQueues"}}, strings.Replace(signed, "/sqs/", "/sns/", 1))
	checkQueryError(t, "SNS-signed SQS action", status, body, 400, "InvalidAction", "http://sns.amazonaws.com/doc/2010-03-31/")

	req, _ = http.NewRequest(http.MethodPost, h.url+"/", strings.NewReader("Action=ListQueues&%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", signed)
	status, body = do(t, req)
	checkQueryError(t, "malformed form", status, body, 400, "MalformedQueryString", sqsNS)
}

// TestSQSQueryFaults: a fault injected into an SQS query call answers in
// the query protocol (XML, SQS's namespace), and STS is left alone.
func TestSQSQueryFaults(t *testing.T) {
	faults, err := edge.ParseFaults("sqs=1", 3)
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, edge.Options{Faults: faults})
	for range 8 { // throttling and 5xx both come up
		status, body := query(t, h.url, "ListQueues")
		var e queryError
		if err := xml.Unmarshal(body, &e); err != nil || e.XMLName.Space != sqsNS || e.Error.Code == "" ||
			(status != 400 && status != 500 && status != 503) || (status == 400) != (e.Error.Code == "RequestThrottled") {
			t.Fatalf("injected fault: %d %s", status, body)
		}
	}
	if status, body := postForm(t, h.url+"/", url.Values{"Action": {"GetCallerIdentity"}}, ""); status != 200 {
		t.Errorf("STS under SQS faults: %d %s", status, body)
	}
}
