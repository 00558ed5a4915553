// Package feedback is the feedback function (回访): it tells the citizen the
// result by e-mail and/or SMS in their language — exactly once per result, however
// often the step is retried — waits for the rating, and closes the ticket.
package feedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/notice"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/contact"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Actions of the feedback task.
const (
	ActionNotifyRejected = "notify-rejected"
	// ActionNotifyEmergency tells the citizen of a suspected emergency which
	// number to call, before an operator looks at the ticket.
	ActionNotifyEmergency = "notify-emergency"
	ActionNotifyMerged    = "notify-merged"
	ActionAwaitRating     = "await-rating"
	ActionClose           = "close"
	// ActionRatingWindowClosed runs when no rating reached the workflow in time.
	ActionRatingWindowClosed = "rating-window-closed"
)

// Output is an action's result; only rating-window-closed has one.
type Output struct {
	Rating *ticket.RatingOutcome `json:"rating,omitempty"`
}

// Catalog gives department names.
type Catalog interface {
	Current(ctx context.Context) (*catalog.Catalog, error)
}

// Workflow completes a waiting step.
type Workflow interface {
	Complete(ctx context.Context, token string, output any) error
}

// Handler is the feedback function.
type Handler struct {
	Store    lifecycle.Store
	Mailer   ports.Mailer
	Texter   ports.Texter // nil when SMS is switched off
	Catalog  Catalog
	Workflow Workflow
	Now      func() time.Time
	Log      *slog.Logger
}

// Handle runs one feedback action.
func (h *Handler) Handle(ctx context.Context, in task.Input) (Output, error) {
	actions := []string{ActionNotifyRejected, ActionNotifyEmergency, ActionNotifyMerged, ActionAwaitRating, ActionClose, ActionRatingWindowClosed}
	if err := in.Validate(actions, []string{ActionAwaitRating}); err != nil {
		return Output{}, task.Report(err)
	}
	log := h.Log.With("ticket_id", in.TicketID, "action", in.Action)
	var out Output
	var err error
	switch in.Action {
	case ActionNotifyRejected:
		err = h.notifyFinal(ctx, in.TicketID, ticket.StatusRejected, log)
	case ActionNotifyMerged:
		err = h.notifyFinal(ctx, in.TicketID, ticket.StatusMerged, log)
	case ActionNotifyEmergency:
		err = h.notifyEmergency(ctx, in.TicketID, log)
	case ActionAwaitRating:
		err = h.awaitRating(ctx, in, log)
	case ActionClose:
		err = h.close(ctx, in.TicketID, log)
	case ActionRatingWindowClosed:
		out.Rating, err = h.ratingWindowClosed(ctx, in.TicketID, log)
	}
	if err != nil {
		log.ErrorContext(ctx, "feedback failed", "error", err.Error())
	}
	return out, task.Report(err)
}

func (h *Handler) notifyFinal(ctx context.Context, id string, want ticket.Status, log *slog.Logger) error {
	t, err := h.Store.GetTicket(ctx, id)
	if err != nil {
		return fmt.Errorf("load ticket: %w", err)
	}
	if t.Status != want && !(want == ticket.StatusMerged && t.Status == ticket.StatusClosed) {
		return &task.StateError{TicketID: id, Status: t.Status, Action: "notify " + string(want)}
	}
	if err := h.deliver(ctx, t, string(want), log); err != nil {
		return err
	}
	if want == ticket.StatusMerged {
		return h.joinMaster(ctx, t, log)
	}
	return nil
}

// joinMaster links a merged ticket into the ticket it joined, so its citizen
// hears that ticket's result and it closes with it. A ticket merged after the
// master was answered is told at once, and closed at once if the master is.
func (h *Handler) joinMaster(ctx context.Context, merged *ticket.Ticket, log *slog.Logger) error {
	master, err := lifecycle.UpdateAttempts(ctx, h.Store, merged.MergedInto, lifecycle.NoteAttempts, func(m *ticket.Ticket) ([]ticket.Event, error) {
		added, err := m.LinkMerged(merged.ID)
		switch {
		case err != nil:
			return nil, err
		case !added:
			return nil, lifecycle.ErrUnchanged
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("link into ticket %s: %w", merged.MergedInto, err)
	}
	if master.Reply != nil || master.Status == ticket.StatusAnswered {
		h.tellMerged(ctx, master, merged.ID, log)
	}
	if master.Status == ticket.StatusClosed {
		return h.closeMerged(ctx, merged.ID)
	}
	return nil
}

// tellMerged tells the citizen of a merged ticket the master's result, once
// per result round. A notice that cannot go out is logged, not retried here:
// the master's own step must not wait on another citizen's address.
func (h *Handler) tellMerged(ctx context.Context, master *ticket.Ticket, mergedID string, log *slog.Logger) {
	merged, err := h.Store.GetTicket(ctx, mergedID)
	if err == nil {
		var cat *catalog.Catalog
		if cat, err = h.Catalog.Current(ctx); err == nil {
			err = h.send(ctx, merged, "master:"+roundKey(master), notice.MasterResult(merged, master, cat), log)
		}
	}
	if err != nil {
		log.WarnContext(ctx, "merged ticket's citizen not told the result", "merged_ticket_id", mergedID, "error", err.Error())
	}
}

// closeMerged closes a merged ticket with its master; closing twice is harmless.
func (h *Handler) closeMerged(ctx context.Context, id string) error {
	now := ticket.Stamp(h.Now())
	_, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Status == ticket.StatusClosed {
			return nil, lifecycle.ErrUnchanged
		}
		return t.CloseWithMaster(now)
	})
	if err != nil {
		return fmt.Errorf("close merged ticket %s: %w", id, err)
	}
	return nil
}

