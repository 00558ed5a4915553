package gateway

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
)

// echo answers with the event it received so tests can inspect it.
func echo(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: string(b), Headers: map[string]string{"Content-Type": "application/json"}}, nil
}

func newGateway(t *testing.T) (*Gateway, *auth.Issuer) {
	t.Helper()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	iss := auth.NewIssuer("", func() time.Time { return now })
	fn := lambda.NewHandler(echo)
	return &Gateway{
		Functions: map[string]lambda.Handler{"api": fn, "intake": fn},
		Verifier:  iss,
		Now:       func() time.Time { return now },
		NewID:     func() string { return "req-1" },
		Logger:    slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}, iss
}

func do(t *testing.T, g *Gateway, method, target, token, body string) (*httptest.ResponseRecorder, events.APIGatewayV2HTTPRequest) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	var ev events.APIGatewayV2HTTPRequest
	if rec.Code == 200 {
		if err := json.Unmarshal(rec.Body.Bytes(), &ev); err != nil {
			t.Fatalf("decode echoed event: %v", err)
		}
	}
	return rec, ev
}

func TestEventShape(t *testing.T) {
	g, iss := newGateway(t)
	tok, err := iss.Sign(auth.Claims{Subject: "d1", Role: auth.RoleDepartment, Dept: "market"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rec, ev := do(t, g, "POST", "/v1/tickets/2611270ABCDE/accept?x=1&x=2", tok, `{"a":1}`)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ev.Version != "2.0" || ev.RouteKey != "POST /v1/tickets/{id}/accept" || ev.RequestContext.RouteKey != ev.RouteKey {
		t.Errorf("route key = %q / %q", ev.Version, ev.RouteKey)
	}
	if ev.PathParameters["id"] != "2611270ABCDE" {
		t.Errorf("path parameters = %v", ev.PathParameters)
	}
	if ev.QueryStringParameters["x"] != "1,2" {
		t.Errorf("query = %v", ev.QueryStringParameters)
	}
	if ev.Body != `{"a":1}` || ev.IsBase64Encoded {
		t.Errorf("body = %q", ev.Body)
	}
	c := ev.RequestContext.Authorizer.JWT.Claims
	if c["sub"] != "d1" || c["role"] != "department" || c["dept"] != "market" {
		t.Errorf("claims = %v", c)
	}
}

// The gateway's own answers are byte for byte API Gateway's: the JWT
// authorizer's 401 (with the Bearer challenge when a token was sent), the
// Lambda authorizer's 403, the 404 of no route. Under /v1 every other path
// or method reaches the api function, for its 404 and 405 problems.
func TestGatewayAnswers(t *testing.T) {
	g, iss := newGateway(t)
	expired := auth.NewIssuer("", func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) })
	old, err := expired.Sign(auth.Claims{Subject: "o1", Role: auth.RoleOperator}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, method, path, token string
		want                      int
		body, challenge, routeKey string
	}{
		{"staff route without token", "GET", "/v1/review-queue", "", 401, `{"message":"Unauthorized"}`, "", ""},
		{"staff route with junk token", "GET", "/v1/review-queue", "junk", 401, `{"message":"Unauthorized"}`, `Bearer scope="" error="invalid_token"`, ""},
		{"staff route with an expired token", "GET", "/v1/review-queue", old, 401, `{"message":"Unauthorized"}`, `Bearer scope="" error="invalid_token" error_description="the token has expired"`, ""},
		{"optional route without token", "GET", "/v1/tickets/2611270ABCDE", "", 200, "", "", "GET /v1/tickets/{id}"},
		{"optional route with junk token", "GET", "/v1/tickets/2611270ABCDE", "junk", 403, `{"message":"Forbidden"}`, "", ""},
		{"public route", "GET", "/v1/categories", "", 200, "", "", "GET /v1/categories"},
		{"no route", "GET", "/v2/tickets", "", 404, `{"message":"Not Found"}`, "", ""},
		{"unknown path under /v1", "GET", "/v1/nothing", "", 200, "", "", "ANY /v1/{proxy+}"},
		{"wrong method", "DELETE", "/v1/tickets", "", 200, "", "", "ANY /v1/{proxy+}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, ev := do(t, g, c.method, c.path, c.token, "")
			if rec.Code != c.want {
				t.Fatalf("status = %d, want %d", rec.Code, c.want)
			}
			if rec.Header().Get("Apigw-Requestid") == "" {
				t.Error("no apigw-requestid")
			}
			if c.want != 200 {
				if rec.Body.String() != c.body || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Content-Length") != strconv.Itoa(len(c.body)) {
					t.Errorf("answer %q %v, want %q", rec.Body, rec.Header(), c.body)
				}
				if got := rec.Header().Get("Www-Authenticate"); got != c.challenge {
					t.Errorf("WWW-Authenticate %q, want %q", got, c.challenge)
				}
				return
			}
			if ev.RouteKey != c.routeKey {
				t.Errorf("route %q, want %q", ev.RouteKey, c.routeKey)
			}
			if ev.RequestContext.Authorizer != nil {
				t.Error("claims passed without a token")
			}
		})
	}
	tok, _ := iss.Sign(auth.Claims{Subject: "o1", Role: auth.RoleOperator}, time.Hour)
	if rec, _ := do(t, g, "GET", "/v1/review-queue", tok, ""); rec.Code != 200 {
		t.Errorf("valid token refused: %d", rec.Code)
	}
}

