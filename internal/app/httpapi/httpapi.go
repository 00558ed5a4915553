// Package httpapi holds what the HTTP functions (intake, api) share: the
// problem details of API.md v1.1, the mapping from typed domain errors to
// status codes, JSON responses and request helpers.
package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Error is an answer the client is meant to see.
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
	// RetryAfter, in whole seconds, is sent as Retry-After (429 answers).
	RetryAfter int
	// Allow lists the methods of the path (405 answers).
	Allow []string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf-style constructors for the codes of API.md.
func BadRequest(msg string, fields map[string]string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "validation_failed", Message: msg, Fields: fields}
}

// Unauthorized is a missing or invalid identity.
func Unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
}

// Forbidden is a known identity without the right.
func Forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

// NotFound never says whether the thing exists.
func NotFound() *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "not found"}
}

// Conflict is a stale version or a wrong status for the action.
func Conflict(msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: "conflict", Message: msg}
}

// VerificationRequired says a contact was not verified (API.md v1.1).
func VerificationRequired(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "verification_required", Message: msg, Fields: map[string]string{"verification": msg}}
}

// PreconditionFailed is a stale If-Match: the resource changed since the
// client read it.
func PreconditionFailed(msg string) *Error {
	return &Error{Status: http.StatusPreconditionFailed, Code: "precondition_failed", Message: msg}
}

// PreconditionRequired is a change sent without If-Match where the API
// refuses blind overwrites.
func PreconditionRequired(msg string) *Error {
	return &Error{Status: http.StatusPreconditionRequired, Code: "precondition_required", Message: msg}
}

// MethodNotAllowed is a known path asked with a method it does not serve.
func MethodNotAllowed(allow []string) *Error {
	return &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "this path serves " + strings.Join(allow, ", "), Allow: allow}
}

// Gone says the waiting workflow step already finished or timed out.
func Gone(msg string) *Error { return &Error{Status: http.StatusGone, Code: "gone", Message: msg} }

// ClientError is an error of a use case that knows how a client is told
// of it (attach's refusals), so this package need not link the use case.
type ClientError interface {
	error
	ClientError() *Error
}

// Classify turns any error into the client-facing one. Unknown errors become a
// generic 500; the raw text is only logged.
func Classify(err error) *Error {
	var (
		apiErr     *Error
		validation *ticket.ValidationError
		parse      *ticket.ParseError
		tooLarge   *ticket.TooLargeError
		transition *ticket.TransitionError
		refused    *ticket.RefusedError
		extension  *ticket.ExtensionError
		notFound   *ports.NotFoundError
		conflict   *ports.ConflictError
		idem       *ports.IdempotencyConflictError
		cursor     *ports.CursorError
		gone       *ports.StepGoneError
		noQueue    *ports.QueueMissingError
		limited    *ports.RateLimitedError
		used       *ports.UploadUsedError
		client     ClientError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &client):
		return client.ClientError()
	case errors.As(err, &used):
		return Conflict("a file of this request was attached meanwhile, or its upload expired; upload it again")
	case errors.As(err, &validation):
		return BadRequest(validation.Error(), validation.Fields)
	case errors.As(err, &parse):
		return BadRequest(parse.Error(), nil)
	case errors.As(err, &tooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large", Message: tooLarge.Error()}
	case errors.As(err, &transition):
		return Conflict(transition.Error())
	case errors.As(err, &refused):
		return Conflict(refused.Reason)
	case errors.As(err, &extension):
		return Conflict(extension.Reason)
	case errors.As(err, &notFound):
		return NotFound()
	case errors.As(err, &conflict):
		return Conflict("the ticket changed meanwhile or is not in the right status; reload and retry")
	case errors.As(err, &idem):
		return Conflict("this Idempotency-Key was used with a different request body")
	case errors.As(err, &cursor):
		return BadRequest("cursor is not one this API returned", map[string]string{"cursor": "invalid"})
	case errors.As(err, &gone):
		return Gone(gone.Error())
	case errors.As(err, &limited):
		return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: limited.Error(), RetryAfter: retryAfterSeconds(limited.RetryAfter)}
	case errors.As(err, &noQueue):
		return BadRequest(noQueue.Error(), map[string]string{"id": "no queue " + noQueue.Queue})
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}
}

// retryAfterSeconds rounds up: a client retrying on time must not be early.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// JSON answers with a JSON body.
func JSON(status int, v any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"type":"`+ProblemTypeBase+`internal","title":"Internal error","status":500,"detail":"internal error","code":"internal"}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"},
		Body:       string(b),
	}
}

// File answers a download: the body base64-encoded, as API Gateway
// expects binary answers from a Lambda function.
func File(contentType, filename string, body []byte) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers: map[string]string{
			"Content-Type":        contentType,
			"Content-Disposition": `attachment; filename="` + filename + `"`,
			"Cache-Control":       "no-store",
		},
		Body:            base64.StdEncoding.EncodeToString(body),
		IsBase64Encoded: true,
	}
}

// Body returns the request body bytes, decoding API Gateway's base64 form.
func Body(req events.APIGatewayV2HTTPRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, BadRequest("request body is not valid base64", nil)
	}
	return b, nil
}

// Header reads a header case-insensitively (API Gateway lower-cases them, but
// other callers may not).
func Header(req events.APIGatewayV2HTTPRequest, name string) string {
	if v, ok := req.Headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Staff returns the caller's verified claims, if the authorizer passed any.
func Staff(req events.APIGatewayV2HTTPRequest) (auth.Claims, bool, error) {
	a := req.RequestContext.Authorizer
	if a == nil {
		return auth.Claims{}, false, nil
	}
	claims := map[string]string{}
	if a.JWT != nil {
		claims = a.JWT.Claims
	} else {
		// The optional-staff Lambda authorizer (internal/app/authorizer) passes the
		// same claims as its context, on the routes citizens and staff share.
		for _, k := range []string{"sub", "role", "dept"} {
			if v, ok := a.Lambda[k].(string); ok {
				claims[k] = v
			}
		}
	}
	if len(claims) == 0 {
		return auth.Claims{}, false, nil
	}
	c, err := auth.FromAuthorizer(claims)
	if err != nil {
		return auth.Claims{}, false, Unauthorized("token claims are incomplete: " + err.Error())
	}
	return c, true, nil
}

// Logger returns a logger carrying the request id.
func Logger(log *slog.Logger, req events.APIGatewayV2HTTPRequest) *slog.Logger {
	return log.With("request_id", req.RequestContext.RequestID, "route", req.RouteKey)
}
