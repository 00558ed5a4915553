package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// notYours answers a department asking for a ticket not dispatched to it
// exactly as for a ticket that does not exist: the answer never tells that
// another department's ticket exists.
func notYours() error { return httpapi.NotFound() }

// canRead says whether a staff member may see a ticket: departments only see
// tickets dispatched to them, as lead or co-handler.
func canRead(c auth.Claims, t *ticket.Ticket) bool {
	if c.Role != auth.RoleDepartment {
		return true
	}
	return t.DepartmentID == c.Dept || slices.Contains(t.CoHandlers, c.Dept)
}

// staffTicket is the ticket a staff member asks for, if they may read it.
func (h *Handler) staffTicket(ctx context.Context, r *request) (*ticket.Ticket, error) {
	id, err := ticketID(r)
	if err != nil {
		return nil, err
	}
	t, err := h.Store.GetTicket(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canRead(r.staff, t) {
		return nil, notYours()
	}
	return t, nil
}

// pageSize reads ?limit= (1–100, default 20).
func pageSize(r *request) (int, error) {
	v := r.QueryStringParameters["limit"]
	if v == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return 0, httpapi.BadRequest("limit must be 1 to 100", map[string]string{"limit": "1 to 100"})
	}
	return n, nil
}

func (h *Handler) inbox(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleDepartment, auth.RoleOperator, auth.RoleSupervisor, auth.RoleAdmin); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	dept := r.PathParameters["deptId"]
	if r.staff.Role == auth.RoleDepartment && r.staff.Dept != dept {
		return events.APIGatewayV2HTTPResponse{}, httpapi.Forbidden("you may only read your own department's inbox")
	}
	status := ticket.Status(r.QueryStringParameters["status"])
	if status == "" {
		status = ticket.StatusDispatched
	}
	// The co tab lists what the department co-handles (协办); the others
	// what it leads (主办).
	role := deptmsg.RoleLead
	switch status {
	case ticket.StatusDispatched, ticket.StatusAccepted, ticket.InboxOverdue, ticket.StatusReplied, ticket.StatusReturned:
	case ticket.InboxCo:
		role = deptmsg.RoleCo
	default:
		return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("status must be dispatched, accepted, overdue, replied, returned or co", map[string]string{"status": "invalid"})
	}
	limit, err := pageSize(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if _, ok := cat.Department(dept); !ok {
		return events.APIGatewayV2HTTPResponse{}, httpapi.NotFound()
	}
	items, next, err := h.Store.DepartmentInbox(ctx, dept, status, limit, r.QueryStringParameters["cursor"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return listPage(items, next, cat, string(role)), nil
}

// leadAction loads, checks and changes a ticket on behalf of its lead department.
func (h *Handler) leadAction(ctx context.Context, r *request, fn func(t *ticket.Ticket, actor ticket.Actor) ([]ticket.Event, error)) (*ticket.Ticket, error) {
	if err := requireRole(r, auth.RoleDepartment); err != nil {
		return nil, err
	}
	id, err := ticketID(r)
	if err != nil {
		return nil, err
	}
	actor := ticket.Actor{Role: ticket.ActorDepartment, ID: r.staff.Dept}
	return lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !canRead(r.staff, t) {
			return nil, notYours()
		}
		if t.DepartmentID != r.staff.Dept {
			return nil, httpapi.Forbidden("only the lead department may do this")
		}
		return fn(t, actor)
	})
}

