package platform_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/config"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// Local mode as in AWS China: SMS through Tencent Cloud SMS (the edge's),
// mail through SMTP (the edge's capture server), credentials from Secrets
// Manager. A citizen verifies a mobile number and an e-mail address and
// gets each receipt; the SMS's serial number is linked to its ticket.
func TestChinaChannels(t *testing.T) {
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits, SMS: config.SMSTencent, Mail: config.MailSMTP}, logs.String)
	if p.SMTPAddr == "" || p.Env[config.EnvMailChannel] != "smtp" || p.Env[config.EnvSMSChannel] != "tencent" {
		t.Fatalf("env = %v, smtp %q", p.Env, p.SMTPAddr)
	}
	file := func(contact string) string {
		body := `{"type":"complaint","category":"consumer.refund","channel":"web","content":"买的电饭煲坏了，商家不给退货，请处理。","contact":` + contact + `}`
		body = localtest.VerifiedBody(t, p.EdgeURL, inbox.HTTPPoster(p.APIURL), body)
		resp, err := http.Post(p.APIURL+"/v1/tickets", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r localtest.Receipt
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("file: %d %v", resp.StatusCode, err)
		}
		return r.ID
	}

	byPhone := file(`{"phone":"13800138000"}`)
	var tsms []struct {
		SerialNo, PhoneNumber, Kind, Text string
		TemplateParamSet                  []string
	}
	localtest.GetJSON(t, p.EdgeURL+"/_aws/tencent-sms", &struct{ Messages any }{&tsms})
	if len(tsms) != 2 || tsms[0].Kind != "verification" || tsms[1].Kind != "receipt" || tsms[1].PhoneNumber != "+8613800138000" ||
		tsms[1].TemplateParamSet[0] != byPhone || !strings.Contains(tsms[1].Text, byPhone) {
		t.Fatalf("tencent sms = %+v", tsms)
	}
	base, err := dataplane.Load(context.Background(), "api", p.Getenv, wiring.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, kind, ok, err := base.Store.SMSReceiptTicket(context.Background(), tsms[1].SerialNo)
	if err != nil || !ok || id != byPhone || kind != ports.SMSReceipt {
		t.Errorf("receipt link = %q %q %v %v", id, kind, ok, err)
	}

	// The carrier reports the receipt undelivered: the callback, behind its
	// token, notes it on the ticket for staff; a wrong token changes nothing.
	report := `[{"user_receive_time":"2026-11-30 08:03:04","nationcode":"86","mobile":"13800138000","report_status":"FAIL","errmsg":"MK:0001","description":"空号","sid":"` + tsms[1].SerialNo + `"}]`
	for token, want := range map[string]int{"wrong-token-wrong-token": http.StatusNotFound, platform.TencentCallbackToken: http.StatusOK} {
		resp, err := http.Post(p.APIURL+"/v1/sms-receipts/"+token, "application/json", strings.NewReader(report))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("callback with token %q: %d, want %d", token, resp.StatusCode, want)
		}
	}
	evs, err := base.Store.Events(context.Background(), byPhone)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, e := range evs {
		if e.Kind == "receipt.failed" {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d receipt.failed events after the callback", failed)
	}

	byMail := file(`{"email":"citizen@example.cn"}`)
	var mails struct {
		Messages []struct {
			Subject string
			Body    struct {
				TextPart *string `json:"text_part"`
			}
		}
	}
	localtest.GetJSON(t, p.EdgeURL+"/_aws/ses?to=citizen@example.cn", &mails)
	if len(mails.Messages) != 2 || !strings.Contains(mails.Messages[1].Subject, byMail) || mails.Messages[1].Body.TextPart == nil {
		t.Fatalf("mail through SMTP = %+v", mails)
	}
}
