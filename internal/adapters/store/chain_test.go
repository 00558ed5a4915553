package store

import (
	"testing"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func TestCheckStatusChain(t *testing.T) {
	step := func(from, to ticket.Status) ticket.Event { return ticket.Event{From: from, To: to} }
	note := ticket.Event{Kind: "supplement"}
	cases := []struct {
		name     string
		from, to ticket.Status
		events   []ticket.Event
		ok       bool
	}{
		{"no change", ticket.StatusDispatched, ticket.StatusDispatched, []ticket.Event{note}, true},
		{"one step", ticket.StatusDispatched, ticket.StatusAccepted, []ticket.Event{step("dispatched", "accepted")}, true},
		{"two steps in one save", ticket.StatusReceived, ticket.StatusRejected,
			[]ticket.Event{step("received", "in_review"), step("in_review", "rejected")}, true},
		{"skip without events", ticket.StatusReceived, ticket.StatusRejected, nil, false},
		{"events out of order", ticket.StatusReceived, ticket.StatusRejected,
			[]ticket.Event{step("in_review", "rejected"), step("received", "in_review")}, false},
		{"illegal step", ticket.StatusClosed, ticket.StatusDispatched, []ticket.Event{step("closed", "dispatched")}, false},
		{"events end elsewhere", ticket.StatusReceived, ticket.StatusDispatched, []ticket.Event{step("received", "in_review")}, true},
		{"events end elsewhere, illegal", ticket.StatusReceived, ticket.StatusClosed, []ticket.Event{step("received", "in_review")}, false},
	}
	for _, c := range cases {
		err := checkStatusChain(c.from, c.to, c.events)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}
