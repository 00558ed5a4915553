// Package review is the review function (审核): it runs the automated checks on
// a received ticket and returns the decision the workflow branches on; for a
// manual review it parks the task token until an operator decides.
package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/app/routing"
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
	Rules    ScreeningRules
	Blinder  Blinder
	Workflow Workflow
	Now      func() time.Time
	Log      *slog.Logger
}

// Workflow answers the review step, which waits for its own answer: an
// accepted and dispatched ticket completes it (the workflow goes straight
// to the department's wait), every other decision fails it by a name the
// workflow's Catch routes. One state instead of a task and a Choice, on
// every ticket (docs/cost.md).
type Workflow interface {
	Complete(ctx context.Context, token string, output any) error
	Fail(ctx context.Context, token, errorName, cause string) error
}

// Output is the review step's answer: the decision, and for a dispatched
// ticket its department and how long to wait for the reply (the waiting
// step's TimeoutSecondsPath). The operator steps' outputs carry the
// decision the workflow's Choice reads.
type Output struct {
	Decision            string `json:"decision,omitempty"`
	DepartmentID        string `json:"departmentId,omitempty"`
	ReplyTimeoutSeconds int64  `json:"replyTimeoutSeconds,omitempty"`
}

// decisionFailures name the step failures of the review decisions that
// leave the happy path; Resume.<step> those of a repaired ticket's steps.
var decisionFailures = map[string]string{
	ticket.DecisionReject:              "Review.Reject",
	ticket.DecisionMerge:               "Review.Merge",
	ticket.DecisionAnswer:              "Review.Answer",
	string(screening.OutcomeManual):    "Review.Manual",
	string(screening.OutcomeEmergency): "Review.Emergency",
	ticket.DecisionWithdrawn:           "Review.Withdrawn",
}

var resumeFailures = map[string]string{
	"operator": "Resume.Operator",
	"reply":    "Resume.Reply",
	"feedback": "Resume.Feedback",
	"rejected": "Resume.Rejected",
	"merged":   "Resume.Merged",
}

// Handle runs one review action.
func (h *Handler) Handle(ctx context.Context, in task.Input) (Output, error) {
	if err := in.Validate([]string{ActionReview, ActionAwaitOperator, ActionOperatorOverdue, ActionWorkflowFailed}, []string{ActionReview, ActionAwaitOperator}); err != nil {
		return Output{}, task.Report(err)
	}
	log := h.Log.With("ticket_id", in.TicketID, "action", in.Action)
	var out Output
	var err error
	switch in.Action {
	case ActionReview:
		err = h.reviewStep(ctx, in, log)
	case ActionAwaitOperator:
		err = h.awaitOperator(ctx, in)
	case ActionOperatorOverdue:
		out, err = h.operatorOverdue(ctx, in.TicketID, log)
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

// reviewStep reviews a ticket (or finds where a repaired one resumes) and
// answers the waiting review step.
func (h *Handler) reviewStep(ctx context.Context, in task.Input, log *slog.Logger) error {
	t, err := h.Store.GetTicket(ctx, in.TicketID)
	if err != nil {
		return fmt.Errorf("load ticket: %w", err)
	}
	if in.Start != nil && in.Start.Resume {
		step := t.Resume()
		log.InfoContext(ctx, "repaired workflow resumes", "status", string(t.Status), "step", step)
		if step != "review" {
			name, ok := resumeFailures[step]
			if !ok {
				name = "Resume.Done"
			}
			return h.answer(ctx, in.TaskToken, t, Output{}, name)
		}
	}
	if t.Status != ticket.StatusWithdrawn && t.ReviewOutcome == "" {
		if t, err = h.review(ctx, t, log); err != nil {
			return err
		}
	}
	out := Output{Decision: t.ReviewOutcome}
	switch {
	case t.Status == ticket.StatusWithdrawn:
		out.Decision = ticket.DecisionWithdrawn
	case out.Decision == ticket.DecisionAccept && t.Status == ticket.StatusInReview:
		// Accepted, but no rule names a department: an operator picks one.
		return h.answer(ctx, in.TaskToken, t, out, "NoRouteError")
	case out.Decision == ticket.DecisionAccept:
		// Dispatched; on a retry the department may already have acted,
		// which the reply wait finds and answers at once.
		out.DepartmentID, out.ReplyTimeoutSeconds = t.DepartmentID, routing.UntilDeadline(t, h.Now())
		return h.answer(ctx, in.TaskToken, t, out, "")
	}
	name, ok := decisionFailures[out.Decision]
	if !ok {
		return &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionReview}
	}
	return h.answer(ctx, in.TaskToken, t, out, name)
}

// answer completes the review step with out, or fails it as failure. A step
// no longer waiting (answered by an earlier attempt of this one) is done.
func (h *Handler) answer(ctx context.Context, token string, t *ticket.Ticket, out Output, failure string) error {
	var err error
	if failure == "" {
		err = h.Workflow.Complete(ctx, token, out)
	} else {
		cause, _ := json.Marshal(out)
		err = h.Workflow.Fail(ctx, token, failure, string(cause))
	}
	if gone := (*ports.StepGoneError)(nil); errors.As(err, &gone) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("answer the review step of ticket %s: %w", t.ID, err)
	}
	return nil
}

// review decides t and saves the decision; an accepted ticket is
// dispatched in the same save when a rule names its department.
func (h *Handler) review(ctx context.Context, t *ticket.Ticket, log *slog.Logger) (*ticket.Ticket, error) {
	id := t.ID
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	in, err := h.input(ctx, t)
	if err != nil {
		return nil, err
	}
	rules, err := h.Rules.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("load screening rules: %w", err)
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
		case screening.OutcomeAccept:
			dispatched, err := routing.Dispatch(t, cat, now)
			if noRoute := (*catalog.NoRouteError)(nil); errors.As(err, &noRoute) {
				break // the decision stands; an operator picks the department
			}
			if err != nil {
				return nil, err
			}
			evs = append(evs, dispatched...)
		}
		return evs, nil
	})
	if err != nil {
		return nil, err
	}
	log.InfoContext(ctx, "ticket reviewed", "decision", t.ReviewOutcome, "reason", t.ReviewReason)
	if t.Status == ticket.StatusDispatched {
		if len(t.CalendarGap) > 0 {
			// A metric filter counts these: admins load the missing years.
			log.WarnContext(ctx, "deadline counted past the holiday calendar", "calendar_gap_years", t.CalendarGap)
		}
		log.InfoContext(ctx, "ticket routed", "department_id", t.DepartmentID, "rule_id", t.RuleID, "reply_deadline", t.Deadlines.Reply)
	}
	return t, nil
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
