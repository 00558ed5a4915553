package client_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/hotline12345/hotline/client"
)

// exchange is a request the fake API got.
type exchange struct {
	method, path, rawPath string
	query                 map[string][]string
	header                http.Header
	body                  []byte
}

// fakeAPI is an httptest server standing in for the API: handle answers
// each request; every request is recorded.
type fakeAPI struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []exchange
}

func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request body: %v", err)
		}
		f.mu.Lock()
		f.got = append(f.got, exchange{r.Method, r.URL.Path, r.URL.EscapedPath(), r.URL.Query(), r.Header.Clone(), body})
		f.mu.Unlock()
		handle(w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) client(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(f.srv.URL, append([]client.Option{client.WithHTTPClient(f.srv.Client())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakeAPI) requests() []exchange {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]exchange(nil), f.got...)
}

// answer writes v as JSON with the status.
func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// problem writes an RFC 9457 problem as the API's functions do.
func problem(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", "en")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "https://errors.hotline12345.example/" + code, "title": code, "status": status,
		"detail": detail, "code": code, "requestId": "req-" + code,
	})
}

// gateway writes an answer of API Gateway's own.
func gateway(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Apigw-Requestid", "gw-1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}
