package edge_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hotline12345/hotline/internal/adapters/secrets"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// tencentCall posts a SendSms body with the SDK's headers (signed = the
// TC3 Authorization header's form).
func tencentCall(t *testing.T, url string, signed bool, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+edge.TencentSMSPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", "SendSms")
	req.Header.Set("X-TC-Version", "2021-01-11")
	req.Header.Set("X-TC-Timestamp", "1764460800")
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	if signed {
		req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential=AKIDx/2026-11-30/sms/tc3_request, SignedHeaders=content-type;host, Signature=abc")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var out struct{ Response map[string]any }
	if err := json.Unmarshal(b, &out); err != nil || out.Response["RequestId"] == "" {
		t.Fatalf("not the documented shape: %s", b)
	}
	return out.Response
}

func errorCode(r map[string]any) string {
	e, _ := r["Error"].(map[string]any)
	code, _ := e["Code"].(string)
	return code
}

func TestTencentSMSChecksTheDocumentedRequest(t *testing.T) {
	h := start(t, edge.Options{TencentTemplates: map[string]edge.TencentTemplate{"100002": {Kind: "receipt", Text: "您的工单{1}已受理，查询码{2}。"}}})
	good := `{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","SignName":"某某市12345","TemplateId":"100002","TemplateParamSet":["261127ABCDEF","8F3KX2QD"],"SessionContext":"ctx"}`
	for body, want := range map[string]string{
		`{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","TemplateId":"100002","TemplateParamSet":["a","b"]}`:                            "FailedOperation.SignatureIncorrectOrUnapproved",
		`{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","SignName":"s","TemplateId":"999","TemplateParamSet":["a","b"]}`:                "FailedOperation.TemplateIncorrectOrUnapproved",
		`{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","SignName":"s","TemplateId":"100002","TemplateParamSet":["a"]}`:                 "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
		`{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","SignName":"s","TemplateId":"100002","TemplateParamSet":["a","http://x.cn"]}`:   "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
		`{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","SignName":"s","TemplateId":"100002","TemplateParamSet":["a","一二三四五六七八九十一二三"]}`: "InvalidParameterValue.TemplateParameterLengthLimit",
		`{"PhoneNumberSet":[],"SmsSdkAppId":"1400006666","SignName":"s","TemplateId":"100002"}`:                                                          "MissingParameter",
		`[1,2]`: "InvalidParameter",
	} {
		if got := errorCode(tencentCall(t, h.url, true, body)); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
	if got := errorCode(tencentCall(t, h.url, false, good)); got != "AuthFailure.SignatureFailure" {
		t.Errorf("unsigned: %q", got)
	}
	if len(h.edge.SentTencentSMS()) != 0 {
		t.Fatal("a refused request was captured")
	}

	r := tencentCall(t, h.url, true, strings.Replace(good, `["+8613800138000"]`, `["+8613800138000","8613900000000"]`, 1))
	set, _ := r["SendStatusSet"].([]any)
	if len(set) != 2 {
		t.Fatalf("SendStatusSet = %v", r)
	}
	ok, _ := set[0].(map[string]any)
	bad, _ := set[1].(map[string]any)
	if ok["Code"] != "Ok" || ok["Message"] != "send success" || ok["IsoCode"] != "CN" || ok["SessionContext"] != "ctx" || ok["Fee"] != 1.0 || ok["SerialNo"] == "" ||
		bad["Code"] != "InvalidParameterValue.IncorrectPhoneNumber" {
		t.Errorf("statuses = %v", set)
	}
	sent := h.edge.SentTencentSMS()
	if len(sent) != 1 || sent[0].Text != "【某某市12345】您的工单261127ABCDEF已受理，查询码8F3KX2QD。" || sent[0].Kind != "receipt" || sent[0].SerialNo != ok["SerialNo"] {
		t.Fatalf("captured %+v", sent)
	}

	var list struct{ Messages []edge.TencentSMS }
	getJSON(t, h.url+"/_aws/tencent-sms?phoneNumber=%2B8613800138000", &list)
	if len(list.Messages) != 1 {
		t.Errorf("retrospection = %+v", list)
	}
	req, _ := http.NewRequest(http.MethodDelete, h.url+"/_aws/tencent-sms", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if len(h.edge.SentTencentSMS()) != 0 {
		t.Error("delete kept messages")
	}
}

// Secrets and captured Tencent SMS outlive a restart, as the rest of the
// edge's state does with a data folder.
func TestKeptSecretsAndTencentSMSAcrossRestart(t *testing.T) {
	k := startKept(t, t.TempDir(), newFakeClock())
	ctx := context.Background()
	sm := secrets.Client(k.cfg)
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("hotline/smtp"), SecretString: aws.String(`{"username":"u","password":"p1"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("hotline/smtp"), SecretString: aws.String(`{"username":"u","password":"p2"}`)}); err != nil {
		t.Fatal(err)
	}
	tencentCall(t, k.url, true, `{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1","SignName":"s","TemplateId":"1","TemplateParamSet":["a"]}`)
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("hotline/smtp"), SecretString: aws.String(`{}`)}); err == nil || !strings.Contains(err.Error(), "ResourceExistsException") {
		t.Errorf("second create: %v", err)
	}

	k = k.restart()
	var login secrets.SMTPCredentials
	if err := secrets.ReadJSON(ctx, secrets.Client(k.cfg), "hotline/smtp", &login); err != nil || login.Password != "p2" {
		t.Errorf("after restart: %+v %v", login, err)
	}
	if sent := k.edge.SentTencentSMS(); len(sent) != 1 || sent[0].TemplateParamSet[0] != "a" {
		t.Errorf("tencent sms after restart = %+v", sent)
	}
}

// The SMTP capture reads whatever a client sends without panicking, and
// what it accepts has a body.
func FuzzParseMail(f *testing.F) {
	f.Add([]byte("From: a@b.cn\r\nSubject: =?UTF-8?q?=E3=80=9012345=E3=80=91?=\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E6=82=A8=E5=A5=BD\r\n"))
	f.Add([]byte("Subject: s\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n5oKo5aW9\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--x--\r\n"))
	f.Add([]byte("Subject: s\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n--a--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := edge.ParseMail(raw)
		if err == nil && m.Body.TextPart == nil && m.Body.HTMLPart == nil {
			t.Fatalf("accepted a message without a body: %q", raw)
		}
	})
}
