// Package platform assembles the whole platform in one process for `hotline serve`
// and the end-to-end tests: the AWS edge (DynamoDB, Step Functions over the
// project's interpreter, SES, SNS, SQS), the functions in-process behind a local
// API Gateway, and the seed configuration.
package platform

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/adapters/metrics"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/adapters/secrets"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/catalogconfig"
	"github.com/hotline12345/hotline/internal/app/notice"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/ddb"
	"github.com/hotline12345/hotline/internal/localmode/durable"
	"github.com/hotline12345/hotline/internal/localmode/edge"
	"github.com/hotline12345/hotline/internal/localmode/gateway"
	"github.com/hotline12345/hotline/internal/localmode/hostguard"
	"github.com/hotline12345/hotline/internal/localmode/inproc"
	"github.com/hotline12345/hotline/internal/localmode/lambdaenv"
	"github.com/hotline12345/hotline/internal/localmode/sfnlocal"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/api"
	"github.com/hotline12345/hotline/internal/wiring/config"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
	"github.com/hotline12345/hotline/internal/wiring/dispatch"
	"github.com/hotline12345/hotline/internal/wiring/feedback"
	"github.com/hotline12345/hotline/internal/wiring/intake"
	"github.com/hotline12345/hotline/internal/wiring/review"
	"github.com/hotline12345/hotline/internal/wiring/sweep"
	"github.com/hotline12345/hotline/statemachine"
	"github.com/hotline12345/hotline/web"
)

// Names of the local resources.
const (
	Region           = "us-east-1"
	Account          = "000000000000"
	Table            = "hotline"
	StateMachineName = "hotline-tickets"
	QueuePrefix      = "hotline-dept-"
	SenderEmail      = "12345 热线 <noreply@12345.local>"
	FunctionPrefix   = "hotline-"
)

// Options configure a local platform.
type Options struct {
	APIAddr   string    // default 127.0.0.1:8080; "127.0.0.1:0" picks a free port
	EdgeAddr  string    // default 127.0.0.1:4566
	Seed      []byte    // catalog seed; default config/seed.json
	Clock     asl.Clock // default the real clock; hotline serve --speed speeds it up
	Log       io.Writer // logs of every component (JSON unless LogHandler says otherwise)
	JWTSecret string    // default auth.DevSecret
	Random    io.Reader // default crypto/rand
	// SweepInterval is how often the sweep function runs; default
	// DefaultSweepInterval, negative: never (tests that run it themselves).
	SweepInterval time.Duration
	// SweepMinGap is the least wall-clock time between two sweeps: sped up
	// 10,000 times, the five-minute schedule would run the sweep (a query
	// of the open tickets) 33 times a second. Default: none.
	SweepMinGap time.Duration
	// Limits overrides the abuse limits (HOTLINE_LIMITS); default the
	// production defaults.
	Limits string
	// AllowHosts are more names the API answers to besides the bound
	// address (and the loopback names when bound to loopback).
	AllowHosts []string
	// CORSOrigins are the web origins the API answers CORS for; none by
	// default.
	CORSOrigins []string
	// Throttle applies API Gateway's route throttling to the API
	// (httpapi.ThrottleOf); hotline serve turns it on.
	Throttle bool
	// Faults, when set, makes the edge fail a share of the calls to each
	// service (edge.ParseFaults).
	Faults *edge.Faults
	// WallClock is time that must not speed up with Clock: Lambda invocation
	// timeouts and heartbeats (a function takes real time however fast the
	// workflow's deadlines pass), staff tokens' and verification codes'
	// lifetimes (people use them), the gateway's throttling and request
	// durations, and the AWS edge (SQS visibility timeouts, long polls and
	// retention are a consumer's machinery, not the workflow's deadlines).
	// Default: real time.
	WallClock asl.Clock
	// LogLevel is the least level logged, by the platform and, through
	// HOTLINE_LOG_LEVEL in their environment, by its functions; default
	// info. The edge logs each request at debug.
	LogLevel slog.Level
	// LogHandler makes the handler of every component's logs; default JSON.
	LogHandler func(io.Writer, *slog.HandlerOptions) slog.Handler
	// SMS is who sends SMS (HOTLINE_SMS_CHANNEL): sns (default), tencent
	// (the edge's Tencent Cloud SMS, with LocalTencentTemplates approved)
	// or off.
	SMS string
	// Mail is who sends e-mail (HOTLINE_MAIL_CHANNEL): ses (default) or
	// smtp (the edge's SMTP capture server on a free loopback port).
	Mail string
	// DataDir keeps the platform's data across restarts: DynamoDB's tables,
	// the queues and captured messages, the workflow executions (a ticket
	// waiting for its department resumes waiting) and the local keys that
	// seal personal data. Empty keeps everything in memory, for this run
	// only.
	DataDir string
	// Meter, when set, counts what the tables' requests would cost on
	// DynamoDB (Usage); it costs a little time per write.
	Meter *ddb.Meter
}

