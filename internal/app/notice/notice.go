// Package notice writes what the platform tells a citizen, in the ticket's
// language: the receipt at intake and the notice of each result. It names the
// ticket and the department, never the citizen.
package notice

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Message is one notice to the citizen in their language.
type Message struct {
	Subject string
	Text    string
	HTML    string
	SMS     ports.SMS
}

// Compose writes the notice for the ticket's current status. Every message,
// the SMS too, says what happened and what the citizen can do next. It names
// the ticket and the department, never the citizen.
func Compose(t *ticket.Ticket, cat *catalog.Catalog) Message {
	en := t.Language == ticket.LanguageEN
	var subject, body, next string
	var kind ports.SMSKind
	var params []string
	switch {
	case t.Status == ticket.StatusInReview && len(t.SuspectedEmergency) > 0:
		// The notice is the next step: the number to call.
		kind, params = ports.SMSEmergency, []string{t.ID, emergencyNumbers(t)}
		subject = pick(en, "【12345】工单 %s 可能涉及紧急情况", "12345 hotline: ticket %s may be an emergency", t.ID)
		body = t.ReviewNotice
	case t.Status == ticket.StatusRejected:
		kind, params = ports.SMSRejected, []string{t.ID}
		if t.ReviewReason == "emergency_confirmed" {
			// A template cannot carry the staff's words, and "call 120" is
			// the one thing this notice must say.
			kind, params = ports.SMSEmergency, []string{t.ID, emergencyNumbers(t)}
		}
		subject = pick(en, "【12345】工单 %s 不予受理", "12345 hotline: ticket %s was not accepted", t.ID)
		body = pick(en, "您的工单不予受理：%s", "We could not accept your ticket: %s", t.ReviewNotice)
		if len(t.SuspectedEmergency) == 0 && t.ReviewReason != "emergency_confirmed" {
			next = pick(en, "如有疑问，请拨打12345咨询；补充完整后可以重新提交。", "If you have questions, call 12345; you may submit again with the missing details.")
		}
	case t.Status == ticket.StatusMerged:
		kind, params = ports.SMSMerged, []string{t.ID, t.MergedInto}
		subject = pick(en, "【12345】工单 %s 已并单办理", "12345 hotline: ticket %s is handled with an open ticket", t.ID)
		body = pick(en, "您反映的问题与工单 %s 相同，已合并办理。", "Your ticket concerns the same matter as ticket %s and is handled together with it.", t.MergedInto)
		next = pick(en, "办理结果会同时告知您，无需重复提交。", "You will be told the result with it; there is no need to submit again.")
	case t.Status == ticket.StatusAnswered:
		kind, params = ports.SMSAnswered, []string{t.ID}
		subject = pick(en, "【12345】工单 %s 已答复", "12345 hotline: answer to ticket %s", t.ID)
		body = t.Answer
		next = pick(en, "请凭工单号和查询码查看答复，并评价是否满意；不满意将重新办理。", "Please read the answer and rate it with your ticket number and access code; if you are not satisfied, the ticket is handled again.")
	default: // replied
		dept, result, msg := "", "", ""
		kind, params = ports.SMSReplied, []string{t.ID, "", ""}
		if t.Reply != nil {
			dept, msg = cat.DepartmentNameIn(t.Reply.DepartmentID, t.Language), t.Reply.Message
			result = resultName(t.Reply.Result, en)
			params = []string{t.ID, param(cat.DepartmentNameIn(t.Reply.DepartmentID, ticket.LanguageZH)), resultName(t.Reply.Result, false)}
		}
		if en {
			subject = fmt.Sprintf("12345 hotline: %s replied to ticket %s (%s)", dept, t.ID, result)
		} else {
			subject = fmt.Sprintf("【12345】%s 已答复您的工单 %s（%s）", dept, t.ID, result)
		}
		body = msg
		next = pick(en, "请凭工单号和查询码查看答复，并评价是否满意；不满意将重新办理。", "Please read the reply and rate it with your ticket number and access code; if you are not satisfied, the ticket is handled again.")
	}
	text := body
	if next != "" {
		text += "\n\n" + next
	}
	return Message{Subject: subject, Text: text, HTML: htmlOf(text), SMS: ports.SMS{Kind: kind, Params: params, Text: smsText(subject, body, next, en), TicketID: t.ID}}
}

