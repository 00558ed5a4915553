package ticket

import (
	"fmt"
	"time"
)

// Status is where a ticket is in its life.
type Status string

// Ticket statuses (DESIGN.md §1).
const (
	StatusReceived   Status = "received"
	StatusInReview   Status = "in_review"
	StatusRejected   Status = "rejected"
	StatusMerged     Status = "merged"
	StatusAnswered   Status = "answered"
	StatusDispatched Status = "dispatched"
	StatusAccepted   Status = "accepted"
	StatusReturned   Status = "returned"
	StatusReplied    Status = "replied"
	StatusClosed     Status = "closed"
	// StatusWithdrawn is a ticket its citizen took back (撤单) before the
	// department replied.
	StatusWithdrawn Status = "withdrawn"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{
	StatusReceived, StatusInReview, StatusRejected, StatusMerged, StatusAnswered,
	StatusDispatched, StatusAccepted, StatusReturned, StatusReplied, StatusClosed, StatusWithdrawn,
}

// transitions is the only place that says which status changes are allowed.
var transitions = map[Status][]Status{
	StatusReceived:   {StatusInReview, StatusWithdrawn},
	StatusInReview:   {StatusRejected, StatusMerged, StatusAnswered, StatusDispatched, StatusWithdrawn},
	StatusDispatched: {StatusAccepted, StatusReturned, StatusReplied, StatusWithdrawn},
	StatusAccepted:   {StatusReplied, StatusReturned, StatusWithdrawn},
	StatusReturned:   {StatusDispatched, StatusWithdrawn},
	StatusReplied:    {StatusClosed, StatusDispatched},
	StatusAnswered:   {StatusClosed, StatusDispatched},
	// A merged ticket is handled as part of the ticket it joined and closes
	// with it (its citizen is told that ticket's result).
	StatusMerged: {StatusClosed},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range Statuses {
		if k == s {
			return true
		}
	}
	return false
}

// Final reports whether no transition leaves s.
func (s Status) Final() bool { return s.Valid() && len(transitions[s]) == 0 }

// Open reports whether a ticket in s is still handled on its own: not final
// and not merged into another. Only open tickets take supplements, count as
// duplicates, or take merges.
func (s Status) Open() bool { return s.Valid() && !s.Final() && s != StatusMerged }

// CanTransition reports whether a ticket may move from one status to another.
func CanTransition(from, to Status) bool {
	for _, t := range transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// TransitionError says a status change is not in the table.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("ticket cannot go from %s to %s", e.From, e.To)
}

// CheckTransition returns a *TransitionError unless from → to is allowed.
func CheckTransition(from, to Status) error {
	if !CanTransition(from, to) {
		return &TransitionError{From: from, To: to}
	}
	return nil
}

// Actor says who causes a change, for the timeline.
type Actor struct {
	Role string
	ID   string
}

// Transition moves the ticket to a new status if the table allows it and returns
// the timeline event for the change. It does not persist anything: the store
// saves the ticket conditionally on the version it was loaded with.
func (t *Ticket) Transition(to Status, at Actor, when time.Time, note Text) (Event, error) {
	if err := CheckTransition(t.Status, to); err != nil {
		return Event{}, err
	}
	from := t.Status
	t.Status = to
	t.UpdatedAt = when
	e := Event{
		TicketID:  t.ID,
		At:        when,
		Kind:      "status." + string(to),
		ActorRole: at.Role,
		ActorID:   at.ID,
		From:      from,
		To:        to,
		Public:    true,
	}
	e.setNote(note)
	return e, nil
}

// Note records a timeline entry that does not change the status.
func (t *Ticket) Note(kind string, at Actor, when time.Time, note Text, public bool) Event {
	t.UpdatedAt = when
	e := Event{TicketID: t.ID, At: when, Kind: kind, ActorRole: at.Role, ActorID: at.ID, Public: public}
	e.setNote(note)
	return e
}

// StatusReassigning is what a citizen sees while a department's return waits
// for an operator to reassign the ticket: the departments' argument is theirs.
const StatusReassigning Status = "reassigning"

// CitizenStatus is the status as a citizen sees it: a returned ticket is being
// reassigned.
func CitizenStatus(s Status) Status {
	if s == StatusReturned {
		return StatusReassigning
	}
	return s
}

// StatusText says a status (as CitizenStatus gives it) in the citizen's terms.
func StatusText(s Status, lang Language) string {
	texts := map[Status][2]string{
		StatusReceived:    {"已受理", "received"},
		StatusInReview:    {"审核中", "being reviewed"},
		StatusRejected:    {"不予受理", "not accepted"},
		StatusMerged:      {"已并单办理", "handled with another ticket"},
		StatusAnswered:    {"已直接答复", "answered"},
		StatusDispatched:  {"已派单，等待部门办理", "sent to the department"},
		StatusAccepted:    {"部门办理中", "being handled by the department"},
		StatusReassigning: {"正在重新派单", "being reassigned"},
		StatusReplied:     {"部门已答复，请评价", "replied: please rate the answer"},
		StatusClosed:      {"已办结", "closed"},
		StatusWithdrawn:   {"已撤单", "withdrawn"},
	}
	t, ok := texts[s]
	if !ok {
		return string(s)
	}
	if lang == LanguageEN {
		return t[1]
	}
	return t[0]
}
