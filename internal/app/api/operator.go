package api

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/domain/catalog"
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
	Decision     string   `json:"decision"`
	Reason       string   `json:"reason"`
	Category     string   `json:"category"`
	DepartmentID string   `json:"departmentId"`
	CoHandlers   []string `json:"coHandlers"`
	MergeInto    string   `json:"mergeInto"`
	Answer       string   `json:"answer"`
}

// validate checks a review decision against the catalog and returns field errors.
func (b reviewBody) validate(cat *catalog.Catalog, t *ticket.Ticket) map[string]string {
	fields := map[string]string{}
	switch b.Decision {
	case "accept":
		if b.Category != "" {
			if err := cat.CheckCategory(b.Category, t.Type); err != nil {
				fields["category"] = "not a leaf category for this ticket type"
			}
		}
		if b.DepartmentID != "" {
			if _, ok := cat.Department(b.DepartmentID); !ok {
				fields["departmentId"] = "unknown department"
			}
		}
		for _, co := range b.CoHandlers {
			if _, ok := cat.Department(co); !ok || co == b.DepartmentID {
				fields["coHandlers"] = "unknown department or the lead itself"
			}
		}
	case "reject":
		if utf8.RuneCountInString(strings.TrimSpace(b.Reason)) < 2 {
			fields["reason"] = "required for a rejection; the citizen is told"
		}
	case "answer":
		if n := utf8.RuneCountInString(strings.TrimSpace(b.Answer)); n < 2 || n > maxReplyRunes {
			fields["answer"] = "2 to 5000 characters"
		}
	case "merge":
		if !ticket.ValidID(ticket.NormalizeID(b.MergeInto)) || ticket.NormalizeID(b.MergeInto) == t.ID {
			fields["mergeInto"] = "the id of another open ticket"
		}
	default:
		fields["decision"] = "accept, reject, merge or answer"
	}
	return fields
}

func (h *Handler) review(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleOperator, auth.RoleAdmin); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, err := ticketID(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body reviewBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if body.Decision == "merge" {
		target, err := h.Store.GetTicket(ctx, ticket.NormalizeID(body.MergeInto))
		if err != nil || target.Status.Final() {
			return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("mergeInto must name an open ticket", map[string]string{"mergeInto": "not an open ticket"})
		}
	}
	actor := ticket.Actor{Role: ticket.ActorOperator, ID: r.staff.Subject}
	now := h.now()
	t, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Status != ticket.StatusInReview || t.WaitingStep != ticket.StepOperator {
			return nil, httpapi.Conflict("the ticket is not waiting for an operator's review")
		}
		if fields := body.validate(cat, t); len(fields) > 0 {
			return nil, httpapi.BadRequest("invalid review decision", fields)
		}
		if err := t.AnswerToken(takeStep(t), task.ReviewDecision{Decision: body.Decision}); err != nil {
			return nil, err
		}
		reason := strings.TrimSpace(body.Reason)
		t.ReviewOutcome, t.ReviewReason = body.Decision, "operator"
		switch body.Decision {
		case "accept":
			if body.Category != "" {
				t.Category = body.Category
			}
			t.PendingDepartmentID, t.PendingCoHandlers = body.DepartmentID, body.CoHandlers
			return []ticket.Event{t.Note("reviewed", actor, now, "人工审核通过 / accepted by an operator", true)}, nil
		case "reject":
			t.ReviewNotice = reason
			ev, err := t.Transition(ticket.StatusRejected, actor, now, reason)
			return []ticket.Event{ev}, err
		case "answer":
			t.Answer = strings.TrimSpace(body.Answer)
			ev, err := t.Transition(ticket.StatusAnswered, actor, now, "直接答复 / answered directly")
			return []ticket.Event{ev}, err
		default: // merge
			t.MergedInto = ticket.NormalizeID(body.MergeInto)
			ev, err := t.Transition(ticket.StatusMerged, actor, now, "并入工单 "+t.MergedInto)
			return []ticket.Event{ev}, err
		}
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
	DepartmentID string `json:"departmentId"`
	Reason       string `json:"reason"`
}

func (h *Handler) reassign(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleOperator, auth.RoleAdmin); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, err := ticketID(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body reassignBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if _, ok := cat.Department(body.DepartmentID); !ok {
		return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("unknown department", map[string]string{"departmentId": "unknown department"})
	}
	actor := ticket.Actor{Role: ticket.ActorOperator, ID: r.staff.Subject}
	now := h.now()
	t, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Status != ticket.StatusReturned || t.WaitingStep != ticket.StepOperator {
			return nil, httpapi.Conflict("only a returned ticket waiting for an operator can be reassigned")
		}
		if err := t.AnswerToken(takeStep(t), task.ReviewDecision{Decision: "accept"}); err != nil {
			return nil, err
		}
		t.PendingDepartmentID, t.PendingCoHandlers = body.DepartmentID, nil
		t.ReviewOutcome = "accept"
		note := "改派至 " + cat.DepartmentName(body.DepartmentID)
		return []ticket.Event{t.Note("reassigned", actor, now, note, true)}, nil
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
