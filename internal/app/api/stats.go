package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/export"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/insight"
	"github.com/hotline12345/hotline/internal/domain/region"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// maxStatsDays bounds GET /v1/stats and hotspots: a year, leap or not.
const maxStatsDays = 366

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
	if fields := unknownParams(params, known); len(fields) > 0 {
		return httpapi.BadRequest("unknown parameters", fields)
	}
	return nil
}

// unknownParams lists, as field errors, the parameters not in known.
func unknownParams(params map[string]string, known []string) map[string]string {
	fields := map[string]string{}
	for k := range params {
		if !slices.Contains(known, k) {
			fields[k] = "unknown parameter"
		}
	}
	return fields
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
	rows := insight.Rows(counts, cat, only)
	var total *insight.TotalStats
	if only == "" {
		t := insight.Total(counts)
		total = &t
	}
	if format != export.FormatJSON {
		return exportResponse(format, "stats-"+from.String()+"-"+to.String(), insight.StatsTable(rows, total))
	}
	out := map[string]any{"from": from.String(), "to": to.String(), "departments": rows}
	if total != nil {
		out["total"] = total
	}
	return httpapi.JSON(http.StatusOK, out), nil
}

const (
	defaultHotspots = 10
	maxHotspots     = 100
)

// hotspots is GET /v1/stats/hotspots: the categories or regions most filed
// in the period, rising issues first.
func (h *Handler) hotspots(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	sr, err := readStatsRequest(r, []auth.Role{auth.RoleSupervisor, auth.RoleAdmin}, "by", "level", "limit")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	format, from, to := sr.format, sr.from, sr.to
	by, level, limit, err := hotspotParams(r.QueryStringParameters)
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
	if level != region.LevelCounty {
		up := func(scope string) string {
			_, code := ticket.ScopeKind(scope)
			return ticket.RegionScope(region.RollUp(code, level))
		}
		now, before = insight.RollUp(now, up), insight.RollUp(before, up)
	}
	list := insight.RankHotspots(now, before, func(code string) string {
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

func hotspotParams(params map[string]string) (by, level string, limit int, err error) {
	fields := map[string]string{}
	switch by = params["by"]; by {
	case ticket.FamilyCategory, ticket.FamilyRegion:
	case "":
		by = ticket.FamilyCategory
	default:
		fields["by"] = "category or region"
	}
	switch level = params["level"]; level {
	case "":
		level = region.LevelCounty
	case region.LevelCounty, region.LevelPrefecture, region.LevelProvince:
		if by != ticket.FamilyRegion {
			fields["level"] = "only with by=region"
		}
	default:
		fields["level"] = "county, prefecture or province"
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
		return "", "", 0, httpapi.BadRequest("invalid hotspots request", fields)
	}
	return by, level, limit, nil
}
