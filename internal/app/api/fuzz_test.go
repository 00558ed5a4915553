package api_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/open311"
)

// FuzzAPIRequest feeds random route keys, path ids, queries, headers, claims and
// bodies to the api handler against a real store on the edge. Whatever comes
// in, the answer is never a 5xx and never a panic, and every error is in the
// API.md shape with the code that belongs to its status.
func FuzzAPIRequest(f *testing.F) {
	e := newEnv(f)
	id, code := e.replied(f)
	routes := (e.api).Routes()
	add := func(route, pid, query, headers, claims, body string, b64 bool) {
		f.Add(route, pid, query, headers, claims, body, b64)
	}
	for _, r := range routes {
		add(r, id, "", "x-access-code="+code, "", `{}`, false)
		add(r, id, "status=accepted&limit=3", "", "sub=a&role=department&dept=market", `{"result":"resolved","message":"好"}`, false)
		add(r, "market", "cursor=eyJhIjoiYiJ9", "", "sub=a&role=operator", `{"decision":"merge","mergeInto":"`+id+`"}`, false)
	}
	add("POST /v1/tickets/{id}/rating", id, "", "X-Access-Code="+code, "", `{"satisfied":false,"score":9,"comment":"x"}`, false)
	add("POST /v1/tickets/{id}/supplements", id, "", "x-access-code="+code, "", `eyJjb250ZW50Ijoi6KGl5YWFIn0=`, true)
	add("GET /v1/departments/{deptId}/tickets", "#", "", "", "sub=a&role=supervisor", ``, false)
	add("GET /v1/departments/{deptId}/tickets", "", "status=", "", "sub=a&role=admin", ``, false)
	add("POST /v1/tickets/{id}/review", id, "", "", "sub=a&role=operator", `{"decision":"accept","departmentId":"#","coHandlers":["",null]}`, false)
	add("POST /v1/tickets/{id}/reassign", "AAAAAA#BBBBB", "", "", "sub=a&role=admin", `null`, false)
	add("GET /v1/review-queue", "", "limit=100&cursor=%%%", "", "sub=a&role=operator&dept=x", ``, false)
	add("POST /v1/tickets/{id}/reply", id, "", "", "role=department&dept=market", `{"result":"resolved","message":"`+strings.Repeat("长", 5001)+`"}`, false)
	add("GET /v1/tickets/{id}", strings.ToLower(id), "", "x-access-code="+strings.ToLower(code), "", "", false)
	add("POST /v1/tickets/{id}/extension", id, "", "", "sub=a&role=department&dept=market", `{"days":5,"reason":"需要现场核查"}`, false)
	add("POST /v1/tickets/{id}/extension", id, "", "", "sub=a&role=department&dept=market", `{"days":-1e9,"reason":null}`, false)
	add("POST /v1/tickets/{id}/extension-decision", id, "", "", "sub=a&role=operator", `{"approve":true,"reason":"同意"}`, false)
	add("POST /v1/tickets/{id}/extension-decision", id, "", "", "sub=a&role=operator", `{"approve":"yes"}`, false)
	add("GET /v1/stats", "", "from=2026-03-01&to=2026-03-31", "", "sub=a&role=supervisor", ``, false)
	add("GET /v1/stats", "", "from=2026-03-01&to=2026-03-31&format=csv&departmentId=market", "", "sub=a&role=department&dept=market", ``, false)
	add("GET /v1/stats/hotspots", "", "from=2026-03-01&to=2026-03-31&by=region&limit=5&format=xlsx", "", "sub=a&role=supervisor", ``, false)
	add("GET /v1/tickets", "", "status=replied&departmentId=market&category=consumer.refund&region=110105&from=2026-03-01&to=2026-03-31&overdue=true&escalated=false&q=退货&limit=5", "", "sub=a&role=operator", ``, false)
	add("GET /v1/tickets", "", "region=110000&format=csv", "accept=text/csv", "sub=a&role=supervisor", ``, false)
	add("GET /v1/tickets", "", "cursor=eyJmIjoiMCIsInAiOjk5OX0", "", "sub=a&role=admin", ``, false)
	add("GET /v1/stats", "", "from=2026-02-29&to=9999-99-99", "", "sub=a&role=admin", ``, false)
	add("PUT /v1/admin/departments/{id}", "market", "", "If-Match=\"1\"", "sub=a&role=admin", `{"name":"市场监管局","active":true,"region":"110105"}`, false)
	add("PUT /v1/admin/departments/{id}", "x_y", "", "if-match=W/\"x\"", "sub=a&role=admin", `{"name":""}`, false)
	add("PUT /v1/admin/routing-rules", "", "", "", "sub=a&role=admin", `{"routingRules":[{"id":"r","priority":1,"keywords":["噪音"],"departmentId":"nosuch"}]}`, false)
	add("PUT /v1/admin/categories", "", "", "", "sub=a&role=admin", `{"categories":[{"code":"a","name":"A","children":[{"code":"a.b","name":"B","types":["help"],"serviceLevel":{"acceptHours":0}}]}]}`, false)
	add("PUT /v1/admin/calendar/{year}", "2026", "", "", "sub=a&role=admin", `{"year":2026,"holidays":["2026-10-01","2026-10-01"],"workdays":["2026-10-05"]}`, false)
	add("GET /v1/admin/calendar/{year}", "+2026", "", "", "sub=a&role=supervisor", ``, false)
	add("PUT /v1/admin/api-keys/{name}", "city-app", "", "", "sub=a&role=admin", ``, false)
	add("PUT /v1/admin/api-keys/{name}", "../x", "", "", "sub=a&role=admin", `{}`, false)
	add(open311.RouteRequest, id+".json", "", "", "", ``, false)
	add(open311.RouteService, "consumer.refund.xml", "", "", "", ``, false)
	add(open311.RouteToken, id+".xml", "api_key=x.y", "", "", ``, false)
	add(open311.RouteRequestsJSON, "", "status=open,closed&service_code=consumer.refund&start_date=2026-03-01&end_date=2026-03-31T23:59:59%2B08:00", "", "", ``, false)
	add(open311.RouteRequestsXML, "", "service_request_id="+id+",x", "", "", ``, false)

	f.Fuzz(func(t *testing.T, route, pid, query, headers, claims, body string, b64 bool) {
		req := events.APIGatewayV2HTTPRequest{
			RouteKey: route, Body: body, IsBase64Encoded: b64,
			PathParameters:        map[string]string{"id": pid, "deptId": pid, "year": pid, "name": pid, "file": pid},
			QueryStringParameters: pairs(query),
			Headers:               pairs(headers),
			RequestContext:        events.APIGatewayV2HTTPRequestContext{RequestID: "fuzz"},
		}
		if c := pairs(claims); c != nil {
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: c},
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := e.api.Handle(ctx, req)
		if ctx.Err() != nil {
			t.Fatalf("no answer within 10s: %d %s", out.StatusCode, out.Body)
		}
		if err != nil {
			t.Fatalf("handler returned an error instead of an answer: %v", err)
		}
		if out.IsBase64Encoded && out.StatusCode == 200 {
			// An export: a file, not a JSON answer.
			if ct := out.Headers["Content-Type"]; !strings.HasPrefix(ct, "text/csv") && !strings.Contains(ct, "spreadsheetml") {
				t.Fatalf("binary answer of type %q", ct)
			}
			return
		}
		if slices.Contains(open311.ReadRoutes, route) {
			checkOpen311Answer(t, out)
			return
		}
		checkAnswer(t, out.StatusCode, out.Body)
	})
}

