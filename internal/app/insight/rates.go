// Package insight is what supervisors read of the whole hotline: the three
// rates (三率) as department and hotline rows, the hotspots ranked rising
// first, and the tables the exports hold. It shapes counts and tickets the
// store has read; it does no I/O.
package insight

import (
	"slices"

	"github.com/hotline12345/hotline/internal/app/export"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// column is one counted metric of a stats row, with its export header.
type column struct {
	metric, header string
}

// Columns of the stats rows, in the order of the export.
var (
	departmentColumns = []column{
		{ticket.MetricReceived, "受理 received"}, {ticket.MetricAccepted, "签收 accepted"}, {ticket.MetricAcceptedOnTime, "按时签收 accepted on time"},
		{ticket.MetricDue, "应办结 due"}, {ticket.MetricRepliedOnTime, "按时办结 replied on time"}, {ticket.MetricReplied, "已答复 replied"},
		{ticket.MetricOverdue, "超期 overdue"}, {ticket.MetricRated, "已回访 rated"}, {ticket.MetricResolved, "已解决 resolved"},
		{ticket.MetricSatisfied, "满意 satisfied"}, {ticket.MetricCoHandled, "协办 co-handled"}, {ticket.MetricCoOpinions, "协办意见 co-opinions"},
	}
	totalColumns = []column{
		{ticket.MetricReceived, "受理 received"}, {ticket.MetricAnsweredDirectly, "直接答复 answered directly"}, {ticket.MetricRejected, "不予受理 rejected"},
		{ticket.MetricMerged, "并单 merged"}, {ticket.MetricWithdrawn, "撤单 withdrawn"}, {ticket.MetricDispatched, "派单 dispatched"},
		{ticket.MetricDue, "应办结 due"}, {ticket.MetricRepliedOnTime, "按时办结 replied on time"}, {ticket.MetricReplied, "已答复 replied"},
		{ticket.MetricOverdue, "超期 overdue"}, {ticket.MetricRated, "已回访 rated"}, {ticket.MetricResolved, "已解决 resolved"},
		{ticket.MetricSatisfied, "满意 satisfied"},
	}
	rateHeaders = []string{"按时办结率 on-time rate", "解决率 resolution rate", "满意率 satisfaction rate"}
)

// Rates are the three rates (三率); nil (JSON null) when the denominator is
// 0: no rate, rather than 0%.
type Rates struct {
	OnTimeRate       *float64 `json:"onTimeRate"`       // repliedOnTime / due
	ResolutionRate   *float64 `json:"resolutionRate"`   // resolved / rated
	SatisfactionRate *float64 `json:"satisfactionRate"` // satisfied / rated
}

func ratesOf(c map[string]int) Rates {
	return Rates{
		OnTimeRate:       ratio(c[ticket.MetricRepliedOnTime], c[ticket.MetricDue]),
		ResolutionRate:   ratio(c[ticket.MetricResolved], c[ticket.MetricRated]),
		SatisfactionRate: ratio(c[ticket.MetricSatisfied], c[ticket.MetricRated]),
	}
}

func ratio(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// Outcomes are the counts every row has: what reached a reply, on time or
// not, and what citizens made of it.
type Outcomes struct {
	Received      int `json:"received"`
	Due           int `json:"due"`
	RepliedOnTime int `json:"repliedOnTime"`
	Replied       int `json:"replied"`
	Overdue       int `json:"overdue"`
	Rated         int `json:"rated"`
	Resolved      int `json:"resolved"`
	Satisfied     int `json:"satisfied"`
}

func outcomesOf(c map[string]int) Outcomes {
	return Outcomes{
		Received: c[ticket.MetricReceived], Due: c[ticket.MetricDue], RepliedOnTime: c[ticket.MetricRepliedOnTime],
		Replied: c[ticket.MetricReplied], Overdue: c[ticket.MetricOverdue], Rated: c[ticket.MetricRated],
		Resolved: c[ticket.MetricResolved], Satisfied: c[ticket.MetricSatisfied],
	}
}

// DepartmentStats is one department's row: its tickets as lead, each counted
// once however often it was reopened or reassigned back, and its part as
// co-handler in columns of their own.
type DepartmentStats struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Outcomes
	Accepted       int `json:"accepted"`
	AcceptedOnTime int `json:"acceptedOnTime"`
	CoHandled      int `json:"coHandled"`
	CoOpinions     int `json:"coOpinions"`
	Rates
	// counts are what the row was made of, for the export's columns.
	counts map[string]int
}

// TotalStats is the hotline's row: every ticket once, whoever handled it.
type TotalStats struct {
	Outcomes
	AnsweredDirectly int `json:"answeredDirectly"`
	Rejected         int `json:"rejected"`
	Merged           int `json:"merged"`
	Withdrawn        int `json:"withdrawn"`
	Dispatched       int `json:"dispatched"`
	Rates
	counts map[string]int
}

func departmentRow(id, name string, c map[string]int) DepartmentStats {
	return DepartmentStats{
		ID: id, Name: name, Outcomes: outcomesOf(c),
		Accepted: c[ticket.MetricAccepted], AcceptedOnTime: c[ticket.MetricAcceptedOnTime],
		CoHandled: c[ticket.MetricCoHandled], CoOpinions: c[ticket.MetricCoOpinions],
		Rates: ratesOf(c), counts: c,
	}
}

// Total is the hotline's row of the counts (scope → metric → total).
func Total(counts map[string]map[string]int) TotalStats {
	c := counts[ticket.ScopeHotline]
	return TotalStats{
		Outcomes: outcomesOf(c), AnsweredDirectly: c[ticket.MetricAnsweredDirectly], Rejected: c[ticket.MetricRejected],
		Merged: c[ticket.MetricMerged], Withdrawn: c[ticket.MetricWithdrawn], Dispatched: c[ticket.MetricDispatched],
		Rates: ratesOf(c), counts: c,
	}
}

// Rows are the departments' rows of the counts (scope → metric → total):
// every configured department in catalog order, then any with counters that
// has left the catalog since; only one when only is set.
func Rows(counts map[string]map[string]int, cat *catalog.Catalog, only string) []DepartmentStats {
	var ids []string
	for _, d := range cat.Departments() {
		ids = append(ids, d.ID)
	}
	var gone []string
	for scope := range counts {
		if kind, id := ticket.ScopeKind(scope); kind == "dept" && !slices.Contains(ids, id) {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	rows := make([]DepartmentStats, 0, len(ids)+len(gone))
	for _, id := range append(ids, gone...) {
		if only == "" || id == only {
			rows = append(rows, departmentRow(id, cat.DepartmentName(id), counts[ticket.DepartmentScope(id)]))
		}
	}
	return rows
}

// StatsTable is the export of the stats: a row per department, then the
// hotline's (its department columns left empty) when total is set.
func StatsTable(rows []DepartmentStats, total *TotalStats) export.Table {
	t := export.Table{Sheet: "三率 rates", Header: []string{"部门编号 department id", "部门 department"}}
	metrics := slices.Clone(departmentColumns)
	for _, c := range totalColumns {
		if !slices.ContainsFunc(metrics, func(d column) bool { return d.metric == c.metric }) {
			metrics = append(metrics, c)
		}
	}
	for _, c := range metrics {
		t.Header = append(t.Header, c.header)
	}
	t.Header = append(t.Header, rateHeaders...)
	row := func(id, name string, c map[string]int, has []column, r Rates) []any {
		out := []any{id, name}
		for _, m := range metrics {
			if slices.ContainsFunc(has, func(d column) bool { return d.metric == m.metric }) {
				out = append(out, c[m.metric])
			} else {
				out = append(out, nil)
			}
		}
		return append(out, export.Percent{Value: r.OnTimeRate}, export.Percent{Value: r.ResolutionRate}, export.Percent{Value: r.SatisfactionRate})
	}
	for _, d := range rows {
		t.Rows = append(t.Rows, row(d.ID, d.Name, d.counts, departmentColumns, d.Rates))
	}
	if total != nil {
		t.Rows = append(t.Rows, row(ticket.ScopeHotline, "全市 hotline", total.counts, totalColumns, total.Rates))
	}
	return t
}
