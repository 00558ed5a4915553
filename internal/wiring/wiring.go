// Package wiring is what every function's wiring shares: process-wide options
// that tests and local mode replace, the JSON logger, and the Lambda main. It
// links no AWS client; each function's package under internal/wiring builds
// only the clients its handler uses, so each bootstrap links only those.
package wiring

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hotline12345/hotline/internal/adapters/metrics"
	"github.com/hotline12345/hotline/internal/adapters/tracing"
	"github.com/hotline12345/hotline/internal/wiring/config"
)

// Options replace process-wide defaults, for local mode and tests.
type Options struct {
	Now func() time.Time // default time.Now
	// WallNow is real time for what a person lives through, such as a
	// verification code's lifetime, when local mode speeds Now up for the
	// workflow's deadlines; default Now.
	WallNow    func() time.Time
	Log        io.Writer    // default os.Stderr
	Random     io.Reader    // default crypto/rand
	HTTPClient *http.Client // default: the SDK's
	// UnsignedAWS sends the AWS clients' requests unsigned when they go to
	// a local endpoint (awsconf.Settings.Unsigned): local mode's in-process
	// edge checks no signature.
	UnsignedAWS bool
	// LogHandler makes the functions' log handler; default JSON, what
	// CloudWatch gets. Local mode passes a human-readable one on a terminal.
	LogHandler func(io.Writer, *slog.HandlerOptions) slog.Handler

	// Metrics takes the functions' metrics; default EMF lines on Stdout
	// when HOTLINE_METRICS_NAMESPACE is set, else none. Local mode keeps
	// them in memory.
	Metrics metrics.Recorder
	Stdout  io.Writer // default os.Stdout

	// Tracing traces each invocation and its AWS calls; default: OTLP when
	// OTEL_EXPORTER_OTLP_ENDPOINT is set, else nothing (Handle sets it).
	Tracing *tracing.Tracing
}

// WithDefaults fills what the caller left empty.
func (o Options) WithDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.WallNow == nil {
		o.WallNow = o.Now
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	return o
}

// Logger is a function's logger at the configured level (HOTLINE_LOG_LEVEL),
// JSON unless o.LogHandler says otherwise.
func (o Options) Logger(function, logLevel string) *slog.Logger {
	o = o.WithDefaults()
	newHandler := o.LogHandler
	if newHandler == nil {
		newHandler = func(w io.Writer, ho *slog.HandlerOptions) slog.Handler { return slog.NewJSONHandler(w, ho) }
	}
	return slog.New(newHandler(o.Log, &slog.HandlerOptions{Level: level(logLevel)})).With("function", function)
}

func level(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// MetricsRecorder is o.Metrics, or else EMF on o.Stdout in namespace (none
// when namespace is empty). EMF goes to stdout, away from the logs on
// stderr: each line must reach CloudWatch Logs as a JSON object of its own.
func (o Options) MetricsRecorder(namespace string) metrics.Recorder {
	o = o.WithDefaults()
	switch {
	case o.Metrics != nil:
		return o.Metrics
	case namespace == "":
		return metrics.Discard{}
	}
	return &metrics.EMF{W: o.Stdout, Namespace: namespace, Now: o.Now}
}

// Builder builds one function from its environment and returns its handler
// func in the form lambda.Start and lambda.NewHandler take.
type Builder func(ctx context.Context, getenv func(string) string, o Options) (any, error)

// Handle adapts a function's typed builder to a Builder. The handler it
// returns traces each invocation (a span named after the function, the
// parent of the spans of its AWS calls) and flushes the spans before the
// invocation returns.
func Handle[H any](build func(context.Context, func(string) string, Options) (H, error), handle func(H) any) Builder {
	function := functionName[H]()
	return func(ctx context.Context, getenv func(string) string, o Options) (any, error) {
		if o.Tracing == nil {
			t, err := tracing.New(ctx, function, strings.TrimSpace(getenv(config.EnvOTLPEndpoint)))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", function, err)
			}
			o.Tracing = t
		}
		h, err := build(ctx, getenv, o)
		if err != nil {
			return nil, err
		}
		fn := handle(h)
		return tracing.Handler(o.Tracing, function, func() lambda.Handler { return lambda.NewHandler(fn) }), nil
	}
}

// functionName is the function a handler type belongs to: the last element
// of its package path (internal/app/intake → "intake"), which is the
// function's name under functions/.
func functionName[H any]() string {
	t := reflect.TypeFor[H]()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return path.Base(t.PkgPath())
}

// Main is the whole main of a Lambda function: configuration from the process
// environment, failing at start with a message naming what is missing.
func Main(build Builder) {
	h, err := build(context.Background(), os.Getenv, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// TracingOrOff is o.Tracing, or no tracing when a builder runs outside
// Handle (tools, tests).
func (o Options) TracingOrOff() *tracing.Tracing {
	if o.Tracing == nil {
		return tracing.Off()
	}
	return o.Tracing
}
