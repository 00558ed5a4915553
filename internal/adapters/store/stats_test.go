package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// The counters a status change causes are written with it: of racing saves
// of the same change only the winner counts, and a save refused for its
// status counts nothing.
func TestSaveTicketCountsExactlyOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.create(t, newTicket("T1", e.clock.Now()))
	deadline := e.clock.Now().Add(72 * time.Hour)
	e.dispatch(t, tk, "market", deadline)
	day := e.clock.Now()

	loaded, err := e.store.GetTicket(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	loaded.Deadlines.Accept = e.clock.Now().Add(time.Hour)
	const n = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		wins  int
		other []error
		gate  = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			mine := *loaded
			// Distinct times give distinct event keys: only the ticket's
			// condition decides.
			ev, err := mine.Transition(ticket.StatusAccepted, ticket.Actor{Role: ticket.ActorDepartment, ID: "market"}, e.clock.Now().Add(time.Duration(i)*time.Millisecond), ticket.Verbatim(""))
			if err != nil {
				t.Error(err)
				return
			}
			<-gate
			err = e.store.SaveTicket(ctx, &mine, ticket.StatusDispatched, ev)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, &ports.ConflictError{}):
				other = append(other, err)
			}
		})
	}
	close(gate)
	wg.Wait()
	if wins != 1 || len(other) > 0 {
		t.Fatalf("%d wins, errors %v", wins, other)
	}
	// A stale save of a second change is refused and adds nothing either.
	stale := *loaded
	ev, _ := stale.Transition(ticket.StatusReturned, ticket.Actor{Role: ticket.ActorDepartment, ID: "market"}, e.clock.Now(), ticket.Verbatim(""))
	if err := e.store.SaveTicket(ctx, &stale, ticket.StatusDispatched, ev); !errors.Is(err, &ports.ConflictError{}) {
		t.Fatalf("stale save: %v", err)
	}

	got, err := e.store.Counts(ctx, ticket.FamilyRates, day, day)
	if err != nil {
		t.Fatal(err)
	}
	market := ticket.DepartmentScope("market")
	want := map[string]int{ticket.MetricReceived: 1, ticket.MetricAccepted: 1, ticket.MetricAcceptedOnTime: 1}
	if len(got[market]) != len(want) {
		t.Fatalf("stats %v, want market %v", got, want)
	}
	for k, v := range want {
		if got[market][k] != v {
			t.Fatalf("stats %v, want market %v", got, want)
		}
	}
	// The saved tally says what was counted: a ticket read back counts no more.
	again, err := e.store.GetTicket(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if extra := again.Count([]ticket.Event{{Kind: "status.accepted", To: ticket.StatusAccepted, At: e.clock.Now()}}); len(extra) != 0 {
		t.Fatalf("counted again: %v", extra)
	}
}

// Two events of one save that hit the same counter item are merged into one
// update (a transaction may touch an item once); changes that cancel out
// write nothing.
func TestSaveTicketMergesCountersOfOneSave(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.create(t, newTicket("T1", e.clock.Now()))
	e.dispatch(t, tk, "market", e.clock.Now().Add(72*time.Hour))
	// Corrected to another category and back within one save.
	tk.Category = "consumer.quality"
	first := tk.Count(nil)
	tk.Category = "consumer.refund"
	if list := e.store.addCounters(nil, append(first, tk.Count(nil)...)); len(list) != 0 {
		t.Fatalf("cancelled changes kept: %v", list)
	}
	dept := ticket.Actor{Role: ticket.ActorDepartment, ID: "market"}
	evs := []ticket.Event{tk.Note("overdue", dept, e.clock.Now(), ticket.Verbatim(""), false), tk.Note("overdue", dept, e.clock.Now().Add(time.Millisecond), ticket.Verbatim(""), false)}
	if err := e.store.SaveTicket(ctx, tk, ticket.StatusDispatched, evs...); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.Counts(ctx, ticket.FamilyRates, e.clock.Now(), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	market := got[ticket.DepartmentScope("market")]
	if market[ticket.MetricOverdue] != 1 || market[ticket.MetricDue] != 1 || market[ticket.MetricReceived] != 1 {
		t.Fatalf("stats %v", got)
	}
}

// One save's metrics of one scope and day share one counter item, and the
// counters stored one item per metric (the first layout) still count.
func TestCountersShareAnItemPerScopeAndDay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.create(t, newTicket("T1", e.clock.Now()))
	e.dispatch(t, tk, "market", e.clock.Now().Add(72*time.Hour))
	day := e.clock.Now().In(e.store.loc).Format(dayKey)
	out, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(e.store.Table()), Key: counterKey(day, ticket.ScopeHotline), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item[metricPrefix+ticket.MetricReceived] == nil || out.Item[metricPrefix+ticket.MetricDispatched] == nil {
		t.Fatalf("the hotline's counters of the day: %v %v", out.Item, err)
	}
	old := key("STAT#"+ticket.FamilyRates+"#"+day[:len(monthKey)], day+"#"+ticket.ScopeHotline+"#"+ticket.MetricReceived)
	old[attrCount] = num(5)
	if _, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(e.store.Table()), Item: old}); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.Counts(ctx, ticket.FamilyRates, e.clock.Now(), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if h := got[ticket.ScopeHotline]; h[ticket.MetricReceived] != 6 || h[ticket.MetricDispatched] != 1 {
		t.Fatalf("hotline counts %v", h)
	}
}
