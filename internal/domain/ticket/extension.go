package ticket

import (
	"fmt"
	"strings"
	"time"
)

// Extension is a department's request for more time (延期) and the
// operator's decision on it.
type Extension struct {
	Days        int       `json:"days"` // working days asked for
	Reason      string    `json:"reason"`
	RequestedAt time.Time `json:"requestedAt"`
	By          string    `json:"by"` // the department's staff subject
	// Decision is empty while the request is open, then approved, rejected
	// or withdrawn (the department replied or returned the ticket first).
	Decision       ExtensionDecision `json:"decision,omitempty"`
	DecisionReason string            `json:"decisionReason,omitempty"`
	DecidedAt      time.Time         `json:"decidedAt,omitzero"`
	DecidedBy      string            `json:"decidedBy,omitempty"`
	// PreviousReply is the reply deadline before an approval moved it.
	PreviousReply time.Time `json:"previousReply,omitzero"`
}

// ExtensionDecision is how an extension request ended.
type ExtensionDecision string

// Extension decisions.
const (
	ExtensionApproved  ExtensionDecision = "approved"
	ExtensionRejected  ExtensionDecision = "rejected"
	ExtensionWithdrawn ExtensionDecision = "withdrawn"
)

// Bounds of an extension request.
const (
	MaxExtensionDays = 30
)

// ExtensionError says an extension request or decision does not fit the
// ticket's current state (wrong status, deadline passed, one already open,
// none open). HTTP 409.
type ExtensionError struct{ Reason string }

func (e *ExtensionError) Error() string { return "extension: " + e.Reason }

// CheckExtensionRequest validates the department's input; the error is a
// *ValidationError naming the fields.
func CheckExtensionRequest(days int, reason string) error {
	fields := map[string]string{}
	if days < 1 || days > MaxExtensionDays {
		fields["days"] = fmt.Sprintf("1 to %d working days", MaxExtensionDays)
	}
	checkText(fields, "reason", reason, reasonText)
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// RequestExtension records an open extension request. It is allowed only
// while the department handles the ticket (dispatched or accepted), before
// the reply deadline has passed, and when no other request is open.
func (t *Ticket) RequestExtension(days int, reason string, by Actor, subject string, now time.Time) (Event, error) {
	if err := CheckExtensionRequest(days, reason); err != nil {
		return Event{}, err
	}
	if t.Status != StatusDispatched && t.Status != StatusAccepted {
		return Event{}, &ExtensionError{Reason: "only a dispatched or accepted ticket can be extended, this one is " + string(t.Status)}
	}
	if t.ExtensionRequested {
		return Event{}, &ExtensionError{Reason: "an extension request is already waiting for a decision"}
	}
	if t.Deadlines.Reply.IsZero() || !now.Before(t.Deadlines.Reply) {
		return Event{}, &ExtensionError{Reason: "the reply deadline has passed; an extension must be asked for before it"}
	}
	reason = strings.TrimSpace(reason)
	t.Extension = &Extension{Days: days, Reason: reason, RequestedAt: now, By: subject}
	t.ExtensionRequested = true
	note := Say(fmt.Sprintf("申请延期 %d 个工作日：%s", days, reason), fmt.Sprintf("extension of %d working days requested: %s", days, reason))
	return t.Note("extension.requested", by, now, note, false), nil
}

// DecideExtension answers the open request. An approval moves the reply
// deadline by the requested working days on cal, counted from the current
// deadline, and clears Overdue when the new deadline is still ahead. The
// events are for staff; the citizen sees the new deadline itself. An approval
// also ends the parked wait for the reply, which would time out at the old
// deadline, so the workflow waits again on the new one.
func (t *Ticket) DecideExtension(approve bool, reason string, by Actor, cal Calendar, now time.Time) (Event, error) {
	if err := CheckExtensionDecision(&approve, reason); err != nil {
		return Event{}, err
	}
	if !t.ExtensionRequested || t.Extension == nil || t.Extension.Decision != "" {
		return Event{}, &ExtensionError{Reason: "no extension request is waiting for a decision"}
	}
	if t.Status != StatusDispatched && t.Status != StatusAccepted {
		return Event{}, &ExtensionError{Reason: "the ticket is " + string(t.Status) + "; nothing to extend"}
	}
	x := t.Extension
	x.DecisionReason, x.DecidedAt, x.DecidedBy = strings.TrimSpace(reason), now, by.ID
	t.ExtensionRequested = false
	if !approve {
		x.Decision = ExtensionRejected
		note := Say("延期申请未获批准", "extension rejected")
		if x.DecisionReason != "" {
			note = Say(note.ZH+"："+x.DecisionReason, note.EN+": "+x.DecisionReason)
		}
		return t.Note("extension.rejected", by, now, note, false), nil
	}
	x.Decision = ExtensionApproved
	x.PreviousReply = t.Deadlines.Reply
	t.Deadlines.Reply = cal.AddWorkingDays(t.Deadlines.Reply, x.Days)
	if t.Deadlines.Reply.After(now) {
		t.Overdue = false
	}
	if t.WaitingStep == StepDispatch {
		// Taking the token makes a reply racing this decision leave it alone
		// (AwaitReply, parked again, sees the reply itself).
		if err := t.AnswerToken(t.TakeStep(), HandlingOutcome{Outcome: OutcomeExtended}); err != nil {
			return Event{}, err
		}
	}
	due := t.Deadlines.Reply.In(China).Format(time.DateOnly)
	note := Say("延期已批准，答复期限延至 "+due, "extension approved; reply due "+due)
	return t.Note("extension.approved", by, now, note, false), nil
}

// CheckExtensionDecision checks an operator's decision on an extension: a
// rejection needs a reason, since the department is told why it must keep
// its deadline.
func CheckExtensionDecision(approve *bool, reason string) error {
	fields := map[string]string{}
	if approve == nil {
		fields["approve"] = "required: true or false"
	}
	r := checkText(fields, "reason", reason, optionalReasonText)
	if approve != nil && !*approve && r == "" && fields["reason"] == "" {
		fields["reason"] = "required when rejecting"
	}
	if len(fields) > 0 {
		return &ValidationError{Message: "invalid extension decision", Fields: fields}
	}
	return nil
}

// WithdrawExtension closes an open request because the department acted
// (replied or returned the ticket) before an operator decided.
func (t *Ticket) WithdrawExtension(now time.Time) {
	if !t.ExtensionRequested {
		return
	}
	t.ExtensionRequested = false
	if t.Extension != nil && t.Extension.Decision == "" {
		t.Extension.Decision, t.Extension.DecidedAt = ExtensionWithdrawn, now
	}
}
