package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func TestChannelTicketsListsOpen311RequestsOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	var want []string // newest first
	for i := range 5 {
		tk := newTicket(fmt.Sprintf("261120AAAA%d%d", i, i), base.Add(time.Duration(i)*time.Hour))
		tk.Channel = ticket.ChannelOpen311
		e.create(t, tk)
		want = append([]string{tk.ID}, want...)
		web := newTicket(fmt.Sprintf("261120BBBB%d%d", i, i), base.Add(time.Duration(i)*time.Hour+time.Minute))
		e.create(t, web)
	}
	// A save keeps the ticket on the index (the key is written once).
	tk, err := e.store.GetTicketMeta(ctx, want[4])
	if err != nil {
		t.Fatal(err)
	}
	ev, err := tk.Transition(ticket.StatusInReview, ticket.Actor{Role: ticket.ActorSystem}, base.Add(time.Hour), ticket.Verbatim(""))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveTicket(ctx, tk, ticket.StatusReceived, ev); err != nil {
		t.Fatal(err)
	}

	list := func(from, to time.Time, budget int, stopAt int) ([]ticket.Ticket, bool) {
		t.Helper()
		var got []ticket.Ticket
		more, err := e.store.ChannelTickets(ctx, ticket.ChannelOpen311, from, to, budget, func(x *ticket.Ticket) bool {
			got = append(got, *x)
			return len(got) != stopAt
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, more
	}
	got, more := list(base, base.Add(24*time.Hour), 100, -1)
	if !slices.Equal(ids(got), want) || more {
		t.Fatalf("listed %v (more %v), want %v", ids(got), more, want)
	}
	for _, x := range got {
		if x.Contact != nil {
			t.Fatal("a listed ticket carries its contact")
		}
	}
	if got[4].Status != ticket.StatusInReview {
		t.Errorf("saved ticket listed as %s", got[4].Status)
	}
	// [from, to): the ticket at `to` is out, the one at `from` in.
	got, _ = list(base.Add(time.Hour), base.Add(3*time.Hour), 100, -1)
	if !slices.Equal(ids(got), want[2:4]) {
		t.Fatalf("range listed %v, want %v", ids(got), want[2:4])
	}
	got, more = list(base, base.Add(24*time.Hour), 3, -1)
	if !slices.Equal(ids(got), want[:3]) || !more {
		t.Fatalf("budget 3 listed %v (more %v)", ids(got), more)
	}
	got, more = list(base, base.Add(24*time.Hour), 100, 2)
	if !slices.Equal(ids(got), want[:2]) || more {
		t.Fatalf("stopped at 2: %v (more %v)", ids(got), more)
	}
	var inv *InvalidArgumentError
	if _, err := e.store.ChannelTickets(ctx, ticket.ChannelWeb, base, base.Add(time.Hour), 10, func(*ticket.Ticket) bool { return true }); !errors.As(err, &inv) {
		t.Fatalf("web channel: %v", err)
	}
}