// UnsafeBindError refuses to expose local mode beyond this machine unsafely.
type UnsafeBindError struct{ Reason string }

func (e *UnsafeBindError) Error() string { return "local mode: " + e.Reason }

// minSecretBytes is the shortest HOTLINE_JWT_SECRET accepted on a network.
const minSecretBytes = 32

// checkBind lets the API leave loopback only with a real token secret, and
// keeps the edge (no authentication: captured mail, queues, task tokens) on
// loopback always.
func checkBind(o Options) error {
	if !hostguard.Loopback(o.EdgeAddr) {
		return &UnsafeBindError{Reason: fmt.Sprintf("the AWS edge has no authentication (captured mail, queues, task tokens) and binds only to loopback, not %s; reach it through an SSH tunnel", o.EdgeAddr)}
	}
	if !hostguard.Loopback(o.APIAddr) && (o.JWTSecret == "" || o.JWTSecret == auth.DevSecret || len(o.JWTSecret) < minSecretBytes) {
		return &UnsafeBindError{Reason: fmt.Sprintf("the API binds to %s, beyond this machine: set HOTLINE_JWT_SECRET to a secret of at least %d characters first (the development default is public)", o.APIAddr, minSecretBytes)}
	}
	return nil
}

// Platform is a running local platform.
type Platform struct {
	APIURL          string
	EdgeURL         string
	StateMachineArn string
	Engine          *asl.Engine
	Issuer          *auth.Issuer
	Catalog         *catalog.Catalog
	// Env is the environment every function gets, for tools and tests that
	// build a function of their own against this platform.
	Env map[string]string

	// SMTPAddr is the SMTP capture server's host:port with Options.Mail
	// smtp, else "".
	SMTPAddr string

	// Resumed is how many workflow executions carried on from DataDir.
	Resumed int

	// Metrics holds the counts the functions would write to CloudWatch as
	// EMF lines, kept in memory so they do not flood the terminal; the edge
	// serves them at MetricsPath.
	Metrics *metrics.Memory

	edge      *edge.Edge
	tables    *ddb.Engine
	store     *durable.Store
	clock     asl.Clock
	api       *http.Server
	done      chan struct{}
	stopSweep chan struct{}
	sweepDone chan struct{}
	housekept chan struct{}
	functions map[string]*lambdaenv.Pool
	meter     *ddb.Meter
}

// Usage is what the platform's work so far would be billed for on AWS.
type Usage struct {
	// Transitions are the states the workflow entered (Step Functions Standard).
	Transitions int64
	// Invocations are Lambda invocations by function.
	Invocations map[string]int64
	// DynamoDB is the tables' requests and units; empty without Options.Meter.
	DynamoDB ddb.Usage
}

// Usage counts the platform's billable work so far.
func (p *Platform) Usage() Usage {
	u := Usage{Transitions: p.Engine.Transitions(), Invocations: map[string]int64{}}
	for name, f := range p.functions {
		u.Invocations[name] = f.Invocations()
	}
	if p.meter != nil {
		u.DynamoDB = p.meter.Usage()
	}
	return u
}

// Functions names the Lambda functions local mode runs, as under functions/
// (all but the authorizer: the local gateway checks tokens itself).
var Functions = []string{"intake", "review", "dispatch", "feedback", "api", "sweep"}

var builders = map[string]wiring.Builder{
	"intake":   intake.Lambda,
	"review":   review.Lambda,
	"dispatch": dispatch.Lambda,
	"feedback": feedback.Lambda,
	"api":      api.Lambda,
	"sweep":    sweep.Lambda,
}

// DefaultSweepInterval is how often local mode runs the sweep function, as the
// production schedule does.
const DefaultSweepInterval = 5 * time.Minute

