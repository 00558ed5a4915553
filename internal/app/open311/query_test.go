package open311

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func TestParseQuery(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name   string
		params map[string]string
		want   Query
	}{
		{"defaults: the last 90 days", nil, Query{From: now.Add(-90 * day), To: now.Add(time.Millisecond)}},
		// The spec's sample URL.
		{"the spec's sample", map[string]string{"start_date": "2010-05-24T00:00:00Z", "end_date": "2010-06-24T00:00:00Z", "status": "open", "jurisdiction_id": "city.gov"},
			Query{From: time.Date(2010, 5, 24, 0, 0, 0, 0, time.UTC), To: time.Date(2010, 6, 24, 0, 0, 0, 1e6, time.UTC), Statuses: []string{"open"}}},
		{"lists, repeated or comma-separated", map[string]string{"service_code": "urban.garbage, urban.illegal_parking,urban.garbage", "status": "open,closed"},
			Query{Codes: []string{"urban.garbage", "urban.illegal_parking"}, Statuses: []string{"open", "closed"}, From: now.Add(-90 * day), To: now.Add(time.Millisecond)}},
		{"start only", map[string]string{"start_date": "2026-09-01T00:00:00+08:00"},
			Query{From: time.Date(2026, 8, 31, 16, 0, 0, 0, time.UTC), To: time.Date(2026, 8, 31, 16, 0, 0, 0, time.UTC).Add(90 * day)}},
		{"end only, a day: to its end", map[string]string{"end_date": "2026-11-20"},
			Query{From: time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC).Add(-90 * day), To: time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC)}},
		{"ids override the rest", map[string]string{"service_request_id": "261129K7Q2XM, 261129K7Q2XN,", "status": "nonsense", "start_date": "x"},
			Query{IDs: []string{"261129K7Q2XM", "261129K7Q2XN"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := ParseQuery(tc.params, now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(q, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", q, tc.want)
			}
		})
	}

	refused := map[string]map[string]string{
		"status: open or closed":                            {"status": "pending"},
		"service_code: Urban is not a service code":         {"service_code": "Urban"},
		"start_date: must be a W3C date-time":               {"start_date": "yesterday"},
		"end_date: must be a W3C date-time":                 {"end_date": "2026-11-29 10:00"},
		"end_date: must be after start_date":                {"start_date": "2026-11-29", "end_date": "2026-11-01"},
		"may not span more than 90 days":                    {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},
		"service_request_id: at most 100 ids":               {"service_request_id": strings.Repeat("a,", 101)},
		"the range may not span more than 90 days (a year)": {"start_date": "2025", "end_date": "2025"},
	}
	for want, params := range refused {
		_, err := ParseQuery(params, now)
		e := Classify(err)
		if e.Status != http.StatusBadRequest || !strings.Contains(e.Problems[0].Description, strings.TrimSuffix(want, " (a year)")) {
			t.Errorf("%v: %+v, want %q", params, e, want)
		}
	}
	// Exactly 90 days, the end inclusive, is allowed.
	if _, err := ParseQuery(map[string]string{"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}, now); err != nil {
		t.Errorf("90 days: %v", err)
	}
	// Every problem is listed.
	_, err := ParseQuery(map[string]string{"status": "x", "service_code": "Y"}, now)
	if e := Classify(err); len(e.Problems) != 2 {
		t.Errorf("two problems: %+v", e)
	}
}

func TestQueryMatches(t *testing.T) {
	open := &ticket.Ticket{Category: "urban.garbage", Status: ticket.StatusDispatched}
	closed := &ticket.Ticket{Category: "urban.illegal_parking", Status: ticket.StatusClosed}
	for _, tc := range []struct {
		q          Query
		open, shut bool
	}{
		{Query{}, true, true},
		{Query{Statuses: []string{"open"}}, true, false},
		{Query{Statuses: []string{"closed"}}, false, true},
		{Query{Statuses: []string{"closed", "open"}}, true, true},
		{Query{Codes: []string{"urban.garbage"}}, true, false},
		{Query{Codes: []string{"urban.illegal_parking"}, Statuses: []string{"open"}}, false, false},
	} {
		if tc.q.Matches(open) != tc.open || tc.q.Matches(closed) != tc.shut {
			t.Errorf("%+v: open %v closed %v", tc.q, tc.q.Matches(open), tc.q.Matches(closed))
		}
	}
}
