package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// searchFixture files tickets over five days in every combination of
// department, category, region, status and flag the search filters on.
func searchFixture(t *testing.T, e *env) []*ticket.Ticket {
	t.Helper()
	depts := []string{"", "market", "housing"}
	cats := []string{"consumer.refund", "housing.repair"}
	regions := []string{"110105", "110108", "440305"}
	var all []*ticket.Ticket
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, ticket.China)
	for i := range 90 {
		created := start.Add(time.Duration(i%5)*24*time.Hour + time.Duration(i)*time.Minute)
		tk := newTicket(fmt.Sprintf("S%03d", i), created)
		tk.Category = cats[i%2]
		tk.Location = &ticket.Location{Region: regions[i%3], Address: fmt.Sprintf("某路%d号", i)}
		if i%7 == 0 {
			tk.Content = "楼道灯坏了 Street light broken"
		}
		if dept := depts[(i/3)%3]; dept != "" {
			tk.DepartmentID = dept
			tk.Status = []ticket.Status{ticket.StatusDispatched, ticket.StatusAccepted, ticket.StatusReplied, ticket.StatusClosed}[i%4]
			tk.Deadlines.Reply = created.Add(10 * 24 * time.Hour)
			tk.Overdue = i%5 == 1 && (tk.Status == ticket.StatusDispatched || tk.Status == ticket.StatusAccepted)
		} else {
			tk.Status = []ticket.Status{ticket.StatusReceived, ticket.StatusInReview, ticket.StatusRejected}[i%3]
		}
		tk.Escalated = i%6 == 0 && !tk.Status.Final()
		all = append(all, e.create(t, tk))
	}
	return all
}

