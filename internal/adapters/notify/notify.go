// Package notify sends citizen notifications: e-mail through SES v2 or SMTP
// (smtp.go: the China regions have no SES) and SMS through SNS or Tencent
// Cloud SMS (tencent.go: SNS sends no SMS in China). Recipients and content
// are personal data, so they never appear in logs or error messages produced
// here.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// ErrInvalidInput marks a notification rejected before any AWS call; retrying
// it cannot succeed.
var ErrInvalidInput = errors.New("invalid notification")

// SendError is a failed AWS call. Its text names the operation and the AWS
// error code but not AWS's message, which can quote the recipient (e.g.
// "Invalid parameter: PhoneNumber Reason: +86... is not valid"); callers log
// errors, so personal data must not be in them. Unwrap gives the SDK error
// for errors.As (throttling, typed service errors).
type SendError struct {
	Op  string
	Err error
}

func (e *SendError) Error() string {
	var apiErr smithy.APIError
	if errors.As(e.Err, &apiErr) {
		return e.Op + ": AWS error " + apiErr.ErrorCode()
	}
	var opErr *smithy.OperationError
	if errors.As(e.Err, &opErr) {
		return e.Op + ": " + opErr.Service() + " " + opErr.Operation() + " failed: " + redactedCause(opErr.Unwrap())
	}
	return e.Op + ": " + redactedCause(e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// redactedCause keeps transport failures readable (timeouts, refused
// connections) without echoing request content.
func redactedCause(err error) string {
	switch {
	case err == nil:
		return "unknown error"
	case errors.Is(err, context.Canceled):
		return "context canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	}
	return fmt.Sprintf("%T", err)
}

// SESAPI is the part of *sesv2.Client the mailer uses.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SESConfig is the mailer's configuration.
type SESConfig struct {
	// From is the verified sender, e.g. "12345 热线 <noreply@12345.example.cn>".
	From string
	// ConfigurationSet is optional (delivery events, suppression).
	ConfigurationSet string
}

// SESMailer sends e-mail with SES v2.
type SESMailer struct {
	client SESAPI
	from   string
	set    string
}

// Limits well inside SES's (10 MB message) that still catch runaway content.
const (
	maxSubjectRunes = 200
	maxBodyBytes    = 256 << 10
)

// NewSESMailer builds a mailer; From must be a valid address.
func NewSESMailer(client SESAPI, cfg SESConfig) (*SESMailer, error) {
	if client == nil {
		return nil, errors.New("notify: SES client is required")
	}
	if cfg.From == "" {
		return nil, errors.New("notify: sender address (From) is required")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil || strings.ContainsAny(cfg.From, "\r\n") {
		return nil, fmt.Errorf("notify: sender address %q is not a valid address", cfg.From)
	}
	return &SESMailer{client: client, from: cfg.From, set: cfg.ConfigurationSet}, nil
}

func validateEmail(e ports.Email) error {
	switch {
	case strings.TrimSpace(e.To) == "":
		return fmt.Errorf("%w: recipient is empty", ErrInvalidInput)
	case strings.ContainsAny(e.To, "\r\n,;"):
		return fmt.Errorf("%w: recipient must be a single address", ErrInvalidInput)
	case strings.TrimSpace(e.Subject) == "":
		return fmt.Errorf("%w: subject is empty", ErrInvalidInput)
	case strings.ContainsAny(e.Subject, "\r\n"):
		// A line break in a header is how header injection starts.
		return fmt.Errorf("%w: subject contains a line break", ErrInvalidInput)
	case utf8.RuneCountInString(e.Subject) > maxSubjectRunes:
		return fmt.Errorf("%w: subject longer than %d characters", ErrInvalidInput, maxSubjectRunes)
	case strings.TrimSpace(e.Text) == "" && strings.TrimSpace(e.HTML) == "":
		return fmt.Errorf("%w: both text and HTML bodies are empty", ErrInvalidInput)
	case len(e.Text) > maxBodyBytes || len(e.HTML) > maxBodyBytes:
		return fmt.Errorf("%w: body larger than %d bytes", ErrInvalidInput, maxBodyBytes)
	case !utf8.ValidString(e.Subject) || !utf8.ValidString(e.Text) || !utf8.ValidString(e.HTML):
		return fmt.Errorf("%w: content is not valid UTF-8", ErrInvalidInput)
	}
	addr, err := mail.ParseAddress(e.To)
	if err != nil || addr.Address == "" {
		return fmt.Errorf("%w: recipient is not a valid address", ErrInvalidInput)
	}
	return nil
}

func utf8Content(s string) *sestypes.Content {
	return &sestypes.Content{Data: aws.String(s), Charset: aws.String("UTF-8")}
}

// Send sends e and returns the SES message id.
func (m *SESMailer) Send(ctx context.Context, e ports.Email) (string, error) {
	if err := validateEmail(e); err != nil {
		return "", err
	}
	body := &sestypes.Body{}
	if e.Text != "" {
		body.Text = utf8Content(e.Text)
	}
	if e.HTML != "" {
		body.Html = utf8Content(e.HTML)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.from),
		Destination:      &sestypes.Destination{ToAddresses: []string{e.To}},
		Content:          &sestypes.EmailContent{Simple: &sestypes.Message{Subject: utf8Content(e.Subject), Body: body}},
	}
	if m.set != "" {
		in.ConfigurationSetName = aws.String(m.set)
	}
	out, err := m.client.SendEmail(ctx, in)
	if err != nil {
		return "", &SendError{Op: "ses send email", Err: err}
	}
	return aws.ToString(out.MessageId), nil
}

// SNSAPI is the part of *sns.Client the texter uses.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNSConfig is the texter's configuration.
type SNSConfig struct {
	// SenderID is optional (1-11 letters/digits, at least one letter);
	// mainland China ignores it, other countries may show it.
	SenderID string
}

// SNSTexter sends transactional SMS with SNS.
type SNSTexter struct {
	client   SNSAPI
	senderID string
}

// maxSMSRunes caps one notification; longer texts would be split into many
// billed segments, which a status notice never needs.
const maxSMSRunes = 500

// NewSNSTexter builds a texter.
func NewSNSTexter(client SNSAPI, cfg SNSConfig) (*SNSTexter, error) {
	if client == nil {
		return nil, errors.New("notify: SNS client is required")
	}
	if cfg.SenderID != "" && !validSenderID(cfg.SenderID) {
		return nil, fmt.Errorf("notify: sender id %q must be 1-11 letters or digits with at least one letter", cfg.SenderID)
	}
	return &SNSTexter{client: client, senderID: cfg.SenderID}, nil
}

func validSenderID(v string) bool {
	if len(v) > 11 {
		return false
	}
	letter := false
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}

// ValidE164 reports whether p is an E.164 number: "+", a non-zero country
// code digit, 8 to 15 digits in all.
func ValidE164(p string) bool {
	if len(p) < 9 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Send texts phoneE164 and returns the SNS message id. SNS sends free text:
// m.Text; the kind and parameters are for template providers.
func (t *SNSTexter) Send(ctx context.Context, phoneE164 string, m ports.SMS) (string, error) {
	text := m.Text
	switch {
	case phoneE164 == "":
		return "", fmt.Errorf("%w: phone number is empty", ErrInvalidInput)
	case !ValidE164(phoneE164):
		return "", fmt.Errorf("%w: phone number is not in E.164 form (+8613800138000)", ErrInvalidInput)
	case strings.TrimSpace(text) == "":
		return "", fmt.Errorf("%w: text is empty", ErrInvalidInput)
	case !utf8.ValidString(text):
		return "", fmt.Errorf("%w: text is not valid UTF-8", ErrInvalidInput)
	case utf8.RuneCountInString(text) > maxSMSRunes:
		return "", fmt.Errorf("%w: text longer than %d characters", ErrInvalidInput, maxSMSRunes)
	}
	attrs := map[string]snstypes.MessageAttributeValue{
		// Transactional: delivery priority for time-critical notices.
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	if t.senderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(t.senderID)}
	}
	out, err := t.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(phoneE164),
		Message:           aws.String(text),
		MessageAttributes: attrs,
	})
	if err != nil {
		return "", &SendError{Op: "sns publish sms", Err: err}
	}
	return aws.ToString(out.MessageId), nil
}

// SESClient builds an SES v2 client.
func SESClient(cfg aws.Config, optFns ...func(*sesv2.Options)) *sesv2.Client {
	if cfg.RetryMaxAttempts == 0 {
		cfg.RetryMaxAttempts = sendAttempts
	}
	return sesv2.NewFromConfig(cfg, optFns...)
}

// sendAttempts is how often a message is tried before the citizen is handed
// to an operator's phone call: more than the SDK's 3, because a throttled
// send is never a second message, and a burst of throttling should not cost
// an operator a call (the soak test at 10% faults lost an answer to three
// throttled attempts in about one run of twenty).
const sendAttempts = 6

// SNSClient builds an SNS client.
func SNSClient(cfg aws.Config, optFns ...func(*sns.Options)) *sns.Client {
	if cfg.RetryMaxAttempts == 0 {
		cfg.RetryMaxAttempts = sendAttempts
	}
	return sns.NewFromConfig(cfg, optFns...)
}
