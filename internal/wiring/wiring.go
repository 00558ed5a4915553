// Package wire builds each function's handler from its configuration: the
// same code serves the Lambda mains (environment from the process) and
// `hotline serve` (environment from a map, endpoint at the local edge).
package wiring

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/adapters/workflow"
	"github.com/hotline12345/hotline/internal/app/api"
	"github.com/hotline12345/hotline/internal/app/authorizer"
	"github.com/hotline12345/hotline/internal/app/catalogconfig"
	"github.com/hotline12345/hotline/internal/app/dispatch"
	"github.com/hotline12345/hotline/internal/app/feedback"
	"github.com/hotline12345/hotline/internal/app/intake"
	"github.com/hotline12345/hotline/internal/app/review"
	"github.com/hotline12345/hotline/internal/app/sweep"
	"github.com/hotline12345/hotline/internal/domain/screening"
	"github.com/hotline12345/hotline/internal/wiring/config"
)

// Options replace process-wide defaults, for local mode and tests.
type Options struct {
	Now        func() time.Time // default time.Now
	Log        io.Writer        // default os.Stderr
	Random     io.Reader        // default crypto/rand
	HTTPClient *http.Client     // default: the SDK's
}

// Base is what every function shares: configuration, AWS clients, the store.
type Base struct {
	Config  config.Config
	AWS     aws.Config
	Store   *store.Store
	Blinder *seal.Blinder
	Catalog *catalogconfig.Source
	Log     *slog.Logger
	Now     func() time.Time
	Random  io.Reader
}

// Load reads a function's configuration and builds what all functions share.
func Load(ctx context.Context, function string, getenv func(string) string, o Options) (*Base, error) {
	cfg, err := config.Load(function, getenv)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	log := slog.New(slog.NewJSONHandler(o.Log, &slog.HandlerOptions{Level: level(cfg.LogLevel)})).With("function", function)
	awsCfg, err := awsconf.Load(ctx, awsconf.Settings{Region: cfg.Region, EndpointURL: cfg.EndpointURL, HTTPClient: o.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("%s: aws config: %w", function, err)
	}
	sealer, err := newSealer(cfg, awsCfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", function, err)
	}
	blinder, err := seal.NewBlinderBase64(cfg.BlindKey)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", function, config.EnvBlindKey, err)
	}
	st, err := store.New(awsconf.DynamoDB(awsCfg), cfg.Table, sealer, blinder, store.WithClock(o.Now))
	if err != nil {
		return nil, fmt.Errorf("%s: store: %w", function, err)
	}
	return &Base{
		Config: cfg, AWS: awsCfg, Store: st, Blinder: blinder, Log: log, Now: o.Now, Random: o.Random,
		Catalog: &catalogconfig.Source{Store: st, TTL: catalogconfig.DefaultTTL, Now: o.Now},
	}, nil
}

// Authorizer builds the optional-staff Lambda authorizer of the HTTP API. It is
// production-only (not in Functions): the local gateway checks tokens itself.
func Authorizer(_ context.Context, getenv func(string) string, o Options) (*authorizer.Handler, error) {
	cfg, err := config.Load("authorizer", getenv)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	client := o.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	url := cfg.JWKSURL
	if url == "" {
		url = strings.TrimSuffix(cfg.JWTIssuer, "/") + "/.well-known/jwks.json"
	}
	log := slog.New(slog.NewJSONHandler(o.Log, &slog.HandlerOptions{Level: level(cfg.LogLevel)})).With("function", "authorizer")
	return &authorizer.Handler{
		Verifier: &authorizer.JWKSVerifier{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, URL: url, Client: client, Now: o.Now},
		Log:      log,
	}, nil
}

// newSealer seals with KMS data keys when HOTLINE_KMS_KEY_ID is set (the local
// key, if also set, only opens values sealed before the switch) and with the
// local key otherwise.
func newSealer(cfg config.Config, awsCfg aws.Config) (seal.Sealer, error) {
	var local *seal.LocalSealer
	if cfg.SealKey != "" {
		l, err := seal.NewLocalSealerBase64(cfg.SealKey)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", config.EnvSealKey, err)
		}
		local = l
	}
	if cfg.KMSKeyID == "" {
		return local, nil
	}
	kc := seal.KMSSealerConfig{KeyID: cfg.KMSKeyID}
	if local != nil {
		kc.Legacy = local
	}
	s, err := seal.NewKMSSealer(awsconf.KMS(awsCfg), kc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvKMSKeyID, err)
	}
	return s, nil
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

// CodeKey is the key of access-code hashes, derived from the blinding key.
func (b *Base) CodeKey() []byte { return b.Blinder.Subkey("access-code") }

// departmentQueues publishes to the departments' SQS queues.
func (b *Base) departmentQueues(function string) (*queue.SQSPublisher, error) {
	pub, err := queue.NewSQSPublisher(awsconf.SQS(b.AWS), queue.PublisherConfig{QueuePrefix: b.Config.QueuePrefix})
	if err != nil {
		return nil, fmt.Errorf("%s: queue: %w", function, err)
	}
	return pub, nil
}

func (b *Base) workflow() *workflow.Client {
	return &workflow.Client{API: awsconf.SFN(b.AWS), StateMachineArn: b.Config.StateMachineArn}
}

