package api_test

import (
	"encoding/json"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
)

type statsAnswer struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Departments []struct {
		ID             string `json:"id"`
		Name           string `json:"name"`
		Received       int    `json:"received"`
		AcceptedOnTime int    `json:"acceptedOnTime"`
		Due            int    `json:"due"`
		RepliedOnTime  int    `json:"repliedOnTime"`
		Replied        int    `json:"replied"`
		Resolved       int    `json:"resolved"`
		Rated          int    `json:"rated"`
		Satisfied      int    `json:"satisfied"`
		Overdue        int    `json:"overdue"`
		rates
	} `json:"departments"`
	Total *struct {
		Received   int `json:"received"`
		Dispatched int `json:"dispatched"`
		Replied    int `json:"replied"`
		rates
	} `json:"total"`
}

type rates struct {
	OnTimeRate, ResolutionRate, SatisfactionRate *float64
}

func (e *env) stats(t *testing.T, from, to string) statsAnswer {
	t.Helper()
	r := e.do(t, route("GET /v1/stats", "").as(auth.RoleSupervisor, "").q("from", from).q("to", to))
	r.want(t, "stats", 200)
	var a statsAnswer
	if err := json.Unmarshal([]byte(r.body), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// One ticket's whole life counts once in every metric of its department;
// racing actions count once; a department without tickets has no rates.
func TestStatsAfterFullLifeAndRaces(t *testing.T) {
	e := newEnv(t)
	id, code := e.dispatched(t)
	accepts := []*req{}
	for range 6 {
		accepts = append(accepts, route("POST /v1/tickets/{id}/accept", id).as(auth.RoleDepartment, "market"))
	}
	if s := statuses(race(t, e, accepts...)); s[200] != 1 {
		t.Fatalf("racing accepts: %v", s)
	}
	e.do(t, route("POST /v1/tickets/{id}/reply", id).as(auth.RoleDepartment, "market").
		json(map[string]any{"result": "resolved", "message": "商家已同意退货退款。"})).want(t, "reply", 200)
	e.parked(t, id, "Feedback")
	ratings := []*req{}
	for range 4 {
		ratings = append(ratings, route("POST /v1/tickets/{id}/rating", id).code(code).json(map[string]any{"satisfied": true, "score": 5}))
	}
	if s := statuses(race(t, e, ratings...)); s[200] != 1 {
		t.Fatalf("racing ratings: %v", s)
	}
	e.done(t, id)

	a := e.stats(t, "2026-03-02", "2026-03-02")
	if a.From != "2026-03-02" || a.To != "2026-03-02" || len(a.Departments) < 2 {
		t.Fatalf("answer %+v", a)
	}
	for _, d := range a.Departments {
		switch d.ID {
		case "market":
			if d.Name == "" || d.Received != 1 || d.AcceptedOnTime != 1 || d.Due != 1 || d.RepliedOnTime != 1 || d.Replied != 1 ||
				d.Resolved != 1 || d.Rated != 1 || d.Satisfied != 1 || d.Overdue != 0 {
				t.Fatalf("market %+v", d)
			}
			for _, r := range []*float64{d.OnTimeRate, d.ResolutionRate, d.SatisfactionRate} {
				if r == nil || *r != 1 {
					t.Fatalf("market rates %+v", d.rates)
				}
			}
		default:
			if d.Received != 0 || d.OnTimeRate != nil || d.ResolutionRate != nil || d.SatisfactionRate != nil {
				t.Fatalf("%s without tickets: %+v", d.ID, d)
			}
		}
	}
	if a.Total == nil || a.Total.Received != 1 || a.Total.Dispatched != 1 || a.Total.Replied != 1 || a.Total.SatisfactionRate == nil {
		t.Fatalf("total %+v", a.Total)
	}
	// A department reads its own row, without the hotline's; not another's.
	own := e.do(t, route("GET /v1/stats", "").as(auth.RoleDepartment, "market").q("from", "2026-03-02").q("to", "2026-03-02"))
	own.want(t, "own row", 200)
	var mine statsAnswer
	if err := json.Unmarshal([]byte(own.body), &mine); err != nil {
		t.Fatal(err)
	}
	if len(mine.Departments) != 1 || mine.Departments[0].ID != "market" || mine.Departments[0].Received != 1 || mine.Total != nil {
		t.Fatalf("own row %s", own.body)
	}
	e.do(t, route("GET /v1/stats", "").as(auth.RoleDepartment, "market").q("from", "2026-03-02").q("to", "2026-03-02").q("departmentId", "housing")).
		want(t, "another's row", 403)
	e.do(t, route("GET /v1/stats", "").as(auth.RoleSupervisor, "").q("from", "2026-03-02").q("to", "2026-03-02").q("departmentId", "nosuch")).
		want(t, "unknown department", 400)
	e.do(t, route("GET /v1/stats", "").as(auth.RoleSupervisor, "").q("from", "2026-03-02").q("to", "2026-03-02").q("dept", "market")).
		want(t, "unknown parameter", 400)
	// The day before counts nothing.
	for _, d := range e.stats(t, "2026-03-01", "2026-03-01").Departments {
		if d.Received != 0 {
			t.Fatalf("counted on the wrong day: %+v", d)
		}
	}
	e.stats(t, "2025-03-02", "2026-03-02") // 366 days

	for _, c := range []struct{ from, to string }{
		{"", "2026-03-02"}, {"2026-03-02", ""}, {"2026-3-2", "2026-03-02"}, {"2026-03-02", "2026-03-01"},
		{"2025-03-01", "2026-03-02"}, {"2026-02-30", "2026-03-02"},
	} {
		r := e.do(t, route("GET /v1/stats", "").as(auth.RoleAdmin, "").q("from", c.from).q("to", c.to))
		r.want(t, "stats "+c.from+".."+c.to, 400)
	}
}
