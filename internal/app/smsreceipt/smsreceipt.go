// Package smsreceipt takes Tencent Cloud SMS delivery receipts (回执): the
// provider POSTs a JSON array of reports to a callback URL, unsigned, so the
// URL carries a secret token. A report of a message that did not arrive flags
// its ticket as a failed send does (staff call the citizen); the link from
// the provider's serial number to the ticket was kept when the message was
// sent (notify.SMSReceiptKeeper). Reports name a phone number: it is never
// kept or logged.
package smsreceipt

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Path is the callback route's prefix; the token follows:
// POST /v1/sms-receipts/<token>. The API's catch-all /v1 route brings it to
// the api function.
const Path = "/v1/sms-receipts/"

// Report is one delivery report, without the phone number.
type Report struct {
	// SerialNo is the sid: SendSms's SerialNo.
	SerialNo string
	// Delivered is report_status SUCCESS; false for FAIL.
	Delivered bool
	// ErrMsg is the carrier's status code (DELIVRD, or e.g. MK:0001).
	ErrMsg string
	// ReceivedAt is user_receive_time as sent ("2015-10-17 08:03:04").
	ReceivedAt string
}

// Limits on a callback: Tencent batches reports, but not without bound.
const (
	MaxBodyBytes = 1 << 20
	MaxReports   = 1000
	maxField     = 256
)

// ParseError says a callback body is not a list of delivery reports.
type ParseError struct{ Reason string }

func (e *ParseError) Error() string { return "sms delivery receipt: " + e.Reason }

type wireReport struct {
	UserReceiveTime *string `json:"user_receive_time"`
	NationCode      *string `json:"nationcode"`
	Mobile          *string `json:"mobile"`
	ReportStatus    *string `json:"report_status"`
	ErrMsg          *string `json:"errmsg"`
	Description     *string `json:"description"`
	Sid             *string `json:"sid"`
}

// Parse reads a callback body: a JSON array of reports with the documented
// fields (https://cloud.tencent.com/document/api/382/5807). Unknown fields
// are allowed (the provider may add some); a missing sid or status, an
// unknown status or an oversized field refuses the whole body, so a partly
// understood batch is never half recorded.
func Parse(body []byte) ([]Report, error) {
	if len(body) > MaxBodyBytes {
		return nil, &ParseError{Reason: "body too large"}
	}
	if !utf8.Valid(body) {
		return nil, &ParseError{Reason: "body is not UTF-8"}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, &ParseError{Reason: "body is not a JSON array"}
	}
	var wire []wireReport
	if err := json.Unmarshal(trimmed, &wire); err != nil {
		return nil, &ParseError{Reason: "body is not a JSON array of reports"}
	}
	if len(wire) > MaxReports {
		return nil, &ParseError{Reason: fmt.Sprintf("more than %d reports", MaxReports)}
	}
	out := make([]Report, 0, len(wire))
	for i, w := range wire {
		for name, v := range map[string]*string{"sid": w.Sid, "report_status": w.ReportStatus, "errmsg": w.ErrMsg, "user_receive_time": w.UserReceiveTime, "description": w.Description, "mobile": w.Mobile, "nationcode": w.NationCode} {
			if v != nil && len(*v) > maxField {
				return nil, &ParseError{Reason: fmt.Sprintf("report %d: %s too long", i+1, name)}
			}
		}
		r := Report{}
		switch {
		case w.Sid == nil || strings.TrimSpace(*w.Sid) == "":
			return nil, &ParseError{Reason: fmt.Sprintf("report %d has no sid", i+1)}
		case w.ReportStatus == nil:
			return nil, &ParseError{Reason: fmt.Sprintf("report %d has no report_status", i+1)}
		}
		r.SerialNo = strings.TrimSpace(*w.Sid)
		switch *w.ReportStatus {
		case "SUCCESS":
			r.Delivered = true
		case "FAIL":
		default:
			return nil, &ParseError{Reason: fmt.Sprintf("report %d: report_status is not SUCCESS or FAIL", i+1)}
		}
		if w.ErrMsg != nil {
			r.ErrMsg = *w.ErrMsg
		}
		if w.UserReceiveTime != nil {
			r.ReceivedAt = *w.UserReceiveTime
		}
		out = append(out, r)
	}
	return out, nil
}

// Links names the ticket a serial number's message was about.
type Links interface {
	SMSReceiptTicket(ctx context.Context, serialNo string) (ticketID string, kind ports.SMSKind, ok bool, err error)
}

// Handler serves the callback.
type Handler struct {
	Links Links
	Store lifecycle.Store
	// Token is the secret the callback URL ends with; empty refuses every
	// call.
	Token string
	Now   func() time.Time
	Log   *slog.Logger
}

