package insight

import (
	"slices"
	"strings"
	"testing"
	"time"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/region"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func seedCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load(configfiles.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestRankHotspotsRisingFirst(t *testing.T) {
	filed := func(n int) map[string]int { return map[string]int{ticket.MetricFiled: n} }
	now := map[string]map[string]int{
		ticket.CategoryScope("a"): filed(5), ticket.CategoryScope("b"): filed(9), ticket.CategoryScope("c"): filed(2), ticket.CategoryScope("d"): filed(3),
	}
	before := map[string]map[string]int{
		ticket.CategoryScope("b"): filed(9), ticket.CategoryScope("c"): filed(6), ticket.CategoryScope("e"): filed(1), ticket.CategoryScope("z"): filed(0),
	}
	got := RankHotspots(now, before, strings.ToUpper)
	var keys []string
	for _, h := range got {
		keys = append(keys, h.Key)
		if h.Name != strings.ToUpper(h.Key) || h.Change != h.Count-h.PreviousCount {
			t.Fatalf("%+v", h)
		}
	}
	// a +5, d +3, b 0 (9 filed), e -1, c -4; z filed nothing in either.
	if !slices.Equal(keys, []string{"a", "d", "b", "e", "c"}) {
		t.Fatalf("order %v", keys)
	}
	if RankHotspots(nil, nil, strings.ToUpper) == nil {
		t.Fatal("no hotspots must be an empty list, not null")
	}
}

func TestRowsAndTotal(t *testing.T) {
	cat := seedCatalog(t)
	counts := map[string]map[string]int{
		ticket.ScopeHotline:                 {ticket.MetricReceived: 7, ticket.MetricDue: 4, ticket.MetricRepliedOnTime: 3, ticket.MetricRated: 2, ticket.MetricSatisfied: 2},
		ticket.DepartmentScope("market"):    {ticket.MetricReceived: 3, ticket.MetricDue: 2, ticket.MetricRepliedOnTime: 1, ticket.MetricCoHandled: 4},
		ticket.DepartmentScope("dissolved"): {ticket.MetricReceived: 1},
	}
	rows := Rows(counts, cat, "")
	if len(rows) != len(cat.Departments())+1 || rows[len(rows)-1].ID != "dissolved" {
		t.Fatalf("rows %+v", rows)
	}
	market := rows[slices.IndexFunc(rows, func(r DepartmentStats) bool { return r.ID == "market" })]
	if market.Received != 3 || market.CoHandled != 4 || *market.OnTimeRate != 0.5 || market.ResolutionRate != nil || market.Name == "market" {
		t.Fatalf("market %+v", market)
	}
	if only := Rows(counts, cat, "market"); len(only) != 1 || only[0].ID != "market" {
		t.Fatalf("only market: %+v", only)
	}
	total := Total(counts)
	if total.Received != 7 || *total.OnTimeRate != 0.75 || *total.SatisfactionRate != 1 {
		t.Fatalf("total %+v", total)
	}
	table := StatsTable(rows, &total)
	last := table.Rows[len(table.Rows)-1]
	if len(table.Rows) != len(rows)+1 || last[0] != ticket.ScopeHotline || len(last) != len(table.Header) {
		t.Fatalf("table %v", table.Header)
	}
	// The hotline has no co-handler column; departments no hotline totals.
	co := slices.Index(table.Header, "协办 co-handled")
	withdrawn := slices.Index(table.Header, "撤单 withdrawn")
	if last[co] != nil || table.Rows[0][withdrawn] != nil || last[withdrawn] != 0 {
		t.Fatalf("columns: hotline co %v, department withdrawn %v", last[co], table.Rows[0][withdrawn])
	}
}

func TestTicketTableSaysWhyATicketWaits(t *testing.T) {
	cat := seedCatalog(t)
	created := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	waiting := ticket.Ticket{
		ID: "260302ABCDEF", Type: ticket.TypeComplaint, Category: "consumer.refund", Status: ticket.StatusInReview, CreatedAt: created,
		Content: "=cmd", Location: &ticket.Location{Region: "110105", Address: "某路1号"}, WaitingStep: ticket.StepOperator,
		DuplicateOf: "260301ZZZZZZ", SuspectedEmergency: []string{"110"}, ReviewReason: "possible_duplicate",
		Contact: &ticket.Contact{Name: "张三", Phone: "13912345678"},
	}
	table := TicketTable([]ticket.Ticket{waiting}, cat, region.Names{})
	row := table.Rows[0]
	cell := func(header string) any {
		return row[slices.IndexFunc(table.Header, func(h string) bool { return strings.Contains(h, header) })]
	}
	if cell("created") != "2026-03-02 09:00:00" || cell("region name") != "北京市朝阳区" || cell("category name") != "退换货" {
		t.Fatalf("row %v", row)
	}
	why := cell("waiting because").(string)
	for _, want := range []string{"suspected emergency 110", "possible duplicate of 260301ZZZZZZ", "possible_duplicate"} {
		if !strings.Contains(why, want) {
			t.Fatalf("waiting because %q lacks %q", why, want)
		}
	}
	for _, c := range row {
		if s, ok := c.(string); ok && (strings.Contains(s, "13912345678") || strings.Contains(s, "张三")) {
			t.Fatal("the contact is in the export")
		}
	}
}
