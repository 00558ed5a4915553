package durable

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

func TestKeptAcrossReopenInKeyOrder(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(func(b *Batch) error {
		for i := range 3 {
			if err := b.PutJSON(Key("q", "dept", fmt.Sprintf("%03d", 2-i)), map[string]int{"n": 2 - i}); err != nil {
				return err
			}
		}
		b.Put(Key("q", "other", "1"), []byte("x"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLazy(func(b *Batch) error { b.Delete(Key("q", "dept", "001")); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.As(err, new(*InUseError)) {
		t.Fatalf("a second open of a folder in use: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []int
	if err := ScanJSON(s, Key("q", "dept", ""), func(_ []byte, v *map[string]int) error {
		got = append(got, (*v)["n"])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[0 2]" {
		t.Fatalf("kept %v, want [0 2] (in key order, the deleted one gone, the other queue apart)", got)
	}
	if err := s.Write(func(b *Batch) error { b.DeletePrefix(Key("q", "dept", "")); return nil }); err != nil {
		t.Fatal(err)
	}
	n := 0
	_ = s.Scan(Key("q"), func(_, _ []byte) error { n++; return nil })
	if n != 1 {
		t.Fatalf("%d keys left after deleting a prefix, want 1", n)
	}
}

func TestNilStoreKeepsNothing(t *testing.T) {
	var s *Store
	ran := false
	if err := s.Write(func(b *Batch) error { ran = true; b.Put([]byte("k"), nil); return b.PutJSON([]byte("j"), 1) }); err != nil || !ran {
		t.Fatalf("write: %v, ran %v", err, ran)
	}
	if err := s.Scan(nil, func(_, _ []byte) error { t.Fatal("a nil store has keys"); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"a", "b"}, {"a\xff", "b"}, {"\xff\xff", ""}} {
		if got := string(PrefixEnd([]byte(c.in))); got != c.want {
			t.Errorf("PrefixEnd(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWritesAfterCloseAreRefused(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(func(b *Batch) error { b.Put([]byte("k"), nil); return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// TestSyncKeepsLazyWritesThroughAnAbruptExit runs itself as a child that
// writes lazily, calls Sync and exits without closing the store (what kill
// -9 leaves: Pebble's own buffers are gone); the writes must be there.
func TestSyncKeepsLazyWritesThroughAnAbruptExit(t *testing.T) {
	if dir := os.Getenv("DURABLE_SYNC_CHILD"); dir != "" {
		s, err := Open(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for i := range 100 {
			if err := s.WriteLazy(func(b *Batch) error { b.Put(Key("k", fmt.Sprintf("%03d", i)), []byte("v")); return nil }); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
		}
		if err := s.Sync(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncKeepsLazyWritesThroughAnAbruptExit$")
	cmd.Env = append(os.Environ(), "DURABLE_SYNC_CHILD="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	if err := s.Scan(Key("k", ""), func(_, _ []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Fatalf("%d of 100 lazy writes kept after Sync and an abrupt exit", n)
	}
	var none *Store
	if err := none.Sync(); err != nil {
		t.Fatalf("a nil store's Sync: %v", err)
	}
}
