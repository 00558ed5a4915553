package contract

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// answer is what the fake API answers.
type answer struct {
	status      int
	contentType string
	headers     map[string]string
	body        string
}

const problem = "application/problem+json"

// The checker against the API's own document: answers that fit pass, and an
// undocumented field, a wrong type, an undocumented status, a time in another
// offset, an old-style error, an invalid request that was not refused and an
// undocumented route that was answered are each caught.
func TestCheckerCatchesWhatDoesNotFit(t *testing.T) {
	zh := map[string]string{"Content-Language": "zh"}
	notFound := answer{404, problem, zh, `{"type":"https://errors.hotline12345.example/not_found","title":"Not found","status":404,"detail":"not found","code":"not_found","requestId":"r1"}`}
	cases := []struct {
		name                string
		method, path, body  string
		headers             map[string]string
		answer              answer
		wantViolation       bool
		wantViolationPhrase string
	}{
		{"a documented answer", "GET", "/v1/categories", "", nil,
			answer{200, "application/json; charset=utf-8", nil, `{"categories":[{"code":"consumer","name":"消费维权","children":[{"code":"consumer.refund","name":"退换货","types":["complaint"],"serviceLevel":{"acceptHours":24,"replyWorkingDays":13}}]}]}`}, false, ""},
		{"an undocumented field", "GET", "/v1/categories", "", nil,
			answer{200, "application/json", nil, `{"categories":[],"total":0}`}, true, "total"},
		{"an undocumented field deep down", "GET", "/v1/categories", "", nil,
			answer{200, "application/json", nil, `{"categories":[{"code":"consumer","name":"消费维权","icon":"cart"}]}`}, true, "icon"},
		{"a wrong type", "GET", "/v1/categories", "", nil,
			answer{200, "application/json", nil, `{"categories":"consumer"}`}, true, "categories"},
		{"an undocumented status", "GET", "/v1/categories", "", nil,
			answer{418, "application/json", nil, `{}`}, true, "418"},
		{"an undocumented media type", "GET", "/v1/categories", "", nil,
			answer{200, "text/html", nil, `<p>categories</p>`}, true, "text/html"},
		{"a time in UTC", "POST", "/v1/verifications", `{"email":"zhang.san@example.com"}`, nil,
			answer{202, "application/json", nil, `{"verificationId":"v1","expiresAt":"2026-11-30T01:45:00Z"}`}, true, "expiresAt"},
		{"a time in China Standard Time", "POST", "/v1/verifications", `{"email":"zhang.san@example.com"}`, nil,
			answer{202, "application/json", nil, `{"verificationId":"v1","expiresAt":"2026-11-30T09:45:00+08:00"}`}, false, ""},
		{"an error that is not a problem", "POST", "/v1/verifications", `{"email":"x"}`, nil,
			answer{400, "application/json", nil, `{"error":{"code":"validation_failed","message":"bad"}}`}, true, "application/json"},
		{"a problem with the wrong code for its status", "GET", "/v1/tickets/261130K7Q2XD", "", map[string]string{"X-Access-Code": "7KQ2XD9M"},
			answer{404, problem, nil, `{"type":"https://errors.hotline12345.example/conflict","title":"Conflict","status":404,"detail":"x","code":"conflict","requestId":"r1"}`}, true, "code"},
		{"a problem that fits", "GET", "/v1/tickets/261130K7Q2XD", "", map[string]string{"X-Access-Code": "7KQ2XD9M"},
			notFound, false, ""},
		{"a problem without its language", "GET", "/v1/tickets/261130K7Q2XD", "", map[string]string{"X-Access-Code": "7KQ2XD9M"},
			answer{404, problem, nil, notFound.body}, true, "Content-Language"},
		{"a required header missing", "GET", "/v1/admin/routing-rules", "", map[string]string{"Authorization": "Bearer t"},
			answer{200, "application/json", nil, `{"routingRules":[]}`}, true, "ETag"},
		{"an invalid request that was accepted", "POST", "/v1/verifications", `{"phone":13800138000}`, nil,
			answer{202, "application/json", nil, `{"verificationId":"v1","expiresAt":"2026-11-30T09:45:00+08:00"}`}, true, "not 4xx"},
		{"an invalid request that was refused", "POST", "/v1/verifications", `{"phone":13800138000}`, nil,
			answer{400, problem, zh, `{"type":"https://errors.hotline12345.example/validation_failed","title":"Validation failed","status":400,"detail":"bad","code":"validation_failed","fields":{"phone":"a string"},"requestId":"r1"}`}, false, ""},
		{"a staff route without a token, refused by the gateway", "GET", "/v1/review-queue", "", nil,
			answer{401, "application/json", nil, `{"message":"Unauthorized"}`}, false, ""},
		{"a citizen route without the access code that was answered", "GET", "/v1/tickets/261130K7Q2XD", "", nil,
			answer{200, "application/json", nil, `{}`}, true, "not 4xx"},
		{"an unknown route answered by the gateway", "GET", "/v2/tickets", "", nil,
			answer{404, "application/json", nil, `{"message":"Not Found"}`}, false, ""},
		{"an unknown route that was answered", "GET", "/v2/tickets", "", nil,
			answer{200, "application/json", nil, `{}`}, true, "not 404 or 405"},
		{"an unknown method answered 405 with Allow", "DELETE", "/v1/admin/routing-rules", "", nil,
			answer{405, problem, map[string]string{"Allow": "GET, PUT", "Content-Language": "en"}, `{"type":"https://errors.hotline12345.example/method_not_allowed","title":"Method not allowed","status":405,"detail":"DELETE is not allowed","code":"method_not_allowed","requestId":"r1"}`}, false, ""},
		{"an unknown method answered 405 without Allow", "DELETE", "/v1/admin/routing-rules", "", nil,
			answer{405, problem, zh, `{"type":"https://errors.hotline12345.example/method_not_allowed","title":"Method not allowed","status":405,"detail":"DELETE is not allowed","code":"method_not_allowed","requestId":"r1"}`}, true, "Allow"},
		{"an unknown route under /v1 answered by the catch-all route", "GET", "/v1/tickets/261130K7Q2XD/photos", "", nil,
			notFound, false, ""},
		{"an unknown Open311 route answered in the spec's format", "GET", "/open311/v2/nothing.json", "", nil,
			answer{404, "application/json; charset=utf-8", nil, `[{"code":404,"description":"not found"}]`}, false, ""},
		{"an Open311 request that is not in the spec's format", "GET", "/open311/v2/services.json", "", nil,
			answer{200, "application/json", nil, `{"services":[]}`}, true, "services.json"},
		{"an unknown route answered in another shape", "GET", "/v2/tickets", "", nil,
			answer{404, "application/json", nil, `{"error":{"code":"not_found"}}`}, true, "404"},
	}
	c, err := Shared()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", tc.answer.contentType)
				for k, v := range tc.answer.headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.answer.status)
				_, _ = io.WriteString(w, tc.answer.body)
			}))
			defer srv.Close()
			rec := &Recorder{Checker: c}
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := (&http.Client{Transport: rec}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			// The client still reads the whole answer.
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(got) != tc.answer.body {
				t.Fatalf("the client read %q, %v; the server sent %q", got, err, tc.answer.body)
			}
			v := rec.Violations()
			switch {
			case tc.wantViolation && len(v) == 0:
				t.Fatal("no violation recorded")
			case !tc.wantViolation && len(v) > 0:
				t.Fatalf("violations: %v", v)
			case tc.wantViolation && !strings.Contains(strings.Join(v, "\n"), tc.wantViolationPhrase):
				t.Fatalf("violations %v do not mention %q", v, tc.wantViolationPhrase)
			}
		})
	}
}

// The checker needs the answers to requests outside every operation.
func TestNewNeedsTheAnswersOutsideOperations(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: t, version: "1"}
paths: {}
`
	if _, err := New([]byte(doc)); err == nil || !strings.Contains(err.Error(), "NoRoute") {
		t.Fatalf("New without components/responses: %v", err)
	}
}