// Getenv reads the platform's function environment (Env).
func (p *Platform) Getenv(k string) string { return p.Env[k] }

// FunctionArn is the local ARN of a function.
func FunctionArn(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s%s", Region, Account, FunctionPrefix, name)
}

type clockAdapter struct{ asl.Clock }

// After lets the edge's long polls follow the same (possibly fake) clock.
func (c clockAdapter) After(d time.Duration) <-chan time.Time { return c.NewTimer(d).C() }

// Start brings the platform up and returns when both endpoints accept requests.
func Start(ctx context.Context, o Options) (*Platform, error) {
	if o.APIAddr == "" {
		o.APIAddr = "127.0.0.1:8080"
	}
	if o.EdgeAddr == "" {
		o.EdgeAddr = "127.0.0.1:4566"
	}
	if err := checkBind(o); err != nil {
		return nil, err
	}
	if o.Seed == nil {
		o.Seed = configfiles.Seed
	}
	if o.Clock == nil {
		o.Clock = &asl.RealClock{}
	}
	if o.WallClock == nil {
		o.WallClock = &asl.RealClock{}
	}
	if o.LogHandler == nil {
		o.LogHandler = func(w io.Writer, ho *slog.HandlerOptions) slog.Handler { return slog.NewJSONHandler(w, ho) }
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	switch o.SMS {
	case "":
		o.SMS = config.SMSSNS
	case config.SMSSNS, config.SMSTencent, config.SMSOff:
	default:
		return nil, fmt.Errorf("local mode: SMS channel %q is not sns, tencent or off", o.SMS)
	}
	switch o.Mail {
	case "":
		o.Mail = config.MailSES
	case config.MailSES, config.MailSMTP:
	default:
		return nil, fmt.Errorf("local mode: mail channel %q is not ses or smtp", o.Mail)
	}
	cat, err := catalog.Load(o.Seed)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	log := slog.New(o.LogHandler(o.Log, &slog.HandlerOptions{Level: o.LogLevel}))
	kept, err := openData(o)
	if err != nil {
		return nil, err
	}

	// The interpreter resolves functions lazily: they are built after the edge
	// is up because their clients point at it.
	var mu sync.RWMutex
	functions := map[string]lambda.Handler{}
	resolve := asl.MapResolver(functions)
	var journal *sfnlocal.Journal
	var aslJournal asl.Journal
	if kept.store != nil {
		journal = sfnlocal.NewJournal(kept.store, log.With("component", "workflow"))
		aslJournal = journal
	}
	engine := asl.New(asl.Options{
		Clock: o.Clock, TaskClock: o.WallClock, Region: Region, Account: Account, Journal: aslJournal,
		// Keep every execution: its name is what makes a second start of a
		// ticket's workflow (an intake retry) harmless, as on AWS.
		RetainFinished: -1,
		Resolver: func(ref string) (lambda.Handler, bool) {
			mu.RLock()
			defer mu.RUnlock()
			return resolve(ref)
		},
	})
	sfnSrv := sfnlocal.NewWithEngine(engine)
	counts := metrics.NewMemory()
	guard := hostguard.New(o.EdgeAddr, nil, nil).Wrap
	eo := edge.Options{Region: Region, AccountID: Account, Clock: clockAdapter{o.WallClock}, StepFunctions: sfnSrv, Logger: log.With("component", "edge"),
		Guard: func(h http.Handler) http.Handler { return guard(withMetrics(counts, h)) }, Faults: o.Faults, DynamoDB: kept.tables, Store: kept.store}
	if o.DataDir != "" {
		// The attachments' bodies, one file each, beside the state.
		eo.ObjectsDir = filepath.Join(o.DataDir, objectsDir)
	}
	if o.SMS == config.SMSTencent {
		eo.TencentTemplates = map[string]edge.TencentTemplate{}
		for kind, id := range LocalTencentTemplates() {
			eo.TencentTemplates[id] = edge.TencentTemplate{Kind: string(kind), Text: notice.SMSTemplates[kind]}
		}
	}
	e, err := edge.Open(eo)
	if err != nil {
		kept.close()
		return nil, fmt.Errorf("data folder: %w", err)
	}
	edgeURL, err := e.Start(o.EdgeAddr)
	if err != nil {
		kept.close()
		return nil, err
	}
	p := &Platform{EdgeURL: edgeURL, Engine: engine, Catalog: cat, Metrics: counts, edge: e, tables: kept.tables, store: kept.store, clock: o.Clock}
	fail := func(err error) (*Platform, error) {
		_ = e.Close()
		kept.close()
		return nil, err
	}

	def, err := statemachine.Substitute(statemachine.Complaint, map[string]string{
		"Partition":           "aws",
		"ReviewFunctionArn":   FunctionArn("review"),
		"DispatchFunctionArn": FunctionArn("dispatch"),
		"FeedbackFunctionArn": FunctionArn("feedback"),
	})
	if err != nil {
		return fail(err)
	}
	sm, err := sfnSrv.CreateStateMachine(StateMachineName, def, "arn:aws:iam::"+Account+":role/hotline-workflow")
	if err != nil {
		return fail(fmt.Errorf("create state machine: %w", err))
	}
	p.StateMachineArn = sm.StateMachineArn

	keys := o.Random
	if o.DataDir != "" {
		if keys, err = localKeys(o.DataDir, o.Random); err != nil {
			return fail(err)
		}
	}
	env, err := Env(edgeURL, sm.StateMachineArn, keys)
	if err != nil {
		return fail(err)
	}
	if o.Limits != "" {
		env[config.EnvLimits] = o.Limits
	}
	env[config.EnvSMSChannel], env[config.EnvMailChannel] = o.SMS, o.Mail
	if o.SMS == config.SMSTencent {
		var ids []string
		for _, k := range ports.SMSKinds {
			ids = append(ids, string(k)+"="+LocalTencentTemplates()[k])
		}
		env[config.EnvTencentSMSSecretArn] = TencentSecretName
		env[config.EnvTencentSMSAppID] = TencentAppID
		env[config.EnvTencentSMSSignName] = TencentSignName
		env[config.EnvTencentSMSTemplates] = strings.Join(ids, ",")
		env[config.EnvTencentSMSEndpoint] = edgeURL + edge.TencentSMSPath
	}
	if o.Mail == config.MailSMTP {
		addr, err := e.StartSMTP(edge.SMTPOptions{})
		if err != nil {
			return fail(err)
		}
		host, port, _ := net.SplitHostPort(addr)
		env[config.EnvSMTPHost], env[config.EnvSMTPPort], env[config.EnvSMTPTLS] = host, port, "none"
		p.SMTPAddr = addr
	}
	// The functions read their level from their environment, as in Lambda;
	// this environment is built here, not inherited from the process.
	env[config.EnvLogLevel] = LevelName(o.LogLevel)
	p.Env = env
	getenv := func(k string) string { return env[k] }
	// The functions' AWS clients call the edge's handler in process: the
	// SDK runs as against any endpoint, without a loopback socket and HTTP
	// parsing on both sides of every call, and unsigned (the edge checks no
	// signature). The port stays for outside clients.
	wo := wiring.Options{Now: o.Clock.Now, WallNow: o.WallClock.Now, Log: o.Log, Random: o.Random, LogHandler: o.LogHandler,
		HTTPClient: inproc.Client(e), UnsignedAWS: true, Metrics: counts}

	base, err := dataplane.Load(ctx, "api", getenv, wo)
	if err != nil {
		return fail(err)
	}
	if o.SMS == config.SMSTencent {
		// The functions read the key at cold start, as in AWS.
		if err := ensureSecret(ctx, secrets.Client(base.AWS), TencentSecretName, `{"secretId":"AKIDlocal","secretKey":"local","callbackToken":"`+TencentCallbackToken+`"}`); err != nil {
			return fail(err)
		}
	}
	if err := base.Store.CreateTable(ctx); err != nil {
		return fail(fmt.Errorf("create table: %w", err))
	}
	if _, err := catalogconfig.SeedIfEmpty(ctx, base.Store, o.Seed); err != nil {
		return fail(err)
	}
	pub, err := queue.NewDepartmentPublisher(base.AWS, QueuePrefix)
	if err != nil {
		return fail(err)
	}
	var depts []string
	for _, d := range cat.Departments() {
		depts = append(depts, d.ID)
	}
	if err := pub.EnsureQueues(ctx, depts); err != nil {
		return fail(fmt.Errorf("create department queues: %w", err))
	}

	handlers := map[string]lambda.Handler{}
	p.functions, p.meter = map[string]*lambdaenv.Pool{}, o.Meter
	for _, name := range Functions {
		fn, err := builders[name](ctx, getenv, wo)
		if err != nil {
			return fail(err)
		}
		pool := lambdaenv.New(func() lambda.Handler { return lambda.NewHandler(fn) })
		handlers[name], p.functions[name] = pool, pool
	}
	mu.Lock()
	for name, h := range handlers {
		functions[FunctionPrefix+name] = h
	}
	mu.Unlock()
	if journal != nil {
		// With the functions in place: a resumed execution may call one at once.
		if p.Resumed, err = resume(engine, journal, log); err != nil {
			return fail(err)
		}
	}

	secret := o.JWTSecret
	p.Issuer = auth.NewIssuer(secret, o.WallClock.Now)
	var reqSeq uint64
	var seqMu sync.Mutex
	gw := &gateway.Gateway{
		Functions: handlers,
		Verifier:  p.Issuer,
		Now:       o.WallClock.Now,
		NewID: func() string {
			seqMu.Lock()
			defer seqMu.Unlock()
			reqSeq++
			return fmt.Sprintf("local-%d-%d", o.Clock.Now().UnixMilli(), reqSeq)
		},
		Logger:   log.With("component", "gateway"),
		Throttle: o.Throttle,
	}
	ln, err := net.Listen("tcp", o.APIAddr)
	if err != nil {
		return fail(fmt.Errorf("api: listen on %s: %w", o.APIAddr, err))
	}
	p.APIURL = "http://" + ln.Addr().String()
	// The pages post uploads to the bucket from the API's origin (and the
	// origins allowed CORS on the API).
	if err := ensureBucket(ctx, base.AWS, append(pageOrigins(p.APIURL), o.CORSOrigins...)); err != nil {
		_ = ln.Close()
		return fail(err)
	}
	// The pages post uploads to the bucket on the edge and show its photos:
	// their policy allows that origin (the presigned URLs name it).
	pages, err := web.New(web.Config{Issuer: p.Issuer.Issuer, LocalMode: true, MediaOrigin: p.EdgeURL})
	if err != nil {
		_ = ln.Close()
		return fail(err)
	}
	p.api = hostguard.Server(hostguard.New(o.APIAddr, o.AllowHosts, o.CORSOrigins).Wrap(withPages(pages, DevTokenHandler(p.Issuer, cat, true), gw)))
	p.stopSweep, p.sweepDone = make(chan struct{}), make(chan struct{})
	if o.SweepInterval == 0 {
		o.SweepInterval = DefaultSweepInterval
	}
	go p.sweep(o.Clock, o.WallClock, o.SweepInterval, o.SweepMinGap, handlers["sweep"], log)
	p.housekept = make(chan struct{})
	go p.housekeep(log)
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		if err := p.api.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("api server stopped", "error", err.Error())
		}
	}()
	return p, nil
}

