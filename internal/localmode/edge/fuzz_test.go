package edge_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/edge"
)

func fuzzEdge() *edge.Edge {
	return edge.New(edge.Options{
		Clock:        &skipClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		Logger:       slog.New(slog.NewJSONHandler(io.Discard, nil)),
		MaxBodyBytes: 1 << 20,
	})
}

func post(e *edge.Edge, target, path, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Host = "edge.test"
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// FuzzSQSRequest feeds arbitrary bodies to every SQS operation on a queue
// that exists: answers must be 200 or an AWS-shaped 4xx, never a panic or a
// hang (the skip clock ends long polls at once).
func FuzzSQSRequest(f *testing.F) {
	f.Add(uint8(2), `{"QueueUrl":"http://edge.test/000000000000/q","MessageBody":"hi","MessageAttributes":{"type":{"DataType":"String","StringValue":"x"}}}`)
	f.Add(uint8(3), `{"QueueUrl":"http://edge.test/000000000000/q","MaxNumberOfMessages":10,"WaitTimeSeconds":20,"MessageAttributeNames":["All"],"AttributeNames":["All"]}`)
	f.Add(uint8(4), `{"QueueUrl":"/q","ReceiptHandle":"cQpYCjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"}`)
	f.Add(uint8(0), `{"QueueName":"q2","Attributes":{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"maxReceiveCount\":1}","VisibilityTimeout":"0"}}`)
	f.Add(uint8(7), `{"QueueUrl":"q","Attributes":{"DelaySeconds":"900"}}`)
	f.Add(uint8(5), `{"QueueUrl":"q","ReceiptHandle":"","VisibilityTimeout":-1}`)
	f.Add(uint8(8), `[1,2]`)
	f.Add(uint8(11), `{"QueueUrl":"http://edge.test/000000000000/q","Entries":[{"Id":"a","MessageBody":"x"},{"Id":"b","MessageBody":"y","DelaySeconds":901}]}`)
	f.Add(uint8(12), `{"QueueUrl":"http://edge.test/000000000000/q","Entries":[{"Id":"a","ReceiptHandle":"x"},{"Id":"a","ReceiptHandle":"y"}]}`)
	f.Add(uint8(13), `{"QueueUrl":"http://edge.test/000000000000/q","Entries":[{"Id":"a","ReceiptHandle":"x","VisibilityTimeout":5}]}`)
	sqsOps := []string{"CreateQueue", "GetQueueUrl", "SendMessage", "ReceiveMessage", "DeleteMessage",
		"ChangeMessageVisibility", "GetQueueAttributes", "SetQueueAttributes", "ListQueues", "PurgeQueue", "DeleteQueue",
		"SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		e := fuzzEdge()
		setup := post(e, "AmazonSQS.CreateQueue", "/", "application/x-amz-json-1.0", `{"QueueName":"q"}`)
		if setup.Code != 200 {
			t.Fatalf("setup: %d %s", setup.Code, setup.Body)
		}
		post(e, "AmazonSQS.SendMessage", "/", "application/x-amz-json-1.0", `{"QueueUrl":"http://edge.test/000000000000/q","MessageBody":"m"}`)
		name := sqsOps[int(op)%len(sqsOps)]
		rec := post(e, "AmazonSQS."+name, "/", "application/x-amz-json-1.0", body)
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s answered non-JSON %q", name, rec.Body)
		}
		if rec.Code != 200 {
			var errBody struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &errBody)
			if rec.Code != 400 || !strings.HasPrefix(errBody.Type, "com.amazonaws.sqs#") || errBody.Message == "" || rec.Header().Get("X-Amzn-Query-Error") == "" {
				t.Fatalf("%s answered %d %s", name, rec.Code, rec.Body)
			}
		}
		// The queue must still work afterwards.
		if rec := post(e, "AmazonSQS.ReceiveMessage", "/", "application/x-amz-json-1.0", `{"QueueUrl":"http://edge.test/000000000000/q","WaitTimeSeconds":1}`); rec.Code != 200 && name != "DeleteQueue" {
			t.Fatalf("queue broken after %s: %d %s", name, rec.Code, rec.Body)
		}
	})
}

