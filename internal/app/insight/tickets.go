package insight

import (
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/app/export"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// RegionNames names the administrative divisions (GB/T 2260).
type RegionNames interface {
	RegionName(code string) (string, bool)
}

// TicketTable is the export of search results. It holds what the summaries
// show plus the text a supervisor reads; never a contact (a listing does
// not unseal one, and an export leaves the platform's access control).
func TicketTable(ts []ticket.Ticket, cat *catalog.Catalog, regions RegionNames) export.Table {
	t := export.Table{Sheet: "工单 tickets", Header: []string{
		"工单编号 id", "类型 type", "分类 category", "分类名称 category name", "状态 status", "受理时间 created",
		"承办单位 department", "协办单位 co-handlers", "答复期限 reply by", "超期 overdue", "督办 escalated", "紧急 urgency",
		"行政区划 region", "区划名称 region name", "地址 address", "诉求内容 content", "答复结果 reply result", "满意 satisfied", "等待原因 waiting because",
	}}
	for i := range ts {
		k := &ts[i]
		region, address := "", ""
		if k.Location != nil {
			region, address = k.Location.Region, k.Location.Address
		}
		regionName, _ := regions.RegionName(region)
		replyBy, result, satisfied := "", "", ""
		if !k.Deadlines.Reply.IsZero() {
			replyBy = k.Deadlines.Reply.In(ticket.China).Format(time.DateTime)
		}
		if k.Reply != nil {
			result = string(k.Reply.Result)
		}
		if k.Rating != nil {
			satisfied = yesNo(k.Rating.Satisfied)
		}
		t.Rows = append(t.Rows, []any{
			k.ID, string(k.Type), k.Category, cat.CategoryName(k.Category), string(k.Status), k.CreatedAt.In(ticket.China).Format(time.DateTime),
			cat.DepartmentName(k.DepartmentID), strings.Join(k.CoHandlers, " "), replyBy, yesNo(k.Overdue), yesNo(k.Escalated), string(k.Urgency),
			region, regionName, address, k.Content, result, satisfied, strings.Join(WaitReasons(k), "; "),
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

// WaitReasons says in words why a ticket waits, as its summary shows it.
func WaitReasons(t *ticket.Ticket) []string {
	var out []string
	if len(t.SuspectedEmergency) > 0 {
		out = append(out, "疑似紧急 suspected emergency "+strings.Join(t.SuspectedEmergency, "/"))
	}
	if t.WaitingStep == ticket.StepOperator {
		if t.DuplicateOf != "" {
			out = append(out, "疑似重复 possible duplicate of "+t.DuplicateOf)
		}
		if len(t.SameMatter) > 0 {
			out = append(out, "同一事项 same matter as "+strings.Join(t.SameMatter, " "))
		}
		if t.ReviewReason != "" {
			out = append(out, "审核 review: "+t.ReviewReason)
		}
	}
	if t.ExtensionRequested {
		out = append(out, "申请延期 extension requested")
	}
	if t.PhoneCallNeeded != "" {
		out = append(out, "通知未送达 notice undeliverable: "+t.PhoneCallNeeded)
	}
	if t.Stuck != nil {
		out = append(out, "流程中断 workflow stopped")
	}
	return out
}
