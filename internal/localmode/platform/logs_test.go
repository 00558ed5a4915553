package platform_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

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
