package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/export"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

const (
	// maxSearchDays bounds a search's filing range (a year, leap or not).
	maxSearchDays = 366
	// maxSearchText bounds q.
	maxSearchText = 100
	// maxExportRows bounds one export: its file stays far below Lambda's
	// 6 MB answer (about 300 bytes a row in CSV, less in XLSX).
	maxExportRows = 5000
)

var searchParams = map[string]bool{
	"status": true, "departmentId": true, "category": true, "region": true, "from": true, "to": true,
	"overdue": true, "escalated": true, "q": true, "cursor": true, "limit": true, "format": true,
}

// parseTicketQuery reads the query string of GET /v1/tickets. Every
// parameter is checked; the catalog and the division list name what exists.
func parseTicketQuery(params map[string]string, cat *catalog.Catalog, regions RegionNames) (ports.TicketQuery, error) {
	var q ports.TicketQuery
	fields := map[string]string{}
	for k := range params {
		if !searchParams[k] {
			fields[k] = "unknown parameter"
		}
	}
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
		switch {
		case !utf8.ValidString(v), strings.IndexFunc(v, unicode.IsControl) >= 0:
			fields["q"] = "text without control characters"
		case utf8.RuneCountInString(q.Text) < 2 || utf8.RuneCountInString(q.Text) > maxSearchText:
			fields["q"] = fmt.Sprintf("2 to %d characters", maxSearchText)
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
	resp, err := exportResponse(format, "tickets", ticketTable(found, cat, h.Regions))
	if truncated {
		resp.Headers["X-Export-Truncated"] = strconv.Itoa(maxExportRows)
	}
	return resp, err
}

// ticketTable is the export of search results. It holds what the summaries
// show plus the text a supervisor reads; never a contact (a listing does
// not unseal one, and an export leaves the platform's access control).
func ticketTable(ts []ticket.Ticket, cat *catalog.Catalog, regions RegionNames) export.Table {
	t := export.Table{Sheet: "工单 tickets", Header: []string{
		"工单编号 id", "类型 type", "分类 category", "分类名称 category name", "状态 status", "受理时间 created",
		"承办单位 department", "协办单位 co-handlers", "答复期限 reply by", "超期 overdue", "督办 escalated", "紧急 urgency",
		"行政区划 region", "区划名称 region name", "地址 address", "诉求内容 content", "答复结果 reply result", "满意 satisfied", "等待原因 waiting because",
	}}
	for i := range ts {
		k := &ts[i]
		s := summarize(k, cat)
		region, address := "", ""
		if k.Location != nil {
			region, address = k.Location.Region, k.Location.Address
		}
		regionName, _ := regions.RegionName(region)
		replyBy, result, satisfied := "", "", ""
		if s.ReplyBy != nil {
			replyBy = s.ReplyBy.In(ticket.China).Format(time.DateTime)
		}
		if k.Reply != nil {
			result = string(k.Reply.Result)
		}
		if k.Rating != nil {
			satisfied = yesNo(k.Rating.Satisfied)
		}
		t.Rows = append(t.Rows, []any{
			k.ID, string(k.Type), k.Category, s.CategoryName, string(k.Status), k.CreatedAt.In(ticket.China).Format(time.DateTime),
			cat.DepartmentName(k.DepartmentID), strings.Join(k.CoHandlers, " "), replyBy, yesNo(k.Overdue), yesNo(k.Escalated), string(k.Urgency),
			region, regionName, address, k.Content, result, satisfied, strings.Join(waitReasons(s), "; "),
		})
	}
	return t
}

func yesNo(b bool) string {
	if b {
		return "是 yes"
	}
	return "否 no"
}

// waitReasons says in words why a listed ticket waits.
func waitReasons(s summaryView) []string {
	var out []string
	if len(s.SuspectedEmergency) > 0 {
		out = append(out, "疑似紧急 suspected emergency "+strings.Join(s.SuspectedEmergency, "/"))
	}
	if s.DuplicateOf != "" {
		out = append(out, "疑似重复 possible duplicate of "+s.DuplicateOf)
	}
	if len(s.SameMatter) > 0 {
		out = append(out, "同一事项 same matter as "+strings.Join(s.SameMatter, " "))
	}
	if s.ExtensionRequested {
		out = append(out, "申请延期 extension requested")
	}
	if s.PhoneCallNeeded != "" {
		out = append(out, "通知未送达 notice undeliverable: "+s.PhoneCallNeeded)
	}
	if s.Stuck {
		out = append(out, "流程中断 workflow stopped")
	}
	if s.ReviewReason != "" {
		out = append(out, "审核 review: "+s.ReviewReason)
	}
	return out
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
