package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/runtimeapi"
	"github.com/hotline12345/hotline/internal/localmode/sfnlocal"
)

const aslUsage = `usage:
  hotline asl validate FILE
      check a state machine definition; prints every problem with its state
  hotline asl run --definition FILE [--input JSON] [--lambda ARN=identity|ARN=file.go ...] [--history]
      run it on this machine with the project's interpreter and print the
      output (or the error and cause); --history adds the event history as
      GetExecutionHistory returns it
`

// aslCmd is `hotline asl`: validate and run Amazon States Language
// definitions with internal/localmode/asl.
func aslCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return subcommand("asl ", aslUsage, args, stdout, stderr, map[string]func([]string) error{
		"validate": func(a []string) error { return aslValidate(a, stdout) },
		"run":      func(a []string) error { return aslRun(ctx, a, stdout, stderr) },
	})
}

func aslValidate(args []string, stdout io.Writer) error {
	fs := newFlags("asl validate", "asl validate FILE", "Check a state machine definition; prints every problem with its state.")
	if err := fs.parse(args, stdout, true); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fs.errorf("asl validate takes one FILE, not %d arguments", fs.NArg())
	}
	args = fs.Args()
	def, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	if _, err := asl.Parse(def); err != nil {
		var ve *asl.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		for _, p := range ve.Problems {
			fmt.Fprintf(stdout, "%s: %s\n", args[0], p)
		}
		return fmt.Errorf("%s: %d problem(s)", args[0], len(ve.Problems))
	}
	fmt.Fprintf(stdout, "%s: valid\n", args[0])
	return nil
}

// lambdaFlags collects repeated --lambda ARN=BEHAVIOUR flags.
type lambdaFlags []string

func (l *lambdaFlags) String() string     { return strings.Join(*l, ",") }
func (l *lambdaFlags) Set(v string) error { *l = append(*l, v); return nil }

// identityHandler returns its event, like the conformance vectors' identity Lambda.
type identityHandler struct{}

func (identityHandler) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	return payload, nil
}

// processHandler invokes a function process over the Lambda Runtime API.
type processHandler struct{ p *runtimeapi.Process }

func (h processHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return h.p.Invoke(ctx, payload)
}

func aslRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("asl run", "asl run --definition FILE [--input JSON] [--lambda ARN=identity|ARN=file.go ...] [--history]",
		"Run a state machine on this machine with the project's interpreter and print the output (or the error and cause).")
	defPath := fs.String("definition", "", "state machine definition (ASL JSON file)")
	input := fs.String("input", "{}", "execution input (JSON text; @FILE reads a file)")
	history := fs.Bool("history", false, "print the execution history (GetExecutionHistory JSON) after the result")
	var lambdas lambdaFlags
	fs.Var(&lambdas, "lambda", "ARN=identity (returns its event) or ARN=FILE.go (a Go Lambda program run behind the Lambda Runtime API); repeatable")
	if err := fs.parse(args, stdout, false); err != nil {
		return err
	}
	if *defPath == "" {
		return fs.errorf("--definition is required")
	}
	def, err := os.ReadFile(*defPath)
	if err != nil {
		return err
	}
	in := []byte(*input)
	if rest, ok := strings.CutPrefix(*input, "@"); ok {
		if in, err = os.ReadFile(rest); err != nil {
			return err
		}
	}
	fns := map[string]lambda.Handler{}
	var tmp string
	for _, l := range lambdas {
		arn, target, ok := strings.Cut(l, "=")
		if !ok || arn == "" || target == "" {
			return fs.errorf("--lambda %q: want ARN=identity or ARN=FILE.go", l)
		}
		if target == "identity" {
			fns[arn] = identityHandler{}
			continue
		}
		if !strings.HasSuffix(target, ".go") {
			return fs.errorf("--lambda %q: the target must be identity or a .go file", l)
		}
		if tmp == "" {
			if tmp, err = os.MkdirTemp("", "hotline-asl-"); err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
		}
		bin := filepath.Join(tmp, fmt.Sprintf("fn%d", len(fns)))
		if err := runtimeapi.Build(ctx, target, bin); err != nil {
			return err
		}
		p, err := runtimeapi.Start(ctx, runtimeapi.Options{Command: bin, FunctionArn: arn, Stderr: stderr, Env: os.Environ()})
		if err != nil {
			return fmt.Errorf("--lambda %s: %w", arn, err)
		}
		defer p.Close()
		fns[arn] = processHandler{p: p}
	}

	eng := asl.New(asl.Options{Resolver: asl.MapResolver(fns)})
	sm, err := eng.CreateStateMachine("local", def, "arn:aws:iam::123456789012:role/hotline-asl-run")
	if err != nil {
		var ve *asl.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				fmt.Fprintf(stderr, "%s: %s\n", *defPath, p)
			}
		}
		return err
	}
	x, err := eng.StartExecution(sm.StateMachineArn, "run", in)
	if err != nil {
		return err
	}
	d, err := eng.WaitFor(ctx, x.ExecutionArn, asl.Done)
	if err != nil {
		_, _ = eng.StopExecution(x.ExecutionArn, "", "interrupted")
		return err
	}
	if d.Status == asl.StatusSucceeded {
		fmt.Fprintln(stdout, d.Output)
	} else {
		fmt.Fprintf(stdout, "status: %s\nerror: %s\ncause: %s\n", d.Status, d.Error, d.Cause)
	}
	if *history {
		events, err := eng.GetExecutionHistory(x.ExecutionArn)
		if err != nil {
			return err
		}
		b, err := sfnlocal.HistoryJSON(events)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
	}
	if d.Status != asl.StatusSucceeded {
		return fmt.Errorf("execution %s: %s", strings.ToLower(d.Status), d.Error)
	}
	return nil
}
