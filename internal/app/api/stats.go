package api

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/export"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// maxStatsDays bounds GET /v1/stats and hotspots: a year, leap or not.
const maxStatsDays = 366

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

// DepartmentStats is one department's row: its tickets as lead, each counted
// once however often it was reopened or reassigned back, and its part as
// co-handler in columns of their own.
type DepartmentStats struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Received       int    `json:"received"`
	Accepted       int    `json:"accepted"`
	AcceptedOnTime int    `json:"acceptedOnTime"`
	Due            int    `json:"due"`
	RepliedOnTime  int    `json:"repliedOnTime"`
	Replied        int    `json:"replied"`
	Overdue        int    `json:"overdue"`
	Rated          int    `json:"rated"`
	Resolved       int    `json:"resolved"`
	Satisfied      int    `json:"satisfied"`
	CoHandled      int    `json:"coHandled"`
	CoOpinions     int    `json:"coOpinions"`
	Rates
}

// TotalStats is the hotline's row: every ticket once, whoever handled it.
type TotalStats struct {
	Received         int `json:"received"`
	AnsweredDirectly int `json:"answeredDirectly"`
	Rejected         int `json:"rejected"`
	Merged           int `json:"merged"`
	Withdrawn        int `json:"withdrawn"`
	Dispatched       int `json:"dispatched"`
	Due              int `json:"due"`
	RepliedOnTime    int `json:"repliedOnTime"`
	Replied          int `json:"replied"`
	Overdue          int `json:"overdue"`
	Rated            int `json:"rated"`
	Resolved         int `json:"resolved"`
	Satisfied        int `json:"satisfied"`
	Rates
}

func departmentStats(id, name string, c map[string]int) DepartmentStats {
	return DepartmentStats{
		ID: id, Name: name,
		Received: c[ticket.MetricReceived], Accepted: c[ticket.MetricAccepted], AcceptedOnTime: c[ticket.MetricAcceptedOnTime],
		Due: c[ticket.MetricDue], RepliedOnTime: c[ticket.MetricRepliedOnTime], Replied: c[ticket.MetricReplied],
		Overdue: c[ticket.MetricOverdue], Rated: c[ticket.MetricRated], Resolved: c[ticket.MetricResolved],
		Satisfied: c[ticket.MetricSatisfied], CoHandled: c[ticket.MetricCoHandled], CoOpinions: c[ticket.MetricCoOpinions],
		Rates: ratesOf(c),
	}
}

func totalStats(c map[string]int) TotalStats {
	return TotalStats{
		Received: c[ticket.MetricReceived], AnsweredDirectly: c[ticket.MetricAnsweredDirectly], Rejected: c[ticket.MetricRejected],
		Merged: c[ticket.MetricMerged], Withdrawn: c[ticket.MetricWithdrawn], Dispatched: c[ticket.MetricDispatched],
		Due: c[ticket.MetricDue], RepliedOnTime: c[ticket.MetricRepliedOnTime], Replied: c[ticket.MetricReplied],
		Overdue: c[ticket.MetricOverdue], Rated: c[ticket.MetricRated], Resolved: c[ticket.MetricResolved],
		Satisfied: c[ticket.MetricSatisfied], Rates: ratesOf(c),
	}
}

// statsRange reads ?from=&to= (China calendar days, inclusive).
func statsRange(params map[string]string) (from, to ticket.Date, err error) {
	fields := map[string]string{}
	from, errFrom := ticket.ParseDate(params["from"])
	if errFrom != nil {
		fields["from"] = "required, YYYY-MM-DD"
	}
	to, errTo := ticket.ParseDate(params["to"])
	if errTo != nil {
		fields["to"] = "required, YYYY-MM-DD"
	}
	if errFrom == nil && errTo == nil {
		switch days := daysIn(from, to); {
		case days < 1:
			fields["to"] = "not before from"
		case days > maxStatsDays:
			fields["to"] = "at most 366 days from from"
		}
	}
	if len(fields) > 0 {
		return from, to, httpapi.BadRequest("invalid stats range", fields)
	}
	return from, to, nil
}

// daysIn counts the days from..to, both included.
func daysIn(from, to ticket.Date) int {
	return int(to.Start().Sub(from.Start()).Hours()/24) + 1
}