// checkOpen311Answer asserts the GeoReport v2 contract of an answer: the
// format asked for, and errors in the spec's shape with their status.
func checkOpen311Answer(t *testing.T, out events.APIGatewayV2HTTPResponse) {
	t.Helper()
	if out.StatusCode >= 500 || out.StatusCode < 200 {
		t.Fatalf("status %d: %s", out.StatusCode, out.Body)
	}
	if out.Headers["Content-Type"] == open311.ContentTypeXML {
		if !strings.HasPrefix(out.Body, xml.Header) {
			t.Fatalf("XML without its declaration: %s", out.Body)
		}
		dec := xml.NewDecoder(strings.NewReader(out.Body))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("XML not well-formed (%v): %s", err, out.Body)
			}
		}
		if out.StatusCode >= 400 && !strings.Contains(out.Body, "<errors><error><code>"+strconv.Itoa(out.StatusCode)+"</code><description>") {
			t.Fatalf("XML error not in the spec's shape: %s", out.Body)
		}
		return
	}
	if out.Headers["Content-Type"] != open311.ContentTypeJSON || !json.Valid([]byte(out.Body)) {
		t.Fatalf("neither XML nor JSON (%q): %s", out.Headers["Content-Type"], out.Body)
	}
	if out.StatusCode < 400 {
		return
	}
	var errs []struct {
		Code        int    `json:"code"`
		Description string `json:"description"`
	}
	dec := json.NewDecoder(strings.NewReader(out.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&errs); err != nil || len(errs) == 0 || errs[0].Code != out.StatusCode || errs[0].Description == "" {
		t.Fatalf("JSON error not in the spec's shape (%v): %s", err, out.Body)
	}
}

// checkAnswer asserts the API.md contract of any answer.
func checkAnswer(t *testing.T, status int, body string) {
	t.Helper()
	if status >= 500 || status < 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	if !json.Valid([]byte(body)) {
		t.Fatalf("body is not JSON: %q", body)
	}
	if status < 400 {
		return
	}
	var p httpapi.Problem
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || p.Status != status {
		t.Fatalf("error body not problem details (%v): %s", err, body)
	}
	if p.Code != codes[status] || p.Detail == "" || p.Title == "" || p.Type != httpapi.ProblemTypeBase+p.Code {
		t.Fatalf("status %d with code %q: %s", status, p.Code, body)
	}
}

// pairs reads "k=v&k2=v2" into a map (nil for ""), keeping any bytes.
func pairs(s string) map[string]string {
	if s == "" {
		return nil
	}
	m := map[string]string{}
	for _, kv := range strings.Split(s, "&") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
