package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/app/notice"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

const testPhone = "+8613800138000"

// testTemplates numbers the kinds' templates 449734… in ports.SMSKinds order.
func testTemplates() (map[ports.SMSKind]string, map[string]edge.TencentTemplate) {
	ids := map[ports.SMSKind]string{}
	approved := map[string]edge.TencentTemplate{}
	for i, k := range ports.SMSKinds {
		id := "4497" + string(rune('3'+i/10)) + string(rune('0'+i%10))
		ids[k] = id
		approved[id] = edge.TencentTemplate{Kind: string(k), Text: notice.SMSTemplates[k]}
	}
	return ids, approved
}

type keptReceipts struct {
	mu    sync.Mutex
	links map[string]string
	err   error
}

func (k *keptReceipts) KeepSMSReceipt(_ context.Context, serial, ticketID string, kind ports.SMSKind) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return k.err
	}
	if k.links == nil {
		k.links = map[string]string{}
	}
	k.links[serial] = ticketID + "/" + string(kind)
	return nil
}

func tencentConfig(endpoint string) notify.TencentConfig {
	ids, _ := testTemplates()
	return notify.TencentConfig{SecretID: "AKIDtest", SecretKey: "testkey", AppID: "1400006666", SignName: "某某市12345",
		Templates: ids, Endpoint: endpoint, RetryDelay: func(int) time.Duration { return 0 },
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
}

// Against the edge's SendSms: the signed request passes its checks, the
// message is captured as the template filled in, the serial number comes
// back and is linked to the ticket for its delivery receipt.
func TestTencentTexterAgainstTheEdge(t *testing.T) {
	_, approved := testTemplates()
	e := edge.New(edge.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), TencentTemplates: approved})
	url, err := e.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	cfg := tencentConfig(url + edge.TencentSMSPath)
	receipts := &keptReceipts{}
	cfg.Receipts = receipts
	tx, err := notify.NewTencentTexter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	msg := notice.Receipt(&ticket.Ticket{ID: "261127ABCDEF"}, "8F3KX2QD").SMS
	serial, err := tx.Send(context.Background(), testPhone, msg)
	if err != nil {
		t.Fatal(err)
	}
	sent := e.SentTencentSMS()
	if len(sent) != 1 {
		t.Fatalf("captured %d", len(sent))
	}
	got := sent[0]
	if got.SerialNo != serial || got.PhoneNumber != testPhone || got.SignName != "某某市12345" || got.SmsSdkAppID != "1400006666" ||
		got.Kind != "receipt" || !reflect.DeepEqual(got.TemplateParamSet, []string{"261127ABCDEF", "8F3KX2QD"}) ||
		got.Text != "【某某市12345】您的工单261127ABCDEF已受理，查询码8F3KX2QD。凭工单号和查询码可查询进度、补充材料、评价答复，请妥善保管查询码。" {
		t.Errorf("captured %+v (serial %q)", got, serial)
	}
	if receipts.links[serial] != "261127ABCDEF/receipt" {
		t.Errorf("receipt links = %v", receipts.links)
	}

	// A verification code names no ticket: nothing to link.
	if _, err := tx.Send(context.Background(), testPhone, notice.VerificationCode("482913", 10, "zh").SMS); err != nil {
		t.Fatal(err)
	}
	if len(receipts.links) != 1 {
		t.Errorf("a verification code was linked: %v", receipts.links)
	}
	// A link that cannot be kept does not unsend the message.
	receipts.err = errors.New("table unavailable")
	if _, err := tx.Send(context.Background(), testPhone, msg); err != nil {
		t.Errorf("send with a failing link: %v", err)
	}
}

