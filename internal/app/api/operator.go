package api

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func (h *Handler) reviewQueue(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleOperator, auth.RoleSupervisor, auth.RoleAdmin); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	limit, err := pageSize(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	items, next, err := h.Store.ReviewQueue(ctx, limit, r.QueryStringParameters["cursor"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return listPage(items, next, cat, ""), nil
}

type reviewBody struct {
	Decision     string         `json:"decision"`
	Reason       string         `json:"reason"`
	Category     string         `json:"category"`
	DepartmentID string         `json:"departmentId"`
	CoHandlers   []string       `json:"coHandlers"`
	MergeInto    string         `json:"mergeInto"`
	Answer       string         `json:"answer"`
	Urgency      ticket.Urgency `json:"urgency"`
}

func (h *Handler) review(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var body reviewBody
	id, err := staffCommand(r, &body, auth.RoleOperator, auth.RoleAdmin)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if body.Decision == ticket.DecisionMerge {
		target, err := h.Store.GetTicket(ctx, ticket.NormalizeID(body.MergeInto))
		if err != nil || !target.Status.Open() {
			return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("mergeInto must name an open ticket", map[string]string{"mergeInto": "not an open ticket"})
		}
	}
	decision := ticket.OperatorReview(body)
	actor := ticket.Actor{Role: ticket.ActorOperator, ID: r.staff.Subject}
	now := h.now()
	t, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		return t.DecideReview(decision, cat, actor, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if h.deliver(ctx, r, t) {
		return events.APIGatewayV2HTTPResponse{}, stepGone()
	}
	r.log.InfoContext(ctx, "ticket reviewed", "decision", body.Decision)
	return httpapi.JSON(http.StatusOK, map[string]any{"id": t.ID, "status": t.Status, "decision": body.Decision}), nil
}

type reassignBody struct {
	DepartmentID string         `json:"departmentId"`
	Reason       string         `json:"reason"`
	Urgency      ticket.Urgency `json:"urgency"`
}

func (h *Handler) reassign(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var body reassignBody
	id, err := staffCommand(r, &body, auth.RoleOperator, auth.RoleAdmin)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	actor := ticket.Actor{Role: ticket.ActorOperator, ID: r.staff.Subject}
	now := h.now()
	t, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		return t.Reassign(body.DepartmentID, body.Reason, body.Urgency, cat, actor, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if h.deliver(ctx, r, t) {
		return events.APIGatewayV2HTTPResponse{}, stepGone()
	}
	r.log.InfoContext(ctx, "ticket reassigned", "department_id", body.DepartmentID)
	return httpapi.JSON(http.StatusOK, map[string]any{"id": t.ID, "status": t.Status, "departmentId": body.DepartmentID}), nil
}

type phoneCallBody struct {
	Note string `json:"note"`
}

// phoneCall records an operator's call to a citizen whom no e-mail or SMS
// reached, and takes the ticket off the operator's queue.
func (h *Handler) phoneCall(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var body phoneCallBody
	id, err := staffCommand(r, &body, auth.RoleOperator, auth.RoleAdmin)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	actor := ticket.Actor{Role: ticket.ActorOperator, ID: r.staff.Subject}
	now := h.now()
	t, err := lifecycle.UpdateAttempts(ctx, h.Store, id, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		return t.RecordPhoneCall(body.Note, actor, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r.log.InfoContext(ctx, "phone call recorded")
	return httpapi.JSON(http.StatusOK, map[string]any{"id": t.ID, "status": t.Status}), nil
}
