package ticket

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The commands people give a ticket. Each checks its input and the ticket's
// state, changes the ticket and returns the timeline events. A command that
// answers a waiting workflow step queues that answer on the ticket (Outbox),
// which the store saves in the same write as the change. Handlers decode,
// authorise, run the command inside lifecycle.Update, save and deliver; the
// rules live here. A command must decide from the ticket it is given only: it
// runs again on a newer version when its save loses a race.

// RefusedError says the ticket's state does not allow the command (HTTP 409).
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason }

// Limits of what people write.
const (
	MaxReplyRunes        = 5000
	MaxReturnReasonRunes = 1000
	MaxSupplementRunes   = 2000
	MaxCommentRunes      = 500
)

// Answers a person's action sends to a waiting workflow step. The state
// machine reads these fields. An answer that leaves the happy path names the
// failure the waiting step fails with (StepFailure), which the state
// machine's Catch sends where the answer leads: the common answer moves the
// workflow on with no Choice state between, one state transition fewer per
// step of every ticket (docs/cost.md).

// StepFailure is the error name an answer fails its waiting step with; ""
// for an answer that completes it.
type StepFailure interface {
	StepFailure() string
}

// ReviewDecision finishes AwaitOperator: accept, reject, merge or answer.
type ReviewDecision struct {
	Decision string `json:"decision"`
}

// HandlingOutcome finishes AwaitReply: replied, returned or extended.
type HandlingOutcome struct {
	Outcome string `json:"outcome"`
}

// StepFailure: a reply completes AwaitReply; a return, an extension or a
// withdrawal fails it as Handling.Returned, Handling.Extended or
// Handling.Withdrawn.
func (o HandlingOutcome) StepFailure() string {
	switch o.Outcome {
	case string(StatusReplied):
		return ""
	case string(StatusReturned):
		return "Handling.Returned"
	case OutcomeExtended:
		return "Handling.Extended"
	case OutcomeWithdrawn:
		return "Handling.Withdrawn"
	}
	return "Handling.Unknown"
}

// OutcomeExtended finishes AwaitReply after an approved extension; the
// workflow reads the new deadline (Rewait) and waits again.
const OutcomeExtended = "extended"

// RatingOutcome finishes Feedback; Reopen sends the ticket back to dispatch.
type RatingOutcome struct {
	Satisfied bool `json:"satisfied"`
	Reopen    bool `json:"reopen"`
}

// StepFailure: a reopen fails Feedback as Rating.Reopen; every other
// rating completes it, and the ticket closes.
func (o RatingOutcome) StepFailure() string {
	if o.Reopen {
		return "Rating.Reopen"
	}
	return ""
}

// MaxReopens bounds how often an unsatisfied citizen sends a ticket back (重办).
const MaxReopens = 2

// RatingOutcomeOf is what a rating asks of the workflow: an unsatisfied
// citizen reopens the ticket while reopens are left.
func RatingOutcomeOf(satisfied bool, reopenCount int) RatingOutcome {
	return RatingOutcome{Satisfied: satisfied, Reopen: !satisfied && reopenCount < MaxReopens}
}

// TakeStep unparks the waiting step and returns its token, so an answer goes
// to it once and a racing action finds nothing to answer.
func (t *Ticket) TakeStep() string {
	tok := t.TaskToken
	t.TaskToken, t.WaitingStep = "", StepNone
	return tok
}

// Catalog is what the operator's commands check against: the categories and
// departments of the current catalog.
type Catalog interface {
	CheckCategory(code string, t Type) error
	HasDepartment(id string) bool
	DepartmentName(id string) string
	DepartmentNameIn(id string, lang Language) string
}

// Accept is the lead department's acknowledgement (签收).
func (t *Ticket) Accept(by Actor, now time.Time) ([]Event, error) {
	ev, err := t.Transition(StatusAccepted, by, now, Say("已签收", "accepted"))
	if err != nil {
		return nil, err
	}
	t.AcceptedAt = now
	return []Event{ev}, nil
}

// CheckReply checks a department's answer and returns the message as kept.
func CheckReply(result ReplyResult, message string) (string, error) {
	fields := map[string]string{}
	switch result {
	case ResultResolved, ResultExplained, ResultUnresolvable:
	default:
		fields["result"] = "resolved, explained or unresolvable"
	}
	msg := checkText(fields, "message", message, replyText)
	if len(fields) > 0 {
		return "", &ValidationError{Message: "invalid reply", Fields: fields}
	}
	return msg, nil
}

