package client

import (
	"context"
	"net/http"
	"net/url"
)

// RequestVerification sends a six-digit code to a phone (SMS) or an e-mail
// address; the citizen types it into the ticket's Verification. A
// verification serves any number of tickets for its 30 minutes.
func (c *Client) RequestVerification(ctx context.Context, req VerificationRequest) (*VerificationSent, error) {
	var out VerificationSent
	_, _, err := c.do(ctx, &call{method: http.MethodPost, path: "/v1/verifications", body: req}, &out, http.StatusAccepted)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// FileOption is an option of FileTicket.
type FileOption func(*call)

// IdempotencyKey makes a retried filing safe: the same key with the same
// submission within 24 hours gets the first receipt (Receipt.Replayed), the
// same key with another submission is a conflict. Use a fresh random key per
// ticket and keep it until the answer arrives.
func IdempotencyKey(key string) FileOption {
	return func(cl *call) { cl.header.Set("Idempotency-Key", key) }
}

// FileTicket files a ticket. With a staff token (an operator's) the client
// sends it, as phone tickets need.
func (c *Client) FileTicket(ctx context.Context, sub Submission, opts ...FileOption) (*Receipt, error) {
	cl := &call{method: http.MethodPost, path: "/v1/tickets", body: sub, header: http.Header{}, auth: authToken}
	for _, o := range opts {
		o(cl)
	}
	var out Receipt
	status, _, err := c.do(ctx, cl, &out, http.StatusOK, http.StatusCreated, http.StatusAccepted)
	if err != nil {
		return nil, err
	}
	out.Replayed = status == http.StatusOK
	out.Deferred = status == http.StatusAccepted
	return &out, nil
}

// ReadOption is an option of the ticket reads.
type ReadOption func(url.Values)

// TimelineFrom reads the timeline page a view's TimelineNext names (views
// carry 100 entries a page).
func TimelineFrom(cursor string) ReadOption {
	return func(q url.Values) {
		if cursor != "" {
			q.Set("timelineCursor", cursor)
		}
	}
}

func readQuery(opts []ReadOption) url.Values {
	q := url.Values{}
	for _, o := range opts {
		o(q)
	}
	return q
}

// citizenCall is a request of a citizen route: the access code, never a
// token.
func citizenCall(method, id, accessCode, sub string, body any) *call {
	p := path("/v1/tickets", id)
	if sub != "" {
		p += "/" + sub
	}
	return &call{method: method, path: p, body: body, header: http.Header{"X-Access-Code": {accessCode}}, auth: authNone}
}

// GetTicket reads the citizen view of a ticket with its access code. A wrong
// code is a not-found problem (IsNotFound), as for a ticket that does not
// exist.
func (c *Client) GetTicket(ctx context.Context, id, accessCode string, opts ...ReadOption) (*CitizenView, error) {
	v, _, err := c.GetTicketIfChanged(ctx, id, accessCode, "", opts...)
	return v, err
}

// GetTicketIfChanged is GetTicket for polling: with the ETag of an earlier
// answer it returns ErrNotModified (and that ETag) while the view is what the
// caller has; otherwise the view and its new ETag. An empty etag always
// reads.
func (c *Client) GetTicketIfChanged(ctx context.Context, id, accessCode, etag string, opts ...ReadOption) (*CitizenView, string, error) {
	cl := citizenCall(http.MethodGet, id, accessCode, "", nil)
	cl.query = readQuery(opts)
	var v CitizenView
	return conditional(ctx, c, cl, etag, &v)
}

// conditional sends a GET with If-None-Match: etag (when not empty) and
// decodes a 200 into v.
func conditional[T any](ctx context.Context, c *Client, cl *call, etag string, v *T) (*T, string, error) {
	if etag != "" {
		if cl.header == nil {
			cl.header = http.Header{}
		}
		cl.header.Set("If-None-Match", etag)
	}
	status, h, err := c.do(ctx, cl, v, http.StatusOK, http.StatusNotModified)
	if err != nil {
		return nil, "", err
	}
	if status == http.StatusNotModified {
		if tag := h.Get("ETag"); tag != "" {
			etag = tag
		}
		return nil, etag, ErrNotModified
	}
	return v, h.Get("ETag"), nil
}

// AddSupplement adds material (补充材料) to the citizen's open ticket.
func (c *Client) AddSupplement(ctx context.Context, id, accessCode, content string) (*SupplementAdded, error) {
	var out SupplementAdded
	body := supplementRequest{Content: content}
	if _, _, err := c.do(ctx, citizenCall(http.MethodPost, id, accessCode, "supplements", body), &out, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}

// Rate records the citizen's rating of a replied or answered ticket; an
// unsatisfied rating reopens it.
func (c *Client) Rate(ctx context.Context, id, accessCode string, r RatingRequest) (*RatingRecorded, error) {
	var out RatingRecorded
	if _, _, err := c.do(ctx, citizenCall(http.MethodPost, id, accessCode, "rating", r), &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// Withdraw takes the citizen's ticket back (撤单) until the department
// replies; withdrawn is final.
func (c *Client) Withdraw(ctx context.Context, id, accessCode, reason string) (*TicketStatus, error) {
	var out TicketStatus
	body := withdrawalRequest{Reason: reason}
	if _, _, err := c.do(ctx, citizenCall(http.MethodPost, id, accessCode, "withdrawal", body), &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// Categories returns the category tree; tickets name its leaf codes.
func (c *Client) Categories(ctx context.Context) ([]Category, error) {
	var out struct {
		Categories []Category `json:"categories"`
	}
	if _, _, err := c.do(ctx, &call{method: http.MethodGet, path: "/v1/categories"}, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return out.Categories, nil
}
