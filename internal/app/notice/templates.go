package notice

import (
	"strconv"
	"strings"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// SMSTemplates are the template texts (模板内容) a centre registers with a
// template SMS provider (Tencent Cloud SMS), one per kind, {1}, {2}, … being
// the kind's parameters in order. They say what the free-text SMS says
// without the staff's words, which a template cannot carry; the provider adds
// the signature (【某某市12345】). docs/sms-templates.md lists the same texts,
// which a test checks.
var SMSTemplates = map[ports.SMSKind]string{
	ports.SMSVerification: "您的验证码为{1}，{2}分钟内有效。有人正以此联系方式向12345热线提交诉求，如非本人操作，请忽略本短信。",
	ports.SMSReceipt:      "您的工单{1}已受理，查询码{2}。凭工单号和查询码可查询进度、补充材料、评价答复，请妥善保管查询码。",
	ports.SMSReplied:      "{2}已答复您的工单{1}（{3}）。请凭工单号和查询码查看答复并评价，不满意将重新办理。",
	ports.SMSAnswered:     "您的工单{1}已答复。请凭工单号和查询码查看答复并评价，不满意将重新办理。",
	ports.SMSRejected:     "您的工单{1}不予受理，原因请凭工单号和查询码查看。如有疑问请拨打12345，补充完整后可重新提交。",
	ports.SMSMerged:       "您的工单{1}与工单{2}反映的问题相同，已合并办理，办理结果会同时告知您，无需重复提交。",
	ports.SMSEmergency:    "您的工单{1}可能涉及紧急情况，请立即拨打{2}。12345热线不受理紧急求助。",
	ports.SMSMasterResult: "您的工单{1}随工单{2}办理，已答复（{3}）。请凭工单号和查询码查看，如有疑问请拨打12345。",
}

// RenderSMS fills the kind's template with params as the provider would;
// ok is false for an unknown kind or a wrong number of parameters.
func RenderSMS(kind ports.SMSKind, params []string) (text string, ok bool) {
	tmpl, known := SMSTemplates[kind]
	if !known || len(params) != ports.SMSParamCount[kind] {
		return "", false
	}
	pairs := make([]string, 0, 2*len(params))
	for i, p := range params {
		pairs = append(pairs, "{"+strconv.Itoa(i+1)+"}", p)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl), true
}
