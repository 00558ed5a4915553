package ticket

import "time"

// Metric names of the daily per-department counters behind the three rates
// (三率): response = acceptedOnTime/received, resolution = resolved/replied,
// satisfaction = satisfied/rated.
const (
	MetricReceived       = "received"
	MetricAccepted       = "accepted"
	MetricAcceptedOnTime = "acceptedOnTime"
	MetricReplied        = "replied"
	MetricRepliedOnTime  = "repliedOnTime"
	MetricResolved       = "resolved"
	MetricRated          = "rated"
	MetricSatisfied      = "satisfied"
	MetricOverdue        = "overdue"
)

// MetricNames lists every metric in a stable order.
var MetricNames = []string{
	MetricReceived, MetricAccepted, MetricAcceptedOnTime, MetricReplied, MetricRepliedOnTime,
	MetricResolved, MetricRated, MetricSatisfied, MetricOverdue,
}

// Metric is one counter increment caused by an event: +1 on the department's
// metric on the (China) day of At.
type Metric struct {
	DepartmentID string
	Name         string
	At           time.Time
}

// Metrics returns the counter increments an event causes, judged on t as it
// is saved with the event. The store applies them in the same transaction as
// the event, so each is counted exactly once: a save that loses its race
// writes neither. Events without a department (review, knowledge-base
// answers) count nothing.
func Metrics(t *Ticket, e Event) []Metric {
	if t == nil || t.DepartmentID == "" {
		return nil
	}
	m := func(names ...string) []Metric {
		out := make([]Metric, len(names))
		for i, n := range names {
			out[i] = Metric{DepartmentID: t.DepartmentID, Name: n, At: e.At}
		}
		return out
	}
	switch {
	case e.To == StatusDispatched: // first dispatch, reassignment and reopen alike
		return m(MetricReceived)
	case e.To == StatusAccepted:
		if !t.Deadlines.Accept.IsZero() && !e.At.After(t.Deadlines.Accept) {
			return m(MetricAccepted, MetricAcceptedOnTime)
		}
		return m(MetricAccepted)
	case e.To == StatusReplied:
		names := []string{MetricReplied}
		if t.Reply != nil && t.Reply.Result == ResultResolved {
			names = append(names, MetricResolved)
		}
		if !t.Deadlines.Reply.IsZero() && !e.At.After(t.Deadlines.Reply) {
			names = append(names, MetricRepliedOnTime)
		}
		return m(names...)
	case e.Kind == "rated" && e.To == "":
		if t.Rating != nil && t.Rating.Satisfied {
			return m(MetricRated, MetricSatisfied)
		}
		return m(MetricRated)
	case e.Kind == "overdue" && e.To == "":
		return m(MetricOverdue)
	}
	return nil
}