// checkParams refuses parameters a route does not know.
func checkParams(params map[string]string, known ...string) error {
	fields := map[string]string{}
	for k := range params {
		if !slices.Contains(known, k) {
			fields[k] = "unknown parameter"
		}
	}
	if len(fields) > 0 {
		return httpapi.BadRequest("unknown parameters", fields)
	}
	return nil
}

// statsRequest is what the stats routes share: the answer's format and
// the range of days.
type statsRequest struct {
	format   string
	from, to ticket.Date
}

// readStatsRequest checks the role, refuses parameters other than from, to,
// format and the route's own, and reads the format and the range.
func readStatsRequest(r *request, roles []auth.Role, own ...string) (statsRequest, error) {
	if err := requireRole(r, roles...); err != nil {
		return statsRequest{}, err
	}
	params := r.QueryStringParameters
	if err := checkParams(params, append([]string{"from", "to", "format"}, own...)...); err != nil {
		return statsRequest{}, err
	}
	format, err := export.Negotiate(params["format"], httpapi.Header(r.APIGatewayV2HTTPRequest, "Accept"))
	if err != nil {
		return statsRequest{}, httpapi.BadRequest("invalid stats request", map[string]string{"format": "json, csv or xlsx"})
	}
	from, to, err := statsRange(params)
	if err != nil {
		return statsRequest{}, err
	}
	return statsRequest{format: format, from: from, to: to}, nil
}

// stats is GET /v1/stats: the three rates per department and the hotline's
// totals; a department reads its own row.
func (h *Handler) stats(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	sr, err := readStatsRequest(r, []auth.Role{auth.RoleSupervisor, auth.RoleAdmin, auth.RoleDepartment}, "departmentId")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	format, from, to := sr.format, sr.from, sr.to
	only := r.QueryStringParameters["departmentId"]
	if r.staff.Role == auth.RoleDepartment {
		if only != "" && only != r.staff.Dept {
			return events.APIGatewayV2HTTPResponse{}, httpapi.Forbidden("a department reads its own row")
		}
		only = r.staff.Dept
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if only != "" && !cat.HasDepartment(only) {
		return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("invalid stats request", map[string]string{"departmentId": "no such department"})
	}
	counts, err := h.Store.Counts(ctx, ticket.FamilyRates, from.Start(), to.Start())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rows := statsRows(counts, cat, only)
	var total *TotalStats
	if only == "" {
		t := totalStats(counts[ticket.ScopeHotline])
		total = &t
	}
	if format != export.FormatJSON {
		return exportResponse(format, "stats-"+from.String()+"-"+to.String(), statsTable(rows, total))
	}
	out := map[string]any{"from": from.String(), "to": to.String(), "departments": rows}
	if total != nil {
		out["total"] = total
	}
	return httpapi.JSON(http.StatusOK, out), nil
}

// statsRows are the departments' rows: every configured department in
// catalog order, then any with counters that has left the catalog since.
func statsRows(counts map[string]map[string]int, cat *catalog.Catalog, only string) []DepartmentStats {
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
			rows = append(rows, departmentStats(id, cat.DepartmentName(id), counts[ticket.DepartmentScope(id)]))
		}
	}
	return rows
}

// statsTable is the export of the stats: a row per department, then the
// hotline's (its department columns left empty).
func statsTable(rows []DepartmentStats, total *TotalStats) export.Table {
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
		return append(out, r.OnTimeRate, r.ResolutionRate, r.SatisfactionRate)
	}
	for _, d := range rows {
		t.Rows = append(t.Rows, row(d.ID, d.Name, d.counts(), departmentColumns, d.Rates))
	}
	if total != nil {
		t.Rows = append(t.Rows, row(ticket.ScopeHotline, "全市 hotline", total.counts(), totalColumns, total.Rates))
	}
	return t
}

func (d DepartmentStats) counts() map[string]int {
	return map[string]int{
		ticket.MetricReceived: d.Received, ticket.MetricAccepted: d.Accepted, ticket.MetricAcceptedOnTime: d.AcceptedOnTime,
		ticket.MetricDue: d.Due, ticket.MetricRepliedOnTime: d.RepliedOnTime, ticket.MetricReplied: d.Replied,
		ticket.MetricOverdue: d.Overdue, ticket.MetricRated: d.Rated, ticket.MetricResolved: d.Resolved,
		ticket.MetricSatisfied: d.Satisfied, ticket.MetricCoHandled: d.CoHandled, ticket.MetricCoOpinions: d.CoOpinions,
	}
}