func TestBodyTooLarge(t *testing.T) {
	g, _ := newGateway(t)
	rec, _ := do(t, g, "POST", "/v1/tickets", "", strings.Repeat("x", MaxBodyBytes+1))
	if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.String() != `{"message":"Request Entity Too Large"}` {
		t.Fatalf("status = %d body = %s", rec.Code, rec.Body)
	}
}

// Throttled, each route drains its own bucket (httpapi.ThrottleOf) and
// refills at its rate; past it the answer is API Gateway's 429.
func TestThrottling(t *testing.T) {
	g, _ := newGateway(t)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	g.Now = func() time.Time { return now }
	g.Throttle = true
	filing := httpapi.ThrottleOf("POST /v1/tickets")
	for i := range filing.Burst {
		if rec, _ := do(t, g, "POST", "/v1/tickets", "", "{}"); rec.Code != 200 {
			t.Fatalf("request %d of the burst: %d", i+1, rec.Code)
		}
	}
	rec, _ := do(t, g, "POST", "/v1/tickets", "", "{}")
	if rec.Code != 429 || rec.Body.String() != `{"message":"Too Many Requests"}` {
		t.Fatalf("past the burst: %d %s", rec.Code, rec.Body)
	}
	if rec, _ := do(t, g, "GET", "/v1/categories", "", ""); rec.Code != 200 {
		t.Fatalf("another route shares the bucket: %d", rec.Code)
	}
	now = now.Add(time.Second)
	for i := range int(filing.Rate) {
		if rec, _ := do(t, g, "POST", "/v1/tickets", "", "{}"); rec.Code != 200 {
			t.Fatalf("request %d a second later: %d", i+1, rec.Code)
		}
	}
	if rec, _ := do(t, g, "POST", "/v1/tickets", "", "{}"); rec.Code != 429 {
		t.Fatalf("past the refill: %d", rec.Code)
	}
}

func TestEveryRouteIsReachable(t *testing.T) {
	for _, r := range httpapi.Routes {
		path := strings.NewReplacer("{id}", "X1", "{deptId}", "D1", "{year}", "2026", "{proxy+}", "a/b").Replace(r.Path)
		method := r.Method
		if method == "ANY" {
			method = "DELETE"
		}
		got, _, ok := httpapi.Find(method, path)
		if !ok || got.Key() != r.Key() {
			t.Errorf("%s resolves to %q", r.Key(), got.Key())
		}
	}
}
