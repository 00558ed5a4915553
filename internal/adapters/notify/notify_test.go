package notify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

func startEdge(t *testing.T) (*edge.Edge, aws.Config) {
	t.Helper()
	e := edge.New(edge.Options{Region: "cn-north-1", Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	url, err := e.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	cfg, err := awsconf.Load(context.Background(), awsconf.Settings{Region: "cn-north-1", EndpointURL: url, RetryMaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return e, cfg
}

func TestSESMailer(t *testing.T) {
	e, cfg := startEdge(t)
	m, err := notify.NewSESMailer(notify.SESClient(cfg), notify.SESConfig{From: "12345 热线 <noreply@12345.example.cn>", ConfigurationSet: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.Send(context.Background(), ports.Email{To: "citizen@example.com", Subject: "工单已受理", Text: "您的工单 T1 已受理。", HTML: "<p>您的工单 T1 已受理。</p>"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent := e.SentEmails()
	if len(sent) != 1 {
		t.Fatalf("captured %d e-mails", len(sent))
	}
	got := sent[0]
	if got.ID != id || got.Source != "12345 热线 <noreply@12345.example.cn>" || got.ConfigurationSetName != "hotline" ||
		len(got.Destination.ToAddresses) != 1 || got.Destination.ToAddresses[0] != "citizen@example.com" ||
		got.Subject != "工单已受理" || aws.ToString(got.Body.TextPart) != "您的工单 T1 已受理。" || aws.ToString(got.Body.HTMLPart) != "<p>您的工单 T1 已受理。</p>" {
		t.Errorf("captured %+v", got)
	}

	textOnly, err := m.Send(context.Background(), ports.Email{To: "a@example.com", Subject: "s", Text: "t"})
	if err != nil || textOnly == "" {
		t.Fatalf("text-only Send: %q %v", textOnly, err)
	}
	if sent := e.SentEmails(); sent[1].Body.HTMLPart != nil {
		t.Error("empty HTML part was sent")
	}

	for name, bad := range map[string]ports.Email{
		"no recipient":       {Subject: "s", Text: "t"},
		"two recipients":     {To: "a@example.com, b@example.com", Subject: "s", Text: "t"},
		"not an address":     {To: "citizen", Subject: "s", Text: "t"},
		"no subject":         {To: "a@example.com", Text: "t"},
		"header injection":   {To: "a@example.com", Subject: "s\r\nBcc: x@example.com", Text: "t"},
		"no body":            {To: "a@example.com", Subject: "s"},
		"invalid utf-8 body": {To: "a@example.com", Subject: "s", Text: "\xff"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := m.Send(context.Background(), bad); !errors.Is(err, notify.ErrInvalidInput) {
				t.Fatalf("err = %v, want ErrInvalidInput", err)
			}
		})
	}
	if n := len(e.SentEmails()); n != 2 {
		t.Errorf("invalid e-mails reached SES: %d captured", n)
	}

	for _, cfg := range []notify.SESConfig{{}, {From: "not an address"}, {From: "a@example.com\r\nBcc: b@example.com"}} {
		if _, err := notify.NewSESMailer(notify.SESClient(aws.Config{}), cfg); err == nil {
			t.Errorf("NewSESMailer(%q) accepted", cfg.From)
		}
	}
}

func TestSNSTexter(t *testing.T) {
	e, cfg := startEdge(t)
	tx, err := notify.NewSNSTexter(notify.SNSClient(cfg), notify.SNSConfig{SenderID: "Hotline"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := tx.Send(context.Background(), "+8613800138000", ports.SMS{Kind: ports.SMSAnswered, Params: []string{"T1"}, Text: "您的工单 T1 已办结，请评价。"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	sms := e.SentSMS()
	if len(sms) != 1 || sms[0].MessageID != id || sms[0].PhoneNumber != "+8613800138000" || sms[0].Message != "您的工单 T1 已办结，请评价。" {
		t.Fatalf("captured %+v", sms)
	}
	if a := sms[0].MessageAttributes; a["AWS.SNS.SMS.SMSType"].StringValue != "Transactional" || a["AWS.SNS.SMS.SenderID"].StringValue != "Hotline" {
		t.Errorf("attributes = %+v", a)
	}

	for name, c := range map[string][2]string{
		"empty phone":   {"", "x"},
		"national form": {"13800138000", "x"},
		"letters":       {"+86138abc8000", "x"},
		"empty text":    {"+8613800138000", "  "},
		"too long":      {"+8613800138000", strings.Repeat("长", 501)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := tx.Send(context.Background(), c[0], ports.SMS{Text: c[1]}); !errors.Is(err, notify.ErrInvalidInput) {
				t.Fatalf("err = %v, want ErrInvalidInput", err)
			}
		})
	}
	if n := len(e.SentSMS()); n != 1 {
		t.Errorf("invalid SMS reached SNS: %d captured", n)
	}
	if _, err := notify.NewSNSTexter(notify.SNSClient(cfg), notify.SNSConfig{SenderID: "12345"}); err == nil {
		t.Error("all-digit sender id accepted")
	}
}

// failingSNS answers like AWS does for a number it refuses: the message
// quotes the number.
type failingSNS struct{}

func (failingSNS) Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "SNS", OperationName: "Publish",
		Err: &smithy.GenericAPIError{Code: "InvalidParameter", Message: "Invalid parameter: PhoneNumber Reason: +8613800138000 is not valid to publish to"}}
}

type failingSES struct{}

func (failingSES) SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "SESv2", OperationName: "SendEmail",
		Err: &smithy.GenericAPIError{Code: "MessageRejected", Message: "Email address is not verified: citizen@example.com"}}
}

func TestErrorsCarryNoPersonalData(t *testing.T) {
	tx, _ := notify.NewSNSTexter(failingSNS{}, notify.SNSConfig{})
	_, err := tx.Send(context.Background(), "+8613800138000", ports.SMS{Text: "hi"})
	var apiErr smithy.APIError
	if err == nil || strings.Contains(err.Error(), "138") || !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameter" {
		t.Fatalf("SMS error = %v", err)
	}
	if !strings.Contains(err.Error(), "InvalidParameter") {
		t.Errorf("error lost the AWS code: %v", err)
	}

	m, _ := notify.NewSESMailer(failingSES{}, notify.SESConfig{From: "noreply@12345.example.cn"})
	_, err = m.Send(context.Background(), ports.Email{To: "citizen@example.com", Subject: "s", Text: "t"})
	var sendErr *notify.SendError
	if err == nil || strings.Contains(err.Error(), "citizen@") || !errors.As(err, &sendErr) || !errors.As(err, &apiErr) {
		t.Fatalf("e-mail error = %v", err)
	}
}
