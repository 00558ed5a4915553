// Package inproc is an http.RoundTripper that serves a request with an
// http.Handler in the calling goroutine: no socket, no HTTP/1.1 framing or
// parsing. Local mode gives it to the in-process functions' AWS clients so
// their calls reach the edge's handler directly, while the SDK (signing,
// retries, checksums, the protocols' (de)serialisation) runs unchanged. What
// the client gets is what it would read off the wire from net/http's server:
// status, canonical headers with the server's defaults (Date, Content-Length,
// a sniffed Content-Type), the body, and a request context that ends when
// the handler returns.
package inproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"runtime/debug"
	"strconv"
	"time"
)

// Transport serves requests with Handler.
type Transport struct {
	Handler http.Handler
	// RemoteAddr is what the handler sees as the client's address; default
	// "127.0.0.1:0" (a loopback client, which the edge is only open to).
	RemoteAddr string
}

// New is a Transport serving with h.
func New(h http.Handler) *Transport { return &Transport{Handler: h} }

// Client is an http.Client over a Transport serving with h.
func Client(h http.Handler) *http.Client { return &http.Client{Transport: New(h)} }

// ErrHandlerPanicked is the error of a round trip whose handler panicked:
// what a client of a real server sees as a dropped connection.
var ErrHandlerPanicked = errors.New("inproc: handler panicked")

// RoundTrip serves req and returns the whole response.
func (t *Transport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("inproc: request has no URL")
	}
	if err := req.Context().Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	sreq, cancel := t.serverRequest(req)
	defer cancel()
	rec := &recorder{header: http.Header{}}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				resp, err = nil, fmt.Errorf("%w: %v", ErrHandlerPanicked, p)
				return
			}
			resp, err = nil, fmt.Errorf("%w: %v\n%s", ErrHandlerPanicked, p, debug.Stack())
		}
	}()
	t.Handler.ServeHTTP(rec, sreq)
	closeBody(req)
	if err := req.Context().Err(); err != nil {
		// A client whose context ended before the answer gets no answer.
		return nil, err
	}
	return rec.response(req), nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// serverRequest is req as net/http's server would hand it to a handler.
func (t *Transport) serverRequest(req *http.Request) (*http.Request, context.CancelFunc) {
	// The server cancels a request's context when its handler returns.
	ctx, cancel := context.WithCancel(req.Context())
	// A shallow copy: the header is copied below and the URL here; the
	// rest the handler reads, as a server's handler does (Clone would copy
	// the header twice, the biggest share of this transport's garbage).
	s := req.WithContext(ctx)
	u := *req.URL
	s.URL = &u
	if s.Method == "" {
		s.Method = http.MethodGet
	}
	s.Proto, s.ProtoMajor, s.ProtoMinor = "HTTP/1.1", 1, 1
	s.Host = req.Host
	if s.Host == "" {
		s.Host = req.URL.Host
	}
	s.RequestURI = req.URL.RequestURI()
	// A server's URL holds only what the request line carries.
	s.URL.Scheme, s.URL.Host, s.URL.User, s.URL.Fragment, s.URL.RawFragment = "", "", nil, "", ""
	s.RemoteAddr = t.RemoteAddr
	if s.RemoteAddr == "" {
		s.RemoteAddr = "127.0.0.1:0"
	}
	s.Header = canonical(req.Header)
	if _, ok := s.Header["User-Agent"]; !ok {
		// What net/http's client sends when the caller set none.
		s.Header.Set("User-Agent", "Go-http-client/1.1")
	}
	s.Body = req.Body
	if s.Body == nil {
		s.Body = http.NoBody
	}
	if s.Body != http.NoBody && s.ContentLength > 0 {
		s.Header.Set("Content-Length", strconv.FormatInt(s.ContentLength, 10))
	}
	s.TransferEncoding = nil
	if s.ContentLength < 0 {
		// A body of unknown length comes chunked; the server sees -1.
		s.ContentLength, s.TransferEncoding = -1, []string{"chunked"}
	}
	s.TLS, s.Response, s.GetBody, s.Close = nil, nil, nil, false
	s.Trailer, s.Form, s.PostForm, s.MultipartForm = nil, nil, nil, nil
	return s, cancel
}

// canonical copies a header with its names as the server's parser gives them.
// The values share one backing array, each capped so an append copies.
func canonical(h http.Header) http.Header {
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	values := make([]string, 0, n)
	out := make(http.Header, len(h)+2)
	for k, vs := range h {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if prev, ok := out[ck]; ok {
			// Two spellings of one name: rare, so simply appended.
			out[ck] = append(prev[:len(prev):len(prev)], vs...)
			continue
		}
		i := len(values)
		values = append(values, vs...)
		out[ck] = values[i:len(values):len(values)]
	}
	return out
}

// recorder is the handler's http.ResponseWriter.
type recorder struct {
	header      http.Header
	wroteHeader bool
	status      int
	sent        http.Header // the header when WriteHeader ran, as the wire has it
	body        bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.wroteHeader || code < 200 {
		// 1xx informational answers are not the response; net/http's
		// client skips them too.
		return
	}
	r.wroteHeader, r.status = true, code
	r.sent = canonical(r.header)
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.wroteHeader {
		if _, ok := r.header["Content-Type"]; !ok && r.header.Get("Transfer-Encoding") == "" {
			// The server sniffs the type of an untyped body from its start.
			r.header.Set("Content-Type", http.DetectContentType(p))
		}
		r.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(r.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return r.body.Write(p)
}

// Flush has nothing to push: the whole answer is handed over at the end.
func (r *recorder) Flush() {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

func (r *recorder) response(req *http.Request) *http.Response {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	h := r.sent
	if _, ok := h["Date"]; !ok {
		h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	body := r.body.Bytes()
	if bodyAllowed(r.status) && h.Get("Transfer-Encoding") == "" {
		if _, ok := h["Content-Length"]; !ok {
			h.Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	n := int64(len(body))
	if req.Method == http.MethodHead {
		body, n = nil, 0
		if cl, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil {
			n = cl
		}
	}
	return &http.Response{
		Status:        strconv.Itoa(r.status) + " " + http.StatusText(r.status),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: n,
		Request:       req,
	}
}
