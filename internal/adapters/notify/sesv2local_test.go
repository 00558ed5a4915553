package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/app/ports"
)

// npmTool returns a tool installed by `npm ci` at the repository root. Locally
// a missing tool skips the test with one line; in CI it fails, because
// .ci/run installs it.
func npmTool(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "..", "node_modules", ".bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; .ci/run runs npm ci", name)
		}
		t.Skipf("%s not installed (run npm ci at the repository root)", name)
	}
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startSESv2Local runs the third-party aws-ses-v2-local server, so the
// adapter is checked against an SES v2 implementation that is not ours.
func startSESv2Local(t *testing.T) string {
	t.Helper()
	bin := npmTool(t, "aws-ses-v2-local")
	port := freePort(t)
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", fmt.Sprint(port))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if strings.Contains(s.Text(), "server running") {
				ready <- true
				break
			}
		}
		for s.Scan() { // keep draining so the server never blocks on stdout
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("aws-ses-v2-local exited before it was ready")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("aws-ses-v2-local did not start within 30 s")
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

func TestSESMailerAgainstAwsSesV2Local(t *testing.T) {
	url := startSESv2Local(t)
	ctx := context.Background()
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: "cn-north-1", EndpointURL: url})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSESMailer(SESClient(cfg), SESConfig{From: "12345 热线 <noreply@12345.example.cn>"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.Send(ctx, ports.Email{To: "citizen@example.com", Subject: "【12345】工单 261127ABCDEF 已答复", Text: "办理结果：已解决", HTML: "<p>办理结果：已解决</p>"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(url + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []struct {
			MessageID   string `json:"messageId"`
			From        string `json:"from"`
			Destination struct {
				To []string `json:"to"`
			} `json:"destination"`
			Subject string `json:"subject"`
			Body    struct {
				Text string `json:"text"`
				HTML string `json:"html"`
			} `json:"body"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	if len(store.Emails) != 1 {
		t.Fatalf("aws-ses-v2-local stored %d e-mails", len(store.Emails))
	}
	e := store.Emails[0]
	if e.MessageID != id || e.Subject != "【12345】工单 261127ABCDEF 已答复" || e.Body.Text != "办理结果：已解决" ||
		!strings.Contains(e.From, "noreply@12345.example.cn") || len(e.Destination.To) != 1 || e.Destination.To[0] != "citizen@example.com" {
		t.Fatalf("stored e-mail = %+v (message id %q)", e, id)
	}
}
