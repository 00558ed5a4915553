package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// Tencent Cloud SMS (短信) SendSms, API version 2021-01-11:
// https://cloud.tencent.com/document/api/382/55981 . The SDK's product
// package (tencentcloud/sms) is not served by the module proxy this project
// builds with, so the texter calls the action through the SDK's common
// client, which signs (TC3-HMAC-SHA256) and sends the same JSON request.
const (
	tencentSMSService = "sms"
	tencentSMSVersion = "2021-01-11"
	tencentSMSAction  = "SendSms"
	// TencentDefaultRegion is the region the SDK's own examples use; SMS
	// answers from every region it lists.
	TencentDefaultRegion = "ap-guangzhou"
)

// TencentConfig is the Tencent Cloud SMS texter's configuration.
type TencentConfig struct {
	// SecretID and SecretKey are the API key (read from Secrets Manager
	// at cold start, never from the environment).
	SecretID, SecretKey string
	// AppID is the SmsSdkAppId of the SMS application, e.g. "1400006666".
	AppID string
	// SignName is the approved signature (签名), e.g. "某某市12345".
	SignName string
	// Region defaults to TencentDefaultRegion.
	Region string
	// Templates maps every kind to its approved template id.
	Templates map[ports.SMSKind]string
	// Endpoint overrides the API host: "sms.tencentcloudapi.com" style, or
	// a URL with scheme and path (local mode: the edge,
	// "http://127.0.0.1:4566/_tencent/sms").
	Endpoint string
	// Transport carries the requests; nil uses the SDK's HTTP client.
	Transport http.RoundTripper
	// Receipts, when set, keeps which ticket each sent message is about,
	// so a failed delivery receipt can flag the ticket.
	Receipts SMSReceiptKeeper
	// RetryDelay is the wait before retry i (from 0) of a throttled call;
	// nil: the SDK's exponential backoff. Tests inject no wait.
	RetryDelay func(i int) time.Duration
	// Log receives what cannot be returned (a receipt link not kept);
	// never a number or a text. Default slog.Default().
	Log *slog.Logger
}

// SMSReceiptKeeper keeps, for a while, which ticket a sent SMS is about.
type SMSReceiptKeeper interface {
	KeepSMSReceipt(ctx context.Context, serialNo, ticketID string, kind ports.SMSKind) error
}

// TencentTexter sends templated SMS with Tencent Cloud SMS.
type TencentTexter struct {
	client    *common.Client
	appID     string
	signName  string
	templates map[ports.SMSKind]string
	receipts  SMSReceiptKeeper
	log       *slog.Logger
}

// tencentThrottleRetries is how often a call refused with
// RequestLimitExceeded is tried again: such a call sent nothing, so trying
// again never sends a second message.
const tencentThrottleRetries = 3