// notifyEmergency tells the citizen of a suspected emergency which number to
// call. An operator who decided before the notice went out makes it moot.
func (h *Handler) notifyEmergency(ctx context.Context, id string, log *slog.Logger) error {
	t, err := h.Store.GetTicket(ctx, id)
	if err != nil {
		return fmt.Errorf("load ticket: %w", err)
	}
	if t.Status != ticket.StatusInReview || len(t.SuspectedEmergency) == 0 {
		log.InfoContext(ctx, "no suspected emergency to tell of", "status", string(t.Status))
		return nil
	}
	return h.deliver(ctx, t, "emergency", log)
}

// roundKey names the result the citizen is told about: each reopen is a new round.
func roundKey(t *ticket.Ticket) string { return "result:" + strconv.Itoa(t.ReopenCount) }

func (h *Handler) awaitRating(ctx context.Context, in task.Input, log *slog.Logger) error {
	t, err := h.Store.GetTicket(ctx, in.TicketID)
	if err != nil {
		return fmt.Errorf("load ticket: %w", err)
	}
	if t.Status != ticket.StatusReplied && t.Status != ticket.StatusAnswered {
		return &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionAwaitRating}
	}
	if err := h.deliver(ctx, t, roundKey(t), log); err != nil {
		return err
	}
	for _, id := range t.MergedTickets {
		h.tellMerged(ctx, t, id, log)
	}
	var rated *ticket.Rating
	t, err = lifecycle.Update(ctx, h.Store, in.TicketID, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Status != ticket.StatusReplied && t.Status != ticket.StatusAnswered {
			return nil, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionAwaitRating}
		}
		rated = t.Rating
		t.TaskToken, t.WaitingStep = in.TaskToken, ticket.StepFeedback
		return nil, nil
	})
	if err != nil {
		return err
	}
	if rated != nil {
		// The citizen rated before the token was parked.
		out := ticket.RatingOutcomeOf(rated.Satisfied, t.ReopenCount)
		if err := h.Workflow.Complete(ctx, in.TaskToken, out); err != nil {
			return fmt.Errorf("complete rating step: %w", err)
		}
	}
	return nil
}

// ratingWindowClosed decides the rating step whose window ended. A rating the
// citizen saved but whose answer had not reached the workflow yet (Step
// Functions unreachable, the outbox not swept yet) is the step's result, so a
// request to reopen is not lost; without a rating the ticket closes.
func (h *Handler) ratingWindowClosed(ctx context.Context, id string, log *slog.Logger) (*ticket.RatingOutcome, error) {
	t, err := h.Store.GetTicket(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load ticket: %w", err)
	}
	if t.Status != ticket.StatusReplied && t.Status != ticket.StatusAnswered {
		return nil, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionRatingWindowClosed}
	}
	if t.Rating == nil {
		return &ticket.RatingOutcome{}, nil
	}
	out := ticket.RatingOutcomeOf(t.Rating.Satisfied, t.ReopenCount)
	log.WarnContext(ctx, "rating reached the workflow at the end of the rating window", "reopen", out.Reopen)
	return &out, nil
}

func (h *Handler) close(ctx context.Context, id string, log *slog.Logger) error {
	now := ticket.Stamp(h.Now())
	t, err := lifecycle.Update(ctx, h.Store, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Status == ticket.StatusClosed {
			return nil, lifecycle.ErrUnchanged
		}
		note := ticket.Say("办结", "closed")
		if t.Rating == nil {
			note = ticket.Say("回访期满，办结", "closed after the rating window")
		}
		ev, err := t.Transition(ticket.StatusClosed, ticket.Actor{Role: ticket.ActorSystem}, now, note)
		if err != nil {
			var te *ticket.TransitionError
			if errors.As(err, &te) {
				return nil, &task.StateError{TicketID: t.ID, Status: t.Status, Action: ActionClose}
			}
			return nil, err
		}
		t.TaskToken, t.WaitingStep = "", ticket.StepNone
		return []ticket.Event{ev}, nil
	})
	if err != nil {
		return err
	}
	for _, m := range t.MergedTickets {
		if err := h.closeMerged(ctx, m); err != nil {
			return err
		}
	}
	log.InfoContext(ctx, "ticket closed", "merged_tickets", len(t.MergedTickets))
	return nil
}

