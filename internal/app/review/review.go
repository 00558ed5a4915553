// Package review is the review function (审核): it runs the automated checks on
// a received ticket and returns the decision the workflow branches on; for a
// manual review it parks the task token until an operator decides.
package review

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/screening"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Actions of the review task.
const (
	ActionReview          = "review"
	ActionAwaitOperator   = "await-operator"
	ActionOperatorOverdue = "operator-overdue"
	// ActionResume names the step a repaired ticket's new execution picks up at.
	ActionResume = "resume"
	// ActionWorkflowFailed puts a ticket whose workflow failed on the admins'
	// list of stuck tickets.
	ActionWorkflowFailed = "workflow-failed"
)

// Store reads tickets and the same citizen's recent tickets.
type Store interface {
	lifecycle.Store
	TicketsByContact(ctx context.Context, blindIndex string, since time.Time) ([]ticket.Ticket, error)
	TicketsByPlace(ctx context.Context, category, region string, since time.Time) ([]ticket.Ticket, error)
	ContactIndex(c *ticket.Contact) string
}

// Catalog gives the current categories.
type Catalog interface {
	Current(ctx context.Context) (*catalog.Catalog, error)
}

// Blinder computes the blind indexes blocked senders are listed by.
type Blinder interface {
	Phone(string) string
	Email(string) string
}

// ScreeningRules gives the current screening rules.
type ScreeningRules interface {
	Current(ctx context.Context) (*screening.Screener, error)
}

// Handler is the review function.
type Handler struct {
	Store   Store
	Catalog Catalog
	// Rules are the screening rules an admin manages.
	Rules   ScreeningRules
	Blinder Blinder
	Now     func() time.Time
	Log     *slog.Logger
}

// Output is the decision the workflow's Choice reads.
type Output struct {
	Decision string `json:"decision,omitempty"`
	// Step is where a repaired ticket resumes (resume).
	Step string `json:"step,omitempty"`
}

// Handle runs one review action.
func (h *Handler) Handle(ctx context.Context, in task.Input) (Output, error) {
	if err := in.Validate([]string{ActionReview, ActionAwaitOperator, ActionOperatorOverdue, ActionResume, ActionWorkflowFailed}, []string{ActionAwaitOperator}); err != nil {
		return Output{}, task.Report(err)
	}
	log := h.Log.With("ticket_id", in.TicketID, "action", in.Action)
	var out Output
	var err error
	switch in.Action {
	case ActionReview:
		out, err = h.review(ctx, in.TicketID, log)
	case ActionAwaitOperator:
		err = h.awaitOperator(ctx, in)
	case ActionOperatorOverdue:
		out, err = h.operatorOverdue(ctx, in.TicketID, log)
	case ActionResume:
		out, err = h.resume(ctx, in.TicketID, log)
	case ActionWorkflowFailed:
		err = h.workflowFailed(ctx, in, log)
	}
	if err != nil {
		log.ErrorContext(ctx, "review failed", "error", err.Error())
	}
	return out, task.Report(err)
}

// duplicateWindow is how far back the same citizen's tickets are compared.
const duplicateWindow = 30 * 24 * time.Hour

