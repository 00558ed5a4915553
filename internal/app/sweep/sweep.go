// Package sweep is the scheduled sweep function (催办): every few minutes it
// warns departments that have not accepted a ticket by its accept deadline, it
// starts the workflow of any ticket that was registered but whose execution
// never started (intake answered 500 and the citizen did not retry) — or puts
// the ticket on the admins' stuck list when its execution ran and ended — and it
// sends the answers to waiting workflow steps that a staff or citizen action
// saved but could not send (the outbox). Reply deadlines are watched by the
// workflow itself (TimeoutSecondsPath).
package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/outbox"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Store lists the tickets the sweep looks at.
type Store interface {
	lifecycle.Store
	DepartmentInbox(ctx context.Context, deptID string, status ticket.Status, limit int, cursor string) ([]ticket.Ticket, string, error)
	TicketsByDay(ctx context.Context, day time.Time) ([]ticket.Ticket, error)
	outbox.Store
}

// Catalog gives the departments.
type Catalog interface {
	Current(ctx context.Context) (*catalog.Catalog, error)
}

// Queue delivers department messages.
type Queue interface {
	Publish(ctx context.Context, departmentID string, msg deptmsg.Message) error
}

// Workflow starts a ticket's execution (a second start is harmless) and
// answers waiting steps.
type Workflow interface {
	Start(ctx context.Context, ticketID string) error
	outbox.Workflow
}

// Handler is the sweep function.
type Handler struct {
	Store    Store
	Catalog  Catalog
	Queue    Queue
	Workflow Workflow
	Now      func() time.Time
	Log      *slog.Logger
}

// StartGrace is how long a received ticket may wait for its workflow before
// the sweep starts it: intake starts it within the same request normally.
const StartGrace = 2 * time.Minute

// Report says what one sweep did.
type Report struct {
	AcceptWarnings int `json:"acceptWarnings"`
	// DueSoonWarnings are departments told that a reply deadline nears.
	DueSoonWarnings   int `json:"dueSoonWarnings"`
	WorkflowsRestored int `json:"workflowsRestored"`
	// WorkflowsStuck are tickets still "received" whose execution already
	// ended: nothing will move them, so admins get them to repair.
	WorkflowsStuck int `json:"workflowsStuck"`
	// AnswersDelivered are queued answers to waiting steps sent by this
	// sweep; AnswersGone those whose step had ended meanwhile.
	AnswersDelivered int `json:"answersDelivered"`
	AnswersGone      int `json:"answersGone"`
	Errors           int `json:"errors"`
}

// InputError says the function was invoked with something other than a
// schedule event or an empty manual invocation.
type InputError struct{ Reason string }

func (e *InputError) Error() string { return "invalid sweep input: " + e.Reason }

// ParseTrigger accepts EventBridge's scheduled event or an empty object (a
// manual run) and refuses anything else.
func ParseTrigger(payload []byte) (events.CloudWatchEvent, error) {
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return ev, &InputError{Reason: "not a JSON object"}
	}
	if ev.Source == "" && ev.DetailType == "" {
		return ev, nil
	}
	if ev.Source != "aws.events" || ev.DetailType != "Scheduled Event" {
		return ev, &InputError{Reason: "expected an EventBridge scheduled event"}
	}
	return ev, nil
}

// Handle runs one sweep. A failure on one ticket is logged and counted; the
// sweep goes on, and the next run tries again.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (Report, error) {
	if _, err := ParseTrigger(payload); err != nil {
		return Report{}, err
	}
	var rep Report
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return rep, fmt.Errorf("load catalog: %w", err)
	}
	now := ticket.Stamp(h.Now())
	for _, d := range cat.Departments() {
		n, errs := h.warnUnaccepted(ctx, d.ID, now, cat)
		rep.AcceptWarnings += n
		rep.Errors += errs
		n, errs = h.warnDueSoon(ctx, d.ID, now, cat)
		rep.DueSoonWarnings += n
		rep.Errors += errs
	}
	n, stuck, errs := h.restoreWorkflows(ctx, now)
	rep.WorkflowsRestored, rep.WorkflowsStuck, rep.Errors = n, stuck, rep.Errors+errs
	ob := outbox.Sweep(ctx, h.Store, h.Workflow, now, h.Log)
	rep.AnswersDelivered, rep.AnswersGone, rep.Errors = ob.Delivered, ob.Gone, rep.Errors+ob.Errors
	h.Log.InfoContext(ctx, "sweep", "accept_warnings", rep.AcceptWarnings, "due_soon_warnings", rep.DueSoonWarnings, "workflows_restored", rep.WorkflowsRestored, "workflows_stuck", rep.WorkflowsStuck,
		"answers_delivered", rep.AnswersDelivered, "answers_gone", rep.AnswersGone, "errors", rep.Errors)
	return rep, nil
}

