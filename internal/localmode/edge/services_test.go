package edge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/adapters/workflow"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

func TestDynamoDBThroughEdge(t *testing.T) {
	h := start(t, edge.Options{})
	c := store.DynamoDBClient(h.cfg)
	ctx := context.Background()
	table := aws.String("hotline")
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            table,
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: ddbtypes.ScalarAttributeTypeS}, {AttributeName: aws.String("SK"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: ddbtypes.KeyTypeHash}, {AttributeName: aws.String("SK"), KeyType: ddbtypes.KeyTypeRange}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table})
	if err != nil || desc.Table.TableStatus != ddbtypes.TableStatusActive {
		t.Fatalf("DescribeTable status = %v, %v", desc, err)
	}
	item := map[string]ddbtypes.AttributeValue{
		"PK": &ddbtypes.AttributeValueMemberS{Value: "TICKET#1"}, "SK": &ddbtypes.AttributeValueMemberS{Value: "META"},
		"status": &ddbtypes.AttributeValueMemberS{Value: "received"}, "version": &ddbtypes.AttributeValueMemberN{Value: "1"},
	}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	key := map[string]ddbtypes.AttributeValue{"PK": item["PK"], "SK": item["SK"]}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if s, ok := got.Item["status"].(*ddbtypes.AttributeValueMemberS); !ok || s.Value != "received" {
		t.Fatalf("GetItem item = %v", got.Item)
	}

	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		{Put: &ddbtypes.Put{TableName: table, Item: map[string]ddbtypes.AttributeValue{
			"PK": &ddbtypes.AttributeValueMemberS{Value: "TICKET#2"}, "SK": &ddbtypes.AttributeValueMemberS{Value: "META"}}}},
		{Update: &ddbtypes.Update{TableName: table, Key: key,
			UpdateExpression:          aws.String("SET #s = :new"),
			ConditionExpression:       aws.String("#v = :v"),
			ExpressionAttributeNames:  map[string]string{"#s": "status", "#v": "version"},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":new": &ddbtypes.AttributeValueMemberS{Value: "in_review"}, ":v": &ddbtypes.AttributeValueMemberN{Value: "7"}}}},
	}})
	var canceled *ddbtypes.TransactionCanceledException
	if !errors.As(err, &canceled) {
		t.Fatalf("TransactWriteItems err = %T %v, want TransactionCanceledException", err, err)
	}
	if len(canceled.CancellationReasons) != 2 || aws.ToString(canceled.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
		t.Errorf("reasons = %+v", canceled.CancellationReasons)
	}
	if other, _ := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]ddbtypes.AttributeValue{
		"PK": &ddbtypes.AttributeValueMemberS{Value: "TICKET#2"}, "SK": &ddbtypes.AttributeValueMemberS{Value: "META"}}}); other == nil || len(other.Item) != 0 {
		t.Errorf("cancelled transaction wrote an item: %+v", other)
	}

	// Gaps of minidyn filled by the edge.
	tables, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 1 || tables.TableNames[0] != "hotline" {
		t.Fatalf("ListTables = %v, %v", tables, err)
	}
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: table,
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatalf("UpdateTimeToLive: %v", err)
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: table})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "ttl" {
		t.Fatalf("DescribeTimeToLive = %+v, %v", ttl, err)
	}
	_, err = c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("nope")})
	var notFound *ddbtypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("DescribeTimeToLive(missing) err = %T %v", err, err)
	}
	_, err = c.ListBackups(ctx, &dynamodb.ListBackupsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnknownOperationException" || !strings.Contains(apiErr.ErrorMessage(), "ListBackups") {
		t.Fatalf("unsupported operation err = %v", err)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func deleteURL(t *testing.T, url string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE %s: %s", url, resp.Status)
	}
}

