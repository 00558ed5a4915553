package gateway

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

func TestAuthorization(t *testing.T) {
	g, iss := newGateway(t)
	cases := []struct {
		name, method, path, token string
		want                      int
	}{
		{"staff route without token", "GET", "/v1/review-queue", "", 401},
		{"staff route with junk token", "GET", "/v1/review-queue", "junk", 401},
		{"optional route without token", "GET", "/v1/tickets/2611270ABCDE", "", 200},
		{"optional route with junk token", "GET", "/v1/tickets/2611270ABCDE", "junk", 401},
		{"public route", "GET", "/v1/categories", "", 200},
		{"unknown path", "GET", "/v1/nothing", "", 404},
		{"wrong method", "DELETE", "/v1/tickets", "", 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, ev := do(t, g, c.method, c.path, c.token, "")
			if rec.Code != c.want {
				t.Fatalf("status = %d, want %d", rec.Code, c.want)
			}
			if rec.Code == 200 && ev.RequestContext.Authorizer != nil {
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
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "payload_too_large") {
		t.Fatalf("status = %d body = %s", rec.Code, rec.Body)
	}
}

func TestEveryRouteIsReachable(t *testing.T) {
	for _, r := range httpapi.Routes {
		path := strings.NewReplacer("{id}", "X1", "{deptId}", "D1", "{year}", "2026").Replace(r.Path)
		m, ok, _ := findRoute(r.Method, path)
		if !ok || m.route.Key() != r.Key() {
			t.Errorf("%s resolves to %q", r.Key(), m.route.Key())
		}
	}
}