// deliver sends the message for one result on every channel the citizen gave,
// recording each channel as done on the ticket so a retry skips it.
func (h *Handler) deliver(ctx context.Context, t *ticket.Ticket, result string, log *slog.Logger) error {
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	return h.send(ctx, t, result, notice.Compose(t, cat), log)
}

// send delivers msg to the ticket's citizen on every channel they gave,
// recording each channel as done under result so a retry skips it. E-mail and
// SMS are independent: one failing does not stop the other. When none reaches
// the citizen (every channel failed, or there is none) the ticket goes to the
// operator's queue for a phone call; a notice problem never fails the
// workflow. Only the store and the catalog can make it return an error.
func (h *Handler) send(ctx context.Context, t *ticket.Ticket, result string, msg notice.Message, log *slog.Logger) error {
	if t.Contact == nil {
		return nil // anonymous: nobody to tell
	}
	type channel struct {
		name string
		send func() error
	}
	var channels []channel
	// Only to channels proven the citizen's: an unverified number or address
	// given beside the verified one gets nothing.
	if t.Contact.Email != "" && t.Reaches(ticket.NoticeEmail) {
		channels = append(channels, channel{"email", func() error {
			_, err := h.Mailer.Send(ctx, ports.Email{To: t.Contact.Email, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML})
			return err
		}})
	}
	if phone := contact.MobileE164(t.Contact.Phone); phone != "" && h.Texter != nil && t.Reaches(ticket.NoticeSMS) {
		channels = append(channels, channel{"sms", func() error {
			_, err := h.Texter.Send(ctx, phone, msg.SMS)
			return err
		}})
	}
	told := false
	var failed []string
	for _, c := range channels {
		mark := result + ":" + c.name
		if slices.Contains(t.Notified, mark) {
			told = true
			continue
		}
		if err := c.send(); err != nil {
			// The SDK has retried already; the error names no recipient.
			log.WarnContext(ctx, "citizen notice not delivered", "channel", c.name, "result", result, "error", err.Error())
			failed = append(failed, c.name)
			continue
		}
		told = true
		if err := h.note(ctx, t.ID, func(t *ticket.Ticket, now time.Time) []ticket.Event {
			if slices.Contains(t.Notified, mark) {
				return nil
			}
			t.Notified = append(t.Notified, mark)
			return []ticket.Event{t.Note("notified."+c.name, ticket.Actor{Role: ticket.ActorSystem}, now, noteFor(c.name, result), true)}
		}); err != nil {
			return fmt.Errorf("record %s notice: %w", c.name, err)
		}
		log.InfoContext(ctx, "citizen notified", "channel", c.name, "result", result)
	}
	if told {
		return nil
	}
	mark := result + ":undelivered"
	if err := h.note(ctx, t.ID, func(t *ticket.Ticket, now time.Time) []ticket.Event {
		if slices.Contains(t.Notified, mark) {
			return nil
		}
		t.Notified = append(t.Notified, mark)
		return t.NoticeUndelivered(result, failed, now)
	}); err != nil {
		return fmt.Errorf("record undelivered notice: %w", err)
	}
	log.WarnContext(ctx, "citizen could not be told; an operator calls", "result", result, "failed_channels", len(failed))
	return nil
}

// note changes a ticket in a way no race can make wrong (markers, flags),
// retrying until it is saved; fn returns no events when there is nothing to do.
func (h *Handler) note(ctx context.Context, id string, fn func(t *ticket.Ticket, now time.Time) []ticket.Event) error {
	now := ticket.Stamp(h.Now())
	_, err := lifecycle.UpdateAttempts(ctx, h.Store, id, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		evs := fn(t, now)
		if len(evs) == 0 {
			return nil, lifecycle.ErrUnchanged
		}
		return evs, nil
	})
	return err
}

func noteFor(channel, result string) ticket.Text {
	switch {
	case result == "emergency" && channel == "email":
		return ticket.Say("已邮件提示拨打紧急电话", "told by e-mail which emergency number to call")
	case result == "emergency":
		return ticket.Say("已短信提示拨打紧急电话", "told by SMS which emergency number to call")
	case channel == "email":
		return ticket.Say("已邮件告知办理结果", "result sent by e-mail")
	}
	return ticket.Say("已短信告知办理结果", "result sent by SMS")
}