// ok is the documented answer; Tencent retries a callback that is not
// answered so.
const ok = `{"result":0,"errmsg":"OK"}`

func answer(status int, body string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: body}
}

// Handle takes one callback. Tokens are compared in constant time; the
// path (with the token) is never logged here.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	token, _ := strings.CutPrefix(req.RawPath, Path)
	if h.Token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(h.Token)) != 1 {
		return answer(404, `{"result":1,"errmsg":"not found"}`)
	}
	if req.RequestContext.HTTP.Method != "POST" {
		return answer(405, `{"result":1,"errmsg":"POST only"}`)
	}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if body, err = decodeBase64(req.Body); err != nil {
			return answer(400, `{"result":1,"errmsg":"bad body"}`)
		}
	}
	reports, err := Parse(body)
	if err != nil {
		h.Log.WarnContext(ctx, "sms delivery receipt refused", "error", err.Error())
		return answer(400, `{"result":1,"errmsg":"bad body"}`)
	}
	var delivered, failed, unknown int
	for _, r := range reports {
		if r.Delivered {
			delivered++
			continue
		}
		failed++
		known, err := h.flag(ctx, r)
		if err != nil {
			// Not answered OK: Tencent sends the batch again, and flagging
			// is idempotent.
			h.Log.ErrorContext(ctx, "sms delivery failure not recorded", "error", err.Error())
			return answer(500, `{"result":1,"errmsg":"try again"}`)
		}
		if !known {
			unknown++
		}
	}
	// The counts are the metric: a log filter on this message counts
	// undelivered SMS, with or without a ticket to flag.
	h.Log.InfoContext(ctx, "sms delivery receipts", "delivered", delivered, "failed", failed, "failed_unlinked", unknown)
	return answer(200, ok)
}

// flag records on the message's ticket that it did not arrive; known is
// false when no ticket is linked (a verification code, or a link expired).
func (h *Handler) flag(ctx context.Context, r Report) (known bool, err error) {
	id, kind, ok, err := h.Links.SMSReceiptTicket(ctx, r.SerialNo)
	if err != nil || !ok {
		return false, err
	}
	mark := "sms-undelivered:" + r.SerialNo
	now := ticket.Stamp(h.Now())
	_, err = lifecycle.UpdateAttempts(ctx, h.Store, id, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if slices.Contains(t.Notified, mark) {
			return nil, lifecycle.ErrUnchanged // a repeated callback
		}
		t.Notified = append(t.Notified, mark)
		return Undelivered(t, kind, r.ErrMsg, now), nil
	})
	var nf *ports.NotFoundError
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("flag ticket %s: %w", id, err)
	}
	h.Log.InfoContext(ctx, "sms not delivered", "ticket_id", id, "kind", string(kind), "status", safeCode(r.ErrMsg))
	return true, nil
}

// Undelivered is what an SMS that did not arrive changes on its ticket,
// the same as a send that failed: a receipt is noted for staff to tell the
// access code by phone (as intake notes it); a notice the citizen did not
// also get by e-mail puts the ticket on the operator's call queue
// (NoticeUndelivered, as feedback records it).
func Undelivered(t *ticket.Ticket, kind ports.SMSKind, status string, now time.Time) []ticket.Event {
	why := "（" + safeCode(status) + "）"
	whyEN := " (" + safeCode(status) + ")"
	if kind == ports.SMSReceipt {
		return []ticket.Event{t.Note("receipt.failed", ticket.Actor{Role: ticket.ActorSystem}, now,
			ticket.Say("受理回执短信未送达"+why+"，请电话告知查询码", "the receipt SMS was not delivered"+whyEN+": tell the citizen the access code by phone"), false)}
	}
	if t.Contact != nil && t.Contact.Email != "" && t.Reaches(ticket.NoticeEmail) {
		return []ticket.Event{t.Note("sms.undelivered", ticket.Actor{Role: ticket.ActorSystem}, now,
			ticket.Say("通知短信未送达"+why+"，邮件已发出", "the notice SMS was not delivered"+whyEN+"; the e-mail went out"), false)}
	}
	return t.NoticeUndelivered(string(kind), []string{"sms"}, now)
}

// safeCode keeps a carrier status code printable and short (it is the
// provider's, not the citizen's).
func safeCode(s string) string {
	if s == "" {
		return "no status"
	}
	var b strings.Builder
	for _, c := range s {
		if b.Len() >= 32 {
			break
		}
		if c >= 0x20 && c < 0x7f {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(s)
}
