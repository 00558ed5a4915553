// Package edge is the local AWS edge: one http.Handler that answers the AWS
// APIs the platform uses (DynamoDB, SQS in its JSON and query protocols,
// SES v2, SNS, STS GetCallerIdentity, Step Functions, S3's object subset)
// on one port, routed
// like LocalStack's edge, so the production adapters run unchanged in local
// mode and in tests.
package edge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/ddb"
	"github.com/hotline12345/hotline/internal/localmode/durable"
	"github.com/hotline12345/hotline/internal/localmode/hostguard"
	"github.com/hotline12345/hotline/internal/localmode/objects"
)

// Clock is the edge's source of time (visibility timeouts, delays,
// timestamps). Inject a fake in tests or a sped-up clock in local mode.
type Clock interface {
	Now() time.Time
}

// AfterClock is optionally implemented by a Clock whose timers must follow its
// own notion of time (a fake or sped-up clock). Long polls wait on it; clocks
// without it are waited on with real timers.
type AfterClock interface {
	Clock
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options configure an Edge. The zero value is usable.
type Options struct {
	// Region reported in ARNs and captured mail; default "us-east-1".
	Region string
	// AccountID used in ARNs and queue URLs; default "000000000000".
	AccountID string
	// Clock defaults to the real clock.
	Clock Clock
	// StepFunctions handles X-Amz-Target AWSStepFunctions.* requests. Nil
	// answers 501 NotImplemented.
	StepFunctions http.Handler
	// Logger receives one line per request at debug level (a function's
	// call makes several, so they would drown the rest at info), never
	// bodies, never query strings: they can carry e-mail addresses and phone
	// numbers. Default: JSON to stderr.
	Logger *slog.Logger
	// MaxBodyBytes caps request bodies; default 8 MiB.
	MaxBodyBytes int64
	// Guard, when set, wraps what Start serves (local mode: Host checks).
	Guard func(http.Handler) http.Handler
	// Faults, when set, makes a share of the calls fail (see Faults).
	Faults *Faults
	// DynamoDB is the engine DynamoDB calls reach; nil opens one in memory.
	// Whoever opens it closes it.
	DynamoDB *ddb.Engine
	// TencentTemplates are the Tencent Cloud SMS templates the emulation
	// approves, by template id; nil approves any and renders none.
	TencentTemplates map[string]TencentTemplate
	// Store, when set, keeps SQS's queues and messages and the captured
	// mail and SMS across restarts: Open loads them, every change is
	// written through (keep.go). Nil keeps them in memory only. Whoever
	// opens it closes it, after closing the edge. S3 buckets and object
	// metadata are kept there too when ObjectsDir is set.
	Store *durable.Store
	// ObjectsDir holds S3 object bodies, one file each, when Store is set.
	// Without both, S3 keeps everything in memory (a Store alone does not
	// keep S3: metadata without its bodies would name lost files).
	ObjectsDir string
	// MaxObjectBytes caps an S3 object; default 64 MiB. S3 bodies stream
	// to the object store under this cap, not MaxBodyBytes.
	MaxObjectBytes int64
	// S3Credentials are the secrets, by access key, that presigned POST
	// policies and presigned URLs are verified with; nil means
	// DefaultS3Credentials (local mode's test/test).
	S3Credentials map[string]string
}

const (
	defaultRegion    = "us-east-1"
	defaultAccountID = "000000000000"
	defaultMaxBody   = 8 << 20
)

// Edge is the local AWS edge. It is safe for concurrent use.
type Edge struct {
	region    string
	accountID string
	clock     Clock
	log       *slog.Logger
	maxBody   int64
	sfn       http.Handler
	guard     func(http.Handler) http.Handler
	faults    *Faults

	dynamo dynamoService
	sqs    *sqsService
	ses    *sesService
	sns    *snsService
	sm     *secretsService
	tsms   *tencentSMSService
	s3     *s3Service
	smtp   *smtpCapture
	keep   *keep // nil without a Store

	mu        sync.Mutex
	srv       *http.Server
	stopSweep chan struct{} // closed by Close; nil before Start
	ln        net.Listener
	url       string
	served    chan struct{}
}

// New builds an Edge with empty state, or with what opts.Store keeps; it
// panics if the store cannot be read: Open reports that as an error.
func New(opts Options) *Edge {
	e, err := Open(opts)
	if err != nil {
		panic(err)
	}
	return e
}

// Open builds an Edge with what opts.Store keeps (empty state without one).
func Open(opts Options) (*Edge, error) {
	e := &Edge{
		region:    opts.Region,
		accountID: opts.AccountID,
		clock:     opts.Clock,
		log:       opts.Logger,
		maxBody:   opts.MaxBodyBytes,
		sfn:       opts.StepFunctions,
		guard:     opts.Guard,
		faults:    opts.Faults,
	}
	if e.region == "" {
		e.region = defaultRegion
	}
	if e.accountID == "" {
		e.accountID = defaultAccountID
	}
	if e.clock == nil {
		e.clock = realClock{}
	}
	if e.log == nil {
		e.log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if e.maxBody <= 0 {
		e.maxBody = defaultMaxBody
	}
	if opts.DynamoDB != nil {
		e.dynamo.engine = opts.DynamoDB
	} else {
		e.dynamo.engine, e.dynamo.err = ddb.Open(ddb.Options{Now: e.clock.Now, Region: e.region, Account: e.accountID})
		e.dynamo.owned = true
	}
	e.sqs = newSQSService(e.region, e.accountID, e.clock)
	e.ses = newSESService(e.region, e.clock)
	e.sns = newSNSService(e.region, e.accountID, e.clock)
	e.sm = newSecretsService(e.region, e.accountID, e.clock)
	e.tsms = &tencentSMSService{clock: e.clock, templates: opts.TencentTemplates}
	err := e.keepIn(opts.Store)
	if err == nil {
		err = e.openS3(opts)
	}
	if err != nil {
		if e.dynamo.owned && e.dynamo.engine != nil {
			err = errors.Join(err, e.dynamo.engine.Close())
		}
		return nil, err
	}
	return e, nil
}

// openS3 opens the object store behind S3, kept beside the rest when the
// edge keeps state.
func (e *Edge) openS3(opts Options) error {
	secrets := opts.S3Credentials
	if secrets == nil {
		secrets = DefaultS3Credentials
	}
	o := objects.Options{MaxObjectBytes: opts.MaxObjectBytes, Now: e.clock.Now, Logger: e.log}
	if opts.Store != nil && opts.ObjectsDir != "" {
		o.Store, o.Dir = opts.Store, opts.ObjectsDir
	}
	eng, err := objects.Open(o)
	if err != nil {
		return fmt.Errorf("edge: open S3: %w", err)
	}
	e.s3 = &s3Service{eng: eng, region: e.region, clock: e.clock, secrets: secrets, log: e.log}
	return nil
}

// SweepS3 expires the S3 objects whose lifecycle expiry has come on the
// edge's clock and returns how many; Start runs it every minute.
func (e *Edge) SweepS3() (int, error) {
	n, err := e.s3.eng.Sweep(e.clock.Now())
	if err != nil {
		return n, fmt.Errorf("edge: S3 lifecycle sweep: %w", err)
	}
	return n, nil
}

// sweepS3 runs SweepS3 until stop closes. It ticks in real time, not on
// the edge's clock: expiry times come from the clock either way, and a
// sweeper waiting on a fake clock would look to tests like a parked long
// poll.
func (e *Edge) sweepS3(stop <-chan struct{}) {
	t := time.NewTicker(s3SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if n, err := e.SweepS3(); err != nil {
				e.log.Warn("S3 lifecycle sweep failed", "error", err.Error())
			} else if n > 0 {
				e.log.Info("S3 lifecycle expired objects", "objects", n)
			}
		}
	}
}

// Start listens on addr ("127.0.0.1:0" or "" for a free local port) and serves
// the edge in the background. It returns the base URL to give to clients as
// their endpoint.
func (e *Edge) Start(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv != nil {
		return "", errors.New("edge: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("edge: listen on %s: %w", addr, err)
	}
	e.ln = ln
	e.url = "http://" + ln.Addr().String()
	var h http.Handler = e
	if e.guard != nil {
		h = e.guard(h)
	}
	e.srv = hostguard.Server(h)
	e.served = make(chan struct{})
	e.stopSweep = make(chan struct{})
	go e.sweepS3(e.stopSweep)
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("edge server stopped", "error", err.Error())
		}
	}(e.srv, e.served)
	return e.url, nil
}

