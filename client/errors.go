package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The codes of problem answers (Problem.Code).
const (
	CodeValidationFailed     = "validation_failed"
	CodeVerificationRequired = "verification_required"
	CodeUnauthorized         = "unauthorized"
	CodeForbidden            = "forbidden"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeConflict             = "conflict"
	CodeGone                 = "gone"
	CodePreconditionFailed   = "precondition_failed"
	CodePayloadTooLarge      = "payload_too_large"
	CodePreconditionRequired = "precondition_required"
	CodeRateLimited          = "rate_limited"
	CodeInternal             = "internal"
)

// ErrNotModified is returned by the conditional reads when the API answered
// 304: what the caller has is current.
var ErrNotModified = errors.New("hotline: not modified")

// Problem is an error answer of the API's functions: an RFC 9457 problem
// (application/problem+json).
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"` // in the client's language (WithLanguage)
	Status int    `json:"status"`
	Detail string `json:"detail"`
	// Code names the error (CodeNotFound, …); it is what programs test.
	Code string `json:"code"`
	// Fields says what is wrong with which field or parameter (JSON paths
	// such as contact.phone).
	Fields map[string]string `json:"fields,omitempty"`
	// RequestID is the request's id in the platform's logs: quote it to
	// support.
	RequestID string `json:"requestId,omitempty"`

	// RetryAfter is the answer's Retry-After (rate_limited answers), 0 when
	// there was none.
	RetryAfter time.Duration `json:"-"`
	// Allow lists the path's methods (method_not_allowed answers).
	Allow []string `json:"-"`
}

func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hotline: %d %s", p.Status, p.Code)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	if p.RequestID != "" {
		b.WriteString(" (request " + p.RequestID + ")")
	}
	return b.String()
}

// GatewayError is an answer API Gateway wrote itself, without calling a
// function: {"message": "Unauthorized"} for a missing or invalid staff token,
// "Forbidden" for a token the authorizer refused, "Not Found" for a path no
// route has (check the base URL), "Too Many Requests" for throttling,
// "Request Entity Too Large", or "Internal Server Error" when a function
// failed.
type GatewayError struct {
	Status  int
	Message string
	// RequestID is the apigw-requestid header.
	RequestID string
	// WWWAuthenticate says why a token was refused (401 answers).
	WWWAuthenticate string
	// RetryAfter is the answer's Retry-After, 0 when there was none (API
	// Gateway's throttling answers carry none).
	RetryAfter time.Duration
}

func (g *GatewayError) Error() string {
	s := fmt.Sprintf("hotline: gateway %d: %s", g.Status, g.Message)
	if g.RequestID != "" {
		s += " (request " + g.RequestID + ")"
	}
	return s
}

// UnexpectedResponseError is an answer the API does not give: a status or
// media type the route does not have, a body that does not decode, or an
// error page of something between the client and the API.
type UnexpectedResponseError struct {
	Status      int
	ContentType string
	Body        []byte // the first few KiB
	Err         error  // what did not fit, if known
}

func (u *UnexpectedResponseError) Error() string {
	s := fmt.Sprintf("hotline: unexpected answer: status %d, %q", u.Status, u.ContentType)
	if u.Err != nil {
		s += ": " + u.Err.Error()
	}
	return s
}

func (u *UnexpectedResponseError) Unwrap() error { return u.Err }

// snippetBytes bounds the body an UnexpectedResponseError keeps.
const snippetBytes = 4 << 10

func snippet(b []byte) []byte {
	if len(b) > snippetBytes {
		b = b[:snippetBytes]
	}
	return append([]byte(nil), b...)
}

// unexpected is the error of an answer the route does not give.
func unexpected(resp *http.Response, err error) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, snippetBytes))
	return &UnexpectedResponseError{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b, Err: err}
}

// maxErrorBytes bounds the error body read: problems are small.
const maxErrorBytes = 64 << 10

