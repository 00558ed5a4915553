package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// make runs the repository's Makefile and returns its output.
func makeOutput(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make on this machine")
	}
	// A bare make that started servers would run until killed.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", append([]string{"-s", "-C", "../.."}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var makeTarget = regexp.MustCompile(`(?m)^([a-z][a-z-]*):`)

// A bare make lists the targets, every one of them, and starts nothing;
// make test stays the README's test command.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	help := makeOutput(t, "help")
	if bare := makeOutput(t); bare != help {
		t.Errorf("bare make:\n%s\nwant make help:\n%s", bare, help)
	}
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range makeTarget.FindAllStringSubmatch(string(mk), -1) {
		if !regexp.MustCompile(`(?m)^  ` + m[1] + ` +\S`).MatchString(help) {
			t.Errorf("make help does not list %s:\n%s", m[1], help)
		}
	}
	if dry := makeOutput(t, "-n", "test"); !strings.Contains(dry, "go test -race -count=1 ./...") {
		t.Errorf("make test runs:\n%s", dry)
	}
}
