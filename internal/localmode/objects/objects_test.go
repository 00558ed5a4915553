package objects_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/durable"
	"github.com/hotline12345/hotline/internal/localmode/objects"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func mustOpen(t *testing.T, o objects.Options) *objects.Engine {
	t.Helper()
	e, err := objects.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func read(t *testing.T, e *objects.Engine, bucket, key string) string {
	t.Helper()
	_, body, err := e.Get(bucket, key)
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// engines runs a test on an engine in memory and on one kept on disk.
func engines(t *testing.T, fn func(t *testing.T, e *objects.Engine, c *clock)) {
	t.Run("memory", func(t *testing.T) {
		c := &clock{now: time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)}
		fn(t, mustOpen(t, objects.Options{Now: c.Now, MaxObjectBytes: 100}), c)
	})
	t.Run("disk", func(t *testing.T) {
		c := &clock{now: time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)}
		dir := t.TempDir()
		st, err := durable.Open(filepath.Join(dir, "state"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		fn(t, mustOpen(t, objects.Options{Now: c.Now, MaxObjectBytes: 100, Store: st, Dir: filepath.Join(dir, "bodies")}), c)
	})
}

func TestObjects(t *testing.T) {
	engines(t, func(t *testing.T, e *objects.Engine, c *clock) {
		if err := e.CreateBucket("b1"); !errors.Is(err, objects.ErrInvalidBucketName) {
			t.Fatalf("short name: %v", err)
		}
		if err := e.CreateBucket("photos"); err != nil {
			t.Fatal(err)
		}
		if err := e.CreateBucket("photos"); !errors.Is(err, objects.ErrBucketExists) {
			t.Fatalf("again: %v", err)
		}
		if _, err := e.Put("nope", "k", strings.NewReader("x"), objects.Meta{}); !errors.Is(err, objects.ErrNoSuchBucket) {
			t.Fatalf("put into a missing bucket: %v", err)
		}
		info, err := e.Put("photos", "a/1", strings.NewReader("one"), objects.Meta{ContentType: "text/plain", Metadata: map[string]string{"k": "v"}})
		if err != nil {
			t.Fatal(err)
		}
		if info.ETag != `"f97c5d29941bfb1b2fdab0874906ab82"` || info.Size != 3 || info.ContentType != "text/plain" || !info.LastModified.Equal(c.Now()) {
			t.Fatalf("put: %+v", info)
		}
		if _, err := e.Put("photos", "a/2", strings.NewReader("two"), objects.Meta{}); err != nil {
			t.Fatal(err)
		}
		if h, _ := e.Head("photos", "a/2"); h.ContentType != "binary/octet-stream" {
			t.Fatalf("default content type %q", h.ContentType)
		}
		if _, err := e.Put("photos", "a/1", strings.NewReader("uno"), objects.Meta{}); err != nil {
			t.Fatal(err)
		}
		if got := read(t, e, "photos", "a/1"); got != "uno" {
			t.Fatalf("replaced: %q", got)
		}
		if _, err := e.Put("photos", "big", bytes.NewReader(make([]byte, 101)), objects.Meta{}); !errors.Is(err, objects.ErrTooLarge) {
			t.Fatalf("over the cap: %v", err)
		}
		if _, err := e.Head("photos", "big"); !errors.Is(err, objects.ErrNoSuchKey) {
			t.Fatalf("an object over the cap was kept: %v", err)
		}
		if _, err := e.Put("photos", "nul\x00", strings.NewReader("x"), objects.Meta{}); !errors.Is(err, objects.ErrInvalidKey) {
			t.Fatalf("NUL in a key: %v", err)
		}

		// Staged bodies: discarded ones leave nothing.
		s, err := e.Stage(strings.NewReader("staged"), 10)
		if err != nil || s.Size() != 6 {
			t.Fatalf("stage: %v", err)
		}
		s.Discard()
		if _, err := s.Commit("photos", "s", objects.Meta{}); err == nil {
			t.Fatal("a discarded body was committed")
		}
		if _, err := e.Stage(strings.NewReader("too long for it"), 5); !errors.Is(err, objects.ErrTooLarge) {
			t.Fatalf("stage over its limit: %v", err)
		}

		if err := e.Delete("photos", "a/2"); err != nil {
			t.Fatal(err)
		}
		if err := e.Delete("photos", "a/2"); err != nil {
			t.Fatalf("delete of an absent key: %v", err)
		}
		if err := e.DeleteBucket("photos"); !errors.Is(err, objects.ErrBucketNotEmpty) {
			t.Fatalf("delete a full bucket: %v", err)
		}
		if err := e.Delete("photos", "a/1"); err != nil {
			t.Fatal(err)
		}
		if err := e.DeleteBucket("photos"); err != nil {
			t.Fatal(err)
		}
		if len(e.Buckets()) != 0 {
			t.Fatalf("buckets: %v", e.Buckets())
		}
	})
}

func TestList(t *testing.T) {
	engines(t, func(t *testing.T, e *objects.Engine, _ *clock) {
		if err := e.CreateBucket("photos"); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "m/1", "m/2", "m/x/1", "u/1", "u/2", "z"} {
			if _, err := e.Put("photos", k, strings.NewReader(k), objects.Meta{}); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		after := ""
		for {
			p, err := e.List("photos", "", "/", after, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range p.Objects {
				got = append(got, o.Key)
			}
			got = append(got, p.CommonPrefixes...)
			if !p.Truncated {
				break
			}
			after = p.NextAfter
		}
		slices.Sort(got) // a page lists objects and prefixes apart
		if want := []string{"a", "m/", "u/", "z"}; !slices.Equal(got, want) {
			t.Fatalf("pages with a delimiter: %q, want %q", got, want)
		}
		p, err := e.List("photos", "m/", "/", "", 1000)
		if err != nil || len(p.Objects) != 2 || !slices.Equal(p.CommonPrefixes, []string{"m/x/"}) {
			t.Fatalf("under m/: %+v, %v", p, err)
		}
	})
}

func TestExpiresAt(t *testing.T) {
	for _, tc := range []struct {
		created string
		days    int
		want    string
	}{
		{"2026-03-02T10:30:00Z", 1, "2026-03-04T00:00:00Z"},
		{"2026-03-02T23:59:59Z", 1, "2026-03-04T00:00:00Z"},
		{"2026-03-02T00:00:00Z", 1, "2026-03-04T00:00:00Z"},
		{"2026-03-02T10:30:00+08:00", 30, "2026-04-02T00:00:00Z"},
	} {
		created, _ := time.Parse(time.RFC3339, tc.created)
		if got := objects.ExpiresAt(created, tc.days).Format(time.RFC3339); got != tc.want {
			t.Errorf("%s + %d days: %s, want %s", tc.created, tc.days, got, tc.want)
		}
	}
}

func TestSweep(t *testing.T) {
	engines(t, func(t *testing.T, e *objects.Engine, c *clock) {
		if err := e.CreateBucket("photos"); err != nil {
			t.Fatal(err)
		}
		if err := e.SetLifecycle("photos", []objects.LifecycleRule{
			{ID: "raw", Prefix: "uploads/", Enabled: true, Days: 1},
			{ID: "off", Prefix: "media/", Enabled: false, Days: 1},
		}); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"uploads/1", "media/1", "other"} {
			if _, err := e.Put("photos", k, strings.NewReader(k), objects.Meta{}); err != nil {
				t.Fatal(err)
			}
		}
		c.set(time.Date(2026, 3, 3, 23, 0, 0, 0, time.UTC))
		if _, err := e.Put("photos", "uploads/2", strings.NewReader("later"), objects.Meta{}); err != nil {
			t.Fatal(err)
		}
		if n, err := e.Sweep(time.Date(2026, 3, 3, 23, 59, 59, 0, time.UTC)); n != 0 || err != nil {
			t.Fatalf("early sweep: %d, %v", n, err)
		}
		if n, err := e.Sweep(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)); n != 1 || err != nil {
			t.Fatalf("sweep: %d, %v", n, err)
		}
		var keys []string
		for _, o := range e.Snapshot()[0].Objects {
			keys = append(keys, o.Key)
		}
		if want := []string{"media/1", "other", "uploads/2"}; !slices.Equal(keys, want) {
			t.Fatalf("left %q, want %q", keys, want)
		}
	})
}

func TestKeptAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	bodies := filepath.Join(dir, "bodies")
	c := &clock{now: time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)}
	open := func() (*objects.Engine, *durable.Store) {
		st, err := durable.Open(filepath.Join(dir, "state"))
		if err != nil {
			t.Fatal(err)
		}
		e, err := objects.Open(objects.Options{Store: st, Dir: bodies, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		return e, st
	}
	shut := func(e *objects.Engine, st *durable.Store) {
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	e, st := open()
	if err := e.CreateBucket("photos"); err != nil {
		t.Fatal(err)
	}
	if err := e.SetCORS("photos", []objects.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.SetLifecycle("photos", []objects.LifecycleRule{{Prefix: "u/", Enabled: true, Days: 2}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"u/1", "m/1", "m/2"} {
		if _, err := e.Put("photos", k, strings.NewReader("body of "+k), objects.Meta{ContentType: "image/jpeg", Metadata: map[string]string{"t": k}}); err != nil {
			t.Fatal(err)
		}
	}
	shut(e, st)
	if _, err := e.Put("photos", "late", strings.NewReader("x"), objects.Meta{}); !errors.Is(err, objects.ErrClosed) {
		t.Fatalf("put after close: %v", err)
	}

	// A body lost behind the store's back, and orphans beside the kept ones.
	var files []string
	entries, _ := os.ReadDir(bodies)
	for _, d := range entries {
		files = append(files, d.Name())
	}
	if len(files) != 3 {
		t.Fatalf("body files %q", files)
	}
	st2, _ := durable.Open(filepath.Join(dir, "state"))
	e2, _ := objects.Open(objects.Options{Store: st2, Dir: bodies})
	_, body, err := e2.Get("photos", "m/2")
	if err != nil {
		t.Fatal(err)
	}
	lostFile := body.(*os.File).Name()
	body.Close()
	shut(e2, st2)
	if err := os.Remove(lostFile); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"put-1.tmp", "abc.obj"} {
		if err := os.WriteFile(filepath.Join(bodies, f), []byte("orphan"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bodies, "README"), []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}

	e, st = open()
	defer shut(e, st)
	if got := read(t, e, "photos", "u/1"); got != "body of u/1" {
		t.Fatalf("u/1: %q", got)
	}
	if h, err := e.Head("photos", "m/1"); err != nil || h.ContentType != "image/jpeg" || h.Metadata["t"] != "m/1" || !h.LastModified.Equal(c.Now()) {
		t.Fatalf("m/1: %+v, %v", h, err)
	}
	if _, err := e.Head("photos", "m/2"); !errors.Is(err, objects.ErrNoSuchKey) {
		t.Fatalf("an object without its body: %v", err)
	}
	if rules, err := e.CORS("photos"); err != nil || len(rules) != 1 || rules[0].AllowedOrigins[0] != "*" {
		t.Fatalf("CORS: %+v, %v", rules, err)
	}
	if rules, err := e.Lifecycle("photos"); err != nil || len(rules) != 1 || rules[0].Days != 2 {
		t.Fatalf("lifecycle: %+v, %v", rules, err)
	}
	entries, _ = os.ReadDir(bodies)
	files = files[:0]
	for _, d := range entries {
		files = append(files, d.Name())
	}
	if len(files) != 3 || !slices.Contains(files, "README") || slices.Contains(files, "abc.obj") || slices.Contains(files, "put-1.tmp") {
		t.Fatalf("files after the reopen: %q", files)
	}
}
