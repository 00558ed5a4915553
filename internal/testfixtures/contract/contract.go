// Package contract checks HTTP exchanges with the API against its OpenAPI
// document (package openapi), for tests that drive the API over HTTP: every
// answer must fit the document, whatever its status; a request the document
// says is invalid must be refused with a 4xx; a request outside every
// operation must get a 404 or a 405. Client wraps a transport so that a test's
// exchanges are checked and its violations fail it.
package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/hotline12345/hotline/openapi"
)

// Checker validates exchanges against one OpenAPI document.
type Checker struct {
	// mu serialises validation: the validator's caches are not documented
	// as safe for concurrent use, and tests send requests from many goroutines.
	mu        sync.Mutex
	validator validator.Validator
	schemas   schema_validation.SchemaValidator
	// outside are the answers to requests outside every operation, by
	// status: components/responses NoRoute and MethodNotAllowed.
	outside map[int]*v3.Response
}

// options are the validator's settings: formats (date-time, date, uri) are
// asserted, as the document means them.
func options() []config.Option {
	return []config.Option{config.WithFormatAssertions()}
}

// New builds a checker of the document (YAML or JSON). The document must
// define components/responses NoRoute (404) and MethodNotAllowed (405), the
// answers to requests outside every operation.
func New(doc []byte) (*Checker, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("parse the document: %w", err)
	}
	m, err := d.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build the document's model: %w", err)
	}
	c := &Checker{
		validator: validator.NewValidatorFromV3Model(&m.Model, options()...),
		schemas:   schema_validation.NewSchemaValidator(options()...),
		outside:   map[int]*v3.Response{},
	}
	for _, o := range []struct {
		status int
		name   string
	}{{http.StatusNotFound, "NoRoute"}, {http.StatusMethodNotAllowed, "MethodNotAllowed"}} {
		status, name := o.status, o.name
		var r *v3.Response
		if m.Model.Components != nil && m.Model.Components.Responses != nil {
			r = m.Model.Components.Responses.GetOrZero(name)
		}
		if r == nil {
			return nil, fmt.Errorf("the document has no components/responses/%s", name)
		}
		c.outside[status] = r
	}
	return c, nil
}

// Shared returns the checker of the API's document, built once: building
// compiles every schema of the document.
var Shared = sync.OnceValues(func() (*Checker, error) { return New(openapi.YAML()) })

// Check validates one exchange: the request as sent (its body apart, as the
// client sent it) and the answer (its body apart). It returns what does not
// fit the document, nothing when all does.
func (c *Checker) Check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	_, reqErrs := c.validator.ValidateHttpRequestSync(r)
	if slices.ContainsFunc(reqErrs, outsideOperations) {
		return c.checkOutside(resp, respBody)
	}
	var problems []string
	if len(reqErrs) > 0 && (resp.StatusCode < 400 || resp.StatusCode > 499) {
		problems = append(problems, fmt.Sprintf("the request is invalid (%s) but was answered %d, not 4xx", describe(reqErrs), resp.StatusCode))
	}
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	answer := *resp
	answer.Body = io.NopCloser(bytes.NewReader(respBody))
	if _, errs := c.validator.ValidateHttpResponse(r, &answer); len(errs) > 0 {
		problems = append(problems, "the answer does not fit the document: "+describe(errs))
	}
	return problems
}

// outsideOperations says a request's path, or its method on the path, is in
// no operation of the document.
func outsideOperations(e *verrors.ValidationError) bool {
	return e.ValidationType == helpers.PathValidation &&
		(e.ValidationSubType == helpers.ValidationMissing || e.ValidationSubType == helpers.ValidationMissingOperation)
}

// checkOutside checks the answer to a request outside every operation: a 404
// for a path no route has (API Gateway's, or the catch-all route's problem
// under /v1), the 405 problem (with Allow) for a method the path does not
// have.
func (c *Checker) checkOutside(resp *http.Response, body []byte) []string {
	want, ok := c.outside[resp.StatusCode]
	if !ok {
		return []string{fmt.Sprintf("no operation of the document has this method and path, but the answer is %d, not 404 or 405", resp.StatusCode)}
	}
	var problems []string
	for name, h := range want.Headers.FromOldest() {
		if h.Required && resp.Header.Get(name) == "" {
			problems = append(problems, fmt.Sprintf("the %d answer has no %s header", resp.StatusCode, name))
		}
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	media := want.Content.GetOrZero(mt)
	if media == nil || media.Schema == nil {
		return append(problems, fmt.Sprintf("the %d answer is %q, which the document does not give it", resp.StatusCode, mt))
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return append(problems, fmt.Sprintf("the %d answer is not JSON: %v", resp.StatusCode, err))
	}
	if ok, errs := c.schemas.ValidateSchemaObject(media.Schema.Schema(), v); !ok {
		problems = append(problems, fmt.Sprintf("the %d answer does not fit the document: %s", resp.StatusCode, describe(errs)))
	}
	return problems
}

// ValidateSchema validates a value (as decoded from JSON) against a schema of
// the document, with the checker's settings.
func (c *Checker) ValidateSchema(s *base.Schema, v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, errs := c.schemas.ValidateSchemaObject(s, v); !ok {
		return errors.New(describe(errs))
	}
	return nil
}

// describe says what the validator found, briefly: its message and each
// schema failure with where it is.
func describe(errs []*verrors.ValidationError) string {
	var parts []string
	for _, e := range errs {
		s := e.Message
		if e.Reason != "" && e.Reason != e.Message {
			s += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			where := f.FieldPath
			if where == "" {
				where = "$"
			}
			s += fmt.Sprintf(" [%s: %s]", where, f.Reason)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// Recorder is an http.RoundTripper that checks every exchange it carries and
// keeps what did not fit.
type Recorder struct {
	Base    http.RoundTripper // http.DefaultTransport when nil
	Checker *Checker

	mu         sync.Mutex
	violations []string
}

// RoundTrip sends the request through Base and checks the exchange; a failed
// exchange (no answer) is not checked.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := r.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if objectStore(req) {
		return base.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	if problems := r.Checker.Check(req, body, resp, answer); len(problems) > 0 {
		r.record(fmt.Sprintf("%s %s → %d: %s\n\tanswer: %s", req.Method, req.URL.RequestURI(), resp.StatusCode, strings.Join(problems, "\n\t"), clip(answer)))
	}
	return resp, nil
}

func (r *Recorder) record(v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, v)
}

// Violations returns what did not fit so far, in the order of the exchanges.
func (r *Recorder) Violations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.violations)
}

// Client returns a client whose exchanges (sent through base, or
// http.DefaultTransport when nil) are checked against the API's document;
// when t ends, each violation is an error of t.
func Client(t testing.TB, base http.RoundTripper) *http.Client {
	t.Helper()
	c, err := Shared()
	if err != nil {
		t.Fatalf("the OpenAPI document: %v", err)
	}
	rec := &Recorder{Base: base, Checker: c}
	t.Cleanup(func() {
		for _, v := range rec.Violations() {
			t.Errorf("contract (openapi/openapi.yaml): %s", v)
		}
	})
	return &http.Client{Transport: rec}
}

// objectStore says a request goes to the object store with a form or link
// the API signed (an upload's POST, a presigned GET), not to the API: the
// API takes no multipart bodies and signs no query.
func objectStore(req *http.Request) bool {
	return strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/form-data") || req.URL.Query().Has("X-Amz-Signature")
}

// clip shortens an answer for a message.
func clip(b []byte) string {
	const limit = 600
	if len(b) <= limit {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b[:limit], nil)) + "…"
}