// readError turns an error answer into a *Problem, a *GatewayError or an
// *UnexpectedResponseError, and closes the body.
func readError(resp *http.Response) error {
	defer drain(resp.Body)
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	ct := resp.Header.Get("Content-Type")
	if err != nil {
		return &UnexpectedResponseError{Status: resp.StatusCode, ContentType: ct, Body: snippet(b), Err: err}
	}
	retry := retryAfter(resp.Header.Get("Retry-After"), time.Now())
	switch mediaType(resp.Header) {
	case "application/problem+json":
		var p Problem
		if err := json.Unmarshal(b, &p); err != nil || p.Code == "" {
			if err == nil {
				err = errors.New("a problem without a code")
			}
			return &UnexpectedResponseError{Status: resp.StatusCode, ContentType: ct, Body: snippet(b), Err: err}
		}
		// The HTTP status is the authoritative one (RFC 9457 §3.1.2).
		p.Status = resp.StatusCode
		if p.RequestID == "" {
			p.RequestID = resp.Header.Get("Apigw-Requestid")
		}
		p.RetryAfter = retry
		for _, m := range strings.Split(resp.Header.Get("Allow"), ",") {
			if m = strings.TrimSpace(m); m != "" {
				p.Allow = append(p.Allow, m)
			}
		}
		return &p
	case "application/json":
		// Exactly {"message": "…"}: anything else in JSON is not the gateway.
		var g map[string]json.RawMessage
		var msg string
		if json.Unmarshal(b, &g) == nil && len(g) == 1 && g["message"] != nil && json.Unmarshal(g["message"], &msg) == nil {
			return &GatewayError{
				Status: resp.StatusCode, Message: msg, RequestID: resp.Header.Get("Apigw-Requestid"),
				WWWAuthenticate: resp.Header.Get("WWW-Authenticate"), RetryAfter: retry,
			}
		}
	}
	return &UnexpectedResponseError{Status: resp.StatusCode, ContentType: ct, Body: snippet(b)}
}

// retryAfter reads a Retry-After value: seconds, or an HTTP date (RFC 9110
// §10.2.3) counted from now. It is 0 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// HTTPStatus is the status of an error answer (a *Problem or a
// *GatewayError), 0 for other errors.
func HTTPStatus(err error) int {
	var p *Problem
	if errors.As(err, &p) {
		return p.Status
	}
	var g *GatewayError
	if errors.As(err, &g) {
		return g.Status
	}
	return 0
}

// HasCode reports whether err is a problem answer with the code.
func HasCode(err error, code string) bool {
	var p *Problem
	return errors.As(err, &p) && p.Code == code
}

// IsNotFound reports a not_found problem: no such ticket, or one the caller
// may not know of (a wrong access code looks the same). API Gateway's own
// 404 is not one: it means no route has the path, a wrong base URL.
func IsNotFound(err error) bool { return HasCode(err, CodeNotFound) }

// IsConflict reports a conflict problem: the action does not fit the ticket's
// status, a bound is reached, or an Idempotency-Key came with another body.
func IsConflict(err error) bool { return HasCode(err, CodeConflict) }

// IsGone reports a gone problem: the change is recorded, but the workflow
// step it answers had already finished.
func IsGone(err error) bool { return HasCode(err, CodeGone) }

// IsPreconditionFailed reports a stale If-Match (412): reload and retry.
func IsPreconditionFailed(err error) bool { return HasCode(err, CodePreconditionFailed) }

// IsPreconditionRequired reports an admin write without If-Match (428).
func IsPreconditionRequired(err error) bool { return HasCode(err, CodePreconditionRequired) }

// IsValidation reports a validation_failed or verification_required problem;
// Problem.Fields says what is wrong.
func IsValidation(err error) bool {
	return HasCode(err, CodeValidationFailed) || HasCode(err, CodeVerificationRequired)
}

// IsRateLimited reports a 429, the API's rate_limited problem or API
// Gateway's throttling.
func IsRateLimited(err error) bool { return HTTPStatus(err) == http.StatusTooManyRequests }

// IsUnauthorized reports a 401: no valid staff token.
func IsUnauthorized(err error) bool { return HTTPStatus(err) == http.StatusUnauthorized }

// IsForbidden reports a 403: the role may not do this, or the token was
// refused on a route citizens and staff share.
func IsForbidden(err error) bool { return HTTPStatus(err) == http.StatusForbidden }