// RecordReply is the lead department's answer (答复), with the files that
// back it (photos of the repair, a decision letter). It ends an open
// extension request (no more time is needed) and finishes the wait for a reply.
func (t *Ticket) RecordReply(result ReplyResult, message string, files []Attachment, by Actor, subject string, now time.Time) ([]Event, error) {
	msg, err := CheckReply(result, message)
	if err != nil {
		return nil, err
	}
	if err := CheckTransition(t.Status, StatusReplied); err != nil {
		return nil, err
	}
	if err := t.Attach(files); err != nil {
		return nil, err
	}
	ev, err := t.Transition(StatusReplied, by, now, Say("部门已答复", "the department replied"))
	if err != nil {
		return nil, err
	}
	ev.Attachments = AttachmentIDs(files)
	t.WithdrawExtension(now)
	t.Reply = &Reply{Result: result, Message: msg, At: now, DepartmentID: by.ID, By: subject}
	return []Event{ev}, t.AnswerStep(StepDispatch, HandlingOutcome{Outcome: string(StatusReplied)})
}

// CheckReturnReason checks why a department returns a ticket and returns it as kept.
func CheckReturnReason(reason string) (string, error) {
	fields := map[string]string{}
	r := checkText(fields, "reason", reason, reasonText)
	if len(fields) > 0 {
		return "", &ValidationError{Message: "a return needs a reason", Fields: fields}
	}
	return r, nil
}

// Return is the lead department saying the ticket is not its own (退单): an
// operator reassigns it. The reason is for staff: the citizen sees the
// reassignment, not the departments' argument.
func (t *Ticket) Return(reason string, by Actor, now time.Time) ([]Event, error) {
	r, err := CheckReturnReason(reason)
	if err != nil {
		return nil, err
	}
	ev, err := t.Transition(StatusReturned, by, now, Verbatim(r))
	if err != nil {
		return nil, err
	}
	t.WithdrawExtension(now)
	ev.Public = false
	return []Event{ev}, t.AnswerStep(StepDispatch, HandlingOutcome{Outcome: string(StatusReturned)})
}

// RatingMethodPhone marks a rating an operator recorded on a return call.
const RatingMethodPhone = "phone"

// RatingInput is a rating as given: by the citizen online, or by an operator
// who reached the citizen by phone (Method "phone").
type RatingInput struct {
	Satisfied *bool
	Resolved  *bool
	Score     int
	Comment   string
	Method    string
}

// CheckRating checks a rating (回访) and returns it as kept. Only an operator
// records a phone rating, and an operator records nothing else.
func CheckRating(in RatingInput, byOperator bool) (RatingInput, error) {
	fields := map[string]string{}
	if in.Satisfied == nil {
		fields["satisfied"] = "required"
	}
	if in.Score < 1 || in.Score > 5 {
		fields["score"] = "required: 1 to 5"
	}
	in.Comment = checkText(fields, "comment", in.Comment, commentText)
	switch {
	case byOperator && in.Method != RatingMethodPhone:
		fields["method"] = `"phone": operators record what a citizen said on the phone`
	case !byOperator && in.Method != "":
		fields["method"] = "only an operator records a rating by phone"
	}
	if len(fields) > 0 {
		return RatingInput{}, &ValidationError{Message: "invalid rating", Fields: fields}
	}
	return in, nil
}

