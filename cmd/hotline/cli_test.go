package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

// runCode runs the command line as main does and returns its exit status.
func runCode(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	code = exitCode(err, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpExitsZeroWithUsageOnStdout(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"--help"}, {"help"},
		{"serve", "-h"}, {"serve", "--help"}, {"token", "-h"}, {"jwks", "-h"}, {"load", "-h"},
		{"site", "-h"}, {"version", "-h"}, {"asl", "-h"}, {"asl", "run", "-h"}, {"asl", "validate", "-h"},
	} {
		code, out, errOut := runCode(t, nil, args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "usage:") {
			t.Errorf("hotline %s: exit %d, stderr %q, stdout %q", strings.Join(args, " "), code, errOut, out)
		}
	}
	_, out, _ := runCode(t, nil, "serve", "-h")
	for _, flag := range []string{"-log-format", "-log-level", "-speed"} {
		if !strings.Contains(out, flag) {
			t.Errorf("serve -h does not show %s:\n%s", flag, out)
		}
	}
}

// A wrong command line does nothing, exits 2 and says what was wrong in one
// line, with where to find help.
func TestUsageErrorsExitTwoInOneLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"nosuch"}, nil, `unknown command "nosuch" (see "hotline -h")`},
		{[]string{"asl", "nosuch"}, nil, `unknown asl command "nosuch" (see "hotline asl -h")`},
		{[]string{"serve", "--nosuch"}, nil, `flag provided but not defined: -nosuch (see "hotline serve -h")`},
		{[]string{"serve", "stray"}, nil, `unexpected argument "stray"`},
		{[]string{"serve", "--speed", "0"}, nil, "--speed must be more than 0 and at most 100000"},
		{[]string{"serve", "--speed", "-5"}, nil, "--speed must be more than 0"},
		{[]string{"serve", "--speed", "1e6"}, nil, "at most 100000"},
		{[]string{"serve", "--speed", "NaN"}, nil, "--speed must be more than 0"},
		{[]string{"serve", "--speed", "fast"}, nil, `invalid value "fast" for flag -speed`},
		{[]string{"serve", "--log-format", "xml"}, nil, `--log-format must be auto, text or json, not "xml"`},
		{[]string{"serve", "--log-level", "verbose"}, nil, `--log-level: want debug, info, warn or error, not "verbose"`},
		{[]string{"serve"}, map[string]string{"HOTLINE_LOG_LEVEL": "loud"}, `HOTLINE_LOG_LEVEL: want debug, info, warn or error, not "loud"`},
		{[]string{"serve", "--faults", "dynamodb=2"}, nil, "--faults:"},
		{[]string{"token", "--role", "king"}, nil, "--role must be one of operator, department, supervisor, admin"},
		{[]string{"token", "--role", "department", "--dept", "nosuch"}, nil, `--dept "nosuch" is not a department of the catalog; known: market, `},
		{[]string{"token", "--role", "department"}, nil, "--role department needs --dept, one of: market, "},
		{[]string{"token", "--role", "operator", "--dept", "market"}, nil, "--dept is for --role department only"},
		{[]string{"token", "--role", "admin", "--ttl", "-1h"}, nil, "--ttl must be positive"},
		{[]string{"load", "--tickets", "0"}, nil, "--tickets must be positive"},
		{[]string{"load", "--edge", "http://127.0.0.1:4566"}, nil, "--edge needs --api"},
		{[]string{"load", "--data", "d", "--api", "http://127.0.0.1:8080"}, nil, "--data is for the platform load starts"},
		{[]string{"serve", "--in-memory", "--data", "d"}, nil, "--in-memory keeps nothing; --data names where to keep it"},
		{[]string{"serve", "--data", ""}, nil, "--data needs a folder"},
		{[]string{"jwks", "--key", "k.pem"}, nil, "--key, --issuer and --out are required"},
		{[]string{"asl", "validate"}, nil, "asl validate takes one FILE"},
		{[]string{"asl", "run"}, nil, "--definition is required"},
		{[]string{"version", "extra"}, nil, `unexpected argument "extra"`},
	} {
		code, out, errOut := runCode(t, tc.env, tc.args...)
		cmd := "hotline " + strings.Join(tc.args, " ")
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", cmd, code, errOut)
		}
		if !strings.HasPrefix(errOut, "hotline: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, ` -h")`) {
			t.Errorf("%s: stderr %q, want one line with %q and a hint", cmd, errOut, tc.want)
		}
		if out != "" {
			t.Errorf("%s: stdout %q, want nothing", cmd, out)
		}
	}
	// Without a command the usage is the answer, on stderr.
	code, out, errOut := runCode(t, nil)
	if code != 2 || out != "" || !strings.HasPrefix(errOut, "usage: hotline <command>") {
		t.Errorf("bare hotline: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Failures that are not the command line's exit 1.
	code, _, errOut = runCode(t, nil, "asl", "validate", "/nonexistent/def.json")
	if code != 1 || strings.Count(errOut, "\n") != 1 {
		t.Errorf("a missing file: exit %d, stderr %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, errOut := runCode(t, nil, "version")
	if code != 0 || errOut != "" || !strings.HasPrefix(out, "hotline ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-11-30T06:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	if got, want := versionLine(info), "hotline v1.4.0 git 0123abcd 2026-11-30T06:00:00Z (modified) go1.26.8"; got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
}

func TestLogFormatSelection(t *testing.T) {
	for _, tc := range []struct {
		format   string
		terminal bool
		text     bool
	}{
		{logAuto, true, true}, {logAuto, false, false},
		{logText, false, true}, {logText, true, true},
		{logJSON, true, false}, {logJSON, false, false},
	} {
		if got := textLogs(tc.format, tc.terminal); got != tc.text {
			t.Errorf("textLogs(%q, terminal %v) = %v", tc.format, tc.terminal, got)
		}
	}
	var b bytes.Buffer
	if isTerminal(&b) {
		t.Error("a buffer is not a terminal")
	}
}

// syncBuffer collects what serve writes from many goroutines and lets a
// test wait for a text.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.changed)
	s.changed = make(chan struct{})
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor returns once the buffer holds text, or fails when done delivers
// (the command ended) or ctx ends.
func (s *syncBuffer) waitFor(ctx context.Context, t *testing.T, text string, done <-chan error) {
	t.Helper()
	for {
		s.mu.Lock()
		has, changed := strings.Contains(s.b.String(), text), s.changed
		s.mu.Unlock()
		if has {
			return
		}
		select {
		case <-changed:
		case err := <-done:
			t.Fatalf("serve ended (%v) before writing %q:\n%s", err, text, s.String())
		case <-ctx.Done():
			t.Fatalf("no %q:\n%s", text, s.String())
		}
	}
}

var apiLine = regexp.MustCompile(`API:\s+(\S+)`)

// serveOnce runs hotline serve in-process on free ports with stdout and
// stderr both going to one buffer, asks the API for the categories (the
// api function reads them from the table through the edge), waits for the
// gateway's log line of it, stops serve and returns everything written.
func serveOnce(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	out := newSyncBuffer()
	done := make(chan error, 1)
	go func() {
		done <- run(serveCtx, append([]string{"serve", "--api", "127.0.0.1:0", "--edge", "127.0.0.1:0", "--data", t.TempDir()}, args...), out, out, func(k string) string { return env[k] })
	}()
	out.waitFor(ctx, t, "Staff token:", done)
	m := apiLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no API URL in the banner:\n%s", out)
	}
	resp, err := http.Get(m[1] + "/v1/categories")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("categories: %d", resp.StatusCode)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	return out.String()
}

var textLine = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{3} INF request .*route="GET /v1/categories"`)

