package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// coItems reads a ticket's assignment items by co-handler.
func (e *env) coItems(t *testing.T, id string) map[string]map[string]types.AttributeValue {
	t.Helper()
	out, err := e.db.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                aws.String(e.store.Table()),
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :co)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(ticketPK(id)), ":co": str(skCoPrefix),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]map[string]types.AttributeValue{}
	for _, it := range out.Items {
		m[strAttr(it, attrCoHandler)] = it
	}
	return m
}

// coTab reads a department's whole co tab, page by page.
func (e *env) coTab(t *testing.T, dept string, limit int) []ticket.Ticket {
	t.Helper()
	var all []ticket.Ticket
	cursor := ""
	for {
		items, next, err := e.store.DepartmentInbox(context.Background(), dept, ticket.InboxCo, limit, cursor)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

// checkCo asserts that the ticket's assignment items are exactly those its
// stored state calls for, each saying what the ticket says, and that every
// department's co tab lists the ticket at most once and only if it should.
func (e *env) checkCo(t *testing.T, id string, depts ...string) {
	t.Helper()
	tk, err := e.store.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	want, err := coDepartments(tk)
	if err != nil {
		t.Fatal(err)
	}
	items := e.coItems(t, id)
	if len(items) != len(want) {
		t.Fatalf("ticket %s v%d: assignment items for %v, want %v", id, tk.Version, keys(items), want)
	}
	sum := summaryOf(tk)
	for _, d := range want {
		it, ok := items[d]
		if !ok {
			t.Fatalf("ticket %s: no assignment item for %s", id, d)
		}
		got, err := decodeCoItem(it)
		if err != nil {
			t.Fatal(err)
		}
		if summaryOf(got) != sum || strAttr(it, attrGSI1PK) != "DEPT#"+d+"#co" {
			t.Fatalf("ticket %s: stale item for %s: %+v, want %+v", id, d, summaryOf(got), sum)
		}
	}
	for _, d := range depts {
		n := 0
		for _, x := range e.coTab(t, d, 0) {
			if x.ID == id {
				n++
			}
		}
		if wantN := map[bool]int{true: 1}[slices.Contains(want, d)]; n != wantN {
			t.Fatalf("co tab of %s lists ticket %s %d times, want %d", d, id, n, wantN)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// update re-reads the ticket and saves fn's change, as lifecycle.Update does.
func (e *env) update(t *testing.T, id string, fn func(tk *ticket.Ticket) []ticket.Event) {
	t.Helper()
	tk, err := e.store.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	from := tk.Status
	evs := fn(tk)
	if err := e.store.SaveTicket(context.Background(), tk, from, evs...); err != nil {
		t.Fatal(err)
	}
}

func TestCoHandlerInboxFollowsEverySave(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := e.clock.Now()
	sys := ticket.Actor{Role: ticket.ActorSystem}
	all := []string{"lead", "co-a", "co-b", "other"}

	tk := e.create(t, newTicket("T1", base))
	e.checkCo(t, "T1", all...)
	// A duplicate and the lead itself among the co-handlers: one item per
	// other department.
	tk.CoHandlers = []string{"co-a", "co-a", "lead", "co-b"}
	e.dispatch(t, tk, "lead", base.Add(48*time.Hour))
	e.checkCo(t, "T1", all...)

	items, _, err := e.store.DepartmentInbox(ctx, "co-a", ticket.InboxCo, 10, "")
	if err != nil || len(items) != 1 {
		t.Fatalf("%v %v", items, err)
	}
	got := items[0]
	if got.ID != "T1" || got.DepartmentID != "lead" || got.Status != ticket.StatusDispatched || got.Type != ticket.TypeComplaint ||
		got.Category != "consumer.refund" || !got.Deadlines.Reply.Equal(base.Add(48*time.Hour)) || !got.CreatedAt.Equal(base) {
		t.Fatalf("listed %+v", got)
	}
	// No personal data and no content in the assignment item.
	for name := range e.coItems(t, "T1")["co-a"] {
		switch name {
		case attrDoc, attrContact, attrAccessHash, attrTaskToken, attrGSI3PK, attrGSI3SK:
			t.Fatalf("assignment item carries %s", name)
		}
	}
	if lead, _, _ := e.store.DepartmentInbox(ctx, "lead", ticket.InboxCo, 10, ""); len(lead) != 0 {
		t.Fatalf("the lead's co tab lists %v", ids(lead))
	}

	// Accept, a new deadline, overdue: the items follow.
	e.update(t, "T1", func(tk *ticket.Ticket) []ticket.Event {
		ev, _ := tk.Transition(ticket.StatusAccepted, sys, base, ticket.Verbatim(""))
		tk.Deadlines.Reply = base.Add(24 * time.Hour)
		return []ticket.Event{ev}
	})
	e.checkCo(t, "T1", all...)
	e.update(t, "T1", func(tk *ticket.Ticket) []ticket.Event { tk.Overdue = true; return nil })
	e.checkCo(t, "T1", all...)

	// A save that changes nothing the items hold writes none of them.
	hook := &countDB{Client: e.db}
	quiet, err := New(hook, e.store.Table(), e.store.sealer, e.store.blinder, WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := e.store.GetTicket(ctx, "T1")
	cur.WaitingStep, cur.TaskToken = ticket.StepDispatch, "token"
	if err := quiet.SaveTicket(ctx, cur, ticket.StatusAccepted); err != nil {
		t.Fatal(err)
	}
	if hook.items != 1 {
		t.Fatalf("a token-only save wrote %d items", hook.items)
	}

	// The co-handler set changes: co-b leaves, other joins.
	e.update(t, "T1", func(tk *ticket.Ticket) []ticket.Event { tk.CoHandlers = []string{"co-a", "other"}; return nil })
	e.checkCo(t, "T1", all...)

	// Returned and reassigned to a lead without co-handlers: all gone.
	e.update(t, "T1", func(tk *ticket.Ticket) []ticket.Event {
		ev, _ := tk.Transition(ticket.StatusReturned, sys, base, ticket.Verbatim(""))
		return []ticket.Event{ev}
	})
	e.checkCo(t, "T1", all...) // still open: still co-handled
	e.update(t, "T1", func(tk *ticket.Ticket) []ticket.Event {
		ev, _ := tk.Transition(ticket.StatusDispatched, sys, base, ticket.Verbatim(""))
		tk.DepartmentID, tk.CoHandlers = "other", nil
		return []ticket.Event{ev}
	})
	e.checkCo(t, "T1", all...)
	if n := len(e.coItems(t, "T1")); n != 0 {
		t.Fatalf("%d items after reassignment", n)
	}

	// Co-handlers again, then replied and closed: final, so gone.
	e.update(t, "T1", func(tk *ticket.Ticket) []ticket.Event { tk.CoHandlers = []string{"co-b"}; return nil })
	e.checkCo(t, "T1", all...)
	for _, to := range []ticket.Status{ticket.StatusReplied, ticket.StatusClosed} {
		e.update(t, "T1", func(tk *ticket.Ticket) []ticket.Event {
			ev, _ := tk.Transition(to, sys, base, ticket.Verbatim(""))
			return []ticket.Event{ev}
		})
	}
	e.checkCo(t, "T1", all...)
	if n := len(e.coItems(t, "T1")); n != 0 {
		t.Fatalf("%d items after close", n)
	}
	// The timeline is untouched by the assignment items in its partition.
	if evs, err := e.store.Events(ctx, "T1"); err != nil || len(evs) != 8 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
}

// countDB counts the items the writes it passes on write: a transaction's
// items, or one for a single put.
type countDB struct {
	*dynamodb.Client
	items int
}

func (c *countDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.items += len(in.TransactItems)
	return c.Client.TransactWriteItems(ctx, in, optFns...)
}

func (c *countDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.items++
	return c.Client.PutItem(ctx, in, optFns...)
}

func TestCoTabPagingAndCursors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := e.clock.Now()
	order := []int{3, 0, 4, 1, 2}
	for i, d := range order {
		tk := newTicket(fmt.Sprintf("C%d", i), base.Add(time.Duration(i)*time.Minute))
		tk.CoHandlers = []string{"co-a"}
		e.create(t, tk)
		e.dispatch(t, tk, "lead", base.Add(time.Duration(d+1)*24*time.Hour))
	}
	noDL := newTicket("NODL", base)
	noDL.CoHandlers = []string{"co-a", "co-b"}
	e.create(t, noDL)
	e.dispatch(t, noDL, "lead", time.Time{})

	if got, want := ids(e.coTab(t, "co-a", 2)), []string{"C1", "C3", "C4", "C0", "C2", "NODL"}; !slices.Equal(got, want) {
		t.Fatalf("co tab %v, want %v", got, want)
	}
	_, next, err := e.store.DepartmentInbox(ctx, "co-a", ticket.InboxCo, 2, "")
	if err != nil || next == "" {
		t.Fatalf("%q %v", next, err)
	}
	// A co tab's cursor is good for that tab only, and a lead tab's cursor
	// (pointing at a ticket item) is not good for a co tab.
	if _, _, err := e.store.DepartmentInbox(ctx, "co-b", ticket.InboxCo, 2, next); !errors.Is(err, &ports.CursorError{}) {
		t.Fatalf("other co tab took the cursor: %v", err)
	}
	if _, _, err := e.store.DepartmentInbox(ctx, "co-a", ticket.StatusDispatched, 2, next); !errors.Is(err, &ports.CursorError{}) {
		t.Fatalf("lead tab took a co cursor: %v", err)
	}
	_, leadNext, err := e.store.DepartmentInbox(ctx, "lead", ticket.StatusDispatched, 2, "")
	if err != nil || leadNext == "" {
		t.Fatal(err)
	}
	if _, _, err := e.store.DepartmentInbox(ctx, "lead", ticket.InboxCo, 2, leadNext); !errors.Is(err, &ports.CursorError{}) {
		t.Fatalf("co tab took a lead cursor: %v", err)
	}
	// The lead's own tabs are unchanged by the assignment items.
	if got := ids(e.coTab(t, "lead", 0)); len(got) != 0 {
		t.Fatalf("lead's co tab %v", got)
	}
	lead, _, err := e.store.DepartmentInbox(ctx, "lead", ticket.StatusDispatched, 100, "")
	if err != nil || len(lead) != 6 {
		t.Fatalf("lead inbox %v %v", ids(lead), err)
	}
}

// TestRacingSavesKeepCoItemsExact has writers that re-read and retry on
// conflict (as lifecycle.Update does) race to change the co-handlers, the
// deadline and the status; whatever wins, the assignment items must match the
// stored ticket exactly.
func TestRacingSavesKeepCoItemsExact(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := e.clock.Now()
	tk := e.create(t, newTicket("R1", base))
	tk.CoHandlers = []string{"d0"}
	e.dispatch(t, tk, "lead", base.Add(time.Hour))
	depts := []string{"lead", "d0", "d1", "d2", "d3"}

	const writers, rounds = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	start := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			<-start
			for r := range rounds {
				for attempt := 0; ; attempt++ {
					cur, err := e.store.GetTicket(ctx, "R1")
					if err != nil {
						errs <- err
						return
					}
					from := cur.Status
					var evs []ticket.Event
					// Each writer its own set (with the lead and a
					// duplicate now and then), deadline and status.
					cur.CoHandlers = nil
					for i, d := range depts {
						if (w+r+i)%2 == 0 {
							cur.CoHandlers = append(cur.CoHandlers, d, d)
						}
					}
					cur.Deadlines.Reply = base.Add(time.Duration(w*rounds+r+1) * time.Hour)
					to := ticket.StatusAccepted
					if from == ticket.StatusAccepted {
						to = ticket.StatusReturned
					} else if from == ticket.StatusReturned {
						to = ticket.StatusDispatched
					}
					ev, err := cur.Transition(to, ticket.Actor{Role: ticket.ActorSystem, ID: fmt.Sprint(w)}, base.Add(time.Duration(w*1000+r*10+attempt)*time.Millisecond), ticket.Verbatim(""))
					if err != nil {
						errs <- err
						return
					}
					evs = append(evs, ev)
					err = e.store.SaveTicket(ctx, cur, from, evs...)
					if err == nil {
						break
					}
					if !errors.Is(err, &ports.ConflictError{}) {
						errs <- err
						return
					}
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	final, err := e.store.GetTicket(ctx, "R1")
	if err != nil {
		t.Fatal(err)
	}
	if final.Version != 3+writers*rounds {
		t.Fatalf("version %d, want %d", final.Version, 3+writers*rounds)
	}
	e.checkCo(t, "R1", depts...)
}
