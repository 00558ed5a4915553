// Package runtimeapi runs a Lambda function binary (a provided.al2023
// `bootstrap`, or any program built with aws-lambda-go and -tags lambda.norpc)
// as a child process and serves it the Lambda Runtime API, so the process is
// invoked exactly as Lambda invokes it. One process is one execution
// environment: it serves one invocation at a time.
package runtimeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

const apiPrefix = "/2018-06-01/runtime/"

// MaxPayloadBytes is Lambda's synchronous invocation payload limit.
const MaxPayloadBytes = 6 << 20

// Options for a function process.
type Options struct {
	Command     string   // path of the bootstrap binary
	Args        []string // its arguments
	Env         []string // KEY=VALUE; AWS_LAMBDA_RUNTIME_API is added
	FunctionArn string
	Timeout     time.Duration // per invocation; default 30 s
	Stderr      io.Writer     // the function's logs; default discarded
}

// InitError says the function failed before it asked for its first event.
type InitError struct {
	Type, Message string
	ExitErr       error
}

func (e *InitError) Error() string {
	if e.ExitErr != nil {
		return fmt.Sprintf("function failed to start: %v: %s", e.ExitErr, e.Message)
	}
	return fmt.Sprintf("function failed to start: %s: %s", e.Type, e.Message)
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	result   chan result
}

type result struct {
	body []byte
	err  error
}

// Process is a running function.
type Process struct {
	opts    Options
	cmd     *exec.Cmd
	srv     *http.Server
	next    chan *invocation
	exited  chan struct{}
	exitErr error
	stderr  *tailBuffer

	mu       sync.Mutex // one invocation at a time, like one Lambda environment
	pendMu   sync.Mutex
	pending  map[string]*invocation
	seq      int
	initErr  *InitError
	firstAsk chan struct{}
	askOnce  sync.Once
}

// Start launches the process and waits until it asks for its first event, so
// Start's duration is the cold start.
func Start(ctx context.Context, o Options) (*Process, error) {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime api: listen: %w", err)
	}
	p := &Process{
		opts: o, next: make(chan *invocation), exited: make(chan struct{}),
		pending: map[string]*invocation{}, firstAsk: make(chan struct{}), stderr: &tailBuffer{max: 8 << 10},
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()

	p.cmd = exec.Command(o.Command, o.Args...)
	p.cmd.Env = append(append([]string{}, o.Env...), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	var errOut io.Writer = p.stderr
	if o.Stderr != nil {
		errOut = io.MultiWriter(o.Stderr, p.stderr)
	}
	p.cmd.Stdout, p.cmd.Stderr = errOut, errOut
	if err := p.cmd.Start(); err != nil {
		_ = p.srv.Close()
		return nil, fmt.Errorf("runtime api: start %s: %w", o.Command, err)
	}
	go func() {
		p.exitErr = p.cmd.Wait()
		close(p.exited)
	}()
	select {
	case <-p.firstAsk:
		return p, nil
	case <-p.exited:
		_ = p.srv.Close()
		p.pendMu.Lock()
		initErr := p.initErr
		p.pendMu.Unlock()
		if initErr != nil {
			return nil, initErr
		}
		return nil, &InitError{ExitErr: p.exitErr, Message: strings.TrimSpace(p.stderr.String())}
	case <-ctx.Done():
		_ = p.Close()
		return nil, ctx.Err()
	}
}

// Invoke sends one event and returns the function's response. A function error
// comes back as messages.InvokeResponse_Error, whose Type is the error name.
func (p *Process) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayloadBytes {
		return nil, fmt.Errorf("payload of %d bytes exceeds Lambda's %d", len(payload), MaxPayloadBytes)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pendMu.Lock()
	p.seq++
	inv := &invocation{id: strconv.Itoa(p.seq), payload: payload, deadline: time.Now().Add(p.opts.Timeout), result: make(chan result, 1)}
	p.pending[inv.id] = inv
	p.pendMu.Unlock()
	defer func() {
		p.pendMu.Lock()
		delete(p.pending, inv.id)
		p.pendMu.Unlock()
	}()
	timer := time.NewTimer(p.opts.Timeout)
	defer timer.Stop()
	select {
	case p.next <- inv:
	case <-p.exited:
		return nil, fmt.Errorf("function process exited: %v", p.exitErr)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-inv.result:
		return r.body, r.err
	case <-p.exited:
		return nil, fmt.Errorf("function process exited during the invocation: %v", p.exitErr)
	case <-timer.C:
		return nil, fmt.Errorf("function timed out after %v", p.opts.Timeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the process and the Runtime API.
func (p *Process) Close() error {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
	<-p.exited
	return p.srv.Close()
}

// ServeHTTP is the Runtime API the function calls.
func (p *Process) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		p.askOnce.Do(func() { close(p.firstAsk) })
		select {
		case inv := <-p.next:
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", p.opts.FunctionArn)
			h.Set("Content-Type", "application/json")
			_, _ = w.Write(inv.payload)
		case <-r.Context().Done():
		}
	case r.Method == http.MethodPost && path == "init/error":
		e := readError(r)
		p.pendMu.Lock()
		p.initErr = &InitError{Type: e.Type, Message: e.Message}
		p.pendMu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, _ := strings.Cut(rest, "/")
		p.pendMu.Lock()
		inv := p.pending[id]
		p.pendMu.Unlock()
		if inv == nil {
			http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		switch kind {
		case "response":
			body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes+1))
			if err == nil && len(body) > MaxPayloadBytes {
				err = errors.New("response exceeds Lambda's payload limit")
			}
			inv.result <- result{body: body, err: err}
		case "error":
			e := readError(r)
			inv.result <- result{err: messages.InvokeResponse_Error{Type: e.Type, Message: e.Message}}
		default:
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func readError(r *http.Request) messages.InvokeResponse_Error {
	var e messages.InvokeResponse_Error
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(b, &e); err != nil || e.Type == "" {
		e.Type = r.Header.Get("Lambda-Runtime-Function-Error-Type")
		if e.Type == "" {
			e.Type = "Unhandled"
		}
		if e.Message == "" {
			e.Message = string(bytes.TrimSpace(b))
		}
	}
	return e
}

// tailBuffer keeps the last bytes a process wrote, for start-up errors.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// Build compiles a Go file or package into a function binary for this machine,
// the way `make build` builds bootstraps (lambda.norpc, static).
func Build(ctx context.Context, src, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc,nodynamic", "-trimpath", "-o", out, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %w: %s", src, err, bytes.TrimSpace(b))
	}
	return nil
}
