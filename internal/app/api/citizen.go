package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/screening"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func (h *Handler) categories(ctx context.Context, _ *request) (events.APIGatewayV2HTTPResponse, error) {
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, map[string]any{"categories": cat.Categories()}), nil
}

// citizenTicket loads the ticket if the access code fits; any failure is the same
// 404 so the answer never tells whether a ticket exists.
func (h *Handler) citizenTicket(ctx context.Context, r *request) (*ticket.Ticket, error) {
	id, err := ticketID(r)
	if err != nil {
		return nil, err
	}
	return h.accessTicket(ctx, r, id)
}

// accessTicket is citizenTicket for a ticket id named elsewhere than the
// path (an upload's body).
func (h *Handler) accessTicket(ctx context.Context, r *request, id string) (*ticket.Ticket, error) {
	code := httpapi.Header(r.APIGatewayV2HTTPRequest, "X-Access-Code")
	if code == "" {
		return nil, httpapi.NotFound()
	}
	if err := h.Guard.Take(ctx, limits.RuleLookup, h.Guard.Client(r.APIGatewayV2HTTPRequest), "requests with an access code from this client"); err != nil {
		return nil, err
	}
	// Wrong codes lock the id, whether a ticket has it or not, so the lock
	// tells nothing either.
	lock := h.Guard.Subject("ticket", id)
	if err := h.Guard.Check(ctx, limits.RuleCodeFailures, lock, "wrong access codes for this ticket; it is locked for a while"); err != nil {
		return nil, err
	}
	// Without the contact: nothing is decrypted before the code is checked,
	// and no citizen route shows a contact.
	t, err := h.Store.GetTicketMeta(ctx, id)
	var missing *ports.NotFoundError
	switch {
	case errors.As(err, &missing):
	case err != nil:
		return nil, err
	case ticket.CheckAccessCode(h.CodeKey, t.ID, code, t.AccessCodeHash):
		return t, nil
	}
	if err := h.Guard.Take(ctx, limits.RuleCodeFailures, lock, "wrong access codes for this ticket"); err != nil {
		var limited *ports.RateLimitedError
		if !errors.As(err, &limited) {
			return nil, err
		}
	}
	return nil, httpapi.NotFound()
}

