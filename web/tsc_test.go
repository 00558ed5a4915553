package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTypeCheck type-checks the pages' JavaScript with tsc (typescript in
// package.json): the JSDoc types are the only types the pages have, as there
// is no build step. CI installs it (npm ci); locally it skips without Node.
func TestTypeCheck(t *testing.T) {
	tsc, err := filepath.Abs("../node_modules/.bin/tsc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		ciMustRun(t, "node not found: the type check is skipped (install Node.js and run npm ci)")
	}
	if _, err := os.Stat(tsc); err != nil {
		ciMustRun(t, "typescript not installed: run npm ci in the repository root")
	}
	out, err := exec.Command(tsc, "--project", "tsconfig.json", "--checkJs", "--noEmit").CombinedOutput()
	if err != nil {
		t.Fatalf("tsc: %v\n%s", err, out)
	}
}

// ciMustRun skips a test whose tool is missing, except in CI, where .ci/run
// must have installed it.
func ciMustRun(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true: .ci/run must install it)", args...)
	}
	t.Skipf(format, args...)
}