// Rate records the rating of a replied or answered ticket, once, and
// finishes the wait for it: an unsatisfied citizen reopens the ticket while
// reopens are left. by is the citizen, or the operator of a phone rating.
func (t *Ticket) Rate(in RatingInput, by Actor, now time.Time) ([]Event, RatingOutcome, error) {
	byOperator := by.Role == ActorOperator || by.Role == ActorAdmin
	r, err := CheckRating(in, byOperator)
	if err != nil {
		return nil, RatingOutcome{}, err
	}
	if t.Status != StatusReplied && t.Status != StatusAnswered {
		return nil, RatingOutcome{}, &RefusedError{Reason: "only a replied or answered ticket can be rated"}
	}
	if t.Rating != nil {
		return nil, RatingOutcome{}, &RefusedError{Reason: "this answer was already rated"}
	}
	t.Rating = &Rating{Satisfied: *r.Satisfied, Resolved: r.Resolved, Score: r.Score, Comment: r.Comment, At: now, Method: r.Method}
	if byOperator {
		t.Rating.By = by.ID
	}
	outcome := RatingOutcomeOf(*r.Satisfied, t.ReopenCount)
	note := Say("满意", "satisfied")
	if !*r.Satisfied {
		note = Say("不满意", "not satisfied")
	}
	if byOperator {
		note = Say("电话回访："+note.ZH, note.EN+" (rated on a return call)")
	}
	if err := t.AnswerStep(StepFeedback, outcome); err != nil {
		return nil, RatingOutcome{}, err
	}
	evs := []Event{t.Note("rated", by, now, note, true)}
	if !outcome.Satisfied && !outcome.Reopen {
		// The reopen loop is bounded, visibly: the ticket closes unsatisfied
		// and supervisors see it among the escalated ones.
		t.Escalated = true
		evs = append(evs, t.Note("reopens_exhausted", Actor{Role: ActorSystem}, now,
			Say(fmt.Sprintf("已重办%d次仍不满意，办结并提请督办", t.ReopenCount), fmt.Sprintf("still unsatisfied after %d reopens: closed and flagged for supervisors", t.ReopenCount)), false))
	}
	return evs, outcome, nil
}

// CheckSupplement checks what a citizen adds to a ticket and returns it as
// kept; files alone make a supplement too, so with files the text may be empty.
func CheckSupplement(content string, files int) (string, error) {
	field := supplementText
	if files > 0 {
		field.Min = 0
	}
	fields := map[string]string{}
	c := checkText(fields, "content", content, field)
	if len(fields) > 0 {
		return "", &ValidationError{Message: "content: " + fields["content"], Fields: fields}
	}
	return c, nil
}

// Supplement adds the citizen's further material (补充材料), words or files or
// both, to an open ticket. It only adds to the timeline and the ticket's
// files, so it never becomes wrong by losing a race.
func (t *Ticket) Supplement(content string, files []Attachment, now time.Time) ([]Event, error) {
	c, err := CheckSupplement(content, len(files))
	if err != nil {
		return nil, err
	}
	if !t.Status.Open() {
		return nil, &RefusedError{Reason: "the ticket is " + string(t.Status) + "; supplements are closed"}
	}
	if t.Supplements >= MaxSupplements {
		return nil, &RefusedError{Reason: fmt.Sprintf("a ticket takes at most %d supplements; this one has them all", MaxSupplements)}
	}
	if err := t.Attach(files); err != nil {
		return nil, err
	}
	t.Supplements++
	note := Verbatim(c)
	if c == "" {
		note = Say(fmt.Sprintf("补充了%d个附件", len(files)), fmt.Sprintf("added %d files", len(files)))
	}
	e := t.Note("supplement", Actor{Role: ActorCitizen}, now, note, true)
	e.Attachments = AttachmentIDs(files)
	return []Event{e}, nil
}

// Review decisions an operator takes on a ticket waiting in review;
// DecisionWithdrawn ends the wait when the citizen withdraws the ticket.
const (
	DecisionWithdrawn = "withdrawn"
	DecisionAccept    = "accept"
	DecisionReject    = "reject"
	DecisionMerge     = "merge"
	DecisionAnswer    = "answer"
)

// OperatorReview is an operator's review decision (人工审核).
type OperatorReview struct {
	Decision     string
	Reason       string   // reject: what the citizen is told
	Category     string   // accept: corrects the category
	DepartmentID string   // accept: the lead department instead of the routing rules
	CoHandlers   []string // accept: co-handling departments
	MergeInto    string   // merge: the open ticket this one joins
	Answer       string   // answer: the answer the citizen gets
	Urgency      Urgency  // accept: "urgent" counts the deadlines in hours; "" keeps the ticket's
}

