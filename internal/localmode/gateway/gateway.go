// Package gateway is the local stand-in for API Gateway's HTTP API: it turns an
// HTTP request into the payload-2.0 event API Gateway would send, puts verified JWT
// claims where the JWT authorizer puts them, invokes the function through
// aws-lambda-go's handler (so (de)serialization is Lambda's own) and writes the
// function's response back.
package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hotline12345/hotline/internal/app/httpapi"
)

// MaxBodyBytes is the largest request body accepted; API Gateway's own limit is
// 10 MB, ours is far below because no route needs more.
const MaxBodyBytes = 1 << 20

// Verifier checks a bearer token and returns the claims the authorizer would pass.
type Verifier interface {
	Verify(token string) (map[string]string, error)
}

// Gateway routes HTTP requests to in-process Lambda handlers.
type Gateway struct {
	Functions map[string]lambda.Handler // by function name (functions/<name>)
	Verifier  Verifier
	Now       func() time.Time
	NewID     func() string // request ids
	Logger    *slog.Logger
}

type match struct {
	route  httpapi.Route
	params map[string]string
}

func findRoute(method, path string) (match, bool, bool) {
	pathKnown := false
	for _, r := range httpapi.Routes {
		params, ok := matchPath(r.Path, path)
		if !ok {
			continue
		}
		pathKnown = true
		if r.Method == method {
			return match{route: r, params: params}, true, true
		}
	}
	return match{}, false, pathKnown
}

func matchPath(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if xs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[p[1:len(p)-1]] = xs[i]
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return params, true
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := g.NewID()
	w.Header().Set("Apigw-Requestid", requestID)
	m, ok, pathKnown := findRoute(r.Method, r.URL.Path)
	if !ok {
		// API Gateway answers unknown routes itself, without calling a function.
		if pathKnown {
			writeError(w, http.StatusMethodNotAllowed, "not_found", "no such route")
			return
		}
		writeError(w, http.StatusNotFound, "not_found", "no such route")
		return
	}
	fn, ok := g.Functions[m.route.Function]
	if !ok {
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		g.Logger.Error("route has no function", "route", m.route.Key(), "request_id", requestID)
		return
	}
	claims, status := g.authorize(r, m.route.Auth)
	if status != 0 {
		writeError(w, status, "unauthorized", "a valid bearer token is required")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "payload_too_large", fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes))
			return
		}
		writeError(w, http.StatusBadRequest, "validation_failed", "could not read request body")
		return
	}
	ev := g.event(r, m, claims, body, requestID)
	payload, err := json.Marshal(ev)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	start := g.Now()
	out, err := fn.Invoke(r.Context(), payload)
	if err != nil {
		// API Gateway turns a function error into a bare 500.
		g.Logger.Error("function failed", "route", m.route.Key(), "request_id", requestID, "error_type", fmt.Sprintf("%T", err))
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
		g.Logger.Error("function returned a malformed response", "route", m.route.Key(), "request_id", requestID)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	g.Logger.Info("request", "route", m.route.Key(), "status", resp.StatusCode, "request_id", requestID, "ms", g.Now().Sub(start).Milliseconds())
	writeResponse(w, resp)
}

func (g *Gateway) authorize(r *http.Request, mode httpapi.Auth) (map[string]string, int) {
	if mode == httpapi.AuthPublic {
		return nil, 0
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		if mode == httpapi.AuthOptional {
			return nil, 0
		}
		return nil, http.StatusUnauthorized
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, http.StatusUnauthorized
	}
	claims, err := g.Verifier.Verify(strings.TrimSpace(token))
	if err != nil {
		return nil, http.StatusUnauthorized
	}
	return claims, 0
}

func (g *Gateway) event(r *http.Request, m match, claims map[string]string, body []byte, requestID string) events.APIGatewayV2HTTPRequest {
	now := g.Now()
	headers := map[string]string{}
	var cookies []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					cookies = append(cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = map[string]string{}
		for k, vs := range q {
			query[k] = strings.Join(vs, ",")
		}
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              m.route.Key(),
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        m.params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   m.route.Key(),
			AccountID:  "000000000000",
			Stage:      "$default",
			RequestID:  requestID,
			APIID:      "local",
			DomainName: r.Host,
			Time:       now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r.RemoteAddr),
				UserAgent: r.UserAgent(),
			},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims, Scopes: nil},
		}
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

func sourceIP(remote string) string {
	if i := strings.LastIndex(remote, ":"); i > 0 {
		return strings.Trim(remote[:i], "[]")
	}
	return remote
}

func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if b, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			body = b
		}
	}
	if w.Header().Get("Content-Type") == "" && len(body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// Invoke sends one event to a function the way the gateway does, for tests and tools.
func Invoke(ctx context.Context, h lambda.Handler, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var resp events.APIGatewayV2HTTPResponse
	payload, err := json.Marshal(ev)
	if err != nil {
		return resp, fmt.Errorf("marshal event: %w", err)
	}
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		return resp, fmt.Errorf("invoke: %w", err)
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return resp, fmt.Errorf("decode response: %w", err)
	}
	return resp, nil
}
