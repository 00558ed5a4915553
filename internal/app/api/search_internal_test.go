package api

import (
	"net/url"
	"testing"
	"unicode/utf8"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/region"
)

// Whatever the query string, parseTicketQuery either refuses it or returns
// a query every index plan can serve: known codes, a bounded range, a page
// size of 1 to 100, text without control characters.
func FuzzParseTicketQuery(f *testing.F) {
	cat, err := catalog.Load(configfiles.Seed)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"", "status=accepted&departmentId=market&limit=3",
		"category=consumer.refund&region=110105&from=2026-03-01&to=2026-03-31&overdue=true&escalated=false&q=退货",
		"region=110000&from=2025-03-01&to=2026-03-02", "from=2026-03-02&to=2026-03-01", "q=%00&limit=101",
		"format=csv&cursor=abc", "sort=id", "region=999999&category=consumer",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		params, ok := firstValues(raw)
		if !ok {
			return
		}
		q, err := parseTicketQuery(params, cat, region.Names{})
		if err != nil {
			return
		}
		switch {
		case q.Status != "" && !q.Status.Valid():
			t.Fatalf("status %q", q.Status)
		case q.DepartmentID != "" && !cat.HasDepartment(q.DepartmentID):
			t.Fatalf("department %q", q.DepartmentID)
		case q.Region != "" && !region.Valid(q.Region):
			t.Fatalf("region %q", q.Region)
		case q.Limit < 1 || q.Limit > 100:
			t.Fatalf("limit %d", q.Limit)
		case !q.From.IsZero() && !q.To.IsZero() && (!q.From.Before(q.To) || q.To.Sub(q.From).Hours() > 24*maxSearchDays):
			t.Fatalf("range %v..%v", q.From, q.To)
		case q.Text != "" && (utf8.RuneCountInString(q.Text) > maxSearchText || !utf8.ValidString(q.Text)):
			t.Fatalf("text %q", q.Text)
		}
		if q.Category != "" {
			if _, ok := cat.LeafCategory(q.Category); !ok {
				t.Fatalf("category %q", q.Category)
			}
		}
	})
}

// The stats and hotspot parameters: a range of 1 to 366 days, by category
// or region, a limit of 1 to 100.
func FuzzStatsParams(f *testing.F) {
	for _, s := range []string{"from=2026-03-01&to=2026-03-31", "from=2025-02-29&to=2026-01-01&by=region&limit=5", "by=street&limit=-1", "by=region&level=province", "by=category&level=province", "from=2026-03-02&to=2026-03-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		params, ok := firstValues(raw)
		if !ok {
			return
		}
		if from, to, err := statsRange(params); err == nil {
			if d := daysIn(from, to); d < 1 || d > maxStatsDays {
				t.Fatalf("%d days accepted", d)
			}
		}
		if by, level, limit, err := hotspotParams(params); err == nil {
			if (by != "category" && by != "region") || limit < 1 || limit > maxHotspots ||
				(level != "county" && level != "prefecture" && level != "province") || (level != "county" && by != "region") {
				t.Fatalf("by %q level %q limit %d", by, level, limit)
			}
		}
	})
}

// firstValues reads a query string as API Gateway hands it to a function:
// one value per name.
func firstValues(raw string) (map[string]string, bool) {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return nil, false
	}
	params := map[string]string{}
	for k, v := range values {
		params[k] = v[0]
	}
	return params, true
}