// check returns what is wrong with the decision for this ticket, field by field.
func (d OperatorReview) check(cat Catalog, t *Ticket) map[string]string {
	fields := map[string]string{}
	switch d.Decision {
	case DecisionAccept:
		switch {
		case d.Category != "":
			if err := cat.CheckCategory(d.Category, t.Type); err != nil {
				fields["category"] = "not a leaf category for this ticket type"
			}
		case t.Category == "":
			// The category sets the service level: without one a gas leak
			// would get a complaint's thirteen working days.
			fields["category"] = "required: the ticket has no category"
		}
		if !d.Urgency.Valid() {
			fields["urgency"] = "normal or urgent"
		}
		if d.DepartmentID != "" && !cat.HasDepartment(d.DepartmentID) {
			fields["departmentId"] = "unknown department"
		}
		for _, co := range d.CoHandlers {
			if !cat.HasDepartment(co) || co == d.DepartmentID {
				fields["coHandlers"] = "unknown department or the lead itself"
			}
		}
	case DecisionReject:
		// Confirming a suspected emergency needs no words: the citizen is
		// told the numbers already named.
		if r := checkText(fields, "reason", d.Reason, optionalReasonText); r == "" && len(t.SuspectedEmergency) == 0 {
			fields["reason"] = "required for a rejection; the citizen is told"
		}
	case DecisionAnswer:
		checkText(fields, "answer", d.Answer, answerText)
	case DecisionMerge:
		if id := NormalizeID(d.MergeInto); !ValidID(id) || id == t.ID {
			fields["mergeInto"] = "the id of another open ticket"
		}
	default:
		fields["decision"] = "accept, reject, merge or answer"
	}
	return fields
}

// DecideReview carries out an operator's decision on a ticket waiting for one
// and finishes that wait. Whether a merge target is open is the caller's to
// check: it needs the other ticket.
func (t *Ticket) DecideReview(d OperatorReview, cat Catalog, by Actor, now time.Time) ([]Event, error) {
	if t.Status != StatusInReview || t.WaitingStep != StepOperator {
		return nil, &RefusedError{Reason: "the ticket is not waiting for an operator's review"}
	}
	if fields := d.check(cat, t); len(fields) > 0 {
		return nil, &ValidationError{Message: "invalid review decision", Fields: fields}
	}
	if err := t.AnswerToken(t.TakeStep(), ReviewDecision{Decision: d.Decision}); err != nil {
		return nil, err
	}
	suspected := t.SuspectedEmergency
	t.ReviewOutcome, t.ReviewReason, t.SuspectedEmergency = d.Decision, "operator", nil
	var ev Event
	var err error
	switch d.Decision {
	case DecisionAccept:
		if d.Category != "" {
			t.Category = d.Category
		}
		t.PendingDepartmentID, t.PendingCoHandlers = d.DepartmentID, d.CoHandlers
		if d.Urgency != "" {
			t.Urgency = d.Urgency
		}
		note := Say("人工审核通过", "accepted by an operator")
		if len(suspected) > 0 {
			note = Say("经人工核实不属于紧急情况，照常办理", "not an emergency: handled as an ordinary ticket")
			t.ReviewNotice = "" // the "call 119 if…" notice no longer applies
		}
		return []Event{t.Note("reviewed", by, now, note, true)}, nil
	case DecisionReject:
		t.ReviewNotice = strings.TrimSpace(d.Reason)
		if len(suspected) > 0 {
			t.ReviewReason = "emergency_confirmed"
			if t.ReviewNotice == "" {
				t.ReviewNotice = EmergencyConfirmedNotice(t.Language, suspected)
			}
		}
		ev, err = t.Transition(StatusRejected, by, now, Verbatim(t.ReviewNotice))
	case DecisionAnswer:
		t.Answer = strings.TrimSpace(d.Answer)
		ev, err = t.Transition(StatusAnswered, by, now, Say("直接答复", "answered directly"))
	default: // merge
		t.MergedInto = NormalizeID(d.MergeInto)
		ev, err = t.Transition(StatusMerged, by, now, Say("并入工单 "+t.MergedInto, "merged into ticket "+t.MergedInto))
	}
	return []Event{ev}, err
}

