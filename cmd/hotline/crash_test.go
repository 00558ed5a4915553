package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hotline12345/hotline/client"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// childEnv makes this test binary run the hotline command line instead of
// the tests (TestMain): the crash test needs a process it can kill -9.
const childEnv = "HOTLINE_TEST_RUN_HOTLINE"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
		stop()
		os.Exit(exitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}

// served is a hotline serve in a process of its own.
type served struct {
	cmd  *exec.Cmd
	api  string
	done chan error
}

var bannerAPI = regexp.MustCompile(`^  API:\s+(http://\S+)`)

// serveProcess starts hotline serve on dataDir in a child process and waits
// for its banner.
func serveProcess(t *testing.T, dataDir string) *served {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--data", dataDir, "--api", "127.0.0.1:0", "--edge", "127.0.0.1:0", "--throttle=false", "--log-level", "warn")
	cmd.Env = append(os.Environ(), childEnv+"=1", "HOTLINE_LIMITS="+platform.LooseLimits)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &localtest.Logs{}
	cmd.Stderr = logs
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hotline serve's log:\n%s", logs.String())
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := bannerAPI.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		s.done <- cmd.Wait()
	}()
	select {
	case s.api = <-found:
	case err := <-s.done:
		t.Fatalf("hotline serve ended before its banner: %v", err)
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("no banner from hotline serve within a minute")
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return s
}

// kill -9 in the middle of filing loses no ticket a citizen got a receipt
// for: after a restart on the same data each is there, and its workflow
// carries on (the tickets route to a department, so each gets dispatched)
// without the sweep's repair, which this run never reaches.
func TestKillNineMidLoadLosesNoAcknowledgedTicket(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hotline serve twice")
	}
	dir := t.TempDir()
	first := serveProcess(t, dir)
	citizen, err := client.New(first.api)
	if err != nil {
		t.Fatal(err)
	}
	const filers, killAfter = 6, 60
	var (
		mu       sync.Mutex
		receipts []client.Receipt
		killed   = make(chan struct{})
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for f := range filers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				rec, err := citizen.FileTicket(ctx, client.Submission{
					Type: client.TypeComplaint, Channel: client.ChannelWeb, Category: "consumer.refund", Anonymous: true,
					Content: fmt.Sprintf("崩溃测试 %d-%d：买的商品有质量问题，商家拒绝退货。", f, i),
				})
				if err != nil {
					select {
					case <-killed:
						return // the server is gone: this one had no receipt
					default:
						t.Errorf("filing before the kill: %v", err)
						return
					}
				}
				mu.Lock()
				receipts = append(receipts, *rec)
				n := len(receipts)
				mu.Unlock()
				if n == killAfter {
					if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Error(err)
					}
					close(killed)
				}
			}
		}()
	}
	wg.Wait()
	if err := <-first.done; err == nil {
		t.Fatal("hotline serve exited cleanly; it was to be killed")
	}
	t.Logf("%d tickets acknowledged before and while kill -9 landed", len(receipts))

	second := serveProcess(t, dir)
	citizen, err = client.New(second.api)
	if err != nil {
		t.Fatal(err)
	}
	giveUp := time.Now().Add(time.Minute)
	for _, rec := range receipts {
		for {
			v, err := citizen.GetTicket(context.Background(), rec.ID, rec.AccessCode)
			if err != nil {
				t.Fatalf("ticket %s, acknowledged before the kill: %v", rec.ID, err)
			}
			if v.Status == client.StatusDispatched {
				break
			}
			if time.Now().After(giveUp) {
				t.Fatalf("ticket %s is still %s a minute after the restart: its workflow did not carry on", rec.ID, v.Status)
			}
			time.Sleep(20 * time.Millisecond) // polling another process's progress
		}
	}
	if err := second.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-second.done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		if err != nil {
			t.Fatalf("hotline serve did not stop cleanly on Ctrl-C: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("hotline serve did not stop within 30 s of Ctrl-C")
	}
}
