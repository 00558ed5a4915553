package platform_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/internal/wiring/config"
)

// One level for everything local mode runs: the platform's own logs, the
// edge's request lines (debug) and, through their environment, the
// functions'.
func TestLogLevelReachesEdgeAndFunctions(t *testing.T) {
	for _, tc := range []struct {
		level                 slog.Level
		name                  string
		gatewayLine, edgeLine bool
	}{
		{slog.LevelDebug, "debug", true, true},
		{slog.LevelInfo, "info", true, false},
		{slog.LevelWarn, "warn", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &localtest.Logs{}
			p := localtest.StartPlatform(t, platform.Options{Log: logs, LogLevel: tc.level}, logs.String)
			if got := p.Env[config.EnvLogLevel]; got != tc.name {
				t.Errorf("functions get %s=%q, want %q", config.EnvLogLevel, got, tc.name)
			}
			// The categories come from the table: the api function calls the
			// edge, and the gateway logs the request once it has answered.
			resp, err := http.Get(p.APIURL + "/v1/categories")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			out := logs.String()
			if got := strings.Contains(out, `"msg":"request"`); got != tc.gatewayLine {
				t.Errorf("gateway request line logged: %v, want %v\n%s", got, tc.gatewayLine, out)
			}
			if got := strings.Contains(out, `"msg":"aws edge request"`); got != tc.edgeLine {
				t.Errorf("edge request line logged: %v, want %v\n%s", got, tc.edgeLine, out)
			}
		})
	}
}

// A sped-up workflow clock does not shorten staff tokens: they last their
// lifetime in real time, whatever the workflow's deadlines do.
func TestStaffTokensLastInRealTime(t *testing.T) {
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	wall := asl.NewFakeClock(start)
	workflow := &asl.ScaledClock{Base: wall, Speed: 10000}
	p := localtest.StartPlatform(t, platform.Options{Clock: workflow, WallClock: wall, SweepInterval: -1}, nil)
	tok, err := p.Issuer.Sign(auth.Claims{Subject: "op-1", Role: auth.RoleOperator}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, p.APIURL+"/v1/departments", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	wall.Advance(10 * time.Minute) // 10,000 minutes (about a week) of workflow time
	if got := workflow.Now().Sub(start); got < 24*time.Hour {
		t.Fatalf("workflow clock moved %v", got)
	}
	if got := get(); got != http.StatusOK {
		t.Fatalf("an hour's token after 10 real minutes: %d", got)
	}
	wall.Advance(time.Hour)
	if got := get(); got != http.StatusUnauthorized {
		t.Fatalf("an hour's token after 70 real minutes: %d", got)
	}
}
