package dataplane_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/adapters/metrics"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// The functions' store counts what it saves: an overdue and an escalated
// reply under the ticket's department, a filed ticket once (its replay not
// again), and nothing for a save the store refused.
func TestStoreCountsSavedEvents(t *testing.T) {
	e := localtest.Start(t)
	ctx := context.Background()
	counts := metrics.NewMemory()
	s := &dataplane.Store{Store: e.Store, Metrics: counts}
	id, _ := e.Routed(t) // dispatched to market, counted elsewhere
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, kind := range []string{"overdue", "escalated"} {
		if _, err := lifecycle.Update(ctx, s, id, func(tk *ticket.Ticket) ([]ticket.Event, error) {
			return []ticket.Event{tk.Note(kind, ticket.Actor{Role: ticket.ActorSystem}, now, ticket.Say("超期", "overdue"), false)}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	tk, err := s.GetTicket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	lost := s.SaveTicket(ctx, tk, ticket.StatusClosed, tk.Note("overdue", ticket.Actor{Role: ticket.ActorSystem}, now, ticket.Say("超期", "overdue"), false))
	if lost == nil {
		t.Fatal("a save expecting the wrong status was taken")
	}

	fresh := &ticket.Ticket{ID: "260302MTRC01", Type: ticket.TypeComplaint, Category: "consumer.refund", Channel: ticket.ChannelWeb,
		Content: "电饭煲坏了，商家不退货。", Language: ticket.LanguageZH, Status: ticket.StatusReceived, CreatedAt: now, UpdatedAt: now}
	first := fresh.Note("received", ticket.Actor{Role: ticket.ActorCitizen}, now, ticket.Say("工单已受理", "ticket received"), true)
	idem := &ports.Idempotency{Key: "k-metrics", BodyHash: "h", Response: []byte(`{}`), ExpiresAt: now.Add(time.Hour)}
	for range 2 { // the second is a replay
		if _, err := s.CreateTicket(ctx, fresh, first, idem); err != nil {
			t.Fatal(err)
		}
	}

	for _, c := range []struct {
		metric, dim, value string
		want               float64
	}{
		{metrics.TicketsOverdue, metrics.Department, "market", 1},
		{metrics.TicketsOverdue, "", "", 1},
		{metrics.TicketsEscalated, metrics.Department, "market", 1},
		{metrics.TicketsFiled, "", "", 1},
		{metrics.TicketsDispatched, "", "", 0},
	} {
		if got := counts.Count(c.metric, c.dim, c.value); got != c.want {
			t.Errorf("%s %s=%q: %v, want %v (all %+v)", c.metric, c.dim, c.value, got, c.want, counts.Points())
		}
	}
}
