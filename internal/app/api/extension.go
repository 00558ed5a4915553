package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

type extensionBody struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

func (h *Handler) requestExtension(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleDepartment); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body extensionBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := ticket.CheckExtensionRequest(body.Days, body.Reason); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.now()
	t, err := h.leadAction(ctx, r, func(t *ticket.Ticket, actor ticket.Actor) ([]ticket.Event, error) {
		ev, err := t.RequestExtension(body.Days, body.Reason, actor, r.staff.Subject, now)
		if err != nil {
			return nil, err
		}
		return []ticket.Event{ev}, nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r.log.InfoContext(ctx, "extension requested", "days", body.Days)
	// 202: the request waits for an operator's decision.
	return httpapi.JSON(http.StatusAccepted, map[string]any{"id": t.ID, "status": t.Status, "extension": t.Extension}), nil
}

type extensionDecisionBody struct {
	Approve *bool  `json:"approve"`
	Reason  string `json:"reason"`
}

// decideExtension is the centre's decision (operator or supervisor) on a
// department's request for more time; the department is told on its queue.
func (h *Handler) decideExtension(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var body extensionDecisionBody
	id, err := staffCommand(r, &body, auth.RoleOperator, auth.RoleSupervisor, auth.RoleAdmin)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := ticket.CheckExtensionDecision(body.Approve, body.Reason); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	actor := ticket.Actor{Role: ticket.ActorOperator, ID: r.staff.Subject}
	now := h.now()
	t, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		ev, err := t.DecideExtension(*body.Approve, body.Reason, actor, cat.Calendar(), now)
		if err != nil {
			return nil, err
		}
		return []ticket.Event{ev}, nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if h.deliver(ctx, r, t) {
		// The wait ended meanwhile (it timed out): ReplyOverdue reads the
		// deadline and, finding it moved, waits again without a reminder.
		r.log.InfoContext(ctx, "extension approved after the wait ended")
	}
	kind, summary := deptmsg.TypeExtensionRejected, "延期申请未获批准："+strings.TrimSpace(body.Reason)
	if *body.Approve {
		kind, summary = deptmsg.TypeExtensionApproved, "延期申请已批准"
	}
	h.tellDepartments(ctx, r, t, deptmsg.Message{Type: kind, Summary: summary}, false)
	r.log.InfoContext(ctx, "extension decided", "approved", *body.Approve)
	return httpapi.JSON(http.StatusOK, map[string]any{
		"id": t.ID, "status": t.Status, "approved": *body.Approve, "extension": t.Extension,
		"deadlines": map[string]string{"reply": t.Deadlines.Reply.In(ticket.China).Format(time.RFC3339)},
	}), nil
}
