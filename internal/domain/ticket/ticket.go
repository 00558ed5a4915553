// Package ticket is the domain of Hotline 12345: what a ticket is, which status
// changes are allowed, and what a valid submission looks like. It imports no AWS
// package so every rule can be tested as a pure function.
package ticket

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hotline12345/hotline/internal/domain/contact"
)

// Type is what the citizen asks for.
type Type string

// Ticket types accepted by the hotline.
const (
	TypeComplaint    Type = "complaint"
	TypeConsultation Type = "consultation"
	TypeSuggestion   Type = "suggestion"
	TypeReport       Type = "report"
	TypeHelp         Type = "help"
	TypePraise       Type = "praise"
)

// Types lists every ticket type in a stable order.
var Types = []Type{TypeComplaint, TypeConsultation, TypeSuggestion, TypeReport, TypeHelp, TypePraise}

// Channel is where the ticket came from.
type Channel string

// Channels through which tickets arrive.
const (
	ChannelPhone   Channel = "phone"
	ChannelWeb     Channel = "web"
	ChannelApp     Channel = "app"
	ChannelWechat  Channel = "wechat"
	ChannelOpen311 Channel = "open311"
)

// Channels lists every channel in a stable order.
var Channels = []Channel{ChannelPhone, ChannelWeb, ChannelApp, ChannelWechat, ChannelOpen311}

// Language of the messages sent to the citizen.
type Language string

// Supported citizen languages.
const (
	LanguageZH Language = "zh"
	LanguageEN Language = "en"
)

// Contact is the citizen's personal data. It exists in plaintext only in memory:
// the store seals it, logs and workflow state never carry it.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// The channels a citizen is told on.
const (
	NoticeSMS   = "sms"
	NoticeEmail = "email"
)

// Channels lists the channels the contact offers: SMS to a mobile number,
// e-mail to an address.
func (c Contact) Channels() []string {
	var out []string
	if contact.MobileE164(c.Phone) != "" {
		out = append(out, NoticeSMS)
	}
	if c.Email != "" {
		out = append(out, NoticeEmail)
	}
	return out
}

// Reaches says whether messages about the ticket may go by the channel: the
// citizen gave it and it was proven theirs.
func (t *Ticket) Reaches(channel string) bool {
	return t.Contact != nil && slices.Contains(t.Reachable, channel)
}

// Location says where the matter is.
type Location struct {
	Region  string   `json:"region,omitempty"` // administrative division code, e.g. 110105
	Address string   `json:"address,omitempty"`
	Lat     *float64 `json:"lat,omitempty"`
	Lng     *float64 `json:"lng,omitempty"`
}

// Deadlines are computed at dispatch on the working-day calendar.
type Deadlines struct {
	Accept time.Time `json:"accept,omitzero"`
	Reply  time.Time `json:"reply,omitzero"`
}

// ReplyResult is the department's handling result.
type ReplyResult string

// Reply results a department may give.
const (
	ResultResolved     ReplyResult = "resolved"
	ResultExplained    ReplyResult = "explained"
	ResultUnresolvable ReplyResult = "unresolvable"
)

// Reply is the department's answer.
type Reply struct {
	Result       ReplyResult `json:"result"`
	Message      string      `json:"message"`
	At           time.Time   `json:"at"`
	DepartmentID string      `json:"departmentId"`
	By           string      `json:"by"`
}

// Rating is the citizen's verdict on the answer (回访).
type Rating struct {
	Satisfied bool `json:"satisfied"`
	// Resolved is the citizen's answer to "was the problem solved?" (nil
	// when they were not asked or did not say).
	Resolved *bool     `json:"resolved,omitempty"`
	Score    int       `json:"score,omitempty"`
	Comment  string    `json:"comment,omitempty"`
	At       time.Time `json:"at"`
	// Method is "phone" when an operator recorded what a citizen said on a
	// return call (回访); empty for the citizen's own rating online.
	Method string `json:"method,omitempty"`
	// By is the operator who recorded a phone rating.
	By string `json:"by,omitempty"`
}