// MetricsPath is where the edge serves the functions' metrics, beside the
// captured mail (/_aws/ses): GET answers {"metrics": [{metric, dimension,
// value, count}…]}.
const MetricsPath = "/_aws/metrics"

// withMetrics serves MetricsPath from counts and the rest from next.
func withMetrics(counts *metrics.Memory, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == MetricsPath {
			counts.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withPages puts the pages on the API's origin, as the static site and API
// Gateway share a domain in AWS: a GET or HEAD of one of the pages' files is
// theirs, everything else (every API route, and unknown paths, which the
// gateway answers as API Gateway does) goes to the gateway. TokenPath is the
// console's development sign-in, local mode's own.
func withPages(pages *web.Handler, token, gw http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == TokenPath {
			token.ServeHTTP(w, r)
			return
		}
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && pages.Has(r.URL.Path) {
			pages.ServeHTTP(w, r)
			return
		}
		gw.ServeHTTP(w, r)
	})
}

// Local mode's Tencent Cloud SMS application: made-up ids the edge approves.
const (
	TencentAppID      = "1400000000"
	TencentSignName   = "12345热线"
	TencentSecretName = "hotline/tencent-sms"
	// TencentCallbackToken guards the local delivery-receipt route.
	TencentCallbackToken = "local-delivery-receipts"
)

