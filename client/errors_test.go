package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/client"
)

// Each kind of error answer becomes its own error type with what it says.
func TestErrorAnswersAreDecodedByKind(t *testing.T) {
	cases := []struct {
		name   string
		handle func(w http.ResponseWriter)
		check  func(t *testing.T, err error)
	}{{
		name: "problem",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"type":"https://errors.hotline12345.example/validation_failed","title":"Validation failed","status":400,` +
				`"detail":"content: at least 10 characters","code":"validation_failed","fields":{"content":"at least 10 characters"},"requestId":"Zx3"}`))
		},
		check: func(t *testing.T, err error) {
			var p *client.Problem
			if !errors.As(err, &p) {
				t.Fatalf("%T %v, want *client.Problem", err, err)
			}
			if p.Status != 400 || p.Code != client.CodeValidationFailed || p.Title != "Validation failed" || p.RequestID != "Zx3" ||
				p.Fields["content"] != "at least 10 characters" || p.Type != "https://errors.hotline12345.example/validation_failed" {
				t.Errorf("problem = %+v", p)
			}
			if !client.IsValidation(err) || client.IsNotFound(err) || client.HTTPStatus(err) != 400 {
				t.Errorf("helpers disagree on %v", err)
			}
			if want := "hotline: 400 validation_failed: content: at least 10 characters (request Zx3)"; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		},
	}, {
		name: "rate limited problem",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "60")
			problem(w, 429, "rate_limited", "too many requests: tickets filed from this client")
		},
		check: func(t *testing.T, err error) {
			var p *client.Problem
			if !errors.As(err, &p) || p.RetryAfter != time.Minute || !client.IsRateLimited(err) {
				t.Errorf("%#v, want a rate_limited problem with RetryAfter 1m", err)
			}
		},
	}, {
		name: "method not allowed",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Allow", "GET, PUT")
			problem(w, 405, "method_not_allowed", "DELETE is not allowed here")
		},
		check: func(t *testing.T, err error) {
			var p *client.Problem
			if !errors.As(err, &p) || !slices.Equal(p.Allow, []string{"GET", "PUT"}) || !client.HasCode(err, client.CodeMethodNotAllowed) {
				t.Errorf("%#v, want Allow [GET PUT]", err)
			}
		},
	}, {
		name: "problem status and request id from the HTTP answer",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Apigw-Requestid", "from-header")
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"type":"https://errors.hotline12345.example/not_found","title":"Not found","status":500,"detail":"not found","code":"not_found"}`))
		},
		check: func(t *testing.T, err error) {
			var p *client.Problem
			if !errors.As(err, &p) || p.Status != 404 || p.RequestID != "from-header" || !client.IsNotFound(err) {
				t.Errorf("%#v, want status 404 and the header's request id", err)
			}
		},
	}, {
		name: "gateway unauthorized",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("WWW-Authenticate", `Bearer scope="" error="invalid_token"`)
			gateway(w, 401, "Unauthorized")
		},
		check: func(t *testing.T, err error) {
			var g *client.GatewayError
			if !errors.As(err, &g) {
				t.Fatalf("%T %v, want *client.GatewayError", err, err)
			}
			if g.Status != 401 || g.Message != "Unauthorized" || g.RequestID != "gw-1" || !strings.Contains(g.WWWAuthenticate, "invalid_token") {
				t.Errorf("gateway error = %+v", g)
			}
			var p *client.Problem
			if !client.IsUnauthorized(err) || errors.As(err, &p) {
				t.Errorf("helpers disagree on %v", err)
			}
			if want := "hotline: gateway 401: Unauthorized (request gw-1)"; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		},
	}, {
		name:   "gateway not found is no missing ticket",
		handle: func(w http.ResponseWriter) { gateway(w, 404, "Not Found") },
		check: func(t *testing.T, err error) {
			if client.IsNotFound(err) || client.HTTPStatus(err) != 404 {
				t.Errorf("%v: IsNotFound %v, HTTPStatus %d; want false, 404", err, client.IsNotFound(err), client.HTTPStatus(err))
			}
		},
	}, {
		name:   "gateway throttling",
		handle: func(w http.ResponseWriter) { gateway(w, 429, "Too Many Requests") },
		check: func(t *testing.T, err error) {
			var g *client.GatewayError
			if !errors.As(err, &g) || g.RetryAfter != 0 || !client.IsRateLimited(err) {
				t.Errorf("%#v, want a gateway 429 without Retry-After", err)
			}
		},
	}, {
		name: "an HTML error page",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html>Bad Gateway</html>"))
		},
		check: func(t *testing.T, err error) {
			var u *client.UnexpectedResponseError
			if !errors.As(err, &u) || u.Status != 502 || string(u.Body) != "<html>Bad Gateway</html>" || u.ContentType != "text/html" {
				t.Errorf("%#v, want an unexpected 502 with its body", err)
			}
			if client.HTTPStatus(err) != 0 {
				t.Errorf("HTTPStatus(%v) = %d, want 0: it is not the API's answer", err, client.HTTPStatus(err))
			}
		},
	}, {
		name: "JSON that is not the gateway's",
		handle: func(w http.ResponseWriter) {
			answer(w, 400, map[string]any{"error": map[string]string{"code": "validation_failed", "message": "content is required"}})
		},
		check: func(t *testing.T, err error) {
			var u *client.UnexpectedResponseError
			if !errors.As(err, &u) || u.Status != 400 {
				t.Errorf("%#v, want unexpected", err)
			}
		},
	}, {
		name:   "JSON with a message and more",
		handle: func(w http.ResponseWriter) { answer(w, 403, map[string]any{"message": "Forbidden", "reason": "WAF"}) },
		check: func(t *testing.T, err error) {
			var u *client.UnexpectedResponseError
			if !errors.As(err, &u) || u.Status != 403 {
				t.Errorf("%#v, want unexpected", err)
			}
		},
	}, {
		name: "a problem that does not decode",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"code": `))
		},
		check: func(t *testing.T, err error) {
			var u *client.UnexpectedResponseError
			var syntax *json.SyntaxError
			if !errors.As(err, &u) || !errors.As(err, &syntax) {
				t.Errorf("%#v, want unexpected wrapping the JSON error", err)
			}
		},
	}, {
		name: "a problem without a code",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"title": "Oops"}`))
		},
		check: func(t *testing.T, err error) {
			var u *client.UnexpectedResponseError
			if !errors.As(err, &u) {
				t.Errorf("%#v, want unexpected", err)
			}
		},
	}, {
		name: "a success the route does not give",
		handle: func(w http.ResponseWriter) {
			answer(w, 201, map[string]string{"id": "261130K7Q2XD", "status": "accepted"})
		},
		check: func(t *testing.T, err error) {
			var u *client.UnexpectedResponseError
			if !errors.As(err, &u) || u.Status != 201 {
				t.Errorf("%#v, want unexpected 201", err)
			}
		},
	}, {
		name: "a success that is not JSON",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>login</html>"))
		},
		check: func(t *testing.T, err error) {
			var u *client.UnexpectedResponseError
			if !errors.As(err, &u) || u.Status != 200 || string(u.Body) != "<html>login</html>" {
				t.Errorf("%#v, want unexpected 200 with its body", err)
			}
		},
	}, {
		name: "a success that does not decode",
		handle: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id": 12}`))
		},
		check: func(t *testing.T, err error) {
			var u *client.UnexpectedResponseError
			var typ *json.UnmarshalTypeError
			if !errors.As(err, &u) || !errors.As(err, &typ) {
				t.Errorf("%#v, want unexpected wrapping the JSON error", err)
			}
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { c.handle(w) })
			_, err := f.client(t, client.WithToken("t")).Accept(context.Background(), "261130K7Q2XD")
			if err == nil {
				t.Fatal("no error")
			}
			c.check(t, err)
		})
	}
}

// Retry-After is seconds or an HTTP date.
func TestRetryAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Mon, 30 Nov 2026 01:02:00 GMT": 2 * time.Minute,
		"Mon, 30 Nov 2026 00:59:00 GMT": 0,
	} {
		if got := client.RetryAfter(v, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}