// FuzzSQSQuery feeds arbitrary query-protocol forms to every SQS action on
// a queue holding a message: the parser must not panic, every answer must
// be XML with 200 or an SQS <ErrorResponse> with a 4xx, and the queue must
// still work afterwards.
func FuzzSQSQuery(f *testing.F) {
	const q = "QueueUrl=http%3A%2F%2Fedge.test%2F000000000000%2Fq"
	f.Add(uint8(7), q+"&MessageBody=hi&MessageAttribute.1.Name=t&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x")
	f.Add(uint8(7), q+"&MessageBody=b&MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAE%3D")
	f.Add(uint8(8), q+"&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y&SendMessageBatchRequestEntry.2.DelaySeconds=3")
	f.Add(uint8(9), q+"&MaxNumberOfMessages=10&AttributeName.1=All&MessageAttributeName.1=All&WaitTimeSeconds=20&VisibilityTimeout=0")
	f.Add(uint8(10), q+"&ReceiptHandle=cQpYCjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw")
	f.Add(uint8(11), q+"&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=x&DeleteMessageBatchRequestEntry.01.Id=a")
	f.Add(uint8(13), q+"&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=-1")
	f.Add(uint8(0), "QueueName=q2&Attribute.1.Name=RedrivePolicy&Attribute.1.Value=%7B%22deadLetterTargetArn%22%3A%22arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aq%22%2C%22maxReceiveCount%22%3A1%7D&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=0&Tag.1.Key=k")
	f.Add(uint8(6), q+"&Attribute.1.Name=DelaySeconds&Attribute.1.Value=900&Attribute.3.Value=1")
	f.Add(uint8(5), q+"&AttributeName.1=All&AttributeName.x=1&AttributeName.0=QueueArn")
	f.Add(uint8(2), "QueueNamePrefix=q&MaxResults=1&NextToken=")
	f.Add(uint8(14), "Action=Nope&%zz")
	sqsActions := []string{"CreateQueue", "GetQueueUrl", "ListQueues", "DeleteQueue", "PurgeQueue", "GetQueueAttributes",
		"SetQueueAttributes", "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
		"ChangeMessageVisibility", "ChangeMessageVisibilityBatch", ""}
	f.Fuzz(func(t *testing.T, op uint8, params string) {
		e := fuzzEdge()
		form := "application/x-www-form-urlencoded"
		if rec := post(e, "", "/", form, "Action=CreateQueue&Version=2012-11-05&QueueName=q"); rec.Code != 200 {
			t.Fatalf("setup: %d %s", rec.Code, rec.Body)
		}
		post(e, "", "/", form, "Action=SendMessage&Version=2012-11-05&"+q+"&MessageBody=m")
		action := sqsActions[int(op)%len(sqsActions)]
		rec := post(e, "", "/", form, "Action="+action+"&Version=2012-11-05&"+params)
		var answer struct {
			XMLName xml.Name
			Error   struct{ Code, Message string }
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("%s answered non-XML %d %q", action, rec.Code, rec.Body)
		}
		switch {
		case rec.Code == 200 && answer.XMLName.Local == action+"Response":
		case rec.Code >= 400 && rec.Code < 500 && answer.XMLName.Local == "ErrorResponse" && answer.Error.Code != "" && answer.Error.Message != "":
		default:
			t.Fatalf("%s answered %d %s", action, rec.Code, rec.Body)
		}
		if rec := post(e, "", "/", form, "Action=ReceiveMessage&Version=2012-11-05&"+q+"&WaitTimeSeconds=1"); rec.Code != 200 && action != "DeleteQueue" {
			t.Fatalf("queue broken after %s: %d %s", action, rec.Code, rec.Body)
		}
	})
}

// FuzzSNSRequest feeds arbitrary form bodies to the SNS query protocol.
func FuzzSNSRequest(f *testing.F) {
	f.Add("Action=Publish&Version=2010-03-31&PhoneNumber=%2B8613800138000&Message=hi&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=Transactional")
	f.Add("Action=CreateTopic&Name=t")
	f.Add("Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Message=x&MessageAttributes.entry.2.Value.DataType=Binary")
	f.Add("Action=ListTopics")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, body string) {
		e := fuzzEdge()
		rec := post(e, "", "/", "application/x-www-form-urlencoded", body)
		var v struct{}
		if err := xml.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("non-XML answer %d %q", rec.Code, rec.Body)
		}
		if rec.Code != 200 && rec.Code != 400 && rec.Code != 404 {
			t.Fatalf("status %d", rec.Code)
		}
		if rec.Code == 200 && strings.Contains(body, "PhoneNumber") && len(e.SentSMS()) > 1 {
			t.Fatalf("one request captured %d SMS", len(e.SentSMS()))
		}
	})
}

// FuzzSESRequest feeds arbitrary JSON to SendEmail.
func FuzzSESRequest(f *testing.F) {
	f.Add(`{"FromEmailAddress":"a@b.cn","Destination":{"ToAddresses":["c@d.cn"]},"Content":{"Simple":{"Subject":{"Data":"s"},"Body":{"Text":{"Data":"t"}}}}}`)
	f.Add(`{"Content":{"Raw":{"Data":"eA=="}}}`)
	f.Add(`{"FromEmailAddress":"a@b.cn","Destination":{"ToAddresses":[]},"Content":{"Simple":{}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		e := fuzzEdge()
		rec := post(e, "", "/v2/email/outbound-emails", "application/json", body)
		switch rec.Code {
		case 200:
			var out struct{ MessageId string }
			if json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.MessageId == "" || len(e.SentEmails()) != 1 {
				t.Fatalf("200 without a captured e-mail: %s", rec.Body)
			}
		case 400:
			if rec.Header().Get("X-Amzn-ErrorType") == "" || len(e.SentEmails()) != 0 {
				t.Fatalf("bad 400: %s", rec.Body)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}