// LocalTencentTemplates numbers the SMS kinds' templates for local mode
// (100001, 100002, … in ports.SMSKinds order).
func LocalTencentTemplates() map[ports.SMSKind]string {
	out := map[ports.SMSKind]string{}
	for i, k := range ports.SMSKinds {
		out[k] = strconv.Itoa(100001 + i)
	}
	return out
}

// ensureSecret creates the secret, or gives the one a data folder kept the
// value.
func ensureSecret(ctx context.Context, sm *secretsmanager.Client, name, value string) error {
	_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
	var exists *smtypes.ResourceExistsException
	if errors.As(err, &exists) {
		_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(value)})
	}
	if err != nil {
		return fmt.Errorf("local secret %s: %w", name, err)
	}
	return nil
}

// Env is the environment every function gets in local mode. The sealing and
// look-up keys are fresh per run: local data lives only as long as the process.
func Env(edgeURL, stateMachineArn string, random io.Reader) (map[string]string, error) {
	keys := make([]byte, 64)
	if _, err := io.ReadFull(random, keys); err != nil {
		return nil, fmt.Errorf("local keys: %w", err)
	}
	return map[string]string{
		config.EnvRegion:          Region,
		config.EnvEndpointURL:     edgeURL,
		config.EnvTable:           Table,
		config.EnvStateMachineArn: stateMachineArn,
		config.EnvSealKey:         base64.StdEncoding.EncodeToString(keys[:32]),
		config.EnvBlindKey:        base64.StdEncoding.EncodeToString(keys[32:]),
		config.EnvSenderEmail:     SenderEmail,
		config.EnvSMSChannel:      config.SMSSNS,
		config.EnvQueuePrefix:     QueuePrefix,
		config.EnvMediaBucket:     MediaBucket,
	}, nil
}

