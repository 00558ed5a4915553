package ticket

import "fmt"

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
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{
	StatusReceived, StatusInReview, StatusRejected, StatusMerged, StatusAnswered,
	StatusDispatched, StatusAccepted, StatusReturned, StatusReplied, StatusClosed,
}

// transitions is the only place that says which status changes are allowed.
var transitions = map[Status][]Status{
	StatusReceived:   {StatusInReview},
	StatusInReview:   {StatusRejected, StatusMerged, StatusAnswered, StatusDispatched},
	StatusDispatched: {StatusAccepted, StatusReturned, StatusReplied},
	StatusAccepted:   {StatusReplied, StatusReturned},
	StatusReturned:   {StatusDispatched},
	StatusReplied:    {StatusClosed, StatusDispatched},
	StatusAnswered:   {StatusClosed, StatusDispatched},
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
