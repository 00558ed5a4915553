package open311

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/httpapi"
)

// Problem is one entry of the spec's error answer.
type Problem struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

// Error is an answer in the spec's error format: HTTP 404 for what does not
// exist, 403 for a missing or wrong api_key, 400 for anything else the
// client can fix, 429 for a limit (with Retry-After), 500 for our faults.
type Error struct {
	Status   int
	Problems []Problem
	// RetryAfter, in whole seconds, is sent as Retry-After (429).
	RetryAfter int
}

func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		return "open311: " + strconv.Itoa(e.Status)
	}
	return fmt.Sprintf("open311: %d %s", e.Status, e.Problems[0].Description)
}

func problem(status int, format string, args ...any) *Error {
	return &Error{Status: status, Problems: []Problem{{Code: status, Description: fmt.Sprintf(format, args...)}}}
}

// BadRequest is a 400 with one description.
func BadRequest(format string, args ...any) *Error {
	return problem(http.StatusBadRequest, format, args...)
}

// NotFound is a 404 naming what was not found.
func NotFound(format string, args ...any) *Error {
	return problem(http.StatusNotFound, format, args...)
}

// Forbidden is the spec's 403 for a missing or invalid api_key.
func Forbidden(format string, args ...any) *Error {
	return problem(http.StatusForbidden, format, args...)
}

// fieldNames are the Open311 names of the ticket fields a request maps to,
// so a validation error names what the app sent.
var fieldNames = map[string]string{
	"content":          "description",
	"location":         "lat/long",
	"location.lat":     "lat",
	"location.lng":     "long",
	"location.address": "address_string",
	"location.region":  "address_id",
	"contact":          "phone/email",
	"contact.phone":    "phone",
	"contact.email":    "email",
	"contact.name":     "first_name/last_name",
	"mediaUrl":         "media_url",
	"category":         "service_code",
	"type":             "service_code",
	"verification":     "verification_code",
}

// verificationDescription tells an app how to prove a citizen's contact in
// its own terms (the JSON API names the same fields differently).
const verificationDescription = "verification_code: verify the citizen's phone or e-mail first (POST /v1/verifications with {\"phone\"} or {\"email\"}) and send verification_id and verification_code"

// Classify turns any error into the spec's error answer. Errors of the
// shared intake (httpapi's) keep their status where the spec has one and
// become 400 otherwise; their fields are named as the app sent them.
func Classify(err error) *Error {
	var own *Error
	if errors.As(err, &own) {
		return own
	}
	he := httpapi.Classify(err)
	switch {
	case he.Status >= 500:
		return problem(http.StatusInternalServerError, "internal error; try again later")
	case he.Status == http.StatusTooManyRequests:
		e := problem(http.StatusTooManyRequests, "%s", he.Message)
		e.RetryAfter = he.RetryAfter
		return e
	case he.Status == http.StatusNotFound:
		return NotFound("not found")
	case he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden:
		return Forbidden("%s", he.Message)
	case he.Code == "verification_required":
		return BadRequest(verificationDescription)
	}
	if len(he.Fields) == 0 {
		return BadRequest("%s", he.Message)
	}
	keys := make([]string, 0, len(he.Fields))
	for k := range he.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e := &Error{Status: http.StatusBadRequest}
	for _, k := range keys {
		name := k
		if n, ok := fieldNames[k]; ok {
			name = n
		}
		e.Problems = append(e.Problems, Problem{Code: http.StatusBadRequest, Description: name + ": " + he.Fields[k]})
	}
	return e
}

// errorList is the XML form of the answer: <errors><error>…</error></errors>.
type errorList struct {
	XMLName  xml.Name  `xml:"errors"`
	Problems []Problem `xml:"error"`
}

// Fail answers err in the spec's format and logs what the client does not
// see; the log has status and route only, never a value of the request.
func Fail(ctx context.Context, log *slog.Logger, f Format, err error) events.APIGatewayV2HTTPResponse {
	e := Classify(err)
	if e.Status >= 500 {
		log.ErrorContext(ctx, "open311 request failed", "error", err.Error())
	} else {
		log.InfoContext(ctx, "open311 request refused", "status", e.Status, "problems", len(e.Problems))
	}
	resp := answer(f, e.Status, e.Problems, errorList{Problems: e.Problems})
	if e.RetryAfter > 0 {
		resp.Headers["Retry-After"] = strconv.Itoa(e.RetryAfter)
	}
	return resp
}
