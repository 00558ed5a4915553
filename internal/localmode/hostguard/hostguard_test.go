package hostguard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHostAndOrigin(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	h := New("127.0.0.1:8080", []string{"hotline.lan"}, []string{"http://localhost:3000"}).Wrap(ok)
	for _, tc := range []struct {
		host, origin string
		status       int
		cors         string
	}{
		{"127.0.0.1:8080", "", 200, ""},
		{"localhost:8080", "", 200, ""},
		{"[::1]:8080", "", 200, ""},
		{"HOTLINE.lan", "", 200, ""},
		{"attacker.example:8080", "", 421, ""}, // DNS rebinding: a hostile name resolving to 127.0.0.1
		{"127.0.0.1.nip.io:8080", "", 421, ""},
		{"", "", 421, ""},
		{"localhost:8080", "http://localhost:3000", 200, "http://localhost:3000"},
		{"localhost:8080", "http://attacker.example", 200, ""},
	} {
		r := httptest.NewRequest("GET", "/v1/categories", nil)
		r.Host = tc.host
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.status || w.Header().Get("Access-Control-Allow-Origin") != tc.cors {
			t.Errorf("Host %q Origin %q: %d %q", tc.host, tc.origin, w.Code, w.Header().Get("Access-Control-Allow-Origin"))
		}
	}
	pre := httptest.NewRequest("OPTIONS", "/v1/tickets", nil)
	pre.Host = "localhost:8080"
	pre.Header.Set("Origin", "http://localhost:3000")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, pre)
	if w.Code != http.StatusNoContent || !strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "if-match") {
		t.Fatalf("preflight: %d %v", w.Code, w.Header())
	}
	// A page reads the version to send back in If-Match, and when to retry.
	r := httptest.NewRequest("GET", "/v1/admin/categories", nil)
	r.Host = "localhost:8080"
	r.Header.Set("Origin", "http://localhost:3000")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	for _, exposed := range []string{"etag", "retry-after"} {
		if !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), exposed) {
			t.Errorf("%s not exposed: %v", exposed, w.Header())
		}
	}
}

func TestBoundToAllInterfacesAnswersOnlyNamedHosts(t *testing.T) {
	g := New("0.0.0.0:8080", []string{"hotline.lan"}, nil)
	if g.AllowsHost("localhost:8080") || g.AllowsHost("attacker.example") || !g.AllowsHost("hotline.lan:8080") {
		t.Fatal("a wildcard bind must answer only the names given")
	}
}

// A slow client cannot hold a connection: every phase has a bound.
func TestServerBoundsEveryPhase(t *testing.T) {
	s := Server(http.NotFoundHandler())
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= s.ReadTimeout || s.IdleTimeout <= 0 {
		t.Fatalf("timeouts %+v", s)
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:0": true, "[::1]:80": true, "0.0.0.0:8080": false, ":8080": false, "192.168.1.5:80": false, "nonsense": false} {
		if Loopback(addr) != want {
			t.Errorf("Loopback(%q) = %v", addr, !want)
		}
	}
}