// acceptMarker names the accept warning of one dispatch round.
func acceptMarker(t *ticket.Ticket) string {
	return "accept-overdue:" + t.DepartmentID + ":" + strconv.FormatInt(t.DispatchedAt.UnixMilli(), 10)
}

func (h *Handler) warnUnaccepted(ctx context.Context, dept string, now time.Time, cat *catalog.Catalog) (warned, errs int) {
	return h.warnInbox(ctx, dept, []ticket.Status{ticket.StatusDispatched}, "accept warning",
		func(t *ticket.Ticket) bool {
			return !t.Deadlines.Accept.IsZero() && !t.Deadlines.Accept.After(now) && !slices.Contains(t.Notified, acceptMarker(t))
		},
		func(t *ticket.Ticket) error { return h.warn(ctx, t, now, cat) })
}

// warnInbox walks the department's inbox tabs and warns about every ticket
// due says is due, counting the warnings sent and the failures; a failure is
// logged and tried again by the next sweep.
func (h *Handler) warnInbox(ctx context.Context, dept string, tabs []ticket.Status, what string, due func(*ticket.Ticket) bool, warn func(*ticket.Ticket) error) (warned, errs int) {
	for _, tab := range tabs {
		cursor := ""
		for {
			items, next, err := h.Store.DepartmentInbox(ctx, dept, tab, 100, cursor)
			if err != nil {
				h.Log.ErrorContext(ctx, "read inbox", "department_id", dept, "error", err.Error())
				return warned, errs + 1
			}
			for i := range items {
				t := &items[i]
				if !due(t) {
					continue
				}
				if err := warn(t); err != nil {
					h.Log.ErrorContext(ctx, what+" failed", "ticket_id", t.ID, "error", err.Error())
					errs++
					continue
				}
				warned++
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return warned, errs
}

// warn tells the department first and records the warning after, so a failed
// send is tried again by the next sweep; a failed record can repeat a warning,
// which departments tolerate better than a missing one.
func (h *Handler) warn(ctx context.Context, t *ticket.Ticket, now time.Time, cat *catalog.Catalog) error {
	mark := acceptMarker(t)
	err := h.Queue.Publish(ctx, t.DepartmentID, deptmsg.Message{
		Type: deptmsg.TypeOverdue, TicketID: t.ID, DepartmentID: t.DepartmentID, Role: deptmsg.RoleLead,
		Category: t.Category, Deadline: t.Deadlines.Accept, Summary: "签收超时 · " + cat.CategoryName(t.Category),
	})
	if err != nil {
		return fmt.Errorf("send accept warning: %w", err)
	}
	_, err = lifecycle.Update(ctx, h.Store, t.ID, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Status != ticket.StatusDispatched || acceptMarker(t) != mark || slices.Contains(t.Notified, mark) {
			return nil, lifecycle.ErrUnchanged
		}
		t.Notified = append(t.Notified, mark)
		t.Overdue = true
		return []ticket.Event{t.Note("sla.accept_overdue", ticket.Actor{Role: ticket.ActorSystem}, now, ticket.Say("签收超时，已催办", "not accepted in time; department reminded"), false)}, nil
	})
	if err != nil {
		return fmt.Errorf("record accept warning: %w", err)
	}
	return nil
}

// dueSoonMarker names the due-soon warning of one dispatch round.
func dueSoonMarker(t *ticket.Ticket) string {
	return "due-soon:" + t.DepartmentID + ":" + strconv.FormatInt(t.DispatchedAt.UnixMilli(), 10) + ":" + strconv.Itoa(t.ReopenCount)
}

// warnDueSoon tells the lead department of each ticket it has not answered
// whose reply deadline nears (临期预警), once per dispatch round; an extension
// that moves the deadline does not warn again.
func (h *Handler) warnDueSoon(ctx context.Context, dept string, now time.Time, cat *catalog.Catalog) (warned, errs int) {
	return h.warnInbox(ctx, dept, []ticket.Status{ticket.StatusDispatched, ticket.StatusAccepted}, "due-soon warning",
		func(t *ticket.Ticket) bool {
			at := ticket.DueSoonAt(t.DispatchedAt, t.Deadlines.Reply)
			return !at.IsZero() && !now.Before(at) && now.Before(t.Deadlines.Reply) && !slices.Contains(t.Notified, dueSoonMarker(t))
		},
		func(t *ticket.Ticket) error { return h.tellDueSoon(ctx, t, now, cat) })
}

// tellDueSoon sends first and records after, like warn.
func (h *Handler) tellDueSoon(ctx context.Context, t *ticket.Ticket, now time.Time, cat *catalog.Catalog) error {
	mark := dueSoonMarker(t)
	err := h.Queue.Publish(ctx, t.DepartmentID, deptmsg.Message{
		Type: deptmsg.TypeDueSoon, TicketID: t.ID, DepartmentID: t.DepartmentID, Role: deptmsg.RoleLead,
		Category: t.Category, Deadline: t.Deadlines.Reply, Summary: "即将到期 · " + cat.CategoryName(t.Category),
	})
	if err != nil {
		return fmt.Errorf("send due-soon warning: %w", err)
	}
	_, err = lifecycle.UpdateAttempts(ctx, h.Store, t.ID, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if dueSoonMarker(t) != mark || slices.Contains(t.Notified, mark) {
			return nil, lifecycle.ErrUnchanged
		}
		t.Notified = append(t.Notified, mark)
		return []ticket.Event{t.Note("due_soon", ticket.Actor{Role: ticket.ActorSystem}, now, ticket.Say("答复期限临近，已预警", "reply deadline near; department warned"), false)}, nil
	})
	if err != nil {
		return fmt.Errorf("record due-soon warning: %w", err)
	}
	return nil
}

// restoreWorkflows starts the execution of tickets still "received" after the
// grace period, from today and yesterday (China time). A ticket whose
// execution ran and ended (it failed before review) is not restarted by
// pretending the start worked: it goes on the admins' stuck list.
func (h *Handler) restoreWorkflows(ctx context.Context, now time.Time) (restored, stuck, errs int) {
	for _, day := range []time.Time{now, now.Add(-24 * time.Hour)} {
		ts, err := h.Store.TicketsByDay(ctx, day)
		if err != nil {
			h.Log.ErrorContext(ctx, "list tickets of the day", "error", err.Error())
			errs++
			continue
		}
		for _, t := range ts {
			if t.Status != ticket.StatusReceived || t.Stuck != nil || now.Sub(t.CreatedAt) < StartGrace {
				continue
			}
			err := h.Workflow.Start(ctx, t.ID)
			var ended *ports.WorkflowEndedError
			switch {
			case errors.As(err, &ended):
				if err := h.markStuck(ctx, t.ID, now); err != nil {
					h.Log.ErrorContext(ctx, "mark stuck", "ticket_id", t.ID, "error", err.Error())
					errs++
					continue
				}
				h.Log.WarnContext(ctx, "workflow ended before the ticket was reviewed; listed for repair", "ticket_id", t.ID)
				stuck++
			case err != nil:
				h.Log.ErrorContext(ctx, "restart workflow", "ticket_id", t.ID, "error", err.Error())
				errs++
			default:
				h.Log.WarnContext(ctx, "workflow started by the sweep", "ticket_id", t.ID)
				restored++
			}
		}
	}
	return restored, stuck, errs
}

func (h *Handler) markStuck(ctx context.Context, id string, now time.Time) error {
	_, err := lifecycle.UpdateAttempts(ctx, h.Store, id, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Status != ticket.StatusReceived || t.Stuck != nil {
			return nil, lifecycle.ErrUnchanged
		}
		return t.MarkStuck("WorkflowEnded", "the execution ended before the ticket was reviewed", now), nil
	})
	return err
}