// want filters the fixture the plain way, newest first.
func want(all []*ticket.Ticket, keep func(*ticket.Ticket) bool) []string {
	var ids []string
	for _, tk := range all {
		if keep(tk) {
			ids = append(ids, tk.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// searchAll pages through a search and returns the ids found, checking no
// page repeats one and every call stays within its budget.
func searchAll(t *testing.T, s *Store, q ports.TicketQuery) []string {
	t.Helper()
	var ids []string
	for calls := 0; ; calls++ {
		if calls > 500 {
			t.Fatal("search does not end")
		}
		page, err := s.SearchTickets(context.Background(), q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		if len(page.Tickets) > max(q.Limit, 1) && q.Limit > 0 {
			t.Fatalf("page of %d for limit %d", len(page.Tickets), q.Limit)
		}
		if page.Examined > s.searchBudget {
			t.Fatalf("read %d entries, budget %d", page.Examined, s.searchBudget)
		}
		for _, tk := range page.Tickets {
			if slices.Contains(ids, tk.ID) {
				t.Fatalf("%s listed twice for %+v", tk.ID, q)
			}
			if tk.Contact != nil {
				t.Fatal("a search unsealed a contact")
			}
			ids = append(ids, tk.ID)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	slices.Sort(ids)
	return ids
}

func TestSearchEveryFilterFindsExactlyTheMatches(t *testing.T) {
	e := newEnv(t)
	e.clock.t = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	all := searchFixture(t, e)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, ticket.China) }
	region := func(tk *ticket.Ticket) string { return tk.Location.Region }
	cases := []struct {
		name string
		plan string
		q    ports.TicketQuery
		keep func(*ticket.Ticket) bool
	}{
		{"everything of the last 31 days", "day", ports.TicketQuery{}, func(*ticket.Ticket) bool { return true }},
		{"status", "day", ports.TicketQuery{Status: ticket.StatusAccepted}, func(tk *ticket.Ticket) bool { return tk.Status == ticket.StatusAccepted }},
		{"one day", "day", ports.TicketQuery{From: day(3), To: day(4)}, func(tk *ticket.Ticket) bool { return tk.CreatedAt.Day() == 3 }},
		{"category alone", "day", ports.TicketQuery{Category: "housing.repair"}, func(tk *ticket.Ticket) bool { return tk.Category == "housing.repair" }},
		{"province", "day", ports.TicketQuery{Region: "440000"}, func(tk *ticket.Ticket) bool { return region(tk) == "440305" }},
		{"prefecture with category", "day", ports.TicketQuery{Region: "110100", Category: "consumer.refund"}, func(tk *ticket.Ticket) bool {
			return strings.HasPrefix(region(tk), "1101") && tk.Category == "consumer.refund"
		}},
		{"text", "day", ports.TicketQuery{Text: "street LIGHT"}, func(tk *ticket.Ticket) bool { return strings.Contains(tk.Content, "Street light") }},
		{"address text", "day", ports.TicketQuery{Text: "某路17号"}, func(tk *ticket.Ticket) bool { return tk.ID == "S017" }},
		{"department", "department", ports.TicketQuery{DepartmentID: "market"}, func(tk *ticket.Ticket) bool { return tk.DepartmentID == "market" }},
		{"department status", "department", ports.TicketQuery{DepartmentID: "housing", Status: ticket.StatusDispatched}, func(tk *ticket.Ticket) bool {
			return tk.DepartmentID == "housing" && tk.Status == ticket.StatusDispatched
		}},
		{"department overdue", "department", ports.TicketQuery{DepartmentID: "market", Overdue: true}, func(tk *ticket.Ticket) bool { return tk.DepartmentID == "market" && tk.Overdue }},
		{"department since", "department", ports.TicketQuery{DepartmentID: "market", From: day(5)}, func(tk *ticket.Ticket) bool {
			return tk.DepartmentID == "market" && !tk.CreatedAt.Before(day(5))
		}},
		{"overdue", "day", ports.TicketQuery{Overdue: true}, func(tk *ticket.Ticket) bool { return tk.Overdue }},
		{"escalated", "escalated", ports.TicketQuery{Escalated: true}, func(tk *ticket.Ticket) bool { return tk.Escalated }},
		{"escalated in days", "escalated", ports.TicketQuery{Escalated: true, From: day(3), To: day(5)}, func(tk *ticket.Ticket) bool {
			return tk.Escalated && tk.CreatedAt.Day() >= 3 && tk.CreatedAt.Day() < 5
		}},
		{"place", "place", ports.TicketQuery{Category: "consumer.refund", Region: "110108"}, func(tk *ticket.Ticket) bool {
			return tk.Category == "consumer.refund" && region(tk) == "110108"
		}},
		{"place and text", "place", ports.TicketQuery{Category: "consumer.refund", Region: "110105", Text: "楼道灯"}, func(tk *ticket.Ticket) bool {
			return tk.Category == "consumer.refund" && region(tk) == "110105" && strings.Contains(tk.Content, "楼道灯")
		}},
		{"nothing", "day", ports.TicketQuery{Status: ticket.StatusWithdrawn}, func(*ticket.Ticket) bool { return false }},
	}
	for _, c := range cases {
		if got := SearchPlanName(c.q); got != c.plan {
			t.Errorf("%s: served by %s, want %s", c.name, got, c.plan)
		}
		exp := want(all, c.keep)
		for _, limit := range []int{2, 100} {
			q := c.q
			q.Limit = limit
			if got := searchAll(t, e.store, q); !slices.Equal(got, exp) {
				t.Errorf("%s (limit %d):\n got %v\nwant %v", c.name, limit, got, exp)
			}
		}
	}
}

// A search that reads much and finds little answers within its budget and
// goes on where it stopped; the days come newest first.
func TestSearchStaysWithinItsBudget(t *testing.T) {
	e := newEnv(t)
	e.clock.t = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	all := searchFixture(t, e)
	small, err := New(e.store.db, e.store.table, e.store.sealer, e.store.blinder, WithClock(e.clock.Now), WithSearchBudget(7))
	if err != nil {
		t.Fatal(err)
	}
	q := ports.TicketQuery{Text: "楼道灯", Limit: 100}
	page, err := small.SearchTickets(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if page.Examined > 7 || page.Next == "" {
		t.Fatalf("first call read %d, next %q", page.Examined, page.Next)
	}
	exp := want(all, func(tk *ticket.Ticket) bool { return strings.Contains(tk.Content, "楼道灯") })
	if got := searchAll(t, small, q); !slices.Equal(got, exp) {
		t.Fatalf("got %v\nwant %v", got, exp)
	}
	// Newest first, within a day too.
	everything, err := e.store.SearchTickets(context.Background(), ports.TicketQuery{Limit: 100})
	if err != nil || len(everything.Tickets) != len(all) {
		t.Fatalf("%d of %d: %v", len(everything.Tickets), len(all), err)
	}
	for i := 1; i < len(everything.Tickets); i++ {
		if everything.Tickets[i].CreatedAt.After(everything.Tickets[i-1].CreatedAt) {
			t.Fatalf("%s (%v) after %s (%v)", everything.Tickets[i].ID, everything.Tickets[i].CreatedAt, everything.Tickets[i-1].ID, everything.Tickets[i-1].CreatedAt)
		}
	}
}

// A query whose filters are all in the index key reads no more entries
// than the page holds; one with other filters reads ahead.
func TestSearchReadsWhatThePageNeeds(t *testing.T) {
	e := newEnv(t)
	e.clock.t = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	searchFixture(t, e)
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, ticket.China)
	for _, q := range []ports.TicketQuery{
		{DepartmentID: "market", Limit: 2}, {Escalated: true, Limit: 2}, {Limit: 2}, {From: day, To: day.AddDate(0, 0, 1), Limit: 2},
		{Category: "consumer.refund", Region: "110105", Limit: 2},
	} {
		page, err := e.store.SearchTickets(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tickets) != 2 || page.Examined != 2 {
			t.Errorf("%s plan: %d found, %d read", SearchPlanName(q), len(page.Tickets), page.Examined)
		}
	}
	for _, q := range []ports.TicketQuery{
		{DepartmentID: "market", Status: ticket.StatusDispatched, Limit: 2}, {DepartmentID: "market", From: day, Limit: 2}, {Status: ticket.StatusClosed, Limit: 2},
	} {
		if p := planFor(q, time.UTC, e.clock.Now()); p.exact {
			t.Errorf("%+v taken as exact", q)
		}
	}
}

func TestSearchCursorsBelongToTheirSearch(t *testing.T) {
	e := newEnv(t)
	e.clock.t = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	searchFixture(t, e)
	ctx := context.Background()
	q := ports.TicketQuery{DepartmentID: "market", Limit: 2}
	page, err := e.store.SearchTickets(ctx, q)
	if err != nil || page.Next == "" {
		t.Fatalf("%v %q", err, page.Next)
	}
	other := ports.TicketQuery{DepartmentID: "housing", Limit: 2, Cursor: page.Next}
	for name, bad := range map[string]ports.TicketQuery{
		"another search": other,
		"garbage":        {Cursor: "!!!"},
		"not json":       {Cursor: "bm90IGpzb24"},
		"too long":       {Cursor: strings.Repeat("A", maxCursorLen+1)},
	} {
		if _, err := e.store.SearchTickets(ctx, bad); !errors.Is(err, &ports.CursorError{}) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A cursor forged to point at another partition of the same search.
	forged, _ := encodeSearchCursor(searchCursor{Filters: filterDigest(q), Partition: 0, Key: map[string]string{
		attrPK: "TICKET#S001", attrSK: skMeta, attrGSI1PK: inboxPK("housing", ticket.StatusDispatched), attrGSI1SK: "x",
	}})
	q.Cursor = forged
	if _, err := e.store.SearchTickets(ctx, q); !errors.Is(err, &ports.CursorError{}) {
		t.Fatalf("forged cursor: %v", err)
	}
	q.Cursor = ""
	q.Category = "a#b"
	var inv *InvalidArgumentError
	if _, err := e.store.SearchTickets(ctx, q); !errors.As(err, &inv) {
		t.Fatalf("'#' in a key part: %v", err)
	}
}

func FuzzSearchCursor(f *testing.F) {
	plan := planFor(ports.TicketQuery{DepartmentID: "market"}, time.UTC, time.Now())
	good, _ := encodeSearchCursor(searchCursor{Filters: "f", Partition: 1, Key: map[string]string{
		attrPK: "TICKET#T1", attrSK: skMeta, attrGSI1PK: plan.partitions[1], attrGSI1SK: "2026",
	}})
	f.Add(good)
	f.Add("")
	f.Add("e30")
	f.Fuzz(func(t *testing.T, cursor string) {
		part, start, err := plan.decodeCursor(cursor, "f")
		if err != nil {
			if !errors.Is(err, &ports.CursorError{}) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if part < 0 || part >= len(plan.partitions) {
			t.Fatalf("partition %d", part)
		}
		if start != nil && strAttr(start, attrGSI1PK) != plan.partitions[part] {
			t.Fatal("cursor leaves its partition")
		}
	})
}
