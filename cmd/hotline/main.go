// Command hotline is the one binary for people: `hotline serve` runs the whole
// platform locally, `hotline token` prints a staff token the local gateway
// accepts (or, with --key, an RS256 token like an identity provider's), and
// `hotline jwks` writes the documents that publish such a key. Usage errors
// exit with status 2 in one line, -h prints a command's flags and exits 0.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/edge"
	"github.com/hotline12345/hotline/internal/localmode/loadtest"
	"github.com/hotline12345/hotline/internal/localmode/platform"
)

const usage = `usage: hotline <command> [flags]

commands:
  serve    run the whole platform on this machine (API and AWS edge)
  token    print a staff JWT (HS256 for the local gateway, RS256 with --key)
  jwks     write the OIDC discovery document and JWKS that publish a --key
  load     file tickets concurrently and report latencies (the load harness)
  asl      validate or run a Step Functions state machine definition locally
  site     write the pages and their config.json as the deployed static site
  version  print the module version and VCS revision of this binary

Run "hotline <command> -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// run is the whole command line; ctx ends the long-running commands (serve,
// load, asl run) when the process is interrupted.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return subcommand("", usage, args, stdout, stderr, map[string]func([]string) error{
		"serve":   func(a []string) error { return serve(ctx, a, stdout, stderr, getenv) },
		"token":   func(a []string) error { return token(a, stdout, getenv) },
		"jwks":    func(a []string) error { return jwksCmd(a, stdout) },
		"load":    func(a []string) error { return load(ctx, a, stdout) },
		"asl":     func(a []string) error { return aslCmd(ctx, a, stdout, stderr) },
		"site":    func(a []string) error { return siteCmd(a, stdout) },
		"version": func(a []string) error { return versionCmd(a, stdout) },
	})
}

// maxSpeed bounds --speed: the sped-up clock counts nanoseconds in an int64,
// which at 100,000x lasts a day of real time (292 years of workflow time).
const maxSpeed = 100_000

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlags("serve", "serve [flags]", "Run the whole platform on this machine: the API and pages, the functions, the workflow and a local AWS edge.")
	apiAddr := fs.String("api", "127.0.0.1:8080", "address of the HTTP API")
	edgeAddr := fs.String("edge", "127.0.0.1:4566", "address of the AWS edge (DynamoDB, Step Functions, SES, SNS, SQS)")
	seedPath := fs.String("seed", "", "catalog seed file (departments, categories, routing rules); default: the shipped config/seed.json")
	speed := fs.Float64("speed", 1, fmt.Sprintf("clock speed-up for the workflow's waits and deadlines, up to %d (60 makes a minute pass in a second); function timeouts and token lifetimes stay in real time", maxSpeed))
	logPath := fs.String("log", "", "write logs to this file (JSON unless --log-format text) instead of stderr")
	logFormat := fs.String("log-format", logAuto, "log format: text (concise lines for people), json, or auto (text on a terminal, JSON otherwise)")
	logLevel := fs.String("log-level", "", "least level logged, by the platform and its functions: debug (adds every AWS edge request), info, warn or error; default $HOTLINE_LOG_LEVEL, else info")
	allowHosts := fs.String("allow-host", "", "more host names the API answers to, comma-separated (a LAN name; binding beyond loopback needs HOTLINE_JWT_SECRET)")
	corsOrigins := fs.String("cors-origin", "", "web origins answered with CORS, comma-separated (e.g. http://localhost:3000); none by default")
	throttle := fs.Bool("throttle", true, "throttle each route as the deployed API Gateway stage does (429 past it); --throttle=false for load runs")
	dataDir := fs.String("data", defaultDataDir, "folder that keeps the tables, queues, captured messages, workflows and local keys across restarts")
	inMemory := fs.Bool("in-memory", false, "keep nothing: start empty and forget everything at exit (tests, demos)")
	sms := fs.String("sms", "", "who sends SMS: sns (default), tencent (Tencent Cloud SMS as in AWS China, captured at the edge's /_aws/tencent-sms) or off; default $HOTLINE_SMS_CHANNEL, else sns")
	mailCh := fs.String("mail", "", "who sends e-mail: ses (default) or smtp (an SMTP capture server on the edge, as AWS China has no SES); default $HOTLINE_MAIL_CHANNEL, else ses")
	faults := fs.String("faults", "", "make the AWS edge fail a share of calls, e.g. all=0.1 or dynamodb=0.2,ses=0.5 (services: all, "+strings.Join(edge.FaultServices, ", ")+")")
	if err := fs.parse(args, stdout, false); err != nil {
		return err
	}
	if *inMemory && fs.isSet("data") {
		return fs.errorf("--in-memory keeps nothing; --data names where to keep it: give one of them")
	}
	if *inMemory {
		*dataDir = ""
	} else if *dataDir == "" {
		return fs.errorf("--data needs a folder (or --in-memory to keep nothing)")
	}
	if !(*speed > 0 && *speed <= maxSpeed) { // also refuses NaN
		return fs.errorf("--speed must be more than 0 and at most %d, not %v", maxSpeed, *speed)
	}
	switch *logFormat {
	case logAuto, logText, logJSON:
	default:
		return fs.errorf("--log-format must be auto, text or json, not %q", *logFormat)
	}
	levelName, levelFrom := *logLevel, "--log-level"
	if levelName == "" {
		levelName, levelFrom = getenv("HOTLINE_LOG_LEVEL"), "HOTLINE_LOG_LEVEL"
	}
	level := slog.LevelInfo
	if levelName != "" {
		l, err := parseLogLevel(levelName)
		if err != nil {
			return fs.errorf("%s: %v", levelFrom, err)
		}
		level = l
	}
	injector, err := edge.ParseFaults(*faults, uint64(time.Now().UnixNano()))
	if err != nil {
		return fs.errorf("--faults: %v", err)
	}
	logDest := stderr
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("--log: %w", err)
		}
		defer f.Close()
		logDest = f
	}
	terminal := isTerminal(logDest)
	text := textLogs(*logFormat, terminal)
	logs := newHeldWriter(logDest)
	defer logs.release() // a failed start still shows what it logged
	o := platform.Options{APIAddr: *apiAddr, EdgeAddr: *edgeAddr, Clock: &asl.RealClock{Speed: *speed}, JWTSecret: getenv("HOTLINE_JWT_SECRET"),
		Log: logs, LogLevel: level, LogHandler: logHandler(text, terminal && getenv("NO_COLOR") == ""),
		AllowHosts: splitList(*allowHosts), CORSOrigins: splitList(*corsOrigins), Limits: getenv("HOTLINE_LIMITS"), Throttle: *throttle,
		SweepMinGap: time.Second, DataDir: *dataDir, SMS: firstSet(*sms, getenv("HOTLINE_SMS_CHANNEL")), Mail: firstSet(*mailCh, getenv("HOTLINE_MAIL_CHANNEL"))}
	if *faults != "" {
		o.Faults = injector
	}
	if *seedPath != "" {
		seed, err := os.ReadFile(*seedPath)
		if err != nil {
			return fmt.Errorf("--seed: %w", err)
		}
		o.Seed = seed
	}
	p, err := platform.Start(ctx, o)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	format := "JSON"
	if text {
		format = "text"
	}
	smsAt := p.EdgeURL + "/_aws/sns/sms-messages"
	switch p.Env["HOTLINE_SMS_CHANNEL"] {
	case "tencent":
		smsAt = p.EdgeURL + "/_aws/tencent-sms (Tencent Cloud SMS)"
	case "off":
		smsAt = "off"
	}
	mailAt := p.EdgeURL + "/_aws/ses"
	if p.SMTPAddr != "" {
		mailAt += " (through SMTP at " + p.SMTPAddr + ")"
	}
	fmt.Fprintf(stdout, "Hotline 12345 is running.\n  Pages:    %s/ (citizens), %s/console/ (staff)\n  API:      %s\n  AWS edge: %s  (sent e-mail: %s, SMS: %s, metrics: %s%s)\n  Workflow: %s\n  Data:     %s\n  Logs:     %s at %s%s\nStaff token: hotline token --role operator   (Ctrl-C stops)\n",
		p.APIURL, p.APIURL, p.APIURL, p.EdgeURL, mailAt, smsAt, p.EdgeURL, platform.MetricsPath, p.StateMachineArn, dataNote(*dataDir, p.Resumed), format, platform.LevelName(level), speedNote(*speed))
	if err := logs.release(); err != nil {
		_ = p.Close()
		return fmt.Errorf("logs: %w", err)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return p.Close()
}

// defaultDataDir is where hotline serve keeps its data unless told: in the
// folder it runs in (make run: the repository, which ignores it).
const defaultDataDir = "hotline-data"

// dataNote tells in the banner where the data is kept.
func dataNote(dir string, resumed int) string {
	if dir == "" {
		return "in memory only (--in-memory): everything is gone at exit"
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	note := dir + "  (kept across restarts; --in-memory keeps nothing)"
	switch {
	case resumed == 1:
		note += "\n            resumed the workflow of 1 ticket"
	case resumed > 1:
		note += fmt.Sprintf("\n            resumed the workflows of %d tickets", resumed)
	}
	return note
}

// speedNote tells a sped-up run in the banner.
func speedNote(speed float64) string {
	if speed == 1 {
		return ""
	}
	return fmt.Sprintf("\n  Clock:    %gx for waits and deadlines (function timeouts and tokens in real time)", speed)
}

func token(args []string, stdout io.Writer, getenv func(string) string) error {
	fs := newFlags("token", "token --role ROLE [--dept DEPT] [flags]", "Print a staff JWT: HS256 for the local gateway (HOTLINE_JWT_SECRET), or RS256 with --key as an identity provider signs.")
	role := fs.String("role", "", "operator, department, supervisor or admin")
	dept := fs.String("dept", "", "department id (required for --role department; one of the catalog's)")
	seedPath := fs.String("seed", "", "catalog whose departments --dept names; default: the shipped config/seed.json (as hotline serve --seed)")
	sub := fs.String("sub", "", "subject (staff member id); default: local-<role>")
	ttl := fs.Duration("ttl", 12*time.Hour, "lifetime of the token")
	keyPath := fs.String("key", "", "sign RS256 with this RSA private key (PEM, PKCS#1 or PKCS#8) instead of HS256 with HOTLINE_JWT_SECRET")
	issuer := fs.String("issuer", "", "iss claim (required with --key; default without: "+auth.DefaultIssuer+")")
	audience := fs.String("audience", auth.DefaultAudience, "aud claim")
	kid := fs.String("kid", "", "kid header of an RS256 token; default: the key's RFC 7638 thumbprint (what `hotline jwks` publishes)")
	if err := fs.parse(args, stdout, false); err != nil {
		return err
	}
	if !slices.Contains(auth.Roles, auth.Role(*role)) {
		return fs.errorf("--role must be one of operator, department, supervisor, admin")
	}
	if err := checkDept(fs, auth.Role(*role), *dept, *seedPath); err != nil {
		return err
	}
	if *ttl <= 0 {
		return fs.errorf("--ttl must be positive, not %v", *ttl)
	}
	if *sub == "" {
		*sub = "local-" + *role
		if *dept != "" {
			*sub += "-" + *dept
		}
	}
	var signer auth.Signer
	if *keyPath != "" {
		if *issuer == "" {
			return fs.errorf("--issuer is required with --key (the JwtIssuer the API checks)")
		}
		key, err := readKey(*keyPath)
		if err != nil {
			return err
		}
		signer = auth.NewRSASigner(key, *kid, *issuer, *audience, time.Now)
	} else {
		if *kid != "" {
			return fs.errorf("--kid needs --key (HS256 tokens carry no key id)")
		}
		iss := auth.NewIssuer(getenv("HOTLINE_JWT_SECRET"), time.Now)
		if *issuer != "" {
			iss.Issuer = *issuer
		}
		iss.Audience = *audience
		signer = iss
	}
	tok, err := signer.Sign(auth.Claims{Subject: *sub, Role: auth.Role(*role), Dept: *dept}, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// checkDept lets a department token name a department of the catalog, and
// only a department token name one, as the console's sign-in does.
func checkDept(fs *flags, role auth.Role, dept, seedPath string) error {
	if role != auth.RoleDepartment {
		if dept != "" {
			return fs.errorf("--dept is for --role department only")
		}
		return nil
	}
	seed := configfiles.Seed
	if seedPath != "" {
		b, err := os.ReadFile(seedPath)
		if err != nil {
			return fmt.Errorf("--seed: %w", err)
		}
		seed = b
	}
	cat, err := catalog.Load(seed)
	if err != nil {
		return fmt.Errorf("--seed: %w", err)
	}
	if _, ok := cat.Department(dept); ok {
		return nil
	}
	var ids []string
	for _, d := range cat.Departments() {
		ids = append(ids, d.ID)
	}
	if dept == "" {
		return fs.errorf("--role department needs --dept, one of: %s", strings.Join(ids, ", "))
	}
	return fs.errorf("--dept %q is not a department of the catalog; known: %s", dept, strings.Join(ids, ", "))
}

// clearMailEvery is how many verifications a load run makes between two
// clearings of its own platform's captured mail.
const clearMailEvery = 200

func load(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("load", "load [flags]", "File tickets concurrently against a platform (by default one started in this process) and report latencies and throughput.")
	apiURL := fs.String("api", "", "API URL of a running platform; default: start one in this process on free ports")
	edgeURL := fs.String("edge", "", "AWS edge URL of that platform, to time submit → department message (needs --api)")
	tickets := fs.Int("tickets", 200, "tickets to file")
	concurrency := fs.Int("concurrency", 8, "citizens filing at once")
	timeout := fs.Duration("timeout", 2*time.Minute, "stop the run after this long")
	dept := fs.String("dept", "market", "department whose queue receives the harness's tickets")
	verify := fs.Bool("verify", true, "each citizen verifies an e-mail address before filing, as on the web page (needs the edge); --verify=false files anonymous tickets")
	dataDir := fs.String("data", "", "keep the started platform's data in this folder, as hotline serve --data does (default: in memory); to measure what keeping costs")
	if err := fs.parse(args, stdout, false); err != nil {
		return err
	}
	switch {
	case *tickets <= 0:
		return fs.errorf("--tickets must be positive, not %d", *tickets)
	case *concurrency <= 0:
		return fs.errorf("--concurrency must be positive, not %d", *concurrency)
	case *timeout <= 0:
		return fs.errorf("--timeout must be positive, not %v", *timeout)
	case *edgeURL != "" && *apiURL == "":
		return fs.errorf("--edge needs --api (the platform that edge belongs to)")
	case *dataDir != "" && *apiURL != "":
		return fs.errorf("--data is for the platform load starts; a platform given with --api keeps its own")
	}
	own := *apiURL == ""
	if own {
		// A load run files far more from one address than a citizen may.
		p, err := platform.Start(ctx, platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Limits: platform.LooseLimits, DataDir: *dataDir})
		if err != nil {
			return fmt.Errorf("start a platform: %w", err)
		}
		defer p.Close()
		*apiURL, *edgeURL = p.APIURL, p.EdgeURL
		fmt.Fprintf(stdout, "started a local platform at %s\n", p.APIURL)
	}
	o := loadtest.Options{APIURL: *apiURL, Tickets: *tickets, Concurrency: *concurrency, Timeout: *timeout, Progress: stdout}
	if *verify && *edgeURL != "" {
		o.EdgeURL = *edgeURL
		if own {
			// Nobody else reads this platform's mail.
			o.ClearMailEvery = clearMailEvery
		}
		fmt.Fprintln(stdout, "each citizen verifies an e-mail address, then files")
	} else {
		fmt.Fprintln(stdout, "citizens file anonymous tickets, unverified")
	}
	if *edgeURL != "" {
		cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: platform.Region, EndpointURL: *edgeURL})
		if err != nil {
			return err
		}
		o.Queue = queue.SQSClient(cfg)
		q, err := o.Queue.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(platform.QueuePrefix + *dept)})
		if err != nil {
			return fmt.Errorf("department queue: %w", err)
		}
		o.QueueURL = aws.ToString(q.QueueUrl)
	}
	res, err := loadtest.Run(ctx, o)
	fmt.Fprintln(stdout, res)
	return err
}

// splitList reads a comma-separated flag.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// firstSet is the first non-empty value.
func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