// Reassign sends a returned ticket waiting for an operator to another lead
// department (改派) and finishes that wait; urgency "" keeps the ticket's. The
// reason, when given, is kept for staff.
func (t *Ticket) Reassign(departmentID, reason string, urgency Urgency, cat Catalog, by Actor, now time.Time) ([]Event, error) {
	fields := map[string]string{}
	if !cat.HasDepartment(departmentID) {
		fields["departmentId"] = "unknown department"
	}
	if !urgency.Valid() {
		fields["urgency"] = "normal or urgent"
	}
	why := checkText(fields, "reason", reason, optionalReasonText)
	if len(fields) > 0 {
		return nil, &ValidationError{Message: "invalid reassignment", Fields: fields}
	}
	if t.Status != StatusReturned || t.WaitingStep != StepOperator {
		return nil, &RefusedError{Reason: "only a returned ticket waiting for an operator can be reassigned"}
	}
	if err := t.AnswerToken(t.TakeStep(), ReviewDecision{Decision: DecisionAccept}); err != nil {
		return nil, err
	}
	t.PendingDepartmentID, t.PendingCoHandlers = departmentID, nil
	t.ReviewOutcome = DecisionAccept
	if urgency != "" {
		t.Urgency = urgency
	}
	evs := []Event{t.Note("reassigned", by, now, Say("改派至 "+cat.DepartmentName(departmentID), "reassigned to "+cat.DepartmentNameIn(departmentID, LanguageEN)), true)}
	if why != "" {
		evs = append(evs, t.Note("staff_note", by, now, Say("改派理由："+why, "why reassigned: "+why), false))
	}
	return evs, nil
}

// NextHandler is where the next dispatch round goes, when a person decided
// it: the operator's choice (review or reassignment) first; on a reopen, the
// department that last handled the ticket, with its co-handlers — it knows the
// case, and an operator's reassignment must not be undone by the rules. ok is
// false when the routing rules decide (a first dispatch, or a reopened
// knowledge-base answer, which no department handled).
func (t *Ticket) NextHandler() (dept string, co []string, rule string, ok bool) {
	if t.PendingDepartmentID != "" {
		return t.PendingDepartmentID, t.PendingCoHandlers, "operator", true
	}
	reopen := t.Status == StatusReplied || t.Status == StatusAnswered
	if reopen && t.DepartmentID != "" {
		return t.DepartmentID, t.CoHandlers, t.RuleID, true
	}
	return "", nil, "", false
}

// EmergencyConfirmedNotice is what the citizen is told when an operator
// confirms a suspected emergency: the hotline does not take the ticket, and
// which numbers to call.
func EmergencyConfirmedNotice(lang Language, numbers []string) string {
	if lang == LanguageEN {
		return "We checked your ticket: it is an emergency. Please call " + strings.Join(numbers, " or ") + " now; the 12345 hotline does not take emergencies."
	}
	return "经核实属于紧急情况，请立即拨打" + strings.Join(numbers, "、") + "。12345热线不受理紧急求助。"
}

// ReviewPriority orders the operator's review queue: suspected emergencies
// first (0), then urgent tickets and citizens waiting for a phone call (1),
// then the rest (2), each oldest first.
func (t *Ticket) ReviewPriority() int {
	switch {
	case len(t.SuspectedEmergency) > 0:
		return 0
	case t.Urgency == UrgencyUrgent, t.PhoneCallNeeded != "":
		return 1
	}
	return 2
}

// NoticeUndelivered records that the citizen could not be told (notice names
// what, e.g. "replied"): an operator calls them. The event is for staff.
func (t *Ticket) NoticeUndelivered(notice string, channels []string, now time.Time) []Event {
	t.PhoneCallNeeded = notice
	how := Say("没有可用的短信或邮箱", "no mobile number or e-mail to use")
	if len(channels) > 0 {
		how = Say("发送失败："+strings.Join(channels, ", "), "sending failed: "+strings.Join(channels, ", "))
	}
	return []Event{t.Note("notice.undelivered", Actor{Role: ActorSystem}, now, Say("通知未能送达，请电话告知市民（"+how.ZH+"）", "the citizen could not be told ("+how.EN+"): call them"), false)}
}

// RecordPhoneCall records an operator's call to a citizen who could not be
// told by e-mail or SMS, and takes the ticket off the operator's queue.
func (t *Ticket) RecordPhoneCall(note string, by Actor, now time.Time) ([]Event, error) {
	fields := map[string]string{}
	n := checkText(fields, "note", note, reasonText)
	if len(fields) > 0 {
		return nil, &ValidationError{Message: "say what the citizen was told", Fields: fields}
	}
	if t.PhoneCallNeeded == "" {
		return nil, &RefusedError{Reason: "no phone call is waiting on this ticket"}
	}
	t.PhoneCallNeeded = ""
	return []Event{t.Note("phone_call", by, now, Say("已电话告知："+n, "told by phone: "+n), false)}, nil
}

