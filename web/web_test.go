package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newHandler(t *testing.T) *Handler {
	t.Helper()
	h, err := New(Config{Issuer: "hotline-local", LocalMode: true})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestPagesAndTypes(t *testing.T) {
	h := newHandler(t)
	for path, ctype := range map[string]string{
		"/":                   "text/html; charset=utf-8",
		"/console/":           "text/html; charset=utf-8",
		"/citizen/app.js":     "text/javascript; charset=utf-8",
		"/shared/style.css":   "text/css; charset=utf-8",
		"/config.json":        "application/json",
		"/shared/i18n.js":     "text/javascript; charset=utf-8",
		"/citizen/index.html": "text/html; charset=utf-8",
	} {
		w := get(h, path)
		if w.Code != 200 || w.Header().Get("Content-Type") != ctype {
			t.Errorf("%s: %d %q, want 200 %q", path, w.Code, w.Header().Get("Content-Type"), ctype)
		}
		if !strings.HasPrefix(w.Header().Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: CSP %q", path, w.Header().Get("Content-Security-Policy"))
		}
		if w.Header().Get("ETag") == "" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, w.Header())
		}
	}
	for _, path := range []string{"/web.go", "/v1/tickets", "/citizen/", "/nope"} {
		if h.Has(path) {
			t.Errorf("Has(%q) = true", path)
		}
	}
}

func TestConfig(t *testing.T) {
	var c map[string]any
	if err := json.Unmarshal(get(newHandler(t), "/config.json").Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if c["apiUrl"] != "" || c["issuer"] != "hotline-local" || c["localMode"] != true {
		t.Errorf("config.json = %v", c)
	}
}

func TestGzipAndETag(t *testing.T) {
	h := newHandler(t)
	plain := get(h, "/citizen/app.js")
	w := get(h, "/citizen/app.js", "Accept-Encoding", "br, gzip")
	if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v", w.Header())
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !bytes.Equal(body, plain.Body.Bytes()) {
		t.Error("gzip body differs from the plain one")
	}
	if w.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Error("the gzip and plain bodies share an ETag")
	}
	if get(h, "/citizen/app.js", "Accept-Encoding", "gzip;q=0").Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 got gzip")
	}
	if nm := get(h, "/citizen/app.js", "Accept-Encoding", "gzip", "If-None-Match", w.Header().Get("ETag")); nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d, %d bytes", nm.Code, nm.Body.Len())
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	pw := httptest.NewRecorder()
	h.ServeHTTP(pw, r)
	if pw.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", pw.Code)
	}
}

// The bucket's origin, and nothing wider, joins connect-src and img-src.
func TestPolicyAllowsTheMediaOrigin(t *testing.T) {
	h, err := New(Config{LocalMode: true, MediaOrigin: "http://127.0.0.1:4566"})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	want := CSP + "; connect-src 'self' http://127.0.0.1:4566; img-src 'self' http://127.0.0.1:4566"
	if got := w.Header().Get("Content-Security-Policy"); got != want {
		t.Errorf("CSP\n got %s\nwant %s", got, want)
	}
	if got := (Config{}).Policy(); got != CSP {
		t.Errorf("without a bucket the policy is %q, want CSP", got)
	}
	for _, o := range []string{"http://media.example", "https://b.example/path", "*", "https://*.example"} {
		if _, err := New(Config{MediaOrigin: o}); err == nil {
			t.Errorf("media origin %q accepted", o)
		}
	}
}