func (h *Handler) accept(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	now := h.now()
	t, err := h.leadAction(ctx, r, func(t *ticket.Ticket, actor ticket.Actor) ([]ticket.Event, error) {
		return t.Accept(actor, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r.log.InfoContext(ctx, "ticket accepted")
	return httpapi.JSON(http.StatusOK, map[string]any{"id": t.ID, "status": t.Status}), nil
}

type replyBody struct {
	Result      ticket.ReplyResult `json:"result"`
	Message     string             `json:"message"`
	Attachments []string           `json:"attachments"`
}

func (h *Handler) reply(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleDepartment); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body replyBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if _, err := ticket.CheckReply(body.Result, body.Message); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := ticket.CheckAttachmentIDs(body.Attachments); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	files, err := h.Attach.Take(ctx, body.Attachments, ticket.PurposeReply, []string{attach.OwnerDepartment(r.staff.Dept)},
		ticket.Actor{Role: ticket.ActorDepartment, ID: r.staff.Dept})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.now()
	t, err := h.leadAction(ctx, r, func(t *ticket.Ticket, actor ticket.Actor) ([]ticket.Event, error) {
		return t.RecordReply(body.Result, body.Message, files, actor, r.staff.Subject, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	h.Attach.Forget(ctx, files)
	if h.deliver(ctx, r, t) {
		return events.APIGatewayV2HTTPResponse{}, stepGone()
	}
	r.log.InfoContext(ctx, "ticket replied", "result", string(body.Result))
	return httpapi.JSON(http.StatusOK, map[string]any{"id": t.ID, "status": t.Status}), nil
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (h *Handler) returnTicket(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleDepartment); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body reasonBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if _, err := ticket.CheckReturnReason(body.Reason); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.now()
	t, err := h.leadAction(ctx, r, func(t *ticket.Ticket, actor ticket.Actor) ([]ticket.Event, error) {
		return t.Return(body.Reason, actor, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if h.deliver(ctx, r, t) {
		return events.APIGatewayV2HTTPResponse{}, stepGone()
	}
	r.log.InfoContext(ctx, "ticket returned")
	return httpapi.JSON(http.StatusOK, map[string]any{"id": t.ID, "status": t.Status}), nil
}

type noteBody struct {
	Text string `json:"text"`
}

// staffNote adds an internal note (any staff who may read the ticket).
func (h *Handler) staffNote(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var body noteBody
	id, err := staffCommand(r, &body) // any staff who may read the ticket
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	actor := staffActor(r.staff)
	now := h.now()
	// A note only adds to the timeline: racing writers must not make it fail.
	_, err = lifecycle.UpdateAttempts(ctx, h.Store, id, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !canRead(r.staff, t) {
			return nil, notYours()
		}
		return t.AddStaffNote(body.Text, actor, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r.log.InfoContext(ctx, "staff note added")
	return httpapi.JSON(http.StatusCreated, map[string]any{"ticketId": id, "at": now}), nil
}

type coOpinionBody struct {
	Message string `json:"message"`
}

// coOpinion records a co-handling department's opinion (协办意见).
func (h *Handler) coOpinion(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var body coOpinionBody
	id, err := staffCommand(r, &body, auth.RoleDepartment)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	actor := ticket.Actor{Role: ticket.ActorDepartment, ID: r.staff.Dept}
	now := h.now()
	t, err := lifecycle.UpdateAttempts(ctx, h.Store, id, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !canRead(r.staff, t) {
			return nil, notYours()
		}
		return t.AddCoOpinion(body.Message, actor, r.staff.Subject, now)
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r.log.InfoContext(ctx, "co-handler opinion recorded")
	return httpapi.JSON(http.StatusCreated, map[string]any{"ticketId": id, "status": t.Status, "at": now}), nil
}

// staffActor is who a staff member is on the timeline.
func staffActor(c auth.Claims) ticket.Actor {
	switch c.Role {
	case auth.RoleDepartment:
		return ticket.Actor{Role: ticket.ActorDepartment, ID: c.Dept}
	case auth.RoleSupervisor:
		return ticket.Actor{Role: ticket.ActorSupervisor, ID: c.Subject}
	case auth.RoleAdmin:
		return ticket.Actor{Role: ticket.ActorAdmin, ID: c.Subject}
	}
	return ticket.Actor{Role: ticket.ActorOperator, ID: c.Subject}
}