// CoOpinion is a co-handling department's opinion on a ticket.
type CoOpinion struct {
	DepartmentID string    `json:"departmentId"`
	Message      string    `json:"message"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
}

// Stuck is why and since when a ticket's workflow no longer runs.
type Stuck struct {
	Since time.Time `json:"since"`
	// Error is the error name Step Functions reported (e.g. DeliveryError),
	// or why the sweep found the execution ended.
	Error string `json:"error"`
	// Cause is the error's cause, clipped; causes never carry personal data.
	Cause string `json:"cause,omitempty"`
}

// Step names the workflow step that is parked on a task token.
type Step string

// Workflow steps that wait for a person.
const (
	StepNone     Step = ""
	StepOperator Step = "operator" // manual review or reassignment
	StepDispatch Step = "dispatch" // the department's reply
	StepFeedback Step = "feedback" // the citizen's rating
)

// Ticket is one request from one citizen.
type Ticket struct {
	ID           string    `json:"id"`
	Type         Type      `json:"type"`
	Category     string    `json:"category,omitempty"`
	Channel      Channel   `json:"channel"`
	Content      string    `json:"content"`
	InvolvedUnit string    `json:"involvedUnit,omitempty"`
	Location     *Location `json:"location,omitempty"`
	// MediaURL is a link to a photo or video the citizen gave (Open311
	// media_url): an http(s) URL the hotline neither fetches nor checks.
	MediaURL string `json:"mediaUrl,omitempty"`
	// Attributes are the answers to the category's questions (Open311
	// service definition attributes), by attribute code: for staff only,
	// like the content.
	Attributes map[string][]string `json:"attributes,omitempty"`
	// App names the API key of the third-party app that filed an open311
	// ticket.
	App       string   `json:"app,omitempty"`
	Language  Language `json:"language"`
	Anonymous bool     `json:"anonymous"`
	// Contact is sealed at rest; nil for anonymous tickets.
	Contact *Contact `json:"-"`
	// AccessCodeHash is the only form in which the citizen's lookup code is kept.
	AccessCodeHash string `json:"-"`

	Status    Status    `json:"status"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`

	DepartmentID string    `json:"departmentId,omitempty"`
	CoHandlers   []string  `json:"coHandlers,omitempty"`
	RuleID       string    `json:"ruleId,omitempty"`
	DispatchedAt time.Time `json:"dispatchedAt,omitzero"`
	AcceptedAt   time.Time `json:"acceptedAt,omitzero"`
	Deadlines    Deadlines `json:"deadlines,omitzero"`

	Overdue bool `json:"overdue"`
	// ExtensionRequested is true while Extension is an open request (延期)
	// waiting for an operator; it puts the ticket in the review queue.
	ExtensionRequested bool `json:"extensionRequested"`
	Escalated          bool `json:"escalated"`
	ReopenCount        int  `json:"reopenCount"`

	// ReviewOutcome is the automated or operator decision (accept, reject,
	// merge, answer, manual), kept so a retried review step answers the same.
	ReviewOutcome string `json:"reviewOutcome,omitempty"`
	ReviewReason  string `json:"reviewReason,omitempty"`
	// ReviewNotice is what the citizen is told when review rejects the ticket
	// (for emergencies: which number to call), in the ticket's language.
	ReviewNotice string `json:"reviewNotice,omitempty"`
	// SuspectedEmergency lists the emergency numbers (110, 119, 120) the
	// citizen was told to call because an emergency keyword matched, while an
	// operator has not yet confirmed the emergency or ruled it out. Such a
	// ticket comes first in the review queue.
	SuspectedEmergency []string `json:"suspectedEmergency,omitempty"`
	// Urgency is "urgent" when an operator marked the ticket so or the routing
	// rules handle it in hours (a gas leak): its deadlines count hours, and it
	// comes before ordinary tickets in the review queue.
	Urgency Urgency `json:"urgency,omitempty"`
	// PendingDepartmentID is an operator's choice for the next dispatch
	// (review accept or reassignment); routing rules apply when it is empty.
	PendingDepartmentID string   `json:"pendingDepartmentId,omitempty"`
	PendingCoHandlers   []string `json:"pendingCoHandlers,omitempty"`
	MergedInto          string   `json:"mergedInto,omitempty"`
	// PhoneCallNeeded names the notice the citizen could not be sent (no
	// address that works: e-mail and SMS both failed, or none given). It puts
	// the ticket in the operator's queue for a phone call; recording the call
	// clears it.
	PhoneCallNeeded string `json:"phoneCallNeeded,omitempty"`
	// Stuck says the ticket's workflow ended without finishing it (a step
	// failed after its retries, or the execution ended before review). It puts
	// the ticket on the admins' list of stuck tickets until they repair it.
	Stuck *Stuck `json:"stuck,omitempty"`
	// Repairs counts the repairs: each starts a new execution from the
	// ticket's saved state, named <ticket id>-r<n>.
	Repairs int `json:"repairs,omitempty"`
	// SameMatter lists other citizens' open tickets that review found to be
	// about the same matter in the same place (similar content, same category
	// and region): candidates an operator may merge into, never merged
	// automatically.
	SameMatter []string `json:"sameMatter,omitempty"`
	// DuplicateOf is the same citizen's open ticket review found this one
	// repeats (possible_duplicate), for the operator.
	DuplicateOf string `json:"duplicateOf,omitempty"`
	// CalendarGap lists the years a deadline of this ticket was counted
	// through without their official holiday schedule (weekdays were taken as
	// working days); admins load those years' calendars.
	CalendarGap []int `json:"calendarGap,omitempty"`
	// CoOpinions are the co-handling departments' opinions (协办意见), one per
	// department (a later one replaces it); the lead reads them before replying.
	CoOpinions []CoOpinion `json:"coOpinions,omitempty"`
	// Supplements and StaffNotes count what citizens and staff added to the
	// timeline (staff notes and co-handlers' opinions), so both stay bounded:
	// every addition is a write and a line of every view.
	Supplements int `json:"supplements,omitempty"`
	// Reachable lists the channels ("sms", "email") proven to reach the
	// citizen: verified at intake, or given to an operator on the phone.
	// Messages about the ticket go there and nowhere else.
	Reachable  []string `json:"reachable,omitempty"`
	StaffNotes int      `json:"staffNotes,omitempty"`
	// MergedTickets are the tickets merged into this one (并单): their citizens
	// are told this ticket's result, and they close with it.
	MergedTickets []string `json:"mergedTickets,omitempty"`
	Answer        string   `json:"answer,omitempty"`
	Reply         *Reply   `json:"reply,omitempty"`
	// Attachments are the photos and documents citizens and staff attached
	// (cleaned; see Attachment), in the order they came.
	Attachments []Attachment `json:"attachments,omitempty"`
	Rating      *Rating      `json:"rating,omitempty"`
	// Extension is the latest extension request and its decision; earlier
	// ones are on the timeline.
	Extension *Extension `json:"extension,omitempty"`
	// Tally is what the ticket has counted in the statistics (see Count).
	Tally Tally `json:"tally,omitzero"`

	// TaskToken lets a staff action finish the workflow step named by WaitingStep.
	TaskToken   string `json:"-"`
	WaitingStep Step   `json:"waitingStep,omitempty"`
	// Notified records which results the citizen was already told about, so a
	// retried workflow task never sends a second message.
	Notified []string `json:"notified,omitempty"`

	// Outbox holds the answers to waiting workflow steps that this change
	// causes. It is not part of the ticket: the store writes each as an
	// outbox item in the same transaction as the change, so an answer whose
	// sending fails is still sent later (by the sweep), never lost.
	Outbox []Callback `json:"-"`
}

// Callback is the answer to a waiting workflow step: SendTaskSuccess with
// Output, or SendTaskFailure with Failure (and Output as the cause).
type Callback struct {
	// Key identifies the outbox item; the store sets it when it saves.
	Key     string
	Token   string
	Output  json.RawMessage
	Failure string
}

// AnswerStep queues output as the answer to step if the ticket is parked
// there; a step that is not parked yet sees the new status when it parks.
func (t *Ticket) AnswerStep(step Step, output any) error {
	if t.WaitingStep != step || t.TaskToken == "" {
		return nil
	}
	return t.AnswerToken(t.TaskToken, output)
}

// AnswerToken queues output as the answer to the step holding token.
func (t *Ticket) AnswerToken(token string, output any) error {
	if token == "" {
		return nil
	}
	b, err := json.Marshal(output)
	if err != nil {
		return fmt.Errorf("encode answer to the workflow step: %w", err)
	}
	cb := Callback{Token: token, Output: b}
	if f, ok := output.(StepFailure); ok {
		cb.Failure = f.StepFailure()
	}
	t.Outbox = append(t.Outbox, cb)
	return nil
}

// Actor roles recorded on events.
const (
	ActorCitizen    = "citizen"
	ActorSystem     = "system"
	ActorOperator   = "operator"
	ActorDepartment = "department"
	ActorSupervisor = "supervisor"
	ActorAdmin      = "admin"
)

// Event is one immutable entry on a ticket's timeline.
type Event struct {
	TicketID  string    `json:"ticketId"`
	Seq       int       `json:"seq"` // version × SeqPerVersion + index in its save; unique per ticket
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	ActorRole string    `json:"actorRole"`
	ActorID   string    `json:"actorId,omitempty"`
	From      Status    `json:"from,omitempty"`
	To        Status    `json:"to,omitempty"`
	// Note says what happened, in Chinese; NoteEN in English where it differs
	// (NoteIn picks one).
	Note   string `json:"note,omitempty"`
	NoteEN string `json:"noteEn,omitempty"`
	// Public events are shown to the citizen; staff see all.
	Public bool `json:"public"`
	// Attachments are the ids of the files the entry brought (a ticket, a
	// supplement, a reply), kept on the ticket (Ticket.Attachments).
	Attachments []string `json:"attachments,omitempty"`
}

// SeqPerVersion numbers a save's events: Seq = the version the save produced
// × SeqPerVersion + the event's index in the save.
const SeqPerVersion = 100

// Version is the ticket version the event's save produced.
func (e Event) Version() int { return e.Seq / SeqPerVersion }