// MaxMergedTickets bounds how many tickets one ticket carries merged into it,
// which keeps the ticket item small; more joins are refused.
const MaxMergedTickets = 200

// LinkMerged records that ticket id was merged into t. It reports false when
// the link was there already.
func (t *Ticket) LinkMerged(id string) (bool, error) {
	if slices.Contains(t.MergedTickets, id) {
		return false, nil
	}
	if len(t.MergedTickets) >= MaxMergedTickets {
		return false, &RefusedError{Reason: fmt.Sprintf("ticket %s already has %d tickets merged into it", t.ID, MaxMergedTickets)}
	}
	t.MergedTickets = append(t.MergedTickets, id)
	return true, nil
}

// CloseWithMaster closes a merged ticket when the ticket it joined closes.
func (t *Ticket) CloseWithMaster(now time.Time) ([]Event, error) {
	if t.Status != StatusMerged {
		return nil, &RefusedError{Reason: "only a merged ticket closes with the ticket it joined"}
	}
	ev, err := t.Transition(StatusClosed, Actor{Role: ActorSystem}, now, Say("随工单 "+t.MergedInto+" 办结", "closed with ticket "+t.MergedInto))
	if err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}

// maxCauseRunes clips a failure's cause kept on the ticket.
const maxCauseRunes = 300

// MarkStuck records that the ticket's workflow ended without finishing it.
// Marking a stuck ticket again keeps the first failure.
func (t *Ticket) MarkStuck(errName, cause string, now time.Time) []Event {
	if t.Stuck != nil || t.Status.Final() {
		return nil // a final ticket has nothing left to run
	}
	if r := []rune(cause); len(r) > maxCauseRunes {
		cause = string(r[:maxCauseRunes]) + "…"
	}
	t.Stuck = &Stuck{Since: now, Error: errName, Cause: cause}
	t.TaskToken, t.WaitingStep = "", StepNone // nothing waits any more
	return []Event{t.Note("workflow.failed", Actor{Role: ActorSystem}, now, Say("流程中断，待管理员修复："+errName, "the workflow stopped: "+errName), false)}
}

// Resume names the workflow step a repaired ticket resumes at, from its saved
// status: the step that was running or waiting when its workflow stopped.
// "" means there is nothing left to run.
func (t *Ticket) Resume() string {
	switch t.Status {
	case StatusReceived, StatusInReview:
		if t.WaitingStep == StepOperator || t.ReviewOutcome == "manual" || t.ReviewOutcome == "emergency" {
			return "operator"
		}
		return "review"
	case StatusReturned:
		return "operator"
	case StatusDispatched, StatusAccepted:
		return "reply"
	case StatusReplied, StatusAnswered:
		return "feedback"
	case StatusRejected:
		return "rejected"
	case StatusMerged:
		return "merged"
	}
	return ""
}

// Repair takes a stuck ticket off the admins' list for a new execution, the
// n-th repair (see Repairs); expected is the failure the admin saw, so a
// failure recorded meanwhile is not cleared unseen.
func (t *Ticket) Repair(attempt int, expected *Stuck, by Actor, now time.Time) ([]Event, error) {
	switch {
	case t.Stuck == nil:
		return nil, &RefusedError{Reason: "the ticket's workflow is not stuck"}
	case expected == nil || !t.Stuck.Since.Equal(expected.Since):
		return nil, &RefusedError{Reason: "the ticket failed again meanwhile; look at the new failure"}
	case attempt != t.Repairs+1:
		return nil, &RefusedError{Reason: "another repair of this ticket came first"}
	case t.Resume() == "":
		return nil, &RefusedError{Reason: "the ticket is " + string(t.Status) + "; nothing is left to run"}
	}
	t.Stuck, t.Repairs = nil, attempt
	return []Event{t.Note("workflow.repaired", by, now, Say(fmt.Sprintf("流程已修复（第%d次），从“%s”继续", attempt, t.Resume()), fmt.Sprintf("workflow repaired (repair %d): resumes at %s", attempt, t.Resume())), false)}, nil
}