func TestSESSendAndRetrospection(t *testing.T) {
	h := start(t, edge.Options{Region: "cn-north-1"})
	c := notify.SESClient(h.cfg)
	ctx := context.Background()
	out, err := c.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress:     aws.String("noreply@12345.example.cn"),
		ConfigurationSetName: aws.String("hotline"),
		Destination:          &sestypes.Destination{ToAddresses: []string{"citizen@example.com"}, BccAddresses: []string{"audit@example.com"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("您的工单已受理")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("编号 T1")}},
		}},
	})
	if err != nil {
		t.Fatalf("SendEmail: %v", err)
	}
	id := aws.ToString(out.MessageId)

	var got struct {
		Messages []map[string]any `json:"messages"`
	}
	getJSON(t, h.url+"/_aws/ses", &got)
	if len(got.Messages) != 1 {
		t.Fatalf("messages = %v", got.Messages)
	}
	m := got.Messages[0]
	body, _ := m["Body"].(map[string]any)
	dest, _ := m["Destination"].(map[string]any)
	if m["Id"] != id || m["Region"] != "cn-north-1" || m["Source"] != "noreply@12345.example.cn" || m["Subject"] != "您的工单已受理" ||
		body["text_part"] != "编号 T1" || body["html_part"] != nil || m["Timestamp"] != "2026-03-02T09:00:00" {
		t.Errorf("captured e-mail = %v", m)
	}
	if to, _ := dest["ToAddresses"].([]any); len(to) != 1 || to[0] != "citizen@example.com" {
		t.Errorf("Destination = %v", dest)
	}
	getJSON(t, h.url+"/_aws/ses?id=other", &got)
	if len(got.Messages) != 0 {
		t.Errorf("id filter ignored")
	}
	getJSON(t, h.url+"/_aws/ses?email=noreply@12345.example.cn", &got)
	if len(got.Messages) != 1 {
		t.Errorf("email filter dropped the message")
	}
	if sent := h.edge.SentEmails(); len(sent) != 1 || sent[0].ConfigurationSetName != "hotline" {
		t.Errorf("SentEmails = %+v", sent)
	}
	deleteURL(t, h.url+"/_aws/ses")
	getJSON(t, h.url+"/_aws/ses", &got)
	if len(got.Messages) != 0 {
		t.Errorf("DELETE did not clear")
	}

	_, err = c.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("noreply@12345.example.cn"),
		Destination:      &sestypes.Destination{},
		Content:          &sestypes.EmailContent{Simple: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}},
	})
	var bad *sestypes.BadRequestException
	if !errors.As(err, &bad) {
		t.Fatalf("SendEmail without recipients err = %T %v", err, err)
	}
}

func TestSNSSMSAndTopics(t *testing.T) {
	h := start(t, edge.Options{})
	c := notify.SNSClient(h.cfg)
	ctx := context.Background()
	out, err := c.Publish(ctx, &sns.PublishInput{
		PhoneNumber: aws.String("+8613800138000"),
		Message:     aws.String("您的工单 T1 已办结"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"AWS.SNS.SMS.SMSType":  {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
			"AWS.SNS.SMS.SenderID": {DataType: aws.String("String"), StringValue: aws.String("Hotline")},
		},
	})
	if err != nil {
		t.Fatalf("Publish SMS: %v", err)
	}
	var got struct {
		SMS    map[string][]map[string]any `json:"sms_messages"`
		Region string                      `json:"region"`
	}
	getJSON(t, h.url+"/_aws/sns/sms-messages", &got)
	msgs := got.SMS["+8613800138000"]
	if got.Region != "us-east-1" || len(msgs) != 1 || msgs[0]["MessageId"] != aws.ToString(out.MessageId) ||
		msgs[0]["Message"] != "您的工单 T1 已办结" || msgs[0]["PhoneNumber"] != "+8613800138000" {
		t.Fatalf("sms-messages = %+v", got)
	}
	attrs, _ := msgs[0]["MessageAttributes"].(map[string]any)
	if typ, _ := attrs["AWS.SNS.SMS.SMSType"].(map[string]any); typ["StringValue"] != "Transactional" {
		t.Errorf("MessageAttributes = %v", attrs)
	}
	got.SMS = nil
	getJSON(t, h.url+"/_aws/sns/sms-messages?phoneNumber=%2B8613900000000", &got)
	if len(got.SMS["+8613900000000"]) != 0 || len(got.SMS) != 1 {
		t.Errorf("phone filter = %v", got.SMS)
	}
	deleteURL(t, h.url+"/_aws/sns/sms-messages")
	if n := len(h.edge.SentSMS()); n != 0 {
		t.Errorf("DELETE left %d SMS", n)
	}

	_, err = c.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("13800138000"), Message: aws.String("x")})
	var invalid *snstypes.InvalidParameterException
	if !errors.As(err, &invalid) {
		t.Fatalf("Publish(non-E.164) err = %T %v", err, err)
	}

	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil || aws.ToString(topic.TopicArn) != "arn:aws:sns:us-east-1:000000000000:alerts" {
		t.Fatalf("CreateTopic = %v, %v", topic, err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("m")}); err != nil {
		t.Fatalf("Publish topic: %v", err)
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:none"), Message: aws.String("m")})
	var notFound *snstypes.NotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("Publish(missing topic) err = %T %v", err, err)
	}
}

