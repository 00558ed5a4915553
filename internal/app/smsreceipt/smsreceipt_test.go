package smsreceipt

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// The documented sample (https://cloud.tencent.com/document/api/382/5807),
// with a second, failed report.
const documented = `[
  {"user_receive_time": "2015-10-17 08:03:04", "nationcode": "86", "mobile": "13800138000",
   "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "5000:104571066915705365784949"},
  {"user_receive_time": "2015-10-17 08:03:05", "nationcode": "86", "mobile": "13800138001",
   "report_status": "FAIL", "errmsg": "MK:0001", "description": "空号", "sid": "5000:2"}
]`

func TestParseTheDocumentedBody(t *testing.T) {
	got, err := Parse([]byte(documented))
	if err != nil {
		t.Fatal(err)
	}
	want := []Report{
		{SerialNo: "5000:104571066915705365784949", Delivered: true, ErrMsg: "DELIVRD", ReceivedAt: "2015-10-17 08:03:04"},
		{SerialNo: "5000:2", ErrMsg: "MK:0001", ReceivedAt: "2015-10-17 08:03:05"},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Parse = %+v", got)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, bad := range []string{
		``, `{}`, `null`, `[{"report_status":"SUCCESS"}]`, `[{"sid":"1"}]`, `[{"sid":"1","report_status":"DELIVERED"}]`,
		`[{"sid":" ","report_status":"FAIL"}]`, `[{"sid":1,"report_status":"FAIL"}]`, "[\xff]",
		`[{"sid":"` + strings.Repeat("x", 300) + `","report_status":"FAIL"}]`,
		"[" + strings.Repeat(`{"sid":"1","report_status":"FAIL"},`, MaxReports) + `{"sid":"1","report_status":"FAIL"}]`,
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%.40q) accepted", bad)
		}
	}
	if got, err := Parse([]byte(`[]`)); err != nil || len(got) != 0 {
		t.Errorf("empty batch: %v %v", got, err)
	}
}

// Whatever the body, Parse neither panics nor accepts a report without a
// serial number, and never keeps the phone number.
func FuzzParse(f *testing.F) {
	f.Add([]byte(documented))
	f.Add([]byte(`[{"sid":"1","report_status":"FAIL","mobile":"13800138000"}]`))
	f.Add([]byte(`[{"sid":"1","report_status":"SUCCESS","extra":{"a":[1,2]}}]`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		reports, err := Parse(body)
		if err != nil {
			return
		}
		if len(reports) > MaxReports {
			t.Fatalf("%d reports", len(reports))
		}
		for _, r := range reports {
			if strings.TrimSpace(r.SerialNo) == "" {
				t.Fatalf("report without a serial number from %q", body)
			}
			b, _ := json.Marshal(r)
			if bytes.Contains(b, []byte("mobile")) {
				t.Fatalf("phone kept: %s", b)
			}
		}
	})
}

type links map[string]string // serial → ticket id/kind

func (l links) SMSReceiptTicket(_ context.Context, serial string) (string, ports.SMSKind, bool, error) {
	v, ok := l[serial]
	if !ok {
		return "", "", false, nil
	}
	id, kind, _ := strings.Cut(v, "/")
	return id, ports.SMSKind(kind), true, nil
}

type tickets struct {
	mu     sync.Mutex
	byID   map[string]*ticket.Ticket
	events []ticket.Event
}

func (s *tickets) GetTicket(_ context.Context, id string) (*ticket.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.byID[id]
	if !ok {
		return nil, &ports.NotFoundError{Kind: "ticket", ID: id}
	}
	c := *t
	c.Notified = append([]string(nil), t.Notified...)
	return &c, nil
}

func (s *tickets) SaveTicket(_ context.Context, t *ticket.Ticket, _ ticket.Status, evs ...ticket.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[t.ID] = t
	s.events = append(s.events, evs...)
	return nil
}

func callback(token, body string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{RouteKey: "ANY /v1/{proxy+}", RawPath: Path + token, Body: body}
	req.RequestContext.HTTP.Method = "POST"
	return req
}

