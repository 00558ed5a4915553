package openapi_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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

// redocly returns a command running Redocly CLI (package.json pins it) with
// the repository's lint configuration, offline and quiet.
func redocly(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cli, err := filepath.Abs("../node_modules/.bin/redocly")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		ciMustRun(t, "node not found: the Redocly lint is skipped (install Node.js and run npm ci)")
	}
	if _, err := os.Stat(cli); err != nil {
		ciMustRun(t, "@redocly/cli not installed: run npm ci in the repository root")
	}
	cmd := exec.Command(cli, append([]string{"lint", "--config", "redocly.yaml", "--format", "codeframe"}, args...)...)
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	return cmd
}

// openapi.yaml passes Redocly's lint, every rule an error (redocly.yaml);
// the few findings that are the API's design are ignored one by one in
// .redocly.lint-ignore.yaml.
func TestDocumentPassesRedoclyLint(t *testing.T) {
	out, err := redocly(t, "openapi.yaml").CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint openapi.yaml: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "valid") {
		t.Fatalf("redocly lint said neither yes nor no:\n%s", out)
	}
}

// The lint refuses a broken document, so the check above cannot pass by
// accident (a linter that accepts anything, a configuration that turns
// everything off).
func TestRedoclyLintRefusesABrokenDocument(t *testing.T) {
	f := filepath.Join(t.TempDir(), "broken.yaml")
	broken := `openapi: 3.1.0
info: {title: broken, version: "1"}
paths:
  /v1/things/{id}:
    get:
      responses:
        '200':
          description: a thing
`
	if err := os.WriteFile(f, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := redocly(t, f).CombinedOutput()
	if err == nil {
		t.Fatalf("redocly lint accepted an operation without operationId, summary or path parameter:\n%s", out)
	}
	for _, rule := range []string{"operation-operationId", "path-parameters-defined"} {
		if !strings.Contains(string(out), rule) {
			t.Errorf("redocly lint did not apply %s:\n%s", rule, out)
		}
	}
}
