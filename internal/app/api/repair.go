package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// stuckView is a stuck ticket on the admins' list.
type stuckView struct {
	summaryView
	Stuck   ticket.Stuck `json:"stuck"`
	Repairs int          `json:"repairs"`
	// ResumesAt is the step a repair would pick up at.
	ResumesAt string `json:"resumesAt,omitempty"`
}

// stuckTickets lists the tickets whose workflow stopped, longest stuck first
// (admins and supervisors).
func (h *Handler) stuckTickets(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	limit, err := pageSize(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	items, next, err := h.Store.StuckTickets(ctx, limit, r.QueryStringParameters["cursor"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out := make([]stuckView, 0, len(items))
	for i := range items {
		t := &items[i]
		if t.Stuck == nil {
			continue // repaired between the index read and now
		}
		out = append(out, stuckView{summaryView: summarize(t, cat), Stuck: *t.Stuck, Repairs: t.Repairs, ResumesAt: t.Resume()})
	}
	return httpapi.JSON(http.StatusOK, map[string]any{"tickets": out, "nextCursor": next}), nil
}

type repairBody struct {
	// StuckSince is the failure the admin looked at (stuck.since): a repair
	// never clears a newer failure unseen.
	StuckSince time.Time `json:"stuckSince"`
}

// repair starts a new execution of a stuck ticket's workflow from its saved
// state (admins). The execution is named by the repair's number, so a retried
// request starts nothing twice; it starts before the ticket leaves the list,
// so a repair that could not start leaves the ticket listed.
func (h *Handler) repair(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var body repairBody
	id, err := staffCommand(r, &body, auth.RoleAdmin)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if body.StuckSince.IsZero() {
		return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("say which failure you repair", map[string]string{"stuckSince": "required: the stuck.since of the listed ticket"})
	}
	t, err := h.Store.GetTicket(ctx, id)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	attempt := t.Repairs + 1
	expected := &ticket.Stuck{Since: body.StuckSince}
	by := ticket.Actor{Role: ticket.ActorAdmin, ID: r.staff.Subject}
	now := h.now()
	// Check before starting anything: the same rules the save applies.
	if _, err := t.Repair(attempt, expected, by, now); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var ended *ports.WorkflowEndedError
	if err := h.Workflow.Resume(ctx, id, attempt); errors.As(err, &ended) {
		return events.APIGatewayV2HTTPResponse{}, httpapi.Conflict("repair " + ended.Execution + " already ran; reload the list")
	} else if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	t, err = lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Repairs >= attempt {
			return nil, lifecycle.ErrUnchanged // a retried request: already recorded
		}
		return t.Repair(attempt, expected, by, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r.log.InfoContext(ctx, "workflow repaired", "repair", attempt, "resumes_at", t.Resume())
	return httpapi.JSON(http.StatusOK, map[string]any{"id": t.ID, "status": t.Status, "repair": attempt, "resumesAt": t.Resume()}), nil
}
