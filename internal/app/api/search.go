package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/export"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/insight"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/text"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// searchText is what q may be: words on one line.
var searchText = text.Field{Min: 2, Max: maxSearchText}

const (
	// maxSearchDays bounds a search's filing range (a year, leap or not).
	maxSearchDays = 366
	// maxSearchText bounds q.
	maxSearchText = 100
	// maxExportRows bounds one export: its file stays far below Lambda's
	// 6 MB answer (about 300 bytes a row in CSV, less in XLSX).
	maxExportRows = 5000
)

var searchParams = []string{
	"status", "departmentId", "category", "region", "from", "to", "overdue", "escalated", "q", "cursor", "limit", "format",
}

// parseTicketQuery reads the query string of GET /v1/tickets. Every
// parameter is checked; the catalog and the division list name what exists.
func parseTicketQuery(params map[string]string, cat *catalog.Catalog, regions RegionNames) (ports.TicketQuery, error) {
	var q ports.TicketQuery
	fields := unknownParams(params, searchParams)
	if v := params["status"]; v != "" {
		if q.Status = ticket.Status(v); !q.Status.Valid() {
			fields["status"] = "a ticket status"
		}
	}
	if v := params["departmentId"]; v != "" {
		if q.DepartmentID = v; !cat.HasDepartment(v) {
			fields["departmentId"] = "no such department"
		}
	}
	if v := params["category"]; v != "" {
		if _, ok := cat.LeafCategory(v); !ok {
			fields["category"] = "a leaf category code"
		}
		q.Category = v
	}
	if v := params["region"]; v != "" {
		if _, ok := regions.RegionName(v); !ok {
			fields["region"] = "a GB/T 2260 division code"
		}
		q.Region = v
	}
	var from, to ticket.Date
	var err error
	if v := params["from"]; v != "" {
		if from, err = ticket.ParseDate(v); err != nil {
			fields["from"] = "YYYY-MM-DD"
		} else {
			q.From = from.Start()
		}
	}
	if v := params["to"]; v != "" {
		if to, err = ticket.ParseDate(v); err != nil {
			fields["to"] = "YYYY-MM-DD"
		} else {
			q.To = to.AddDays(1).Start()
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		switch days := int(q.To.Sub(q.From).Hours() / 24); {
		case days < 1:
			fields["to"] = "not before from"
		case days > maxSearchDays:
			fields["to"] = fmt.Sprintf("at most %d days from from", maxSearchDays)
		}
	}
	for name, dst := range map[string]*bool{"overdue": &q.Overdue, "escalated": &q.Escalated} {
		switch params[name] {
		case "", "false":
		case "true":
			*dst = true
		default:
			fields[name] = "true or false"
		}
	}
	if v := params["q"]; v != "" {
		q.Text = strings.TrimSpace(v)
		if _, msg := searchText.Check(v); msg != "" {
			fields["q"] = msg
		}
	}
	if v := params["limit"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			fields["limit"] = "1 to 100"
		}
		q.Limit = n
	} else {
		q.Limit = 20
	}
	q.Cursor = params["cursor"]
	if len(fields) > 0 {
		return ports.TicketQuery{}, httpapi.BadRequest("invalid search", fields)
	}
	return q, nil
}

// searchTickets is GET /v1/tickets for operators, supervisors and admins:
// one page as JSON, or every match (up to maxExportRows) as CSV or XLSX.
func (h *Handler) searchTickets(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleOperator, auth.RoleSupervisor, auth.RoleAdmin); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	format, err := export.Negotiate(r.QueryStringParameters["format"], httpapi.Header(r.APIGatewayV2HTTPRequest, "Accept"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("invalid search", map[string]string{"format": "json, csv or xlsx"})
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	q, err := parseTicketQuery(r.QueryStringParameters, cat, h.Regions)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if format == export.FormatJSON {
		page, err := h.Store.SearchTickets(ctx, q)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		r.log.InfoContext(ctx, "search", "found", len(page.Tickets), "examined", page.Examined, "more", page.Next != "")
		return listPage(page.Tickets, page.Next, cat, ""), nil
	}
	var found []ticket.Ticket
	q.Limit = 100
	truncated := false
	for {
		page, err := h.Store.SearchTickets(ctx, q)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		found = append(found, page.Tickets...)
		if page.Next == "" {
			break
		}
		if len(found) >= maxExportRows {
			truncated = true
			break
		}
		q.Cursor = page.Next
	}
	if len(found) > maxExportRows {
		found, truncated = found[:maxExportRows], true
	}
	r.log.InfoContext(ctx, "search exported", "rows", len(found), "format", format, "truncated", truncated)
	resp, err := exportResponse(format, "tickets", insight.TicketTable(found, cat, h.Regions))
	if truncated {
		resp.Headers["X-Export-Truncated"] = strconv.Itoa(maxExportRows)
	}
	return resp, err
}

// exportResponse answers a table as a CSV or XLSX download.
func exportResponse(format, name string, t export.Table) (events.APIGatewayV2HTTPResponse, error) {
	if format == export.FormatCSV {
		body, err := export.CSV(t)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("export %s: %w", name, err)
		}
		return httpapi.File(export.ContentTypeCSV, name+".csv", body), nil
	}
	body, err := export.XLSX(t)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("export %s: %w", name, err)
	}
	return httpapi.File(export.ContentTypeXLSX, name+".xlsx", body), nil
}