// URL is the base URL after Start, "" before.
func (e *Edge) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.url
}

// Close stops the server started by Start, cutting long polls short. It is
// safe to call more than once and without Start.
func (e *Edge) Close() error {
	// Last, waiting for writes under way: once Close returns nothing
	// touches the store, which its owner may then close (srv.Close does not
	// wait for running handlers; later writes fail).
	defer e.keep.close()
	defer func() { _ = e.s3.eng.Close() }() // likewise for S3's metadata and bodies
	smtpErr := e.closeSMTP()
	e.mu.Lock()
	srv, done := e.srv, e.served
	e.srv = nil
	if e.stopSweep != nil {
		close(e.stopSweep)
		e.stopSweep = nil
	}
	e.mu.Unlock()
	if srv == nil {
		return smtpErr
	}
	err := errors.Join(srv.Close(), smtpErr)
	<-done
	if e.dynamo.owned && e.dynamo.engine != nil {
		err = errors.Join(err, e.dynamo.engine.Close())
	}
	if err != nil {
		return fmt.Errorf("edge: close: %w", err)
	}
	return nil
}

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// ServeHTTP routes one request to the emulated service.
func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	service, op := e.route(sw, r)
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	e.log.LogAttrs(r.Context(), slog.LevelDebug, "aws edge request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("service", service),
		slog.String("operation", op),
		slog.Int("status", sw.status),
		slog.Int("bytes", sw.bytes),
		slog.Duration("duration", time.Since(start)),
	)
}