// On a terminal (or with --log-format text) serve writes concise lines after
// its banner; the edge's request lines come only at debug.
func TestServeLogsTextAfterTheBanner(t *testing.T) {
	out := serveOnce(t, map[string]string{"HOTLINE_LOG_LEVEL": "debug"}, "--log-format", "text")
	if !strings.HasPrefix(out, "Hotline 12345 is running.") {
		t.Errorf("the banner is not first:\n%s", out)
	}
	if !textLine.MatchString(out) {
		t.Errorf("no text line for the request:\n%s", out)
	}
	if !strings.Contains(out, "DBG aws edge request") || !strings.Contains(out, "Logs:     text at debug") {
		t.Errorf("HOTLINE_LOG_LEVEL=debug: no edge request lines or wrong banner:\n%s", out)
	}
	if strings.Contains(out, `{"time"`) || strings.Contains(out, "\x1b[") {
		t.Errorf("JSON or colour in text logs to a buffer:\n%s", out)
	}
}

// Not on a terminal, serve writes JSON; --log-level beats HOTLINE_LOG_LEVEL,
// and at info the edge's request lines are left out.
func TestServeLogsJSONWhenPiped(t *testing.T) {
	out := serveOnce(t, map[string]string{"HOTLINE_LOG_LEVEL": "debug"}, "--log-level", "info")
	banner, logs, _ := strings.Cut(out, "Staff token: hotline token --role operator   (Ctrl-C stops)\n")
	if !strings.Contains(banner, "Logs:     JSON at info") {
		t.Errorf("banner:\n%s", banner)
	}
	var sawRequest bool
	for line := range strings.Lines(logs) {
		if line == "stopping\n" {
			continue
		}
		var rec struct {
			Level, Msg, Route string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q (%v)", line, err)
		}
		if rec.Level == "DEBUG" || rec.Msg == "aws edge request" {
			t.Errorf("a debug line at info: %s", line)
		}
		sawRequest = sawRequest || (rec.Msg == "request" && rec.Route == "GET /v1/categories")
	}
	if !sawRequest {
		t.Errorf("no JSON line for the request:\n%s", logs)
	}
}