func (h *Handler) review(ctx context.Context, id string, log *slog.Logger) (Output, error) {
	t, err := h.Store.GetTicket(ctx, id)
	if err != nil {
		return Output{}, fmt.Errorf("load ticket: %w", err)
	}
	if t.Status == ticket.StatusWithdrawn {
		return Output{Decision: ticket.DecisionWithdrawn}, nil
	}
	if t.ReviewOutcome != "" {
		return Output{Decision: t.ReviewOutcome}, nil // a retry after the decision was saved
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return Output{}, fmt.Errorf("load catalog: %w", err)
	}
	in, err := h.input(ctx, t)
	if err != nil {
		return Output{}, err
	}
	rules, err := h.Rules.Current(ctx)
	if err != nil {
		return Output{}, fmt.Errorf("load screening rules: %w", err)
	}
	screener := *rules
	screener.Categories = cat
	d := screener.Review(in)

	now := ticket.Stamp(h.Now())
	system := ticket.Actor{Role: ticket.ActorSystem}
	t, err = lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.ReviewOutcome != "" {
			return nil, lifecycle.ErrUnchanged
		}
		var evs []ticket.Event
		if t.Status == ticket.StatusReceived {
			ev, err := t.Transition(ticket.StatusInReview, system, now, ticket.Say("审核中", "in review"))
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		if t.Status != ticket.StatusInReview {
			return nil, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionReview}
		}
		t.ReviewOutcome, t.ReviewReason = string(d.Outcome), d.Reason
		if t.Urgency == "" && cat.UrgentByRules(t) {
			// A gas leak waits ahead of ordinary tickets and keeps its hours.
			t.Urgency = ticket.UrgencyUrgent
		}
		switch d.Outcome {
		case screening.OutcomeReject:
			t.ReviewNotice = d.Text(t.Language)
			ev, err := t.Transition(ticket.StatusRejected, system, now, ticket.Verbatim(t.ReviewNotice))
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		case screening.OutcomeAnswer:
			t.Answer = d.Text(t.Language)
			ev, err := t.Transition(ticket.StatusAnswered, system, now, ticket.Say("知识库直接答复", "answered from the knowledge base"))
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		case screening.OutcomeEmergency:
			// Not a rejection: the citizen is told the number to call at once
			// (NotifyEmergency) and an operator confirms or rules it out.
			t.ReviewNotice = d.Text(t.Language)
			t.SuspectedEmergency = screening.Numbers(d.Services)
			evs = append(evs, t.Note("review.suspected_emergency", system, now,
				ticket.Say("疑似紧急情况，已提示拨打 "+strings.Join(t.SuspectedEmergency, "、")+"，待人工核实", "suspected emergency: told to call "+strings.Join(t.SuspectedEmergency, " or ")+"; an operator checks it"), true))
		case screening.OutcomeManual:
			also := ""
			if d.DuplicateOf != "" {
				t.DuplicateOf = d.DuplicateOf
				also += " (" + d.DuplicateOf + ")"
			}
			if len(d.Candidates) > 0 {
				// Other citizens reported the same matter nearby: the operator
				// sees them and decides whether to merge.
				t.SameMatter = slices.Clone(d.Candidates)
				also += " (" + strings.Join(d.Candidates, ", ") + ")"
			}
			note := ticket.Say("转人工审核："+d.Reason+also, "sent to an operator: "+d.Reason+also)
			evs = append(evs, t.Note("review.manual", system, now, note, false))
		}
		return evs, nil
	})
	if err != nil {
		return Output{}, err
	}
	log.InfoContext(ctx, "ticket reviewed", "decision", t.ReviewOutcome, "reason", t.ReviewReason)
	return Output{Decision: t.ReviewOutcome}, nil
}

// input gathers what the screener looks at; the contact is reduced to blind
// indexes here and never leaves this function.
func (h *Handler) input(ctx context.Context, t *ticket.Ticket) (screening.Input, error) {
	in := screening.Input{
		Type: t.Type, Category: t.Category, Content: t.Content, InvolvedUnit: t.InvolvedUnit,
		Anonymous: t.Anonymous, Now: t.CreatedAt,
	}
	// Other citizens' tickets of the same category and place: the same matter
	// reported by several people goes to an operator, never merged unseen.
	if t.Category != "" && t.Location != nil && t.Location.Region != "" {
		nearby, err := h.Store.TicketsByPlace(ctx, t.Category, t.Location.Region, t.CreatedAt.Add(-duplicateWindow))
		if err != nil {
			return in, fmt.Errorf("find tickets of the same place: %w", err)
		}
		for _, r := range nearby {
			if r.ID != t.ID {
				in.Nearby = append(in.Nearby, screening.Recent{ID: r.ID, Category: r.Category, Content: r.Content, CreatedAt: r.CreatedAt, Status: r.Status})
			}
		}
	}
	if t.Contact == nil {
		return in, nil
	}
	if t.Contact.Phone != "" {
		in.ContactIndexes = append(in.ContactIndexes, h.Blinder.Phone(t.Contact.Phone))
	}
	if t.Contact.Email != "" {
		in.ContactIndexes = append(in.ContactIndexes, h.Blinder.Email(t.Contact.Email))
	}
	idx := h.Store.ContactIndex(t.Contact)
	if idx == "" {
		return in, nil
	}
	recent, err := h.Store.TicketsByContact(ctx, idx, t.CreatedAt.Add(-duplicateWindow))
	if err != nil {
		return in, fmt.Errorf("find the citizen's recent tickets: %w", err)
	}
	for _, r := range recent {
		if r.ID == t.ID {
			continue
		}
		in.Recent = append(in.Recent, screening.Recent{ID: r.ID, Category: r.Category, Content: r.Content, CreatedAt: r.CreatedAt, Status: r.Status})
	}
	return in, nil
}

