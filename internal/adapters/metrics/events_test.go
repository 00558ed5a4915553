package metrics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/adapters/metrics"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func TestFromEvent(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	sys := ticket.Actor{Role: ticket.ActorSystem}
	for _, tc := range []struct {
		name   string
		status ticket.Status
		event  func(t *ticket.Ticket) ticket.Event
		want   metrics.Sample
		counts bool
	}{
		{"received", ticket.StatusReceived, func(t *ticket.Ticket) ticket.Event {
			return t.Note("received", ticket.Actor{Role: ticket.ActorCitizen}, now, ticket.Say("工单已受理", "ticket received"), true)
		}, metrics.Sample{Metric: metrics.TicketsFiled, TicketID: "T1"}, true},
		{"dispatched", ticket.StatusInReview, func(t *ticket.Ticket) ticket.Event {
			e, err := t.Transition(ticket.StatusDispatched, sys, now, ticket.Say("派单", "dispatched"))
			if err != nil {
				panic(err)
			}
			return e
		}, metrics.Sample{Metric: metrics.TicketsDispatched, Value: "market", TicketID: "T1"}, true},
		{"overdue", ticket.StatusDispatched, func(t *ticket.Ticket) ticket.Event {
			return t.Note("overdue", sys, now, ticket.Say("催办", "overdue"), false)
		}, metrics.Sample{Metric: metrics.TicketsOverdue, Value: "market", TicketID: "T1"}, true},
		{"escalated reply", ticket.StatusAccepted, func(t *ticket.Ticket) ticket.Event {
			return t.Note("escalated", sys, now, ticket.Say("督办", "escalated"), false)
		}, metrics.Sample{Metric: metrics.TicketsEscalated, Value: "market", TicketID: "T1"}, true},
		{"escalated review is no department's", ticket.StatusInReview, func(t *ticket.Ticket) ticket.Event {
			return t.Note("escalated", sys, now, ticket.Say("审核超时", "review overdue"), false)
		}, metrics.Sample{}, false},
		{"a note", ticket.StatusDispatched, func(t *ticket.Ticket) ticket.Event {
			return t.Note("staff_note", sys, now, ticket.Say("备注", "note"), false)
		}, metrics.Sample{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := &ticket.Ticket{ID: "T1", Status: tc.status, DepartmentID: "market"}
			got, ok := metrics.FromEvent(tk, tc.event(tk))
			if ok != tc.counts || got != tc.want {
				t.Errorf("FromEvent = %+v, %v; want %+v, %v", got, ok, tc.want, tc.counts)
			}
		})
	}
}

type failing struct{}

func (failing) Send(context.Context, ports.Email) (string, error) { return "", errors.New("throttled") }

type texting struct{ err error }

func (x texting) Send(context.Context, string, ports.SMS) (string, error) { return "m-1", x.err }

func TestFailedNoticesCountByChannel(t *testing.T) {
	ctx := context.Background()
	m := metrics.NewMemory()
	if _, err := (metrics.Mailer{Mailer: failing{}, Metrics: m}).Send(ctx, ports.Email{To: "a@example.com"}); err == nil {
		t.Fatal("the mailer's error was lost")
	}
	if _, err := (metrics.Texter{Texter: texting{errors.New("opted out")}, Metrics: m}).Send(ctx, "+8613800000000", ports.SMS{Text: "x"}); err == nil {
		t.Fatal("the texter's error was lost")
	}
	if _, err := (metrics.Texter{Texter: texting{}, Metrics: m}).Send(ctx, "+8613800000000", ports.SMS{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		value string
		want  float64
	}{{"", 2}, {"email", 1}, {"sms", 1}} {
		dim := metrics.Channel
		if c.value == "" {
			dim = ""
		}
		if got := m.Count(metrics.NoticesFailed, dim, c.value); got != c.want {
			t.Errorf("NoticesFailed %s=%q: %v, want %v", dim, c.value, got, c.want)
		}
	}
}
