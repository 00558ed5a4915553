package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// DefaultUserAgent names this package to the API's logs unless WithUserAgent
// says otherwise.
const DefaultUserAgent = "hotline-go-client/1.1"

// maxJSONBytes bounds a JSON answer the client reads. The API's largest answer
// is a ticket view of about 1.2 MB and Lambda cannot answer more than 6 MB, so
// anything longer is not the API talking.
const maxJSONBytes = 8 << 20

// defaultThrottleWait is how long a client that opted in to retries waits
// after API Gateway's own 429, which carries no Retry-After: the gateway
// throttles per second (100 requests a second, bursts of 200), so a second
// is enough for the bucket to refill.
const defaultThrottleWait = time.Second

// TokenSource returns the bearer token of a staff member for one request. It
// is called before every staff request, so it may refresh a token that is
// about to expire; an error stops the request.
type TokenSource func(ctx context.Context) (string, error)

// Client calls the Hotline 12345 API. It is safe for concurrent use.
//
// Citizen methods (GetTicket, AddSupplement, Rate, Withdraw) never send the
// bearer token even when the client has one: with a valid staff token
// GET /v1/tickets/{id} answers the staff view, and POST …/rating records an
// operator's phone rating, not the citizen's. FileTicket sends the token when
// there is one, because operators file the calls they take (channel phone).
type Client struct {
	base      string // scheme, host and path prefix, without a trailing slash
	http      *http.Client
	token     TokenSource
	language  string
	userAgent string
	retry     retryPolicy
	// after waits for d; tests replace it so that no test sleeps.
	after func(d time.Duration) <-chan time.Time
}