// golden serves a documented response and checks the request against the
// documented request (testdata/tencent, built from
// https://cloud.tencent.com/document/api/382/55981).
func golden(t *testing.T, responses ...string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	want := map[string]any{}
	if err := json.Unmarshal(readFile(t, "testdata/tencent/sendsms-request.json"), &want); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		body, _ := io.ReadAll(r.Body)
		got := map[string]any{}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("request body: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("request = %s, want testdata/tencent/sendsms-request.json", body)
		}
		for h, v := range map[string]string{"X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11", "X-TC-Region": "ap-guangzhou", "Content-Type": "application/json"} {
			if got := r.Header.Get(h); !strings.HasPrefix(got, v) {
				t.Errorf("%s = %q, want %q", h, got, v)
			}
		}
		if a := r.Header.Get("Authorization"); !strings.HasPrefix(a, "TC3-HMAC-SHA256 Credential=AKIDtest/") || !strings.Contains(a, "/sms/tc3_request") {
			t.Errorf("Authorization = %q", a)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(readFile(t, "testdata/tencent/"+responses[min(n, len(responses)-1)]))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goldenTexter(t *testing.T, srv *httptest.Server) *notify.TencentTexter {
	t.Helper()
	cfg := tencentConfig(srv.URL)
	cfg.Templates[ports.SMSReceipt] = "449739"
	tx, err := notify.NewTencentTexter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

var goldenSMS = ports.SMS{Kind: ports.SMSReceipt, Params: []string{"261127ABCDEF", "8F3KX2QD"}, Text: "【12345】您的工单 261127ABCDEF 已受理，查询码 8F3KX2QD。"}

func TestTencentTexterDocumentedFormats(t *testing.T) {
	srv, _ := golden(t, "sendsms-response.json")
	serial, err := goldenTexter(t, srv).Send(context.Background(), testPhone, goldenSMS)
	if err != nil || serial != "5000:1045710669157053657849499619" {
		t.Fatalf("Send = %q, %v", serial, err)
	}
}

// Refusals carry the provider's code, say whether to retry, and never
// quote the number, the parameters or the text (the provider's message
// can).
func TestTencentTexterErrors(t *testing.T) {
	cases := []struct {
		responses []string
		code      string
		retryable bool
		calls     int32
	}{
		{[]string{"sendsms-number-refused.json"}, "LimitExceeded.PhoneNumberDailyLimit", false, 1},
		{[]string{"error-template.json"}, "FailedOperation.TemplateIncorrectOrUnapproved", false, 1},
		// Throttled calls sent nothing: the SDK tries again (no wait here).
		{[]string{"error-throttled.json", "sendsms-response.json"}, "", false, 2},
		{[]string{"error-throttled.json"}, "RequestLimitExceeded", true, 4},
	}
	for _, tc := range cases {
		srv, calls := golden(t, tc.responses...)
		_, err := goldenTexter(t, srv).Send(context.Background(), testPhone, goldenSMS)
		if n := calls.Load(); n != tc.calls {
			t.Errorf("%v: %d calls, want %d", tc.responses, n, tc.calls)
		}
		if tc.code == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.responses, err)
			}
			continue
		}
		var te *notify.TencentError
		if !errors.As(err, &te) || te.Code != tc.code || te.Retryable() != tc.retryable {
			t.Errorf("%v: err = %#v, want code %s retryable %v", tc.responses, err, tc.code, tc.retryable)
			continue
		}
		assertNoPersonalData(t, err)
	}

	// A server that is gone: a network error, worth retrying, no URL echo.
	srv, _ := golden(t, "sendsms-response.json")
	tx := goldenTexter(t, srv)
	srv.Close()
	_, err := tx.Send(context.Background(), testPhone, goldenSMS)
	var te *notify.TencentError
	if !errors.As(err, &te) || !te.Retryable() {
		t.Errorf("unreachable: %#v", err)
	}
	assertNoPersonalData(t, err)
}

func assertNoPersonalData(t *testing.T, err error) {
	t.Helper()
	for _, secret := range []string{testPhone, "13800138000", "261127ABCDEF", "8F3KX2QD", "已受理"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q quotes %q", err, secret)
		}
	}
}

func TestTencentCodeRetryable(t *testing.T) {
	for code, want := range map[string]bool{
		"InternalError.Timeout": true, "InternalError.SendAndRecvFail": true, "InternalError": true,
		"RequestLimitExceeded": true, "ClientError.NetworkError": true,
		"InternalError.RequestTimeException":                        false, // clock skew
		"LimitExceeded.PhoneNumberDailyLimit":                       false,
		"LimitExceeded.PhoneNumberThirtySecondLimit":                false,
		"FailedOperation.TemplateIncorrectOrUnapproved":             false,
		"FailedOperation.SignatureIncorrectOrUnapproved":            false,
		"FailedOperation.PhoneNumberInBlacklist":                    false,
		"FailedOperation.InsufficientBalanceInSmsPackage":           false,
		"InvalidParameterValue.TemplateParameterLengthLimit":        false,
		"InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": false,
		"UnauthorizedOperation.SmsSdkAppIdVerifyFail":               false,
		"AuthFailure.SignatureFailure":                              false,
	} {
		if got := notify.TencentCodeRetryable(code); got != want {
			t.Errorf("%s: retryable %v, want %v", code, got, want)
		}
	}
}

func TestTencentTexterRefusesBeforeSending(t *testing.T) {
	srv, calls := golden(t, "sendsms-response.json")
	tx := goldenTexter(t, srv)
	for _, c := range []struct {
		phone string
		sms   ports.SMS
	}{
		{"13800138000", goldenSMS},
		{testPhone, ports.SMS{Kind: "promotion", Params: []string{"x"}}},
		{testPhone, ports.SMS{Kind: ports.SMSReceipt, Params: []string{"261127ABCDEF"}}},
		{testPhone, ports.SMS{Kind: ports.SMSReceipt, Params: []string{"261127ABCDEF", "一二三四五六七八九十一二三"}}},
		{testPhone, ports.SMS{Kind: ports.SMSReceipt, Params: []string{"261127ABCDEF", "http://x.cn"}}},
		{testPhone, ports.SMS{Kind: ports.SMSReceipt, Params: []string{"261127ABCDEF", " "}}},
	} {
		_, err := tx.Send(context.Background(), c.phone, c.sms)
		if !errors.Is(err, notify.ErrInvalidInput) {
			t.Errorf("%q %+v: err = %v", c.phone, c.sms, err)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d calls for invalid messages", calls.Load())
	}
	ids, _ := testTemplates()
	delete(ids, ports.SMSMerged)
	if _, err := notify.NewTencentTexter(notify.TencentConfig{SecretID: "a", SecretKey: "b", AppID: "1", SignName: "s", Templates: ids}); err == nil || !strings.Contains(err.Error(), "merged") {
		t.Errorf("a missing template: %v", err)
	}
}
