package e2e

import "testing"

// Errors over HTTP: a function's are problem details carrying the request id
// the gateway sent as apigw-requestid, in the language asked for; a wrong
// method is a 405 naming the right ones; what API Gateway answers itself
// (no route, no token) is its own {"message"} body.
func TestErrorsOverHTTP(t *testing.T) {
	tg := start(t)

	r := tg.do(t, "DELETE", "/v1/tickets", nil, map[string]string{"Accept-Language": "en-US,en;q=0.9"})
	var p struct {
		Type, Title, Detail, Code, RequestID string
		Status                               int
	}
	r.decode(t, &p)
	if r.status != 405 || r.header.Get("Allow") != "GET, POST" || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("DELETE /v1/tickets: %d %v %s", r.status, r.header, r.body)
	}
	if p.Code != "method_not_allowed" || p.Status != 405 || p.Title != "Method not allowed" || p.Type == "" || p.RequestID == "" || p.RequestID != r.header.Get("Apigw-Requestid") {
		t.Fatalf("problem %+v (apigw-requestid %q)", p, r.header.Get("Apigw-Requestid"))
	}

	r = tg.do(t, "GET", "/v1/no-such-thing", nil, nil)
	r.decode(t, &p)
	if r.status != 404 || p.Code != "not_found" || p.Title != "未找到" {
		t.Fatalf("GET /v1/no-such-thing: %d %s", r.status, r.body)
	}

	for _, c := range []struct {
		method, path string
		headers      map[string]string
		status       int
		body         string
	}{
		{"GET", "/no-such-thing", nil, 404, `{"message":"Not Found"}`},
		{"GET", "/v1/review-queue", nil, 401, `{"message":"Unauthorized"}`},
		{"GET", "/v1/review-queue", bearer("not-a-token"), 401, `{"message":"Unauthorized"}`},
		{"GET", "/v1/tickets/2611270ABCDE", bearer("not-a-token"), 403, `{"message":"Forbidden"}`},
	} {
		r := tg.do(t, c.method, c.path, nil, c.headers)
		if r.status != c.status || string(r.body) != c.body || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %q %s, want API Gateway's %d %s", c.method, c.path, r.status, r.header.Get("Content-Type"), r.body, c.status, c.body)
		}
	}
}
