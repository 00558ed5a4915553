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
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/hotline12345/hotline/internal/app/httpapi"
)

// MaxBodyBytes is API Gateway's HTTP API payload quota (10 MB); the
// functions bound each route's body far below it with problem answers.
const MaxBodyBytes = 10 << 20

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
	// Throttle applies the stage's route throttling (httpapi.ThrottleOf), as
	// API Gateway does; off for tests and load runs that measure the
	// platform beyond it.
	Throttle bool

	bucketsMu sync.Mutex
	buckets   map[string]*rate.Limiter
}

// Gateway-level answers are written by API Gateway itself, not by a
// function: {"message": …} with these texts, byte for byte.
const (
	msgNotFound        = "Not Found"
	msgUnauthorized    = "Unauthorized"
	msgForbidden       = "Forbidden"
	msgTooManyRequests = "Too Many Requests"
	msgTooLarge        = "Request Entity Too Large"
	msgInternal        = "Internal Server Error"
)

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := g.NewID()
	w.Header().Set("Apigw-Requestid", requestID)
	route, params, ok := httpapi.Find(r.Method, r.URL.Path)
	if !ok {
		gatewayAnswer(w, http.StatusNotFound, msgNotFound)
		return
	}
	if !g.admit(route.Key()) {
		gatewayAnswer(w, http.StatusTooManyRequests, msgTooManyRequests)
		return
	}
	fn, ok := g.Functions[route.Function]
	if !ok {
		gatewayAnswer(w, http.StatusInternalServerError, msgInternal)
		g.Logger.Error("route has no function", "route", route.Key(), "request_id", requestID)
		return
	}
	claims, refused := g.authorize(r, route.Auth)
	if refused != nil {
		if refused.challenge != "" {
			w.Header().Set("Www-Authenticate", refused.challenge)
		}
		gatewayAnswer(w, refused.status, refused.message)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			gatewayAnswer(w, http.StatusRequestEntityTooLarge, msgTooLarge)
			return
		}
		gatewayAnswer(w, http.StatusBadRequest, "Bad Request")
		return
	}
	ev := g.event(r, route, params, claims, body, requestID)
	payload, err := json.Marshal(ev)
	if err != nil {
		gatewayAnswer(w, http.StatusInternalServerError, msgInternal)
		return
	}
	start := g.Now()
	out, err := fn.Invoke(r.Context(), payload)
	if err != nil {
		// API Gateway turns a function error into a bare 500.
		g.Logger.Error("function failed", "route", route.Key(), "request_id", requestID, "error_type", fmt.Sprintf("%T", err))
		gatewayAnswer(w, http.StatusInternalServerError, msgInternal)
		return
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
		g.Logger.Error("function returned a malformed response", "route", route.Key(), "request_id", requestID)
		gatewayAnswer(w, http.StatusInternalServerError, msgInternal)
		return
	}
	g.Logger.Info("request", "route", route.Key(), "status", resp.StatusCode, "request_id", requestID, "ms", g.Now().Sub(start).Milliseconds())
	writeResponse(w, resp)
}

// admit takes a token from the route's bucket; each route has its own, as
// API Gateway's route-level throttling does.
func (g *Gateway) admit(routeKey string) bool {
	if !g.Throttle {
		return true
	}
	g.bucketsMu.Lock()
	defer g.bucketsMu.Unlock()
	b, ok := g.buckets[routeKey]
	if !ok {
		t := httpapi.ThrottleOf(routeKey)
		b = rate.NewLimiter(rate.Limit(t.Rate), t.Burst)
		if g.buckets == nil {
			g.buckets = map[string]*rate.Limiter{}
		}
		g.buckets[routeKey] = b
	}
	return b.AllowN(g.Now(), 1)
}

// refusal is an authorizer's answer.
type refusal struct {
	status    int
	message   string
	challenge string // WWW-Authenticate
}

// authorize checks the token as the route's authorizer would: the JWT
// authorizer answers 401 (with a Bearer challenge naming the problem when a
// token was sent); the optional-staff Lambda authorizer lets a request
// without a token through and its deny is API Gateway's 403.
func (g *Gateway) authorize(r *http.Request, mode httpapi.Auth) (map[string]string, *refusal) {
	if mode == httpapi.AuthPublic {
		return nil, nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		if mode == httpapi.AuthOptional {
			return nil, nil
		}
		return nil, &refusal{status: http.StatusUnauthorized, message: msgUnauthorized}
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	var claims map[string]string
	var err error
	if ok {
		claims, err = g.Verifier.Verify(strings.TrimSpace(token))
	}
	if ok && err == nil {
		return claims, nil
	}
	if mode == httpapi.AuthOptional {
		return nil, &refusal{status: http.StatusForbidden, message: msgForbidden}
	}
	return nil, &refusal{status: http.StatusUnauthorized, message: msgUnauthorized, challenge: bearerChallenge(err)}
}

// bearerChallenge is the WWW-Authenticate of a refused token in the form
// API Gateway's troubleshooting guide shows; the description only where its
// wording is known.
func bearerChallenge(err error) string {
	c := `Bearer scope="" error="invalid_token"`
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		c += ` error_description="the token has expired"`
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		c += ` error_description="the token does not have a valid audience"`
	}
	return c
}

func (g *Gateway) event(r *http.Request, route httpapi.Route, params map[string]string, claims map[string]string, body []byte, requestID string) events.APIGatewayV2HTTPRequest {
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
	// API Gateway tells the function the scheme the client used (the
	// Open311 discovery document names the endpoint's URL with it).
	headers["x-forwarded-proto"] = "http"
	if r.TLS != nil {
		headers["x-forwarded-proto"] = "https"
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
		RouteKey:              route.Key(),
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   route.Key(),
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

// gatewayAnswer writes an answer of API Gateway's own.
func gatewayAnswer(w http.ResponseWriter, status int, message string) {
	b, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
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
