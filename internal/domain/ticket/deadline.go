package ticket

import (
	"fmt"
	"time"
)

// ServiceLevel is how fast a department must act on a ticket (per category,
// else per type). The clock starts at dispatch.
type ServiceLevel struct {
	// AcceptHours is the time to acknowledge (签收). A multiple of 24 counts
	// working days (24 = by the end of the next working day); anything else is
	// wall-clock hours.
	AcceptHours int `json:"acceptHours"`
	// ReplyWorkingDays is the time to answer in working days.
	ReplyWorkingDays int `json:"replyWorkingDays,omitempty"`
	// ReplyHours, when set, replaces ReplyWorkingDays with wall-clock hours for
	// urgent categories (gas leaks, water outages).
	ReplyHours int `json:"replyHours,omitempty"`
}

// ServiceLevelError says a service level is unusable.
type ServiceLevelError struct {
	Msg string
}

func (e *ServiceLevelError) Error() string { return "invalid service level: " + e.Msg }

// Validate checks the bounds: accept 1 h–30 working days, exactly one of reply
// working days (1–60) or reply hours (1–720).
func (l ServiceLevel) Validate() error {
	switch {
	case l.AcceptHours < 1 || l.AcceptHours > 24*30:
		return &ServiceLevelError{Msg: "acceptHours must be 1 to 720"}
	case l.ReplyWorkingDays != 0 && l.ReplyHours != 0:
		return &ServiceLevelError{Msg: "set either replyWorkingDays or replyHours, not both"}
	case l.ReplyWorkingDays == 0 && l.ReplyHours == 0:
		return &ServiceLevelError{Msg: "replyWorkingDays or replyHours required"}
	case l.ReplyWorkingDays < 0 || l.ReplyWorkingDays > 60:
		return &ServiceLevelError{Msg: "replyWorkingDays must be 1 to 60"}
	case l.ReplyHours < 0 || l.ReplyHours > 720:
		return &ServiceLevelError{Msg: "replyHours must be 1 to 720"}
	}
	return nil
}

func (l ServiceLevel) String() string {
	if l.ReplyHours > 0 {
		return fmt.Sprintf("accept %dh, reply %dh", l.AcceptHours, l.ReplyHours)
	}
	return fmt.Sprintf("accept %dh, reply %d working days", l.AcceptHours, l.ReplyWorkingDays)
}

// DefaultServiceLevel is the level for a type when the category sets none
// (DESIGN.md §1): accept within 1 working day; reply within 3 working days for
// consultation and help, 13 for complaint, suggestion and report. Praise needs
// only to be passed on to the unit praised, so it gets 5 working days — long
// enough not to crowd real work, short enough that the citizen hears back.
func DefaultServiceLevel(t Type) ServiceLevel {
	switch t {
	case TypeConsultation, TypeHelp:
		return ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 3}
	case TypePraise:
		return ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 5}
	default:
		return ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 13}
	}
}

// UrgentServiceLevel is the slowest an urgent ticket is handled at: accept
// within an hour, reply within a day, counted in hours, not working days.
var UrgentServiceLevel = ServiceLevel{AcceptHours: 1, ReplyHours: 24}

// Urgent is the level for an urgent ticket: the level itself when it is
// already counted in hours, else UrgentServiceLevel.
func (l ServiceLevel) Urgent() ServiceLevel {
	if l.ReplyHours > 0 && l.AcceptHours < 24 {
		return l
	}
	return UrgentServiceLevel
}

// EscalationInterval is how long after a missed reply deadline each further
// escalation (督办) comes for a level counted in hours: a quarter of the reply
// time, between one hour and a day. It is 0 for levels counted in working
// days, which escalate every working day.
func (l ServiceLevel) EscalationInterval() time.Duration {
	if l.ReplyHours <= 0 {
		return 0
	}
	return min(max(time.Duration(l.ReplyHours)*time.Hour/4, time.Hour), 24*time.Hour)
}

// DueSoonAt is when a department is warned that a reply deadline nears
// (临期预警): a fifth of the time from dispatch to the deadline before it,
// at most a day and at least half an hour. Zero when there is no deadline.
func DueSoonAt(dispatchedAt, reply time.Time) time.Time {
	if reply.IsZero() || dispatchedAt.IsZero() || !reply.After(dispatchedAt) {
		return time.Time{}
	}
	lead := min(max(reply.Sub(dispatchedAt)/5, 30*time.Minute), 24*time.Hour)
	return reply.Add(-lead)
}

// ComputeDeadlines returns the accept and reply deadlines (China time) for a
// ticket dispatched at dispatchedAt. An accept deadline later than the reply
// deadline (urgent categories) is pulled in to the reply deadline: a reply
// implies acceptance.
func ComputeDeadlines(dispatchedAt time.Time, level ServiceLevel, cal Calendar) Deadlines {
	var d Deadlines
	switch {
	case level.AcceptHours > 0 && level.AcceptHours%24 == 0:
		d.Accept = cal.AddWorkingDays(dispatchedAt, level.AcceptHours/24)
	case level.AcceptHours > 0:
		d.Accept = AddHours(dispatchedAt, level.AcceptHours)
	}
	switch {
	case level.ReplyHours > 0:
		d.Reply = AddHours(dispatchedAt, level.ReplyHours)
	case level.ReplyWorkingDays > 0:
		d.Reply = cal.AddWorkingDays(dispatchedAt, level.ReplyWorkingDays)
	}
	if !d.Accept.IsZero() && !d.Reply.IsZero() && d.Accept.After(d.Reply) {
		d.Accept = d.Reply
	}
	return d
}

// Urgency is how fast a ticket must be handled, beside its service level.
type Urgency string

// Urgencies an operator can set (API: "urgency": "normal|urgent").
const (
	UrgencyNormal Urgency = "normal"
	UrgencyUrgent Urgency = "urgent"
)

// Valid reports whether u is an urgency an operator can set; "" keeps the
// ticket's.
func (u Urgency) Valid() bool { return u == "" || u == UrgencyNormal || u == UrgencyUrgent }