// getTicket answers the staff view to a valid staff token and the citizen
// view to the access code. The ETag is the answer's digest, so a client
// polling with If-None-Match gets a 304 until anything it would see changes;
// no-store all the same: the views carry personal data.
func (h *Handler) getTicket(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	cursor, err := timelineCursor(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var (
		t   *ticket.Ticket
		evs []ticket.Event
	)
	// The ticket and its timeline are two reads: a save between them (the
	// workflow closes a rated ticket within milliseconds) would show a
	// timeline ahead of the status. Read again until they agree.
	for attempt := 0; attempt < viewReads && (t == nil || timelineAhead(t, evs)); attempt++ {
		if r.isStaff {
			t, err = h.staffTicket(ctx, r)
		} else {
			t, err = h.citizenTicket(ctx, r)
		}
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		if evs, err = h.Store.Events(ctx, t.ID); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	files, err := h.Attach.Links(ctx, t.Attachments)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var view any
	if r.isStaff {
		v := staffView(t, evs, cat, canSeeContact(r.staff), cursor, httpapi.Language(r.APIGatewayV2HTTPRequest))
		v.Attachments = files
		view = v
	} else {
		v := citizenView(t, evs, cat, cursor, httpapi.LanguageOr(r.APIGatewayV2HTTPRequest, t.Language))
		v.Attachments = files
		view = v
	}
	resp := httpapi.JSON(http.StatusOK, view)
	return httpapi.Conditional(r.APIGatewayV2HTTPRequest, resp, httpapi.ContentTag(resp.Body), "no-store"), nil
}

// viewReads bounds the reads of one view; a ticket saved again between
// every pair of reads is answered as last read.
const viewReads = 3

// timelineAhead says whether evs holds an event of a save later than t's
// version.
func timelineAhead(t *ticket.Ticket, evs []ticket.Event) bool {
	for _, e := range evs {
		if e.Version() > t.Version {
			return true
		}
	}
	return false
}

type supplementBody struct {
	Content     string   `json:"content"`
	Attachments []string `json:"attachments"`
}

func (h *Handler) supplement(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.citizenTicket(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body supplementBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if _, err := ticket.CheckSupplement(body.Content, len(body.Attachments)); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := ticket.CheckAttachmentIDs(body.Attachments); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.now()
	// Screened like intake: an emergency in a supplement is told at once.
	rules, err := h.Rules.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var notice string
	if d, hit := rules.Emergency(body.Content); hit && t.Type != ticket.TypePraise && t.Type != ticket.TypeSuggestion && d.Outcome == screening.OutcomeEmergency {
		notice = d.Text(t.Language)
	}
	files, err := h.Attach.Take(ctx, body.Attachments, ticket.PurposeSupplement, []string{attach.OwnerTicket(t.ID)}, ticket.Actor{Role: ticket.ActorCitizen})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// A supplement only adds to the timeline: racing writers must not make it fail.
	t, err = lifecycle.UpdateAttempts(ctx, h.Store, t.ID, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		evs, err := t.Supplement(body.Content, files, now)
		if err == nil && notice != "" {
			evs = append(evs, t.Note("supplement.suspected_emergency", ticket.Actor{Role: ticket.ActorSystem}, now,
				ticket.Say("补充材料疑似紧急情况，已提示市民拨打紧急电话", "the supplement may report an emergency: the citizen was told the number to call"), false))
		}
		return evs, err
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	h.Attach.Forget(ctx, files)
	summary := "市民补充材料，请登录查看"
	if notice != "" {
		summary = "市民补充材料（疑似紧急情况），请立即查看"
	}
	h.tellDepartments(ctx, r, t, deptmsg.Message{Type: deptmsg.TypeSupplemented, Summary: summary}, true)
	r.log.InfoContext(ctx, "supplement added", "suspected_emergency", notice != "", "files", len(files))
	out := map[string]any{"ticketId": t.ID, "at": now, "status": ticket.CitizenStatus(t.Status)}
	if notice != "" {
		out["notice"] = notice
	}
	return httpapi.JSON(http.StatusCreated, out), nil
}

type ratingBody struct {
	Satisfied *bool  `json:"satisfied"`
	Resolved  *bool  `json:"resolved"`
	Score     int    `json:"score"`
	Comment   string `json:"comment"`
	Method    string `json:"method"`
}

// rate records a rating: the citizen's, with the access code, or one an
// operator took on a return call (回访) to a citizen who cannot rate online.
func (h *Handler) rate(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var t *ticket.Ticket
	var err error
	by := ticket.Actor{Role: ticket.ActorCitizen}
	if r.isStaff {
		if err := requireRole(r, auth.RoleOperator, auth.RoleAdmin); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		by = ticket.Actor{Role: ticket.ActorOperator, ID: r.staff.Subject}
		id, err := ticketID(r)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		t, err = h.Store.GetTicket(ctx, id)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	} else if t, err = h.citizenTicket(ctx, r); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body ratingBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	in := ticket.RatingInput(body)
	if _, err := ticket.CheckRating(in, r.isStaff); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.now()
	var outcome ticket.RatingOutcome
	t, err = lifecycle.Update(ctx, h.Store, t.ID, func(t *ticket.Ticket) ([]ticket.Event, error) {
		evs, o, err := t.Rate(in, by, now)
		outcome = o
		return evs, err
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if h.deliver(ctx, r, t) {
		return events.APIGatewayV2HTTPResponse{}, stepGone()
	}
	r.log.InfoContext(ctx, "ticket rated", "satisfied", outcome.Satisfied, "reopen", outcome.Reopen, "method", in.Method)
	return httpapi.JSON(http.StatusOK, map[string]any{"ticketId": t.ID, "satisfied": outcome.Satisfied, "reopened": outcome.Reopen, "status": t.Status}), nil
}

type withdrawalBody struct {
	Reason string `json:"reason"`
}

// withdraw lets the citizen take the ticket back (撤单) until the department
// replies; a waiting workflow step is answered so the workflow ends.
func (h *Handler) withdraw(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.citizenTicket(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body withdrawalBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.now()
	t, err = lifecycle.Update(ctx, h.Store, t.ID, func(t *ticket.Ticket) ([]ticket.Event, error) {
		return t.Withdraw(body.Reason, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// The withdrawal stands even if the waiting step is gone: nothing is left to do.
	h.deliver(ctx, r, t)
	r.log.InfoContext(ctx, "ticket withdrawn")
	return httpapi.JSON(http.StatusOK, map[string]any{"id": t.ID, "status": t.Status}), nil
}

// canSeeContact says which roles see the citizen's contact unmasked.
func canSeeContact(c auth.Claims) bool {
	return c.Role == auth.RoleOperator || c.Role == auth.RoleAdmin
}
