// Command hotline is the one binary for people: `hotline serve` runs the whole
// platform locally, `hotline token` prints a staff token the local gateway
// accepts (or, with --key, an RS256 token like an identity provider's), and
// `hotline jwks` writes the documents that publish such a key.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/edge"
	"github.com/hotline12345/hotline/internal/localmode/loadtest"
	"github.com/hotline12345/hotline/internal/localmode/platform"
)

const usage = `usage: hotline <command> [flags]

commands:
  serve   run the whole platform on this machine (API and AWS edge)
  token   print a staff JWT (HS256 for the local gateway, RS256 with --key)
  jwks    write the OIDC discovery document and JWKS that publish a --key
  load    file tickets concurrently and report latencies (the load harness)
  asl     validate or run a Step Functions state machine definition locally
  site    write the pages and their config.json as the deployed static site

Run "hotline <command> -h" for the flags of a command.
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "hotline:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("see usage above")

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return subcommand("", usage, args, stdout, stderr, map[string]func([]string) error{
		"serve": func(a []string) error { return serve(a, stdout, stderr, getenv) },
		"token": func(a []string) error { return token(a, stdout, stderr, getenv) },
		"jwks":  func(a []string) error { return jwksCmd(a, stdout, stderr) },
		"load":  func(a []string) error { return load(a, stdout, stderr) },
		"asl":   func(a []string) error { return aslCmd(a, stdout, stderr) },
		"site":  func(a []string) error { return siteCmd(a, stdout, stderr) },
	})
}

// subcommand runs the command args[0] names, or prints the usage.
func subcommand(parent, usage string, args []string, stdout, stderr io.Writer, commands map[string]func([]string) error) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(args[1:])
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown %scommand %q", parent, args[0])
}

func serve(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiAddr := fs.String("api", "127.0.0.1:8080", "address of the HTTP API")
	edgeAddr := fs.String("edge", "127.0.0.1:4566", "address of the AWS edge (DynamoDB, Step Functions, SES, SNS, SQS)")
	seedPath := fs.String("seed", "", "catalog seed file (departments, categories, routing rules); default: the shipped config/seed.json")
	speed := fs.Float64("speed", 1, "clock speed-up for deadlines and waits (60 makes a minute pass in a second)")
	logPath := fs.String("log", "", "write JSON logs to this file instead of stderr")
	allowHosts := fs.String("allow-host", "", "more host names the API answers to, comma-separated (a LAN name; binding beyond loopback needs HOTLINE_JWT_SECRET)")
	corsOrigins := fs.String("cors-origin", "", "web origins answered with CORS, comma-separated (e.g. http://localhost:3000); none by default")
	throttle := fs.Bool("throttle", true, "throttle each route as the deployed API Gateway stage does (429 past it); --throttle=false for load runs")
	faults := fs.String("faults", "", "make the AWS edge fail a share of calls, e.g. all=0.1 or dynamodb=0.2,ses=0.5 (services: all, "+strings.Join(edge.FaultServices, ", ")+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *speed <= 0 {
		return fmt.Errorf("--speed must be positive, got %v", *speed)
	}
	injector, err := edge.ParseFaults(*faults, uint64(time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("--faults: %w", err)
	}
	o := platform.Options{APIAddr: *apiAddr, EdgeAddr: *edgeAddr, Clock: &asl.RealClock{Speed: *speed}, Log: stderr, JWTSecret: getenv("HOTLINE_JWT_SECRET"),
		AllowHosts: splitList(*allowHosts), CORSOrigins: splitList(*corsOrigins), Limits: getenv("HOTLINE_LIMITS"), Throttle: *throttle}
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
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("--log: %w", err)
		}
		defer f.Close()
		o.Log = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := platform.Start(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Hotline 12345 is running.\n  Pages:    %s/ (citizens), %s/console/ (staff)\n  API:      %s\n  AWS edge: %s  (sent e-mail: %s/_aws/ses, SMS: %s/_aws/sns/sms-messages)\n  Workflow: %s\nStaff token: hotline token --role operator   (Ctrl-C stops)\n",
		p.APIURL, p.APIURL, p.APIURL, p.EdgeURL, p.EdgeURL, p.EdgeURL, p.StateMachineArn)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return p.Close()
}

func token(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "", "operator, department, supervisor or admin")
	dept := fs.String("dept", "", "department id (required for --role department)")
	sub := fs.String("sub", "", "subject (staff member id); default: local-<role>")
	ttl := fs.Duration("ttl", 12*time.Hour, "lifetime of the token")
	keyPath := fs.String("key", "", "sign RS256 with this RSA private key (PEM, PKCS#1 or PKCS#8) instead of HS256 with HOTLINE_JWT_SECRET")
	issuer := fs.String("issuer", "", "iss claim (required with --key; default without: "+auth.DefaultIssuer+")")
	audience := fs.String("audience", auth.DefaultAudience, "aud claim")
	kid := fs.String("kid", "", "kid header of an RS256 token; default: the key's RFC 7638 thumbprint (what `hotline jwks` publishes)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !slices.Contains(auth.Roles, auth.Role(*role)) {
		return fmt.Errorf("--role must be one of operator, department, supervisor, admin")
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
			return errors.New("--issuer is required with --key (the JwtIssuer the API checks)")
		}
		key, err := readKey(*keyPath)
		if err != nil {
			return err
		}
		signer = auth.NewRSASigner(key, *kid, *issuer, *audience, time.Now)
	} else {
		if *kid != "" {
			return errors.New("--kid needs --key (HS256 tokens carry no key id)")
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

func load(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := fs.String("api", "", "API URL of a running platform; default: start one in this process on free ports")
	edgeURL := fs.String("edge", "", "AWS edge URL of that platform, to time submit → department message (needs --api)")
	tickets := fs.Int("tickets", 200, "tickets to file")
	concurrency := fs.Int("concurrency", 8, "citizens filing at once")
	timeout := fs.Duration("timeout", 2*time.Minute, "stop the run after this long")
	dept := fs.String("dept", "market", "department whose queue receives the harness's tickets")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *apiURL == "" {
		// A load run files far more from one address than a citizen may.
		p, err := platform.Start(ctx, platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Limits: platform.LooseLimits})
		if err != nil {
			return err
		}
		defer p.Close()
		*apiURL, *edgeURL = p.APIURL, p.EdgeURL
		fmt.Fprintf(stdout, "started a local platform at %s\n", p.APIURL)
	}
	o := loadtest.Options{APIURL: *apiURL, EdgeURL: *edgeURL, Tickets: *tickets, Concurrency: *concurrency, Timeout: *timeout, Progress: stdout}
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
