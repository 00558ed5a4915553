// Package notice writes what the platform tells a citizen, in the ticket's
// language: the receipt at intake and the notice of each result. It names the
// ticket and the department, never the citizen.
package notice

import (
	"fmt"
	"html"
	"strings"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Message is one notice to the citizen in their language.
type Message struct {
	Subject string
	Text    string
	HTML    string
	SMS     string
}

// Compose writes the notice for the ticket's current status. It names the ticket
// and the department, never the citizen.
func Compose(t *ticket.Ticket, cat *catalog.Catalog) Message {
	en := t.Language == ticket.LanguageEN
	var subject, body string
	switch {
	case t.Status == ticket.StatusInReview && len(t.SuspectedEmergency) > 0:
		// The whole notice goes by SMS too: the number to call is the point.
		if en {
			subject = fmt.Sprintf("12345 hotline: ticket %s may be an emergency", t.ID)
		} else {
			subject = fmt.Sprintf("【12345】工单 %s 可能涉及紧急情况", t.ID)
		}
		body = t.ReviewNotice
		sep := "："
		if en {
			sep = ": "
		}
		return Message{Subject: subject, Text: body, HTML: htmlOf(body), SMS: subject + sep + body}
	case t.Status == ticket.StatusRejected:
		if en {
			subject = fmt.Sprintf("12345 hotline: ticket %s was not accepted", t.ID)
			body = "We could not accept your ticket. " + t.ReviewNotice
		} else {
			subject = fmt.Sprintf("【12345】工单 %s 不予受理", t.ID)
			body = "您的工单不予受理。" + t.ReviewNotice
		}
	case t.Status == ticket.StatusMerged:
		if en {
			subject = fmt.Sprintf("12345 hotline: ticket %s joined an open ticket", t.ID)
			body = fmt.Sprintf("Your ticket concerns the same matter as ticket %s and is handled together with it.", t.MergedInto)
		} else {
			subject = fmt.Sprintf("【12345】工单 %s 已并单办理", t.ID)
			body = fmt.Sprintf("您反映的问题与工单 %s 相同，已合并办理。", t.MergedInto)
		}
	case t.Status == ticket.StatusAnswered:
		if en {
			subject = fmt.Sprintf("12345 hotline: answer to ticket %s", t.ID)
			body = t.Answer + "\n\nWere you satisfied with this answer? Please rate it with your ticket number and access code."
		} else {
			subject = fmt.Sprintf("【12345】工单 %s 已答复", t.ID)
			body = t.Answer + "\n\n请使用工单号和查询码对本次答复进行满意度评价。"
		}
	default: // replied
		dept, result, msg := "", "", ""
		if t.Reply != nil {
			dept, msg = cat.DepartmentName(t.Reply.DepartmentID), t.Reply.Message
			result = resultName(t.Reply.Result, en)
		}
		if en {
			subject = fmt.Sprintf("12345 hotline: %s replied to ticket %s", dept, t.ID)
			body = fmt.Sprintf("Result: %s\n\n%s\n\nWere you satisfied? Please rate the handling with your ticket number and access code.", result, msg)
		} else {
			subject = fmt.Sprintf("【12345】%s 已答复您的工单 %s", dept, t.ID)
			body = fmt.Sprintf("办理结果：%s\n\n%s\n\n请使用工单号和查询码对办理情况进行满意度评价。", result, msg)
		}
	}
	return Message{
		Subject: subject,
		Text:    body,
		HTML:    htmlOf(body),
		SMS:     smsText(subject, en),
	}
}

func htmlOf(body string) string {
	return "<p>" + strings.ReplaceAll(html.EscapeString(body), "\n", "<br>") + "</p>"
}

// smsText stays short: SMS carries the notice, the details are online.
func smsText(subject string, en bool) string {
	if en {
		return subject + ". Look up the details and rate the handling with your access code."
	}
	return subject + "。请凭查询码查看详情并评价。"
}

func resultName(r ticket.ReplyResult, en bool) string {
	names := map[ticket.ReplyResult][2]string{
		ticket.ResultResolved:     {"已解决", "resolved"},
		ticket.ResultExplained:    {"已解释说明", "explained"},
		ticket.ResultUnresolvable: {"暂无法解决", "cannot be resolved"},
	}
	n, ok := names[r]
	if !ok {
		return string(r)
	}
	if en {
		return n[1]
	}
	return n[0]
}

// Receipt is the message a citizen gets at intake: the ticket id and the
// access code, and what they are for. It is the only message that carries the
// access code.
func Receipt(t *ticket.Ticket, accessCode string) Message {
	var subject, body, sms string
	if t.Language == ticket.LanguageEN {
		subject = fmt.Sprintf("12345 hotline: ticket %s received", t.ID)
		body = fmt.Sprintf("Your ticket %s was received. Your access code is %s: with the ticket number and this code you can follow the ticket, add material and rate the answer. Keep the code to yourself.", t.ID, accessCode)
		sms = fmt.Sprintf("12345 hotline: ticket %s received, access code %s. Use both to follow the ticket and rate the answer.", t.ID, accessCode)
	} else {
		subject = fmt.Sprintf("【12345】工单 %s 已受理", t.ID)
		body = fmt.Sprintf("您的工单 %s 已受理，查询码为 %s。凭工单号和查询码可以查询办理进度、补充材料并对答复进行评价。请妥善保管查询码。", t.ID, accessCode)
		sms = fmt.Sprintf("【12345】您的工单 %s 已受理，查询码 %s。凭工单号和查询码可查询进度、补充材料、评价答复。", t.ID, accessCode)
	}
	return Message{Subject: subject, Text: body, HTML: htmlOf(body), SMS: sms}
}