// MaxNoteRunes bounds a staff note and a co-handler's opinion.
const MaxNoteRunes = 2000

// MaxSupplements (API.md v1.1) and MaxStaffNotes bound what people add to a
// ticket's timeline, so a ticket's views and its partition stay small.
const (
	MaxSupplements = 20
	MaxStaffNotes  = 200
)

// countStaffNote counts a staff note or co-handler's opinion against the bound.
func (t *Ticket) countStaffNote() error {
	if t.StaffNotes >= MaxStaffNotes {
		return &RefusedError{Reason: fmt.Sprintf("a ticket takes at most %d staff notes and opinions; this one has them all", MaxStaffNotes)}
	}
	t.StaffNotes++
	return nil
}

func checkNote(field, note string) (string, error) {
	fields := map[string]string{}
	n := checkText(fields, field, note, noteText)
	if len(fields) > 0 {
		return "", &ValidationError{Message: field + ": " + fields[field], Fields: fields}
	}
	return n, nil
}

// AddStaffNote adds an internal note to the timeline: staff see it, the
// citizen does not.
func (t *Ticket) AddStaffNote(text string, by Actor, now time.Time) ([]Event, error) {
	n, err := checkNote("text", text)
	if err != nil {
		return nil, err
	}
	if err := t.countStaffNote(); err != nil {
		return nil, err
	}
	return []Event{t.Note("staff_note", by, now, Verbatim(n), false)}, nil
}

// AddCoOpinion records a co-handling department's opinion (协办意见) while
// the lead handles the ticket; the lead reads it before replying.
func (t *Ticket) AddCoOpinion(message string, by Actor, subject string, now time.Time) ([]Event, error) {
	m, err := checkNote("message", message)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(t.CoHandlers, by.ID) {
		return nil, &RefusedError{Reason: "only a co-handling department gives an opinion"}
	}
	if t.Status != StatusDispatched && t.Status != StatusAccepted {
		return nil, &RefusedError{Reason: "the ticket is " + string(t.Status) + "; opinions go in while the lead handles it"}
	}
	if err := t.countStaffNote(); err != nil {
		return nil, err
	}
	op := CoOpinion{DepartmentID: by.ID, Message: m, By: subject, At: now}
	if i := slices.IndexFunc(t.CoOpinions, func(o CoOpinion) bool { return o.DepartmentID == by.ID }); i >= 0 {
		t.CoOpinions[i] = op
	} else {
		t.CoOpinions = append(t.CoOpinions, op)
	}
	return []Event{t.Note("co_opinion", by, now, Verbatim(m), false)}, nil
}

// OutcomeWithdrawn ends the wait for the department's reply when the citizen
// withdraws the ticket.
const OutcomeWithdrawn = "withdrawn"

// MaxWithdrawalReasonRunes bounds why a citizen withdraws a ticket.
const MaxWithdrawalReasonRunes = 500

// Withdraw is the citizen taking the ticket back (撤单), allowed until the
// department replies. A workflow step waiting for an operator or for the
// department is answered "withdrawn", which ends the workflow after the
// department is told.
func (t *Ticket) Withdraw(reason string, now time.Time) ([]Event, error) {
	fields := map[string]string{}
	r := checkText(fields, "reason", reason, withdrawalText)
	if len(fields) > 0 {
		return nil, &ValidationError{Message: "say why the ticket is withdrawn", Fields: fields}
	}
	if !CanTransition(t.Status, StatusWithdrawn) {
		return nil, &RefusedError{Reason: "the ticket is " + string(t.Status) + "; it can be withdrawn only until the department replies"}
	}
	ev, err := t.Transition(StatusWithdrawn, Actor{Role: ActorCitizen}, now, Say("市民撤单："+r, "withdrawn by the citizen: "+r))
	if err != nil {
		return nil, err
	}
	t.WithdrawExtension(now)
	t.SuspectedEmergency, t.PhoneCallNeeded = nil, ""
	switch t.WaitingStep {
	case StepOperator:
		err = t.AnswerToken(t.TakeStep(), ReviewDecision{Decision: DecisionWithdrawn})
	case StepDispatch:
		err = t.AnswerToken(t.TakeStep(), HandlingOutcome{Outcome: OutcomeWithdrawn})
	}
	return []Event{ev}, err
}
