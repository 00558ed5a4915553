package client

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// PageQuery asks for one page of a list: Cursor is the NextCursor of the page
// before ("" for the first), Limit the page size (1–100; 0: the API's 20).
type PageQuery struct {
	Cursor string
	Limit  int
}

func (p PageQuery) values() url.Values {
	q := url.Values{}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	return q
}

// pages walks a list from the page at first to the last, yielding each item;
// an error is yielded once, with the zero item, and ends the walk. A page may
// be empty and still name a next one (the search reads a bounded share of an
// index per call), so only an empty cursor ends the list.
func pages[T any](first string, fetch func(cursor string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[string]bool{}
		for cursor := first; ; {
			items, next, err := fetch(cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			// A cursor that comes back would loop for ever.
			if seen[next] {
				yield(zero, fmt.Errorf("hotline: the API gave the cursor %q twice; stopping", next))
				return
			}
			seen[next] = true
			cursor = next
		}
	}
}

// list gets one page of a ticket list.
func (c *Client) list(ctx context.Context, p string, q url.Values) (*TicketList, error) {
	var out TicketList
	if _, _, err := c.do(ctx, &call{method: http.MethodGet, path: p, query: q, auth: authToken}, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// listAll walks a ticket list, the query's cursor set for each page.
func (c *Client) listAll(ctx context.Context, p string, q url.Values) iter.Seq2[TicketSummary, error] {
	return pages(q.Get("cursor"), func(cursor string) ([]TicketSummary, string, error) {
		page := maps.Clone(q)
		if cursor != "" {
			page.Set("cursor", cursor)
		}
		l, err := c.list(ctx, p, page)
		if err != nil {
			return nil, "", err
		}
		return l.Tickets, l.NextCursor, nil
	})
}

// staffCall is a request of a staff route on one ticket.
func staffCall(method, id, sub string, body any) *call {
	p := path("/v1/tickets", id)
	if sub != "" {
		p += "/" + sub
	}
	return &call{method: method, path: p, body: body, auth: authToken}
}

// staffPost posts body to a ticket's staff route and decodes the answer.
func staffPost[T any](ctx context.Context, c *Client, id, sub string, body any, want int) (*T, error) {
	var out T
	if _, _, err := c.do(ctx, staffCall(http.MethodPost, id, sub, body), &out, want); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetStaffTicket reads the staff view of a ticket (full timeline; the contact
// masked unless the token is an operator's or an admin's).
func (c *Client) GetStaffTicket(ctx context.Context, id string, opts ...ReadOption) (*StaffView, error) {
	v, _, err := c.GetStaffTicketIfChanged(ctx, id, "", opts...)
	return v, err
}

// GetStaffTicketIfChanged is GetStaffTicket for polling, as
// GetTicketIfChanged.
func (c *Client) GetStaffTicketIfChanged(ctx context.Context, id, etag string, opts ...ReadOption) (*StaffView, string, error) {
	cl := staffCall(http.MethodGet, id, "", nil)
	cl.query = readQuery(opts)
	var v StaffView
	return conditional(ctx, c, cl, etag, &v)
}

// ReviewQueue lists a page of the tickets waiting for an operator: suspected
// emergencies first, then urgent tickets and phone calls to make, then the
// rest, oldest first in each group.
func (c *Client) ReviewQueue(ctx context.Context, p PageQuery) (*TicketList, error) {
	return c.list(ctx, "/v1/review-queue", p.values())
}

// ReviewQueueAll walks the review queue from p.Cursor to its end.
func (c *Client) ReviewQueueAll(ctx context.Context, p PageQuery) iter.Seq2[TicketSummary, error] {
	return c.listAll(ctx, "/v1/review-queue", p.values())
}

// Review decides a ticket waiting in review (operators and admins).
func (c *Client) Review(ctx context.Context, id string, r ReviewRequest) (*ReviewResult, error) {
	return staffPost[ReviewResult](ctx, c, id, "review", r, http.StatusOK)
}

// Reassign sends a returned ticket to another lead department (改派).
func (c *Client) Reassign(ctx context.Context, id string, r ReassignRequest) (*ReassignResult, error) {
	return staffPost[ReassignResult](ctx, c, id, "reassign", r, http.StatusOK)
}

// PhoneCall records a call to a citizen whom no e-mail or SMS reached; note
// says what they were told.
func (c *Client) PhoneCall(ctx context.Context, id, note string) (*TicketStatus, error) {
	body := phoneCallRequest{Note: note}
	return staffPost[TicketStatus](ctx, c, id, "phone-call", body, http.StatusOK)
}

// RecordPhoneRating records the rating of a citizen an operator reached by
// phone (回访); r.Method is set to "phone".
func (c *Client) RecordPhoneRating(ctx context.Context, id string, r RatingRequest) (*RatingRecorded, error) {
	r.Method = "phone"
	return staffPost[RatingRecorded](ctx, c, id, "rating", r, http.StatusOK)
}

// Note adds a note to a ticket's staff-only timeline.
func (c *Client) Note(ctx context.Context, id, text string) (*NoteAdded, error) {
	body := noteRequest{Text: text}
	return staffPost[NoteAdded](ctx, c, id, "notes", body, http.StatusCreated)
}

// CoOpinion gives a co-handling department's opinion (协办意见) while the
// lead handles the ticket; a later one replaces it.
func (c *Client) CoOpinion(ctx context.Context, id, message string) (*CoOpinionAdded, error) {
	body := coOpinionRequest{Message: message}
	return staffPost[CoOpinionAdded](ctx, c, id, "co-opinion", body, http.StatusCreated)
}

// InboxQuery asks for one page of one tab of a department's inbox; the empty
// Status is InboxDispatched.
type InboxQuery struct {
	Status InboxTab
	PageQuery
}

func (q InboxQuery) values() url.Values {
	v := q.PageQuery.values()
	if q.Status != "" {
		v.Set("status", string(q.Status))
	}
	return v
}

// DepartmentInbox lists a page of a department's inbox tab, by reply deadline.
func (c *Client) DepartmentInbox(ctx context.Context, deptID string, q InboxQuery) (*TicketList, error) {
	return c.list(ctx, path("/v1/departments", deptID)+"/tickets", q.values())
}

// DepartmentInboxAll walks a department's inbox tab from q.Cursor to its end.
func (c *Client) DepartmentInboxAll(ctx context.Context, deptID string, q InboxQuery) iter.Seq2[TicketSummary, error] {
	return c.listAll(ctx, path("/v1/departments", deptID)+"/tickets", q.values())
}

// Accept acknowledges a dispatched ticket (签收), as its lead department.
func (c *Client) Accept(ctx context.Context, id string) (*TicketStatus, error) {
	return staffPost[TicketStatus](ctx, c, id, "accept", nil, http.StatusOK)
}

// Reply answers a ticket (答复), as its lead department; the citizen is told
// and asked to rate it.
func (c *Client) Reply(ctx context.Context, id string, r ReplyRequest) (*TicketStatus, error) {
	return staffPost[TicketStatus](ctx, c, id, "reply", r, http.StatusOK)
}

// Return gives a ticket back (退单) that is not the department's; reason is
// for staff only.
func (c *Client) Return(ctx context.Context, id, reason string) (*TicketStatus, error) {
	body := returnRequest{Reason: reason}
	return staffPost[TicketStatus](ctx, c, id, "return", body, http.StatusOK)
}

// RequestExtension asks for days more working days (延期, 1–30); the centre
// decides.
func (c *Client) RequestExtension(ctx context.Context, id string, days int, reason string) (*ExtensionRequested, error) {
	body := extensionRequest{Days: days, Reason: reason}
	return staffPost[ExtensionRequested](ctx, c, id, "extension", body, http.StatusAccepted)
}

// DecideExtension approves or rejects a department's request for more time
// (operators, supervisors, admins); a rejection needs a reason.
func (c *Client) DecideExtension(ctx context.Context, id string, approve bool, reason string) (*ExtensionDecided, error) {
	body := extensionDecisionRequest{Approve: approve, Reason: reason}
	return staffPost[ExtensionDecided](ctx, c, id, "extension-decision", body, http.StatusOK)
}

// StuckTickets lists a page of the tickets whose workflow stopped, longest
// stuck first (admins, supervisors).
func (c *Client) StuckTickets(ctx context.Context, p PageQuery) (*StuckTicketList, error) {
	var out StuckTicketList
	cl := &call{method: http.MethodGet, path: "/v1/admin/stuck-tickets", query: p.values(), auth: authToken}
	if _, _, err := c.do(ctx, cl, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// StuckTicketsAll walks the stuck tickets from p.Cursor to the end.
func (c *Client) StuckTicketsAll(ctx context.Context, p PageQuery) iter.Seq2[StuckTicket, error] {
	return pages(p.Cursor, func(cursor string) ([]StuckTicket, string, error) {
		l, err := c.StuckTickets(ctx, PageQuery{Cursor: cursor, Limit: p.Limit})
		if err != nil {
			return nil, "", err
		}
		return l.Tickets, l.NextCursor, nil
	})
}

// Repair starts a new execution of a stuck ticket's workflow (admins);
// stuckSince is the Stuck.Since of the listed ticket, so that a repair never
// clears a newer failure unseen.
func (c *Client) Repair(ctx context.Context, id string, stuckSince time.Time) (*RepairStarted, error) {
	var out RepairStarted
	body := repairRequest{StuckSince: stuckSince}
	cl := &call{method: http.MethodPost, path: path("/v1/admin/tickets", id) + "/repair", body: body, auth: authToken}
	if _, _, err := c.do(ctx, cl, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}
