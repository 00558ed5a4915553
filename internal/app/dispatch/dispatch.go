// Package dispatch is the dispatch function (派单): it routes a reviewed ticket
// to the responsible department, records the deadlines, and — as the waiting
// step of the workflow — tells the department on its queue once and parks the
// task token until the department replies or returns the ticket.
package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/routing"
	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Actions of the dispatch task.
const (
	ActionRoute       = "route"
	ActionAwaitReply  = "await-reply"
	ActionMarkOverdue = "mark-overdue"
	// ActionRewait reads the reply deadline again after an approved
	// extension, so the workflow waits for the reply until the new one.
	ActionRewait = "rewait"
	// ActionNotifyWithdrawn tells the departments of a ticket its citizen
	// withdrew; the workflow then ends.
	ActionNotifyWithdrawn = "notify-withdrawn"
)

// Catalog gives the current departments, categories, rules and calendar.
type Catalog interface {
	Current(ctx context.Context) (*catalog.Catalog, error)
}

// Queue delivers a message to a department's queue.
type Queue interface {
	Publish(ctx context.Context, departmentID string, msg deptmsg.Message) error
}

// Workflow completes a waiting step.
type Workflow interface {
	Complete(ctx context.Context, token string, output any) error
}

// Handler is the dispatch function.
type Handler struct {
	Store    lifecycle.Store
	Catalog  Catalog
	Queue    Queue
	Workflow Workflow
	Now      func() time.Time
	Log      *slog.Logger
}

// Output is what Route returns to the workflow: the reply deadline becomes the
// waiting step's TimeoutSecondsPath.
type Output struct {
	DepartmentID        string `json:"departmentId,omitempty"`
	ReplyTimeoutSeconds int64  `json:"replyTimeoutSeconds,omitempty"`
	// Outcome, after a missed deadline: "waiting" to wait again, or what the
	// department did just as the deadline passed ("replied", "returned").
	Outcome string `json:"outcome,omitempty"`
}

// Handle runs one dispatch action.
func (h *Handler) Handle(ctx context.Context, in task.Input) (Output, error) {
	if err := in.Validate([]string{ActionRoute, ActionAwaitReply, ActionMarkOverdue, ActionRewait, ActionNotifyWithdrawn}, []string{ActionAwaitReply}); err != nil {
		return Output{}, task.Report(err)
	}
	log := h.Log.With("ticket_id", in.TicketID, "action", in.Action)
	var out Output
	var err error
	switch in.Action {
	case ActionRoute:
		out, err = h.route(ctx, in.TicketID, log)
	case ActionAwaitReply:
		err = h.awaitReply(ctx, in, log)
	case ActionMarkOverdue:
		out, err = h.markOverdue(ctx, in, log)
	case ActionRewait:
		out, err = h.rewait(ctx, in.TicketID, log)
	case ActionNotifyWithdrawn:
		err = h.notifyWithdrawn(ctx, in.TicketID, log)
	}
	if err != nil {
		log.ErrorContext(ctx, "dispatch failed", "error", err.Error())
	}
	return out, task.Report(err)
}

func (h *Handler) route(ctx context.Context, id string, log *slog.Logger) (Output, error) {
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return Output{}, fmt.Errorf("load catalog: %w", err)
	}
	now := ticket.Stamp(h.Now())
	t, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		switch t.Status {
		case ticket.StatusWithdrawn:
			return nil, &task.WithdrawnError{TicketID: t.ID}
		case ticket.StatusDispatched, ticket.StatusAccepted:
			return nil, lifecycle.ErrUnchanged // a retry after the route was saved
		case ticket.StatusInReview, ticket.StatusReturned, ticket.StatusReplied, ticket.StatusAnswered:
		default:
			return nil, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionRoute}
		}
		return routing.Dispatch(t, cat, now)
	})
	if err != nil {
		return Output{}, err
	}
	if t.Status != ticket.StatusDispatched && t.Status != ticket.StatusAccepted {
		return Output{}, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionRoute}
	}
	if len(t.CalendarGap) > 0 {
		// A metric filter counts these: admins load the missing years.
		log.WarnContext(ctx, "deadline counted past the holiday calendar", "calendar_gap_years", t.CalendarGap)
	}
	log.InfoContext(ctx, "ticket routed", "department_id", t.DepartmentID, "rule_id", t.RuleID, "reply_deadline", t.Deadlines.Reply)
	return Output{DepartmentID: t.DepartmentID, ReplyTimeoutSeconds: h.untilDeadline(t)}, nil
}

