package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Every typed error reaches the client as the API.md code, also when wrapped.
func TestClassifyMapsTypedErrorsToAPICodes(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{&ticket.ValidationError{Fields: map[string]string{"content": "required"}}, 400, "validation_failed"},
		{&ticket.ParseError{Msg: "malformed JSON at byte 3"}, 400, "validation_failed"},
		{&ticket.TooLargeError{Limit: 10}, 413, "payload_too_large"},
		{&ticket.TransitionError{From: ticket.StatusClosed, To: ticket.StatusReplied}, 409, "conflict"},
		{&ports.NotFoundError{Kind: "ticket", ID: "x"}, 404, "not_found"},
		{&ports.ConflictError{Kind: "ticket", ID: "x"}, 409, "conflict"},
		{&ports.IdempotencyConflictError{TicketID: "x"}, 409, "conflict"},
		{&ports.CursorError{Reason: "junk"}, 400, "validation_failed"},
		{&ports.StepGoneError{Reason: "timed out"}, 410, "gone"},
		{Forbidden("no"), 403, "forbidden"},
		{errors.New("dynamodb: connection reset"), 500, "internal"},
	}
	for _, c := range cases {
		wrapped := fmt.Errorf("handler: %w", c.err)
		got := Classify(wrapped)
		if got.Status != c.status || got.Code != c.code {
			t.Errorf("%T: %d %s, want %d %s", c.err, got.Status, got.Code, c.status, c.code)
		}
	}
}

// Internal errors are logged, never shown: the client sees a generic 500.
func TestFailHidesInternalErrors(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	resp := Fail(context.Background(), log, request("r-1", ""), errors.New("store: secret table name hotline-prod"))
	if resp.StatusCode != 500 || strings.Contains(resp.Body, "hotline-prod") {
		t.Fatalf("answer leaks the error: %d %s", resp.StatusCode, resp.Body)
	}
	if p := problem(t, resp); p.Code != "internal" || p.Status != 500 {
		t.Fatalf("problem = %+v", p)
	}
	if !strings.Contains(logs.String(), "hotline-prod") {
		t.Fatal("the internal error was not logged")
	}
}