// Intake builds the intake function.
func Intake(ctx context.Context, getenv func(string) string, o Options) (*intake.Handler, error) {
	b, err := Load(ctx, "intake", getenv, o)
	if err != nil {
		return nil, err
	}
	return &intake.Handler{Store: b.Store, Workflow: b.workflow(), Catalog: b.Catalog, Now: b.Now, Random: b.Random, Log: b.Log, CodeKey: b.CodeKey()}, nil
}

// Review builds the review function.
func Review(ctx context.Context, getenv func(string) string, o Options) (*review.Handler, error) {
	b, err := Load(ctx, "review", getenv, o)
	if err != nil {
		return nil, err
	}
	sc, err := screening.Load(configfiles.Screening)
	if err != nil {
		return nil, fmt.Errorf("review: screening rules: %w", err)
	}
	return &review.Handler{Store: b.Store, Catalog: b.Catalog, Screener: sc, Blinder: b.Blinder, Now: b.Now, Log: b.Log}, nil
}

// Dispatch builds the dispatch function.
func Dispatch(ctx context.Context, getenv func(string) string, o Options) (*dispatch.Handler, error) {
	b, err := Load(ctx, "dispatch", getenv, o)
	if err != nil {
		return nil, err
	}
	pub, err := b.departmentQueues("dispatch")
	if err != nil {
		return nil, err
	}
	return &dispatch.Handler{Store: b.Store, Catalog: b.Catalog, Queue: pub, Workflow: b.workflow(), Now: b.Now, Log: b.Log}, nil
}

// Feedback builds the feedback function.
func Feedback(ctx context.Context, getenv func(string) string, o Options) (*feedback.Handler, error) {
	b, err := Load(ctx, "feedback", getenv, o)
	if err != nil {
		return nil, err
	}
	mailer, err := notify.NewSESMailer(awsconf.SESv2(b.AWS), notify.SESConfig{From: b.Config.SenderEmail, ConfigurationSet: b.Config.SESConfigSet})
	if err != nil {
		return nil, fmt.Errorf("feedback: %s: %w", config.EnvSenderEmail, err)
	}
	h := &feedback.Handler{Store: b.Store, Mailer: mailer, Catalog: b.Catalog, Workflow: b.workflow(), Now: b.Now, Log: b.Log}
	if b.Config.SMSEnabled {
		texter, err := notify.NewSNSTexter(awsconf.SNS(b.AWS), notify.SNSConfig{})
		if err != nil {
			return nil, fmt.Errorf("feedback: sms: %w", err)
		}
		h.Texter = texter
	}
	return h, nil
}

// API builds the api function.
func API(ctx context.Context, getenv func(string) string, o Options) (*api.Handler, error) {
	b, err := Load(ctx, "api", getenv, o)
	if err != nil {
		return nil, err
	}
	return &api.Handler{Store: b.Store, Catalog: b.Catalog, Workflow: b.workflow(), Now: b.Now, Log: b.Log, CodeKey: b.CodeKey()}, nil
}

// Sweep builds the scheduled sweep function.
func Sweep(ctx context.Context, getenv func(string) string, o Options) (*sweep.Handler, error) {
	b, err := Load(ctx, "sweep", getenv, o)
	if err != nil {
		return nil, err
	}
	pub, err := b.departmentQueues("sweep")
	if err != nil {
		return nil, err
	}
	return &sweep.Handler{Store: b.Store, Catalog: b.Catalog, Queue: pub, Workflow: b.workflow(), Now: b.Now, Log: b.Log}, nil
}

// Functions names every Lambda function, as under functions/.
var Functions = []string{"intake", "review", "dispatch", "feedback", "api", "sweep"}

// builders builds each function and returns its handler func in the form
// lambda.Start and lambda.NewHandler take.
var builders = map[string]func(context.Context, func(string) string, Options) (any, error){
	"intake":     handlerOf(Intake, func(h *intake.Handler) any { return h.Handle }),
	"review":     handlerOf(Review, func(h *review.Handler) any { return h.Handle }),
	"dispatch":   handlerOf(Dispatch, func(h *dispatch.Handler) any { return h.Handle }),
	"feedback":   handlerOf(Feedback, func(h *feedback.Handler) any { return h.Handle }),
	"api":        handlerOf(API, func(h *api.Handler) any { return h.Handle }),
	"sweep":      handlerOf(Sweep, func(h *sweep.Handler) any { return h.Handle }),
	"authorizer": handlerOf(Authorizer, func(h *authorizer.Handler) any { return h.Handle }),
}

func handlerOf[H any](build func(context.Context, func(string) string, Options) (H, error), handle func(H) any) func(context.Context, func(string) string, Options) (any, error) {
	return func(ctx context.Context, getenv func(string) string, o Options) (any, error) {
		h, err := build(ctx, getenv, o)
		if err != nil {
			return nil, err
		}
		return handle(h), nil
	}
}

// Handler builds a function and returns its handler func.
func Handler(ctx context.Context, function string, getenv func(string) string, o Options) (any, error) {
	build, ok := builders[function]
	if !ok {
		return nil, fmt.Errorf("unknown function %q", function)
	}
	return build(ctx, getenv, o)
}

// Main is the whole main of a Lambda function: configuration from the process
// environment, failing at start with a message naming what is missing.
func Main(function string) {
	h, err := Handler(context.Background(), function, os.Getenv, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h)
}
