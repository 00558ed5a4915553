package ticket

import (
	"slices"
	"testing"
	"time"
)

func TestMetrics(t *testing.T) {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, China)
	acceptBy, replyBy := base.Add(24*time.Hour), base.Add(10*24*time.Hour)
	tk := func(change func(*Ticket)) *Ticket {
		t := &Ticket{ID: "T1", DepartmentID: "market", Deadlines: Deadlines{Accept: acceptBy, Reply: replyBy}}
		if change != nil {
			change(t)
		}
		return t
	}
	status := func(from, to Status, at time.Time) Event {
		return Event{Kind: "status." + string(to), From: from, To: to, At: at}
	}
	note := func(kind string, at time.Time) Event { return Event{Kind: kind, At: at} }
	cases := []struct {
		name string
		t    *Ticket
		e    Event
		want []string
	}{
		{"dispatched", tk(nil), status(StatusInReview, StatusDispatched, base), []string{MetricReceived}},
		{"reopened", tk(nil), Event{Kind: "status.reopened", From: StatusReplied, To: StatusDispatched, At: base}, []string{MetricReceived}},
		{"reassigned", tk(nil), status(StatusReturned, StatusDispatched, base), []string{MetricReceived}},
		{"accepted on time", tk(nil), status(StatusDispatched, StatusAccepted, acceptBy), []string{MetricAccepted, MetricAcceptedOnTime}},
		{"accepted late", tk(nil), status(StatusDispatched, StatusAccepted, acceptBy.Add(time.Millisecond)), []string{MetricAccepted}},
		{"replied resolved on time", tk(func(t *Ticket) { t.Reply = &Reply{Result: ResultResolved} }), status(StatusAccepted, StatusReplied, replyBy), []string{MetricReplied, MetricResolved, MetricRepliedOnTime}},
		{"replied explained late", tk(func(t *Ticket) { t.Reply = &Reply{Result: ResultExplained} }), status(StatusAccepted, StatusReplied, replyBy.Add(time.Second)), []string{MetricReplied}},
		{"rated satisfied", tk(func(t *Ticket) { t.Rating = &Rating{Satisfied: true} }), note("rated", base), []string{MetricRated, MetricSatisfied}},
		{"rated unsatisfied", tk(func(t *Ticket) { t.Rating = &Rating{Satisfied: false} }), note("rated", base), []string{MetricRated}},
		{"overdue", tk(nil), note("overdue", base), []string{MetricOverdue}},
		{"escalated counts nothing", tk(nil), note("escalated", base), nil},
		{"returned counts nothing", tk(nil), status(StatusAccepted, StatusReturned, base), nil},
		{"closed counts nothing", tk(nil), status(StatusReplied, StatusClosed, base), nil},
		{"supplement counts nothing", tk(nil), note("supplement", base), nil},
		{"no department", tk(func(t *Ticket) { t.DepartmentID = ""; t.Rating = &Rating{Satisfied: true} }), note("rated", base), nil},
	}
	for _, c := range cases {
		got := Metrics(c.t, c.e)
		var names []string
		for _, m := range got {
			if m.DepartmentID != "market" || !m.At.Equal(c.e.At) {
				t.Errorf("%s: metric %+v", c.name, m)
			}
			names = append(names, m.Name)
		}
		if !slices.Equal(names, c.want) {
			t.Errorf("%s: %v, want %v", c.name, names, c.want)
		}
	}
	if Metrics(nil, Event{}) != nil {
		t.Error("nil ticket counted")
	}
}