func (h *Handler) awaitOperator(ctx context.Context, in task.Input) error {
	_, err := lifecycle.Update(ctx, h.Store, in.TicketID, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Status == ticket.StatusWithdrawn {
			return nil, &task.WithdrawnError{TicketID: t.ID}
		}
		if t.Status != ticket.StatusInReview && t.Status != ticket.StatusReturned {
			return nil, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionAwaitOperator}
		}
		// A new wait means the previous decision is spent: the operator decides again.
		t.ReviewOutcome = ""
		t.TaskToken, t.WaitingStep = in.TaskToken, ticket.StepOperator
		return nil, nil
	})
	return err
}

// operatorDecisions are the review outcomes an operator's decision records
// (merge is only an operator's).
var operatorDecisions = []string{string(screening.OutcomeAccept), string(screening.OutcomeReject), "merge", string(screening.OutcomeAnswer)}

// operatorOverdue runs when the operator step timed out. An operator decision
// that was saved but whose answer had not reached the workflow yet (Step
// Functions unreachable, the outbox not swept yet) is the step's result, so
// it is not lost. Otherwise the ticket is escalated, so supervisors see it
// flagged in the review queue, and the workflow waits again ("manual").
func (h *Handler) operatorOverdue(ctx context.Context, id string, log *slog.Logger) (Output, error) {
	now := ticket.Stamp(h.Now())
	var decided string
	_, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		decided = ""
		if t.Status == ticket.StatusWithdrawn {
			decided = ticket.DecisionWithdrawn
			return nil, lifecycle.ErrUnchanged
		}
		if t.WaitingStep != ticket.StepOperator && slices.Contains(operatorDecisions, t.ReviewOutcome) {
			decided = t.ReviewOutcome
			return nil, lifecycle.ErrUnchanged
		}
		if t.Status != ticket.StatusInReview && t.Status != ticket.StatusReturned {
			return nil, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionOperatorOverdue}
		}
		if t.Escalated {
			return nil, lifecycle.ErrUnchanged
		}
		t.Escalated = true
		return []ticket.Event{t.Note("escalated", ticket.Actor{Role: ticket.ActorSystem}, now, ticket.Say("审核超时，已上报", "review overdue; escalated to supervisors"), false)}, nil
	})
	switch {
	case err != nil:
		return Output{}, err
	case decided != "":
		log.WarnContext(ctx, "operator decision reached the workflow at the review deadline", "decision", decided)
		return Output{Decision: decided}, nil
	}
	log.WarnContext(ctx, "operator review overdue")
	return Output{Decision: string(screening.OutcomeManual)}, nil
}

func (h *Handler) resume(ctx context.Context, id string, log *slog.Logger) (Output, error) {
	t, err := h.Store.GetTicket(ctx, id)
	if err != nil {
		return Output{}, fmt.Errorf("load ticket: %w", err)
	}
	step := t.Resume()
	log.InfoContext(ctx, "repaired workflow resumes", "status", string(t.Status), "step", step)
	return Output{Step: step}, nil
}

// workflowFailed records on the ticket that its workflow stopped and why,
// which lists it for admins to repair.
func (h *Handler) workflowFailed(ctx context.Context, in task.Input, log *slog.Logger) error {
	var state struct {
		Error struct {
			Error string `json:"Error"`
			Cause string `json:"Cause"`
		} `json:"error"`
	}
	if len(in.State) > 0 {
		if err := json.Unmarshal(in.State, &state); err != nil {
			return &task.InputError{Reason: "state is not a JSON object"}
		}
	}
	name := state.Error.Error
	if name == "" {
		name = "UnknownOutcome" // a Choice found no branch: nothing was caught
	}
	now := ticket.Stamp(h.Now())
	_, err := lifecycle.UpdateAttempts(ctx, h.Store, in.TicketID, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		evs := t.MarkStuck(name, state.Error.Cause, now)
		if len(evs) == 0 {
			return nil, lifecycle.ErrUnchanged
		}
		return evs, nil
	})
	if err != nil {
		return err
	}
	log.ErrorContext(ctx, "workflow stopped; the ticket is listed for repair", "error_name", name)
	return nil
}