// Every error is RFC 9457 problem details: the media type, a type URI per
// code, the status repeated, the API.md code, the fields at fault and the
// request id a caller quotes to support.
func TestFailAnswersProblemDetails(t *testing.T) {
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	resp := Fail(context.Background(), quiet, request("req-42", ""), &ticket.ValidationError{Fields: map[string]string{"content": "required"}})
	if ct := resp.Headers["Content-Type"]; ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	p := problem(t, resp)
	want := Problem{Type: "https://errors.hotline12345.example/validation_failed", Title: "请求内容有误", Status: 400,
		Detail: "请求内容有误：content：必填", Code: "validation_failed", Fields: map[string]string{"content": "必填"}, RequestID: "req-42"}
	if fmt.Sprint(p) != fmt.Sprint(want) {
		t.Fatalf("problem = %+v, want %+v", p, want)
	}
	resp = Fail(context.Background(), quiet, request("req-43", "en"), &ticket.ValidationError{Fields: map[string]string{"content": "10 to 5000 characters"}})
	p = problem(t, resp)
	if p.Title != "Validation failed" || p.Detail != "validation failed: content: 10 to 5000 characters" || p.Fields["content"] != "10 to 5000 characters" || resp.Headers["Content-Language"] != "en" {
		t.Fatalf("English problem = %+v %v", p, resp.Headers)
	}

	resp = Fail(context.Background(), quiet, request("r", "en-GB,en;q=0.9"), MethodNotAllowed([]string{"GET", "PUT"}))
	if resp.StatusCode != 405 || resp.Headers["Allow"] != "GET, PUT" || problem(t, resp).Title != "Method not allowed" {
		t.Fatalf("405: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	resp = Fail(context.Background(), quiet, request("r", ""), &ports.RateLimitedError{RetryAfter: 1500 * time.Millisecond})
	if resp.StatusCode != 429 || resp.Headers["Retry-After"] != "2" {
		t.Fatalf("429: %d %v", resp.StatusCode, resp.Headers)
	}
}

// Accept-Language picks English or Chinese; anything else is Chinese, the
// hotline's language.
func TestLanguageFollowsAcceptLanguage(t *testing.T) {
	for accept, want := range map[string]ticket.Language{
		"":                         ticket.LanguageZH,
		"en":                       ticket.LanguageEN,
		"en-US,en;q=0.9":           ticket.LanguageEN,
		"zh-CN,zh;q=0.9,en;q=0.8":  ticket.LanguageZH,
		"fr-FR":                    ticket.LanguageZH,
		"fr;q=0.9, en;q=0.5":       ticket.LanguageEN,
		"zh-Hant-TW":               ticket.LanguageZH,
		";;;garbage":               ticket.LanguageZH,
		"de;q=1, zh;q=0.1, en;q=0": ticket.LanguageZH,
	} {
		if got := Language(request("r", accept)); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", accept, got, want)
		}
	}
}

// If-None-Match lists and wildcards as RFC 9110 reads them.
func TestETagListed(t *testing.T) {
	for _, c := range []struct {
		list, etag string
		want       bool
	}{
		{`"3"`, `"3"`, true},
		{`W/"3"`, `"3"`, true},
		{`"1", "3"`, `"3"`, true},
		{`*`, `"3"`, true},
		{`"4"`, `"3"`, false},
		{``, `"3"`, false},
		{`3`, `"3"`, false},
	} {
		if got := ETagListed(c.list, c.etag); got != c.want {
			t.Errorf("ETagListed(%q, %q) = %v", c.list, c.etag, got)
		}
	}
}

func request(id, acceptLanguage string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{Headers: map[string]string{}}
	req.RequestContext.RequestID = id
	if acceptLanguage != "" {
		req.Headers["accept-language"] = acceptLanguage
	}
	return req
}

func problem(t *testing.T, resp events.APIGatewayV2HTTPResponse) Problem {
	t.Helper()
	var p Problem
	dec := json.NewDecoder(strings.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("not problem details: %s (%v)", resp.Body, err)
	}
	return p
}

// Messages made in English come out in Chinese where a template covers them,
// values and all; what no template covers stays English, never garbled.
func TestChinese(t *testing.T) {
	for en, zh := range map[string]string{
		"required":               "必填",
		"10 to 5000 characters":  "需 10 至 5000 个字符",
		"at most 200 characters": "最多 200 个字符",
		"must not contain control or format characters (U+202E)":                "不能包含控制字符或格式字符（U+202E）",
		`invalid request body: unknown field "colour"`:                          `请求内容格式错误：未知字段 "colour"`,
		"too many requests: tickets filed from this client; retry after 1h0m0s": "请求过于频繁（本客户端提交的工单），请在 1h0m0s 后重试",
		"the catalog changed since version 3 (now 5); reload and retry":         "目录配置 自版本 3 后已被修改（现为 5），请刷新后重试",
		"a sentence no template knows":                                          "a sentence no template knows",
		"required for a rejection; the citizen is told":                         "required for a rejection; the citizen is told",
	} {
		if got := Chinese(en); got != zh {
			t.Errorf("Chinese(%q) = %q, want %q", en, got, zh)
		}
	}
}

// Whatever a citizen can get wrong on the page has Chinese words: every
// field message of a bad ticket, supplement or rating.
func TestCitizensMistakesAreInChinese(t *testing.T) {
	var messages []string
	collect := func(err error) {
		var v *ticket.ValidationError
		var p *ticket.ParseError
		switch {
		case errors.As(err, &v):
			for _, m := range v.Fields {
				messages = append(messages, m)
			}
		case errors.As(err, &p):
			messages = append(messages, p.Error())
		case err != nil:
			t.Fatalf("unexpected %T: %v", err, err)
		}
	}
	for _, body := range []string{
		`{}`,
		`{"type":"gripe","channel":"fax","language":"fr","category":"Bad Code","content":"短"}`,
		`{"type":"complaint","channel":"phone","content":"` + strings.Repeat("长", 5001) + `"}`,
		`{"type":"complaint","channel":"web","content":"路灯坏了\u202e很久了，请尽快维修。","contact":{"phone":"12","email":"x"},"location":{"region":"999999","lat":91,"lng":181}}`,
		`{"type":"complaint","channel":"web","content":"路灯坏了很久了，请尽快维修。","location":{"lat":39.9}}`,
		`{"type":"complaint","channel":"web","content":"路灯坏了很久了，请尽快维修。","mediaUrl":"ftp://x"}`,
		`{"type":"complaint","colour":"red"}`,
		`{"type":"complaint",`,
		`[]`,
	} {
		s, err := ticket.ParseSubmission([]byte(body))
		if err == nil {
			err = s.Validate(false)
		}
		collect(err)
	}
	_, err := ticket.CheckSupplement("", 0)
	collect(err)
	_, err = ticket.CheckRating(ticket.RatingInput{}, false)
	collect(err)
	if len(messages) < 15 {
		t.Fatalf("only %d messages: %q", len(messages), messages)
	}
	for _, m := range messages {
		if zh := Chinese(m); zh == m || !strings.ContainsFunc(zh, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("no Chinese for %q", m)
		}
	}
}

// An admin's catalog mistakes read in Chinese too, values and all.
func TestCatalogProblemsInChinese(t *testing.T) {
	for en, zh := range map[string]string{
		`unknown department ""`:                               `没有承办单位 ""`,
		"invalid service level: acceptHours must be 1 to 720": "办理时限有误：签收时限须为 1–720 小时",
		"lead department market is also a co-handler":         "主办单位 market 同时被列为协办单位",
		"the changed catalog is invalid":                      "修改后的目录配置有误",
	} {
		if got := Chinese(en); got != zh {
			t.Errorf("Chinese(%q) = %q, want %q", en, got, zh)
		}
	}
}