// MasterResult tells the citizen of a merged ticket the result of the ticket
// it joined (the master), in the merged ticket's language.
func MasterResult(merged, master *ticket.Ticket, cat *catalog.Catalog) Message {
	en := merged.Language == ticket.LanguageEN
	var subject, body string
	params := []string{merged.ID, master.ID, "已答复"}
	switch {
	case master.Reply != nil:
		params[2] = resultName(master.Reply.Result, false)
		result := resultName(master.Reply.Result, en)
		dept := cat.DepartmentNameIn(master.Reply.DepartmentID, merged.Language)
		if en {
			subject = fmt.Sprintf("12345 hotline: %s replied on ticket %s, handled with your ticket %s (%s)", dept, master.ID, merged.ID, result)
		} else {
			subject = fmt.Sprintf("【12345】您的工单 %s 随工单 %s 办理，%s 已答复（%s）", merged.ID, master.ID, dept, result)
		}
		body = master.Reply.Message
	default: // answered directly
		if en {
			subject = fmt.Sprintf("12345 hotline: ticket %s, handled with your ticket %s, was answered", master.ID, merged.ID)
		} else {
			subject = fmt.Sprintf("【12345】您的工单 %s 随工单 %s 办理，已答复", merged.ID, master.ID)
		}
		body = master.Answer
	}
	next := pick(en, "如对办理结果有疑问，请拨打12345。", "If you have questions about the result, call 12345.")
	text := body + "\n\n" + next
	return Message{Subject: subject, Text: text, HTML: htmlOf(text), SMS: ports.SMS{Kind: ports.SMSMasterResult, Params: params, Text: smsText(subject, body, next, en), TicketID: merged.ID}}
}

// pick formats the Chinese or the English form.
func pick(en bool, zh, english string, args ...any) string {
	if en {
		return fmt.Sprintf(english, args...)
	}
	return fmt.Sprintf(zh, args...)
}

// maxSMSRunes keeps an SMS within what the texter sends (500 characters);
// a longer body is cut, the next step never is.
const maxSMSRunes = 480

// smsText is the subject, the body as far as it fits, and the next step.
func smsText(subject, body, next string, en bool) string {
	sep, more := "：", "…（详见网站）"
	if en {
		sep, more = ": ", "… (details online)"
	}
	room := maxSMSRunes - utf8.RuneCountInString(subject) - utf8.RuneCountInString(sep) - utf8.RuneCountInString(next) - 1
	body = strings.Join(strings.Fields(body), " ")
	if r := []rune(body); len(r) > room {
		keep := max(room-utf8.RuneCountInString(more), 0)
		body = string(r[:keep]) + more
	}
	out := subject
	if body != "" {
		out += sep + body
	}
	if next != "" {
		out += " " + next
	}
	return out
}

func htmlOf(body string) string {
	return "<p>" + strings.ReplaceAll(html.EscapeString(body), "\n", "<br>") + "</p>"
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
	return Message{Subject: subject, Text: body, HTML: htmlOf(body), SMS: ports.SMS{Kind: ports.SMSReceipt, Params: []string{t.ID, accessCode}, Text: sms, TicketID: t.ID}}
}

// VerificationCode is the message with a contact's verification code (验证码).
// It says who asked, so a person who did not ask knows to ignore it.
func VerificationCode(code string, minutes int, lang ticket.Language) Message {
	var subject, body, sms string
	if lang == ticket.LanguageEN {
		subject = "12345 hotline: your verification code"
		body = fmt.Sprintf("Your verification code is %s. It is valid for %d minutes. Someone is filing a ticket with the 12345 hotline with this contact; if it was not you, ignore this message.", code, minutes)
		sms = fmt.Sprintf("12345 hotline: verification code %s, valid %d minutes. Not you? Ignore this message.", code, minutes)
	} else {
		subject = "【12345】验证码"
		body = fmt.Sprintf("您的验证码为 %s，%d分钟内有效。有人正以此联系方式向12345热线提交诉求；如非本人操作，请忽略本消息。", code, minutes)
		sms = fmt.Sprintf("【12345】验证码 %s，%d分钟内有效。如非本人操作，请忽略。", code, minutes)
	}
	return Message{Subject: subject, Text: body, HTML: htmlOf(body), SMS: ports.SMS{Kind: ports.SMSVerification, Params: []string{code, strconv.Itoa(minutes)}, Text: sms}}
}

// param fits a value into a template variable (ports.MaxSMSParamRunes); only
// a long department name needs it, and its head still names it.
func param(s string) string {
	s = strings.Join(strings.Fields(s), "")
	if r := []rune(s); len(r) > ports.MaxSMSParamRunes {
		return string(r[:ports.MaxSMSParamRunes])
	}
	return s
}

// knownEmergencyNumbers are the numbers a confirmed emergency's notice can
// name (ticket.EmergencyConfirmedNotice).
var knownEmergencyNumbers = []string{"110", "119", "120", "122"}

// emergencyNumbers is the numbers to call, as one template variable: those
// the screening suspected, else those the confirming notice names (the
// confirmation clears the suspicion), else all of them.
func emergencyNumbers(t *ticket.Ticket) string {
	nums := t.SuspectedEmergency
	if len(nums) == 0 {
		for _, n := range knownEmergencyNumbers {
			if strings.Contains(t.ReviewNotice, n) {
				nums = append(nums, n)
			}
		}
	}
	if len(nums) == 0 {
		nums = knownEmergencyNumbers[:3]
	}
	return param(strings.Join(nums, "/"))
}
