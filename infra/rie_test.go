package infra

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// ciMustRun turns a skip for a missing tool into a failure in CI, where
// .ci/run installs every tool these tests need.
func ciMustRun(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true: .ci/run must install it)", args...)
	}
	t.Skipf(format, args...)
}

func findTool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// buildHost builds every function for the host with make build's flags and
// returns the directory holding one binary per function.
func buildHost(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc,nodynamic", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w -buildid=", "-o", dir+string(os.PathSeparator), "./functions/...")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build functions: %v\n%s", err, out)
	}
	return dir
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

type rieRun struct {
	answer  []byte
	elapsed time.Duration
	lines   chan string
}

// invokeCold starts a fresh emulator with the bootstrap, invokes it once and
// returns the answer and the time from process start to that answer. The
// emulator prints no readiness line, so the first invocation is retried while
// the connection is refused, on a short ticker bounded by the test deadline.
func invokeCold(t *testing.T, rie, bootstrap string, env []string, event []byte) rieRun {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", freeAddr(t), "--log-level", "error", bootstrap)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	lines := make(chan string, 256)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			return rieRun{answer: body, elapsed: time.Since(start), lines: lines}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s under the emulator: no answer in 30 s: %v", filepath.Base(filepath.Dir(bootstrap)), err)
		case <-tick.C:
		}
	}
}

func TestBootstrapsUnderTheLambdaRuntimeInterfaceEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function and starts each 5 times; skipped with -short")
	}
	rie := findTool("aws-lambda-rie")
	if rie == "" {
		ciMustRun(t, "aws-lambda-rie not found; go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d")
	}
	bin := buildHost(t)
	e := edge.New(edge.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	edgeURL, err := e.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	base := map[string]string{
		"PATH": os.Getenv("PATH"), "AWS_REGION": "us-east-1", "HOTLINE_ENDPOINT_URL": edgeURL, "HOTLINE_TABLE": "hotline-rie",
		"HOTLINE_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:000000000000:stateMachine:hotline-rie",
		"HOTLINE_SEAL_KEY":          key, "HOTLINE_BLIND_KEY": key, "HOTLINE_QUEUE_PREFIX": "hotline-rie-dept-",
		"HOTLINE_SENDER_EMAIL": "noreply@example.gov.cn", "HOTLINE_JWT_ISSUER": "https://idp.invalid", "HOTLINE_JWT_AUDIENCE": "hotline-api",
	}
	envList := func(drop string) []string {
		var out []string
		for k, v := range base {
			if k != drop {
				out = append(out, k+"="+v)
			}
		}
		return out
	}
	httpEvent := func(method, path, routeKey, body string) []byte {
		ev := map[string]any{"version": "2.0", "routeKey": routeKey, "rawPath": path, "body": body,
			"headers":        map[string]string{"content-type": "application/json", "idempotency-key": "rie-1"},
			"requestContext": map[string]any{"http": map[string]string{"method": method, "path": path}, "routeKey": routeKey, "requestId": "rie"}}
		b, _ := json.Marshal(ev)
		return b
	}
	// A sample event per function; what matters for the cold start is the first
	// answer, so these need no table.
	events := map[string][]byte{
		"intake":     httpEvent("POST", "/v1/tickets", "POST /v1/tickets", "{not json"),
		"api":        httpEvent("GET", "/v1/nope", "GET /v1/nope", ""),
		"review":     []byte(`{"action":"nope","ticketId":"x"}`),
		"dispatch":   []byte(`{"action":"nope","ticketId":"x"}`),
		"feedback":   []byte(`{"action":"nope","ticketId":"x"}`),
		"sweep":      []byte(`{"source":"not.events"}`),
		"authorizer": []byte(`{"version":"2.0","type":"REQUEST","routeKey":"POST /v1/tickets","headers":{}}`),
	}
	for _, fn := range functionDirs(t) {
		ev, ok := events[fn]
		if !ok {
			t.Errorf("functions/%s: no sample event in this test", fn)
			continue
		}
		boot := filepath.Join(t.TempDir(), fn, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(boot), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(bin, fn), boot); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(boot)
		if err != nil {
			t.Fatal(err)
		}
		var times []time.Duration
		var first rieRun
		for i := range 5 {
			r := invokeCold(t, rie, boot, envList(""), ev)
			times = append(times, r.elapsed)
			if i == 0 {
				first = r
			}
		}
		slices.Sort(times)
		t.Logf("cold start functions/%-10s median %6.1f ms (of 5: %v), host bootstrap %.1f MB", fn, float64(times[2].Microseconds())/1000, times, float64(info.Size())/1e6)
		if len(first.answer) == 0 {
			t.Errorf("functions/%s: empty answer", fn)
		}
		if fn == "intake" {
			var resp struct {
				StatusCode int               `json:"statusCode"`
				Headers    map[string]string `json:"headers"`
				Body       string            `json:"body"`
			}
			if err := json.Unmarshal(first.answer, &resp); err != nil {
				t.Fatalf("intake answer is not an API Gateway response: %s", first.answer)
			}
			var body struct{ Code string }
			if resp.StatusCode != 400 || json.Unmarshal([]byte(resp.Body), &body) != nil || body.Code != "validation_failed" {
				t.Errorf("intake with an invalid body: status %d body %s, want a 400 JSON error", resp.StatusCode, resp.Body)
			}
		}
	}

	// A missing required variable: the function must fail at start and say which.
	boot := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc,nodynamic", "-trimpath", "-buildvcs=false", "-o", boot, "./functions/intake")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build intake: %v\n%s", err, out)
	}
	r := invokeCold(t, rie, boot, envList("HOTLINE_TABLE"), events["intake"])
	if strings.Contains(string(r.answer), "statusCode") {
		t.Errorf("intake without HOTLINE_TABLE served the request: %s", r.answer)
	}
	var seen []string
	for line := range r.lines {
		seen = append(seen, line)
		if strings.Contains(line, "missing required environment variables: HOTLINE_TABLE") {
			return
		}
		if len(seen) > 200 {
			break
		}
	}
	t.Errorf("intake without HOTLINE_TABLE: no start-up message naming it; output:\n%s", strings.Join(seen, "\n"))
}