// scheduledEvent is what EventBridge sends a scheduled function.
const scheduledEvent = `{"version":"0","id":"local","detail-type":"Scheduled Event","source":"aws.events","account":"` + Account + `","region":"` + Region + `","resources":[],"detail":{}}`

// sweep invokes the sweep function on its schedule, on the platform's clock,
// at least minGap of wall-clock time apart.
func (p *Platform) sweep(clock, wall asl.Clock, every, minGap time.Duration, sweeper lambda.Handler, log *slog.Logger) {
	defer close(p.sweepDone)
	if every < 0 {
		<-p.stopSweep
		return
	}
	for {
		t := clock.NewTimer(every)
		select {
		case <-p.stopSweep:
			t.Stop()
			return
		case <-t.C():
		}
		if _, err := sweeper.Invoke(context.Background(), []byte(scheduledEvent)); err != nil {
			log.Error("sweep failed", "error", err.Error())
		}
		if minGap > 0 {
			gap := wall.NewTimer(minGap)
			select {
			case <-p.stopSweep:
				gap.Stop()
				return
			case <-gap.C():
			}
		}
	}
}

// closeGrace is how long Close lets requests under way finish.
const closeGrace = 2 * time.Second

// Close stops both endpoints and closes the data.
func (p *Platform) Close() error {
	close(p.stopSweep)
	<-p.sweepDone
	<-p.housekept
	// Requests under way get closeGrace to finish. Then the connections
	// left are closed: net/http's Shutdown counts one that has sent no
	// request (a client's spare, a browser's preconnect) as busy for five
	// seconds, and Ctrl-C should not wait for those.
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	err := p.api.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = p.api.Close()
	}
	<-p.done
	err = errors.Join(err, p.edge.Close(), p.saveClock())
	return errors.Join(err, p.store.Close(), p.tables.Close())
}

// LevelName is level as HOTLINE_LOG_LEVEL spells it: debug, info, warn or
// error (a level between two is rounded down to the lower).
func LevelName(level slog.Level) string {
	switch {
	case level < slog.LevelInfo:
		return "debug"
	case level < slog.LevelWarn:
		return "info"
	case level < slog.LevelError:
		return "warn"
	}
	return "error"
}

// LooseLimits are abuse limits high enough for load runs and for tests that
// file many tickets from one address to one recipient about something else;
// the limits' own tests keep the defaults.
const LooseLimits = "file=100000/1h,verify=100000/1h,verify.recipient=100000/10m,verify.recipient.day=100000/24h,lookup=100000/1h,messages=100000/24h,open311.key=100000/1h,open311.read=100000/1h"