// marker names one dispatch round, so the department hears of it exactly once
// however often the step is retried. The reopen count is part of it: a reopen
// is a new round even when the clock shows the same millisecond.
func marker(t *ticket.Ticket) string {
	return "dispatch:" + t.DepartmentID + ":" + strconv.FormatInt(t.DispatchedAt.UnixMilli(), 10) + ":" + strconv.Itoa(t.ReopenCount)
}

func (h *Handler) awaitReply(ctx context.Context, in task.Input, log *slog.Logger) error {
	t, err := h.Store.GetTicket(ctx, in.TicketID)
	if err != nil {
		return fmt.Errorf("load ticket: %w", err)
	}
	if t.DepartmentID == "" {
		return &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionAwaitReply}
	}
	mark := marker(t)
	if !slices.Contains(t.Notified, mark) && (t.Status == ticket.StatusDispatched || t.Status == ticket.StatusAccepted) {
		cat, err := h.Catalog.Current(ctx)
		if err != nil {
			return fmt.Errorf("load catalog: %w", err)
		}
		if err := h.notifyDepartments(ctx, t, cat); err != nil {
			return err
		}
		log.InfoContext(ctx, "department notified", "department_id", t.DepartmentID)
	}
	var outcome string
	t, err = lifecycle.Update(ctx, h.Store, in.TicketID, func(t *ticket.Ticket) ([]ticket.Event, error) {
		switch t.Status {
		case ticket.StatusDispatched, ticket.StatusAccepted:
		case ticket.StatusReplied, ticket.StatusReturned, ticket.StatusWithdrawn:
			// The department (or the citizen) acted before the token was parked.
			outcome = string(t.Status)
		default:
			return nil, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionAwaitReply}
		}
		if !slices.Contains(t.Notified, mark) {
			t.Notified = append(t.Notified, mark)
		}
		t.TaskToken, t.WaitingStep = in.TaskToken, ticket.StepDispatch
		return nil, nil
	})
	if err != nil {
		return err
	}
	if outcome != "" {
		if err := h.Workflow.Complete(ctx, in.TaskToken, ticket.HandlingOutcome{Outcome: outcome}); err != nil {
			return fmt.Errorf("complete step for ticket %s: %w", t.ID, err)
		}
	}
	return nil
}

func (h *Handler) notifyDepartments(ctx context.Context, t *ticket.Ticket, cat *catalog.Catalog) error {
	kind := deptmsg.TypeDispatched
	if t.ReopenCount > 0 {
		kind = deptmsg.TypeReopened
	}
	msg := deptmsg.Message{
		Type:         kind,
		TicketID:     t.ID,
		DepartmentID: t.DepartmentID,
		Role:         deptmsg.RoleLead,
		Category:     t.Category,
		Deadline:     t.Deadlines.Reply,
		Summary:      Summary(t, cat),
	}
	return h.tellHandlers(ctx, t, msg)
}

// tellHandlers sends msg to the ticket's lead department and, as co-handler
// messages, to its co-handlers.
func (h *Handler) tellHandlers(ctx context.Context, t *ticket.Ticket, msg deptmsg.Message) error {
	msg.DepartmentID, msg.Role = t.DepartmentID, deptmsg.RoleLead
	if err := h.Queue.Publish(ctx, t.DepartmentID, msg); err != nil {
		return &task.DeliveryError{Err: fmt.Errorf("notify department %s: %w", t.DepartmentID, err)}
	}
	for _, co := range t.CoHandlers {
		msg.DepartmentID, msg.Role = co, deptmsg.RoleCo
		if err := h.Queue.Publish(ctx, co, msg); err != nil {
			return &task.DeliveryError{Err: fmt.Errorf("notify co-handler %s: %w", co, err)}
		}
	}
	return nil
}

