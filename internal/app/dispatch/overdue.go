package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// A reply deadline passed (the workflow's wait timed out). The first miss is
// 催办: the ticket is flagged overdue and the department reminded; every later
// miss, one working day apart, is 督办: the ticket is escalated and the
// department told again, until it replies or returns the ticket.
func (h *Handler) markOverdue(ctx context.Context, in task.Input, log *slog.Logger) (Output, error) {
	entered, err := time.Parse(time.RFC3339Nano, in.EnteredAt)
	if err != nil {
		return Output{}, &task.InputError{Reason: "enteredAt must be the state's RFC 3339 entry time"}
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return Output{}, fmt.Errorf("load catalog: %w", err)
	}
	t, acted, err := h.awaitingReply(ctx, in.TicketID, ActionMarkOverdue)
	if err != nil || acted != nil {
		return *acted, err
	}
	if h.Now().Before(t.Deadlines.Reply) {
		// An extension was approved while the wait with the old deadline
		// could not be reached (it timed out, or was parking): nothing is
		// overdue, wait again until the new deadline.
		log.InfoContext(ctx, "reply deadline was extended; waiting again", "department_id", t.DepartmentID, "reply_deadline", t.Deadlines.Reply)
		return Output{DepartmentID: t.DepartmentID, Outcome: "waiting", ReplyTimeoutSeconds: h.untilDeadline(t)}, nil
	}
	round := marker(t)
	mark := "overdue:" + round + ":" + entered.UTC().Format(time.RFC3339Nano)
	escalate := slices.ContainsFunc(t.Notified, func(n string) bool { return strings.HasPrefix(n, "overdue:"+round+":") && n != mark })
	kind, note := deptmsg.TypeOverdue, ticket.Say("办理超期，已催办", "reply overdue; department reminded")
	if escalate {
		kind, note = deptmsg.TypeEscalated, ticket.Say("超期未办，已督办", "still overdue; escalated")
	}
	if !slices.Contains(t.Notified, mark) {
		msg := deptmsg.Message{
			Type: kind, TicketID: t.ID, DepartmentID: t.DepartmentID, Role: deptmsg.RoleLead,
			Category: t.Category, Deadline: t.Deadlines.Reply, Summary: Summary(t, cat),
		}
		if err := h.Queue.Publish(ctx, t.DepartmentID, msg); err != nil {
			return Output{}, &task.DeliveryError{Err: fmt.Errorf("remind department %s: %w", t.DepartmentID, err)}
		}
	}
	now := ticket.Stamp(h.Now())
	// Marking only adds (a marker, flags, a note) and is decided afresh on
	// each try, so it never becomes wrong by losing a race: it retries as
	// long as notes do. A sweep warning many tickets at once, after a long
	// weekend, would otherwise win four races in a row and fail the step.
	t, err = lifecycle.UpdateAttempts(ctx, h.Store, in.TicketID, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if slices.Contains(t.Notified, mark) {
			return nil, lifecycle.ErrUnchanged
		}
		if t.Status != ticket.StatusDispatched && t.Status != ticket.StatusAccepted {
			return nil, lifecycle.ErrUnchanged
		}
		t.Notified = append(t.Notified, mark)
		t.Overdue = true
		kindName := "overdue"
		if escalate {
			t.Escalated = true
			kindName = "escalated"
		}
		return []ticket.Event{t.Note(kindName, ticket.Actor{Role: ticket.ActorSystem}, now, note, false)}, nil
	})
	if err != nil {
		return Output{}, err
	}
	// Hour-based levels (a gas leak) escalate by the hour, not by the working day.
	next := cat.Calendar().AddWorkingDays(now, 1)
	if every := cat.ServiceLevelFor(t).EscalationInterval(); every > 0 {
		next = now.Add(every)
	}
	log.InfoContext(ctx, "reply overdue", "department_id", t.DepartmentID, "escalated", escalate, "next_check", next)
	return Output{
		DepartmentID:        t.DepartmentID,
		Outcome:             "waiting",
		ReplyTimeoutSeconds: max(int64(next.Sub(h.Now()).Seconds()), 1),
	}, nil
}