// route dispatches and reports service and operation names for the log.
func (e *Edge) route(w http.ResponseWriter, r *http.Request) (service, op string) {
	target := r.Header.Get("X-Amz-Target")
	path := r.URL.Path

	switch {
	case path == "/_aws/ses":
		e.ses.serveRetrospection(w, r)
		return "ses", "retrospection"
	case path == "/_aws/tencent-sms":
		e.tsms.serveRetrospection(w, r)
		return "tencent-sms", "retrospection"
	case path == "/_aws/s3":
		e.s3.serveRetrospection(w, r)
		return "s3", "retrospection"
	case path == "/_aws/sns/sms-messages":
		e.sns.serveSMSRetrospection(w, r)
		return "sns", "sms-retrospection"
	case isPeekPath(path) && r.Method == http.MethodGet:
		e.sqs.servePeek(w, r)
		return "sqs", "peek"
	case path == "/health" || path == "/_localstack/health":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"services":{"dynamodb":"running","sqs":"running","ses":"running","sns":"running","sts":"running","secretsmanager":"running","tencent-sms":"running","s3":"running","stepfunctions":"`+e.sfnState()+`"}}`)
		return "edge", "health"
	}

	// Before the body is read: S3 bodies stream under their own cap.
	if e.s3.isS3Request(r) {
		return "s3", e.s3.serve(w, r)
	}

	// The query protocol also comes as GET with the parameters in the URL
	// (LocalStack's documented curl examples).
	getQuery := r.Method == http.MethodGet && target == "" && r.URL.Query().Has("Action")
	if r.Method != http.MethodPost && !getQuery {
		writeJSONError(w, http.StatusBadRequest, "UnsupportedOperation",
			fmt.Sprintf("the local AWS edge does not support %s %s", r.Method, path))
		return "unknown", r.Method + " " + path
	}

	body, ok := e.readBody(w, r)
	if !ok {
		return "edge", "body-too-large"
	}

	if path == TencentSMSPath {
		return "tencent-sms", e.tsms.serve(w, r, body)
	}

	var form url.Values
	if target == "" && (isFormRequest(r) || getQuery) {
		f, err := requestForm(r, body)
		switch svc := signingService(r); {
		case err == nil:
			form = f
		case svc == "sqs" || svc == "sts" || getQuery:
			xmlns := sqsXMLNS
			if svc == "sts" {
				xmlns = stsXMLNS
			}
			writeQueryError(w, http.StatusBadRequest, xmlns, "MalformedQueryString", "could not parse the query parameters")
			return "unknown", "malformed query"
		}
		// Otherwise SNS answers the malformed form, as it always has.
	}

	if service := serviceOf(r, target, path, form); service != "" && e.faults.inject(w, service, form != nil) {
		return service, "injected fault"
	}
	if form != nil {
		switch queryService(r, form) {
		case "sqs":
			if isPeekPath(path) {
				e.sqs.servePeekQuery(w, r, form)
				return "sqs", "peek " + form.Get("Action")
			}
			return "sqs", e.sqs.serveQuery(w, r, form)
		case "sts":
			return "sts", e.serveSTS(w, form)
		case "sns":
			if getQuery {
				body = []byte(form.Encode())
			}
			return "sns", e.sns.serve(w, r, body)
		}
	}
	switch {
	case strings.HasPrefix(target, "DynamoDB_20120810."):
		op = strings.TrimPrefix(target, "DynamoDB_20120810.")
		e.serveDynamo(w, r, op, body)
		return "dynamodb", op
	case strings.HasPrefix(target, "AmazonSQS."):
		op = strings.TrimPrefix(target, "AmazonSQS.")
		if isPeekPath(path) {
			e.sqs.servePeekJSON(w, r, op, body)
			return "sqs", "peek " + op
		}
		e.sqs.serve(w, r, op, body)
		return "sqs", op
	case strings.HasPrefix(target, "secretsmanager."):
		op = strings.TrimPrefix(target, "secretsmanager.")
		e.sm.serve(w, op, body)
		return "secretsmanager", op
	case strings.HasPrefix(target, "AWSStepFunctions."):
		op = strings.TrimPrefix(target, "AWSStepFunctions.")
		if e.sfn == nil {
			writeJSONError(w, http.StatusNotImplemented, "NotImplemented",
				"Step Functions is not configured on this local AWS edge")
			return "stepfunctions", op
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		e.sfn.ServeHTTP(w, r)
		return "stepfunctions", op
	case path == "/v2/email/outbound-emails":
		e.ses.serveSendEmail(w, r, body)
		return "ses", "SendEmail"
	case strings.HasPrefix(path, "/v2/email/"):
		writeRESTError(w, http.StatusBadRequest, "BadRequestException",
			fmt.Sprintf("the local AWS edge does not support SES v2 %s %s", r.Method, path))
		return "ses", "unsupported"
	case target == "" && isFormRequest(r) && (signingService(r) == "sns" || signingService(r) == ""):
		op = e.sns.serve(w, r, body)
		return "sns", op
	}

	what := target
	if what == "" {
		what = "POST " + path
	}
	writeJSONError(w, http.StatusBadRequest, "UnsupportedOperation",
		fmt.Sprintf("the local AWS edge does not support %s", what))
	return "unknown", what
}

func (e *Edge) sfnState() string {
	if e.sfn == nil {
		return "disabled"
	}
	return "running"
}

// readBody reads the whole (bounded) body so every service sees the same
// limit and the Step Functions handler can be given a fresh reader.
func (e *Edge) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := readAll(http.MaxBytesReader(w, r.Body, e.maxBody), min(r.ContentLength, e.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
				fmt.Sprintf("request body exceeds %d bytes", e.maxBody))
			return nil, false
		}
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "could not read request body")
		return nil, false
	}
	return body, true
}

// readAll is io.ReadAll into a buffer of the announced size (io.ReadAll
// starts at 512 bytes and copies as it grows, for every call the edge gets).
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, size+1) // +1: the read that meets EOF needs no room
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// serviceOf names the service a call is for, as in a faults setting; ""
// for what the edge does not serve (and STS, which faults leave alone).
func serviceOf(r *http.Request, target, path string, form url.Values) string {
	if form != nil {
		if svc := queryService(r, form); svc != "sts" {
			return svc
		}
		return ""
	}
	switch {
	case strings.HasPrefix(target, "DynamoDB_20120810."):
		return "dynamodb"
	case strings.HasPrefix(target, "AmazonSQS."):
		return "sqs"
	case strings.HasPrefix(target, "AWSStepFunctions."):
		return "stepfunctions"
	case path == "/v2/email/outbound-emails":
		return "ses"
	case target == "" && isFormRequest(r) && (signingService(r) == "sns" || signingService(r) == ""):
		return "sns"
	}
	return ""
}

// queryService names the service a query-protocol request is for: the
// SigV4 scope when signed, else the API version, else the action; unsigned
// requests naming none of SQS's or STS's are SNS's, as before SQS and STS
// spoke the query protocol here.
func queryService(r *http.Request, form url.Values) string {
	switch svc := signingService(r); svc {
	case "sqs", "sts", "sns":
		return svc
	case "":
	default:
		return ""
	}
	switch form.Get("Version") {
	case "2012-11-05":
		return "sqs"
	case "2011-06-15":
		return "sts"
	case "2010-03-31":
		return "sns"
	}
	switch action := form.Get("Action"); {
	case isSQSAction(action):
		return "sqs"
	case action == "GetCallerIdentity":
		return "sts"
	}
	return "sns"
}

func isPeekPath(path string) bool {
	return path == peekPath || strings.HasPrefix(path, peekPath+"/")
}

func isFormRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// signingService reads the service from the SigV4 credential scope
// (Credential=AK/date/region/service/aws4_request); "" when unsigned.
func signingService(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// newID returns a random UUID (v4) string.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// waitUntil blocks until d passes on clock, ch is closed, or ctx ends. It
// reports whether the timer fired.
func waitUntil(ctx context.Context, clock Clock, d time.Duration, ch <-chan struct{}) bool {
	var timer <-chan time.Time
	if ac, ok := clock.(AfterClock); ok {
		timer = ac.After(d)
	} else {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true
	case <-ch:
		return false
	case <-ctx.Done():
		return false
	}
}