func TestHandlerFlagsTheTicket(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	phoneOnly := &ticket.Ticket{ID: "261130AAAAAA", Status: ticket.StatusReplied, Contact: &ticket.Contact{Phone: "13800138001"}, Reachable: []string{ticket.NoticeSMS}}
	withMail := &ticket.Ticket{ID: "261130BBBBBB", Status: ticket.StatusReplied, Contact: &ticket.Contact{Phone: "13800138002", Email: "a@b.cn"}, Reachable: []string{ticket.NoticeSMS, ticket.NoticeEmail}}
	receipt := &ticket.Ticket{ID: "261130CCCCCC", Status: ticket.StatusInReview, Contact: &ticket.Contact{Phone: "13800138003"}, Reachable: []string{ticket.NoticeSMS}}
	store := &tickets{byID: map[string]*ticket.Ticket{phoneOnly.ID: phoneOnly, withMail.ID: withMail, receipt.ID: receipt}}
	var logs bytes.Buffer
	h := &Handler{Links: links{"s1": phoneOnly.ID + "/replied", "s2": withMail.ID + "/replied", "s3": receipt.ID + "/receipt"}, Store: store,
		Token: "t0ken-secret", Now: func() time.Time { return now }, Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	body := `[{"sid":"s1","report_status":"FAIL","errmsg":"MK:0001","mobile":"13800138001"},
	          {"sid":"s2","report_status":"FAIL","errmsg":"MK:0005","mobile":"13800138002"},
	          {"sid":"s3","report_status":"FAIL","errmsg":"UNDELIV","mobile":"13800138003"},
	          {"sid":"s4","report_status":"FAIL","errmsg":"MK:0001","mobile":"13800138004"},
	          {"sid":"s5","report_status":"SUCCESS","errmsg":"DELIVRD","mobile":"13800138005"}]`
	for range 2 { // a repeated callback changes nothing more
		resp := h.Handle(context.Background(), callback("t0ken-secret", body))
		if resp.StatusCode != 200 || resp.Body != `{"result":0,"errmsg":"OK"}` {
			t.Fatalf("answer = %d %s", resp.StatusCode, resp.Body)
		}
	}
	if got := store.byID[phoneOnly.ID].PhoneCallNeeded; got != "replied" {
		t.Errorf("phone-only citizen: PhoneCallNeeded = %q", got)
	}
	if got := store.byID[withMail.ID].PhoneCallNeeded; got != "" {
		t.Errorf("citizen told by e-mail too: PhoneCallNeeded = %q", got)
	}
	kinds := map[string]int{}
	for _, e := range store.events {
		kinds[e.Kind]++
	}
	if kinds["notice.undelivered"] != 1 || kinds["sms.undelivered"] != 1 || kinds["receipt.failed"] != 1 || len(store.events) != 3 {
		t.Errorf("events = %v", kinds)
	}
	for _, secret := range []string{"13800138", "t0ken-secret"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs name %q: %s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"failed":4`) || !strings.Contains(logs.String(), `"failed_unlinked":1`) {
		t.Errorf("no count in the logs: %s", logs.String())
	}
}

func TestHandlerRefuses(t *testing.T) {
	h := &Handler{Links: links{}, Store: &tickets{byID: map[string]*ticket.Ticket{}}, Token: "t0ken-secret", Now: time.Now, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	for _, c := range []struct {
		req    events.APIGatewayV2HTTPRequest
		status int
	}{
		{callback("wrong", documented), 404},
		{callback("", documented), 404},
		{callback("t0ken-secret", `{"sid":"1"}`), 400},
	} {
		if got := h.Handle(context.Background(), c.req).StatusCode; got != c.status {
			t.Errorf("%s %q: %d, want %d", c.req.RawPath, c.req.Body, got, c.status)
		}
	}
	get := callback("t0ken-secret", "")
	get.RequestContext.HTTP.Method = "GET"
	if got := h.Handle(context.Background(), get).StatusCode; got != 405 {
		t.Errorf("GET: %d", got)
	}
	h.Token = ""
	if got := h.Handle(context.Background(), callback("", documented)).StatusCode; got != 404 {
		t.Errorf("no token configured: %d", got)
	}
}