type stubSFN struct{}

func (stubSFN) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if !bytes.Contains(b, []byte(`"maxResults":3`)) {
		http.Error(w, "body not passed through", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_, _ = io.WriteString(w, `{"stateMachines":[]}`)
}

func TestStepFunctionsMount(t *testing.T) {
	ctx := context.Background()
	without := start(t, edge.Options{})
	_, err := workflow.SFNClient(without.cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NotImplemented" {
		t.Fatalf("without handler err = %v", err)
	}
	with := start(t, edge.Options{StepFunctions: stubSFN{}})
	if _, err := workflow.SFNClient(with.cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 3}); err != nil {
		t.Fatalf("with handler: %v", err)
	}
}

func TestUnknownAndOversizedRequests(t *testing.T) {
	var logs bytes.Buffer
	e := edge.New(edge.Options{MaxBodyBytes: 64, Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Clock: newFakeClock()})
	for _, tc := range []struct {
		name, target, path, body string
		status                   int
		code                     string
	}{
		{"unknown target", "AmazonKinesis.PutRecord", "/", "{}", 400, "UnsupportedOperation"},
		{"unknown sqs op", "AmazonSQS.TagQueue", "/", "{}", 400, "com.amazonaws.sqs#UnsupportedOperation"},
		{"unknown path", "", "/2015-03-31/functions", "{}", 400, "UnsupportedOperation"},
		{"too large", "AmazonSQS.SendMessage", "/", strings.Repeat("x", 65), 413, "RequestEntityTooLarge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(tc.body))
			if tc.target != "" {
				req.Header.Set("X-Amz-Target", tc.target)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != tc.status || body.Type != tc.code || body.Message == "" {
				t.Fatalf("got %d %s", rec.Code, rec.Body)
			}
		})
	}

	// Access log: one line per request at debug level, never bodies or
	// query strings; nothing at info.
	send := func() *http.Request {
		return httptest.NewRequest(http.MethodPost, "/v2/email/outbound-emails", strings.NewReader(
			`{"FromEmailAddress":"a@b.cn","Destination":{"ToAddresses":["secret@x.cn"]},"Content":{"Simple":{"Subject":{"Data":"S"},"Body":{"Text":{"Data":"PRIVATE"}}}}}`))
	}
	var infoLogs bytes.Buffer
	edge.New(edge.Options{Logger: slog.New(slog.NewJSONHandler(&infoLogs, nil)), Clock: newFakeClock()}).ServeHTTP(httptest.NewRecorder(), send())
	if infoLogs.Len() != 0 {
		t.Errorf("a request logged at info: %s", infoLogs.String())
	}
	e2 := edge.New(edge.Options{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Clock: newFakeClock()})
	e2.ServeHTTP(httptest.NewRecorder(), send())
	e2.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/_aws/ses?email=secret@x.cn", nil))
	if strings.Contains(logs.String(), "secret@x.cn") || strings.Contains(logs.String(), "PRIVATE") {
		t.Fatalf("personal data in the log: %s", logs.String())
	}
	if !strings.Contains(logs.String(), `"operation":"SendEmail"`) {
		t.Fatalf("request not logged: %s", logs.String())
	}
}