// NewTencentTexter builds a texter; every kind needs a template.
func NewTencentTexter(cfg TencentConfig) (*TencentTexter, error) {
	switch {
	case cfg.SecretID == "" || cfg.SecretKey == "":
		return nil, errors.New("notify: Tencent Cloud SMS needs a SecretId and a SecretKey")
	case cfg.AppID == "":
		return nil, errors.New("notify: Tencent Cloud SMS needs the SmsSdkAppId")
	case cfg.SignName == "":
		// Optional in the API table, required for domestic SMS.
		return nil, errors.New("notify: Tencent Cloud SMS needs the approved signature (SignName)")
	}
	for _, k := range ports.SMSKinds {
		if cfg.Templates[k] == "" {
			return nil, fmt.Errorf("notify: Tencent Cloud SMS has no template for %s", k)
		}
	}
	region := cfg.Region
	if region == "" {
		region = TencentDefaultRegion
	}
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.ReqMethod = "POST"
	cpf.HttpProfile.ReqTimeout = 10
	if cfg.Endpoint != "" {
		scheme, endpoint, err := splitEndpoint(cfg.Endpoint)
		if err != nil {
			return nil, err
		}
		cpf.HttpProfile.Scheme, cpf.HttpProfile.Endpoint = scheme, endpoint
	}
	cpf.RateLimitExceededMaxRetries = tencentThrottleRetries
	if cfg.RetryDelay != nil {
		cpf.RateLimitExceededRetryDuration = cfg.RetryDelay
	} else {
		cpf.RateLimitExceededRetryDuration = profile.ExponentialBackoff
	}
	client := common.NewCommonClient(common.NewCredential(cfg.SecretID, cfg.SecretKey), region, cpf)
	if cfg.Transport != nil {
		client.WithHttpTransport(cfg.Transport)
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	templates := make(map[ports.SMSKind]string, len(cfg.Templates))
	for k, v := range cfg.Templates {
		templates[k] = v
	}
	return &TencentTexter{client: client, appID: cfg.AppID, signName: cfg.SignName, templates: templates, receipts: cfg.Receipts, log: log}, nil
}

// splitEndpoint turns an endpoint override into the SDK's scheme and
// host[/path].
func splitEndpoint(endpoint string) (scheme, hostPath string, err error) {
	if !strings.Contains(endpoint, "://") {
		return "HTTPS", strings.TrimSuffix(endpoint, "/"), nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" {
		return "", "", fmt.Errorf("notify: Tencent Cloud SMS endpoint %q is not an http(s) URL without a query", endpoint)
	}
	return strings.ToUpper(u.Scheme), u.Host + strings.TrimSuffix(u.Path, "/"), nil
}

// TencentError is a message Tencent Cloud SMS did not send: the API refused
// the call, or refused the number (SendStatusSet[].Code). Its text names the
// provider's code and request id, never the provider's message, which can
// quote the number or the parameters.
type TencentError struct {
	// Code is Tencent's, e.g. "LimitExceeded.PhoneNumberDailyLimit",
	// "FailedOperation.TemplateIncorrectOrUnapproved"; "ClientError.*" for
	// the SDK's own (network, parsing).
	Code      string
	RequestID string
	// Err is the transport failure under a ClientError, if any.
	Err error
}

func (e *TencentError) Error() string {
	s := "tencent sms send: " + e.Code
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	if e.Err != nil {
		s += ": " + redactedCause(e.Err)
	}
	return s
}

func (e *TencentError) Unwrap() error { return e.Err }

// Retryable says whether the same message may be sent again later with a
// chance of success and no risk of a second message: Tencent's internal
// errors (timeouts, a failed hand-off to the carrier) and throttling of the
// API. Limits per number (LimitExceeded.PhoneNumber*), a wrong template or
// signature, a blacklisted number or an empty balance are permanent for
// this message.
func (e *TencentError) Retryable() bool {
	return TencentCodeRetryable(e.Code)
}

// TencentCodeRetryable classifies a Tencent Cloud SMS error code (see
// TencentError.Retryable).
func TencentCodeRetryable(code string) bool {
	switch {
	case code == "InternalError.RequestTimeException":
		// The caller's clock is more than 10 minutes off: retrying with the
		// same clock fails the same way.
		return false
	case code == "InternalError", strings.HasPrefix(code, "InternalError."),
		code == "RequestLimitExceeded", strings.HasPrefix(code, "RequestLimitExceeded."),
		code == "ClientError.NetworkError", code == "ClientError.HttpStatusCodeError":
		return true
	}
	return false
}

// tencentSendStatus is one element of SendStatusSet.
type tencentSendStatus struct {
	SerialNo       string `json:"SerialNo"`
	PhoneNumber    string `json:"PhoneNumber"`
	Fee            int    `json:"Fee"`
	SessionContext string `json:"SessionContext"`
	Code           string `json:"Code"`
	Message        string `json:"Message"`
	IsoCode        string `json:"IsoCode"`
}

type tencentSendSmsResponse struct {
	Response struct {
		SendStatusSet []tencentSendStatus `json:"SendStatusSet"`
		RequestID     string              `json:"RequestId"`
	} `json:"Response"`
}

// Send texts phoneE164 the template of m.Kind filled with m.Params and
// returns Tencent's SerialNo.
func (t *TencentTexter) Send(ctx context.Context, phoneE164 string, m ports.SMS) (string, error) {
	if err := validateTemplated(phoneE164, m); err != nil {
		return "", err
	}
	tmpl := t.templates[m.Kind]
	if tmpl == "" {
		return "", fmt.Errorf("%w: no template for SMS kind %q", ErrInvalidInput, m.Kind)
	}
	req := tchttp.NewCommonRequest(tencentSMSService, tencentSMSVersion, tencentSMSAction)
	req.SetContext(ctx)
	params := m.Params
	if params == nil {
		params = []string{}
	}
	if err := req.SetActionParameters(map[string]any{
		"PhoneNumberSet":   []string{phoneE164},
		"SmsSdkAppId":      t.appID,
		"SignName":         t.signName,
		"TemplateId":       tmpl,
		"TemplateParamSet": params,
	}); err != nil {
		return "", &TencentError{Code: "ClientError.InvalidParameter"}
	}
	resp := tchttp.NewCommonResponse()
	if err := t.client.Send(req, resp); err != nil {
		return "", tencentCallError(err)
	}
	var out tencentSendSmsResponse
	if err := json.Unmarshal(resp.GetBody(), &out); err != nil {
		return "", &TencentError{Code: "ClientError.ParseJsonError"}
	}
	if len(out.Response.SendStatusSet) != 1 {
		return "", &TencentError{Code: "ClientError.UnexpectedResponse", RequestID: out.Response.RequestID}
	}
	st := out.Response.SendStatusSet[0]
	if st.Code != "Ok" {
		return "", &TencentError{Code: st.Code, RequestID: out.Response.RequestID}
	}
	if t.receipts != nil && m.TicketID != "" && st.SerialNo != "" {
		// The message is sent: a link not kept costs only the flag a failed
		// delivery would set, not the send.
		if err := t.receipts.KeepSMSReceipt(ctx, st.SerialNo, m.TicketID, m.Kind); err != nil {
			t.log.WarnContext(ctx, "sms delivery receipt link not kept", "ticket_id", m.TicketID, "error", err.Error())
		}
	}
	return st.SerialNo, nil
}

// tencentCallError keeps the code and request id of an SDK error and drops
// its message (a ParseJsonError message quotes the body).
func tencentCallError(err error) error {
	var sdkErr *tcerr.TencentCloudSDKError
	if errors.As(err, &sdkErr) {
		return &TencentError{Code: sdkErr.Code, RequestID: sdkErr.RequestId, Err: sdkErr.Unwrap()}
	}
	return &TencentError{Code: "ClientError.NetworkError", Err: err}
}

// validateTemplated checks what every template provider needs.
func validateTemplated(phoneE164 string, m ports.SMS) error {
	switch {
	case phoneE164 == "":
		return fmt.Errorf("%w: phone number is empty", ErrInvalidInput)
	case !ValidE164(phoneE164):
		return fmt.Errorf("%w: phone number is not in E.164 form (+8613800138000)", ErrInvalidInput)
	}
	want, ok := ports.SMSParamCount[m.Kind]
	if !ok {
		return fmt.Errorf("%w: unknown SMS kind %q", ErrInvalidInput, m.Kind)
	}
	if len(m.Params) != want {
		return fmt.Errorf("%w: SMS kind %s takes %d parameters, not %d", ErrInvalidInput, m.Kind, want, len(m.Params))
	}
	for i, p := range m.Params {
		switch {
		case strings.TrimSpace(p) == "":
			return fmt.Errorf("%w: SMS parameter %d is empty", ErrInvalidInput, i+1)
		case !utf8.ValidString(p):
			return fmt.Errorf("%w: SMS parameter %d is not valid UTF-8", ErrInvalidInput, i+1)
		case utf8.RuneCountInString(p) > ports.MaxSMSParamRunes:
			return fmt.Errorf("%w: SMS parameter %d is longer than %d characters", ErrInvalidInput, i+1, ports.MaxSMSParamRunes)
		case strings.Contains(strings.ToLower(p), "://") || strings.Contains(strings.ToLower(p), "www."):
			// Tencent: InvalidParameterValue.ProhibitedUseUrlInTemplateParameter.
			return fmt.Errorf("%w: SMS parameter %d looks like a URL", ErrInvalidInput, i+1)
		}
	}
	return nil
}