// notifyWithdrawn tells the lead and the co-handlers, once, that the citizen
// withdrew the ticket. A ticket withdrawn before dispatch had no department.
func (h *Handler) notifyWithdrawn(ctx context.Context, id string, log *slog.Logger) error {
	t, err := h.Store.GetTicket(ctx, id)
	if err != nil {
		return fmt.Errorf("load ticket: %w", err)
	}
	if t.Status != ticket.StatusWithdrawn {
		return &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionNotifyWithdrawn}
	}
	const mark = "withdrawn"
	if t.DepartmentID == "" || slices.Contains(t.Notified, mark) {
		return nil
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	msg := deptmsg.Message{Type: deptmsg.TypeWithdrawn, TicketID: t.ID, DepartmentID: t.DepartmentID, Role: deptmsg.RoleLead,
		Category: t.Category, Deadline: t.Deadlines.Reply, Summary: "市民已撤单 · " + Summary(t, cat)}
	if err := h.tellHandlers(ctx, t, msg); err != nil {
		return err
	}
	_, err = lifecycle.UpdateAttempts(ctx, h.Store, id, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if slices.Contains(t.Notified, mark) {
			return nil, lifecycle.ErrUnchanged
		}
		t.Notified = append(t.Notified, mark)
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("record the withdrawal notice: %w", err)
	}
	log.InfoContext(ctx, "departments told of the withdrawal", "department_id", t.DepartmentID)
	return nil
}

// Summary describes a ticket for a queue message without any personal data: the
// content may name people, so only the type and category are given.
func Summary(t *ticket.Ticket, cat *catalog.Catalog) string {
	s := typeNames[t.Type]
	if name := cat.CategoryName(t.Category); name != "" {
		s += " · " + name
	}
	return s
}

var typeNames = map[ticket.Type]string{
	ticket.TypeComplaint:    "投诉",
	ticket.TypeConsultation: "咨询",
	ticket.TypeSuggestion:   "建议",
	ticket.TypeReport:       "举报",
	ticket.TypeHelp:         "求助",
	ticket.TypePraise:       "表扬",
}

// rewait answers the workflow after an approved extension: how long to wait
// for the reply from now, on the ticket's current deadline. It only reads, so
// a retry answers the same; AwaitReply then parks again without a second
// department message (the dispatch round's marker is unchanged).
func (h *Handler) rewait(ctx context.Context, id string, log *slog.Logger) (Output, error) {
	t, acted, err := h.awaitingReply(ctx, id, ActionRewait)
	if err != nil || acted != nil {
		return *acted, err
	}
	log.InfoContext(ctx, "waiting for the reply again", "department_id", t.DepartmentID, "reply_deadline", t.Deadlines.Reply)
	return Output{DepartmentID: t.DepartmentID, Outcome: "waiting", ReplyTimeoutSeconds: h.untilDeadline(t)}, nil
}

// awaitingReply loads a ticket whose reply the workflow waits for. When the
// department already replied or returned it (just as a deadline passed or an
// extension was approved), acted is the output that sends the workflow on:
// its answer stands.
func (h *Handler) awaitingReply(ctx context.Context, id, action string) (t *ticket.Ticket, acted *Output, err error) {
	t, err = h.Store.GetTicket(ctx, id)
	if err != nil {
		return nil, &Output{}, fmt.Errorf("load ticket: %w", err)
	}
	switch t.Status {
	case ticket.StatusReplied, ticket.StatusReturned, ticket.StatusWithdrawn:
		return t, &Output{DepartmentID: t.DepartmentID, Outcome: string(t.Status), ReplyTimeoutSeconds: 1}, nil
	case ticket.StatusDispatched, ticket.StatusAccepted:
		return t, nil, nil
	}
	return nil, &Output{}, &task.StateError{TicketID: t.ID, Status: t.Status, Action: action}
}

func (h *Handler) untilDeadline(t *ticket.Ticket) int64 { return routing.UntilDeadline(t, h.Now()) }
