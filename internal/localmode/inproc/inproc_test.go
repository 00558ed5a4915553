package inproc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/inproc"
)

// handlers answer in the ways a server's defaults shape: typed and untyped
// bodies, set and unset lengths, bodiless statuses, non-canonical names.
var handlers = map[string]http.HandlerFunc{
	"typed": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amz-Crc32", "123")
		w.Header()["x-amzn-RequestId"] = []string{"id-1"}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"x"}`)
	},
	"untyped": func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<html><body>hi</body></html>")
	},
	"empty": func(w http.ResponseWriter, r *http.Request) {},
	"nocontent": func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		_, _ = io.WriteString(w, "dropped")
	},
	"echo": func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Add("Multi", "a")
		w.Header().Add("Multi", "b")
		_, _ = io.WriteString(w, r.Method+" "+r.RequestURI+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+
			r.Header.Get("X-Amz-Target")+" "+r.Header.Get("User-Agent")+" "+r.Header.Get("Content-Length")+" "+string(b))
	},
	"late-header": func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "{}")
		w.Header().Set("X-After", "ignored") // after the first write: not sent
	},
}

func TestSameAnswerAsAServer(t *testing.T) {
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			overNet := do(t, http.DefaultClient, srv.URL, name)
			inProc := do(t, inproc.Client(h), srv.URL, name)
			if overNet != inProc {
				t.Errorf("over the network:\n%s\nin process:\n%s", overNet, inProc)
			}
		})
	}
}

// do makes a request and renders the answer, headers sorted, without Date.
func do(t *testing.T, c *http.Client, base, name string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/a/b?x=1&y=%20", strings.NewReader("body of "+name))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-amz-target", "DynamoDB_20120810.GetItem")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if d := resp.Header.Get("Date"); d == "" {
		t.Error("no Date")
	}
	resp.Header.Del("Date")
	var sb strings.Builder
	sb.WriteString(resp.Status + " " + resp.Proto + "\n")
	_ = resp.Header.Write(&sb)
	sb.WriteString(string(b))
	if resp.ContentLength != int64(len(b)) {
		sb.WriteString("\nContentLength differs from the body's")
	}
	return sb.String()
}

func TestHostAndContextAsOnAServer(t *testing.T) {
	var seen *http.Request
	var ctxErrAfter error
	done := make(chan struct{})
	c := inproc.Client(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		go func() {
			<-r.Context().Done()
			ctxErrAfter = r.Context().Err()
			close(done)
		}()
	}))
	resp, err := c.Get("http://127.0.0.1:4566/000000000000/q")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if seen.Host != "127.0.0.1:4566" || seen.URL.Host != "" || seen.RequestURI != "/000000000000/q" || seen.RemoteAddr == "" || seen.Body == nil {
		t.Errorf("request: host %q url host %q uri %q remote %q", seen.Host, seen.URL.Host, seen.RequestURI, seen.RemoteAddr)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the request's context did not end with the handler")
	}
	if !errors.Is(ctxErrAfter, context.Canceled) {
		t.Errorf("context after the handler: %v", ctxErrAfter)
	}
}

func TestCancellationReachesTheHandler(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := inproc.Client(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done() // a long poll cut short
		w.WriteHeader(http.StatusOK)
	}))
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://edge/", strings.NewReader("{}"))
	if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestPanicIsAnError(t *testing.T) {
	c := inproc.Client(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") }))
	if _, err := c.Get("http://edge/"); !errors.Is(err, inproc.ErrHandlerPanicked) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	h := handlers["typed"]
	body := strings.Repeat("x", 512)
	b.Run("loopback", func(b *testing.B) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		bench(b, srv.Client(), srv.URL, body)
	})
	b.Run("inproc", func(b *testing.B) { bench(b, inproc.Client(h), "http://edge", body) })
}

func bench(b *testing.B, c *http.Client, url, body string) {
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
}

// The handler gets its own header, as from a server: what it changes does
// not reach the caller's request (which a client may send again).
func TestHandlerHasItsOwnHeader(t *testing.T) {
	c := inproc.Client(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header["X-Amz-Date"][0] = "changed"
		r.Header["X-Multi"] = append(r.Header["X-Multi"], "c")
		r.Header.Set("Authorization", "replaced")
	}))
	req, _ := http.NewRequest(http.MethodPost, "http://edge/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Date", "20261130T100000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	req.Header["X-Multi"] = []string{"a", "b"}
	lower := "x-lower" // as a caller may set a name: not canonical
	req.Header[lower] = []string{"1"}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if req.Header.Get("X-Amz-Date") != "20261130T100000Z" || req.Header.Get("Authorization") != "AWS4-HMAC-SHA256 Credential=x" ||
		len(req.Header["X-Multi"]) != 2 || req.Header[lower][0] != "1" {
		t.Errorf("the caller's header changed: %v", req.Header)
	}
}