type retryPolicy struct {
	max     int           // retries of one request; 0: none
	maxWait time.Duration // a longer Retry-After is not waited for
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sends the requests with hc instead of http.DefaultClient (for
// timeouts, proxies, TLS settings or a test transport).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithToken authenticates staff requests with a fixed bearer token (a JWT
// with the claims sub, role and, for departments, dept).
func WithToken(token string) Option {
	return WithTokenSource(func(context.Context) (string, error) { return token, nil })
}

// WithTokenSource authenticates staff requests with the token src returns
// for each request.
func WithTokenSource(src TokenSource) Option {
	return func(c *Client) { c.token = src }
}

// WithLanguage sends Accept-Language: lang ("zh" or "en") with every request:
// problem titles, status texts and the notes the platform writes on timelines
// come in that language. Without it the API answers in Chinese, and a
// citizen's view in the ticket's language.
func WithLanguage(lang string) Option {
	return func(c *Client) { c.language = lang }
}

// WithUserAgent replaces DefaultUserAgent.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithRateLimitRetry lets the client retry a GET answered 429 (rate limited)
// up to maxRetries times, each after the answer's Retry-After (a second for
// API Gateway's own throttling, which names none), as long as that is at most
// maxWait. The wait ends early when the request's context ends. Other methods
// are never retried: filing, replying or rating twice is not harmless.
// Without this option a 429 is returned at once, with its RetryAfter.
func WithRateLimitRetry(maxRetries int, maxWait time.Duration) Option {
	return func(c *Client) { c.retry = retryPolicy{max: max(maxRetries, 0), maxWait: maxWait} }
}

// New returns a client of the API at baseURL, e.g. "http://127.0.0.1:8080"
// for `hotline serve` or the API Gateway URL (a stage path is kept).
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("hotline: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hotline: base URL %q: want http(s)://host[/path]", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("hotline: base URL %q: no query or fragment", baseURL)
	}
	c := &Client{base: u.String(), http: http.DefaultClient, userAgent: DefaultUserAgent, after: time.After}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// authMode says whether a request carries the bearer token.
type authMode int

const (
	// authNone: citizen routes, where a token would change the answer.
	authNone authMode = iota
	// authToken: the token, when the client has one: staff routes, and
	// filing (operators file the calls they take).
	authToken
)

// call is one request to the API.
type call struct {
	method string
	path   string // the path below the base URL, each segment already escaped
	query  url.Values
	body   any // sent as JSON when not nil
	header http.Header
	auth   authMode
}

// path joins escaped path segments under /v1 style prefixes: each argument
// after the first is one segment, escaped.
func path(prefix string, segments ...string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// newRequest builds the HTTP request of c.
func (c *Client) newRequest(ctx context.Context, cl *call) (*http.Request, error) {
	// The path's segments are escaped already and the base URL has neither
	// query nor fragment, so joining the strings is exact.
	target := c.base + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("hotline: encode %s %s: %w", cl.method, cl.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("hotline: %w", err)
	}
	for k, vs := range cl.header {
		req.Header[k] = vs
	}
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if c.language != "" {
		req.Header.Set("Accept-Language", c.language)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if cl.auth == authToken && c.token != nil {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, fmt.Errorf("hotline: token: %w", err)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	return req, nil
}

// send makes the request and returns the answer when its status is below 400
// (the caller checks which it expects); error answers become a *Problem, a
// *GatewayError or an *UnexpectedResponseError. A GET answered 429 is retried
// as WithRateLimitRetry allows.
func (c *Client) send(ctx context.Context, cl *call) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := c.newRequest(ctx, cl)
		if err != nil {
			return nil, err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("hotline: %s %s: %w", cl.method, cl.path, err)
		}
		if resp.StatusCode < 400 {
			return resp, nil
		}
		apiErr := readError(resp)
		wait, ok := c.retryAfter(cl, apiErr, attempt)
		if !ok {
			return nil, apiErr
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("hotline: gave up waiting %v to retry: %w: %w", wait, ctx.Err(), apiErr)
		case <-c.after(wait):
		}
	}
}

// retryAfter says whether and after how long a failed attempt is retried.
func (c *Client) retryAfter(cl *call, err error, attempt int) (time.Duration, bool) {
	if cl.method != http.MethodGet || attempt >= c.retry.max || !IsRateLimited(err) {
		return 0, false
	}
	var wait time.Duration
	var p *Problem
	var g *GatewayError
	switch {
	case errors.As(err, &p):
		wait = p.RetryAfter
	case errors.As(err, &g):
		wait = g.RetryAfter
	}
	if wait <= 0 {
		wait = defaultThrottleWait
	}
	// A ticket id locked for an hour is not worth a blocked caller.
	if wait > c.retry.maxWait {
		return 0, false
	}
	return wait, true
}

// do sends cl, checks that the status is one of want and decodes a JSON answer
// into out (unless out is nil). It returns the status and the headers.
func (c *Client) do(ctx context.Context, cl *call, out any, want ...int) (int, http.Header, error) {
	resp, err := c.send(ctx, cl)
	if err != nil {
		return 0, nil, err
	}
	defer drain(resp.Body)
	if !slices.Contains(want, resp.StatusCode) {
		return 0, nil, unexpected(resp, fmt.Errorf("status %d, want %v", resp.StatusCode, want))
	}
	if out == nil || resp.StatusCode == http.StatusNotModified {
		return resp.StatusCode, resp.Header, nil
	}
	if mt := mediaType(resp.Header); mt != "application/json" {
		return 0, nil, unexpected(resp, fmt.Errorf("content type %q, want application/json", mt))
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBytes+1))
	if err != nil {
		return 0, nil, fmt.Errorf("hotline: %s %s: read answer: %w", cl.method, cl.path, err)
	}
	if len(b) > maxJSONBytes {
		return 0, nil, &UnexpectedResponseError{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: snippet(b), Err: errors.New("answer too long")}
	}
	// Lenient on purpose: the API may add fields to an answer, and a client
	// built today must keep working against it.
	if err := json.Unmarshal(b, out); err != nil {
		return 0, nil, &UnexpectedResponseError{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: snippet(b), Err: err}
	}
	return resp.StatusCode, resp.Header, nil
}

// drain reads what is left of a body (so the connection can be reused) and
// closes it.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxJSONBytes))
	_ = body.Close()
}

// mediaType is the answer's media type without parameters, lower case.
func mediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}