func (t TotalStats) counts() map[string]int {
	return map[string]int{
		ticket.MetricReceived: t.Received, ticket.MetricAnsweredDirectly: t.AnsweredDirectly, ticket.MetricRejected: t.Rejected,
		ticket.MetricMerged: t.Merged, ticket.MetricWithdrawn: t.Withdrawn, ticket.MetricDispatched: t.Dispatched,
		ticket.MetricDue: t.Due, ticket.MetricRepliedOnTime: t.RepliedOnTime, ticket.MetricReplied: t.Replied,
		ticket.MetricOverdue: t.Overdue, ticket.MetricRated: t.Rated, ticket.MetricResolved: t.Resolved, ticket.MetricSatisfied: t.Satisfied,
	}
}

// Hotspot is one category or region: tickets filed in the period and in the
// period of the same length before it.
type Hotspot struct {
	Key           string `json:"key"`
	Name          string `json:"name"`
	Count         int    `json:"count"`
	PreviousCount int    `json:"previousCount"`
	Change        int    `json:"change"` // count - previousCount
}

const (
	defaultHotspots = 10
	maxHotspots     = 100
)

// hotspots is GET /v1/stats/hotspots: the categories or regions most filed
// in the period, rising issues first.
func (h *Handler) hotspots(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	sr, err := readStatsRequest(r, []auth.Role{auth.RoleSupervisor, auth.RoleAdmin}, "by", "limit")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	format, from, to := sr.format, sr.from, sr.to
	by, limit, err := hotspotParams(r.QueryStringParameters)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	days := daysIn(from, to)
	prevFrom, prevTo := from.AddDays(-days), from.AddDays(-1)
	now, err := h.Store.Counts(ctx, by, from.Start(), to.Start())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	before, err := h.Store.Counts(ctx, by, prevFrom.Start(), prevTo.Start())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	list := rankHotspots(now, before, func(code string) string {
		if by == ticket.FamilyCategory {
			return cat.CategoryName(code)
		}
		name, _ := h.Regions.RegionName(code)
		return name
	})
	if len(list) > limit {
		list = list[:limit]
	}
	if format != export.FormatJSON {
		t := export.Table{Sheet: "热点 hotspots", Header: []string{"编号 key", "名称 name", "本期 count", "上期 previous count", "变化 change"}}
		for _, hs := range list {
			t.Rows = append(t.Rows, []any{hs.Key, hs.Name, hs.Count, hs.PreviousCount, hs.Change})
		}
		return exportResponse(format, "hotspots-"+by+"-"+from.String()+"-"+to.String(), t)
	}
	return httpapi.JSON(http.StatusOK, map[string]any{
		"from": from.String(), "to": to.String(), "by": by,
		"previousFrom": prevFrom.String(), "previousTo": prevTo.String(), "hotspots": list,
	}), nil
}

func hotspotParams(params map[string]string) (by string, limit int, err error) {
	fields := map[string]string{}
	switch by = params["by"]; by {
	case ticket.FamilyCategory, ticket.FamilyRegion:
	case "":
		by = ticket.FamilyCategory
	default:
		fields["by"] = "category or region"
	}
	limit = defaultHotspots
	if v := params["limit"]; v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 1 || n > maxHotspots {
			fields["limit"] = "1 to 100"
		}
		limit = n
	}
	if len(fields) > 0 {
		return "", 0, httpapi.BadRequest("invalid hotspots request", fields)
	}
	return by, limit, nil
}

// rankHotspots orders the codes filed in either period: the largest rise
// first, then the most filed, then by code.
func rankHotspots(now, before map[string]map[string]int, name func(code string) string) []Hotspot {
	seen := map[string]bool{}
	list := []Hotspot{}
	for _, counts := range []map[string]map[string]int{now, before} {
		for scope := range counts {
			_, code := ticket.ScopeKind(scope)
			if seen[code] {
				continue
			}
			seen[code] = true
			c, p := now[scope][ticket.MetricFiled], before[scope][ticket.MetricFiled]
			if c == 0 && p == 0 {
				continue
			}
			list = append(list, Hotspot{Key: code, Name: name(code), Count: c, PreviousCount: p, Change: c - p})
		}
	}
	slices.SortFunc(list, func(a, b Hotspot) int {
		return cmp.Or(cmp.Compare(b.Change, a.Change), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key))
	})
	return list
}
