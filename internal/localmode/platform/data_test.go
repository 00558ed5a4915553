package platform_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/durable"
	"github.com/hotline12345/hotline/internal/localmode/platform"
)

func startOn(dir string) (*platform.Platform, error) {
	return platform.Start(context.Background(), platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", DataDir: dir, SweepInterval: -1})
}

// The data folder's keys are the owner's alone, the same on every start, and
// a folder others can read the keys of, or one in use, is refused with a
// reason.
func TestDataFolderKeepsItsKeysPrivateAndIsUsedByOneProcess(t *testing.T) {
	dir := t.TempDir()
	p, err := startOn(dir)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "keys.json")
	fi, err := os.Stat(keys)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keys file: %v, %v; want mode 0600", fi, err)
	}
	seal := p.Env["HOTLINE_SEAL_KEY"]
	var inUse *durable.InUseError
	if _, err := startOn(dir); !errors.As(err, &inUse) {
		t.Fatalf("a second platform on the same folder: %v, want an InUseError", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	p, err = startOn(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Env["HOTLINE_SEAL_KEY"] != seal || seal == "" {
		t.Fatal("the sealing key changed across a restart")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.Chmod(keys, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := startOn(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("keys others can read: %v, want a refusal that says what to do", err)
	}
}
