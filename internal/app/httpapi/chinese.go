package httpapi

import (
	"regexp"
	"slices"
	"strings"
)

// The API's messages are written in English where they are made (domain
// validation, handlers); a client asking for Chinese gets them translated here
// at the boundary, so no rule has to know who reads it. A message a template
// here does not cover stays English: an English word beats a wrong Chinese one.
// golang.org/x/text/message formats messages from keys and arguments; ours
// come formatted from the domain, so they are matched back against templates
// instead (%d, %s and %v stand for the values).
var chineseTemplates = map[string]string{
	// Generic answers.
	"not found":      "未找到",
	"internal error": "系统内部错误，请稍后再试",
	"the ticket changed meanwhile or is not in the right status; reload and retry":       "工单已被他人更新或当前状态不允许此操作，请刷新后重试",
	"this Idempotency-Key was used with a different request body":                        "该 Idempotency-Key 已用于内容不同的请求",
	"too many requests: %s; retry after %s":                                              "请求过于频繁（%s），请在 %s 后重试",
	"tickets filed from this client":                                                     "本客户端提交的工单",
	"verification codes from this client":                                                "本客户端申请的验证码",
	"verification codes to this recipient":                                               "发往该号码或邮箱的验证码",
	"verification codes to this recipient today":                                         "今日发往该号码或邮箱的验证码",
	"requests with an access code from this client":                                      "本客户端的查询",
	"wrong access codes for this ticket":                                                 "该工单的错误查询码",
	"request body larger than %d bytes":                                                  "请求内容超过 %d 字节",
	"invalid request body: %s":                                                           "请求内容格式错误：%s",
	"ticket cannot go from %s to %s":                                                     "工单不能从 %s 状态变为 %s",
	"a staff token is required":                                                          "需要工作人员令牌",
	"send If-Match with the ETag of your last read (or * to replace whatever is stored)": "请在 If-Match 中带上最近一次读取时的 ETag（或 * 表示覆盖现有内容）",
	"%s changed since version %d (now %d); reload and retry":                             "%s 自版本 %d 后已被修改（现为 %d），请刷新后重试",
	"%s changed concurrently; reload and retry":                                          "%s 同时被他人修改，请刷新后重试",
	"this path serves %s":                                                                "该路径只支持 %s",
	"the catalog":                                                                        "目录配置",
	"the screening rules":                                                                "审核规则",
	"the change was recorded, but the workflow step it answers had already finished or timed out": "操作已记录，但对应的流程步骤已结束或超时",

	// Parsing a body.
	"body is not valid UTF-8":               "内容不是有效的 UTF-8",
	"body is empty":                         "内容为空",
	"body must be a JSON object":            "内容必须是 JSON 对象",
	"unexpected data after the JSON object": "JSON 对象后有多余内容",
	"malformed JSON at byte %d":             "JSON 格式错误（第 %d 字节）",
	"truncated JSON":                        "JSON 不完整",
	"malformed JSON":                        "JSON 格式错误",
	"unknown field %s":                      "未知字段 %s",
	"field %s: expected %s":                 "字段 %s 应为 %s",

	// Free text (internal/domain/text) and the ticket's fields.
	"required":              "必填",
	"at most %d characters": "最多 %d 个字符",
	"%d to %d characters":   "需 %d 至 %d 个字符",
	"must not contain control or format characters (%s)": "不能包含控制字符或格式字符（%s）",
	"must be one of %s":                                             "须为以下之一：%s",
	"phone tickets are entered by operators":                        "电话工单由话务员录入",
	"must be zh or en":                                              "须为 zh 或 en",
	"must be a category code such as consumer.refund":               "须为分类代码，如 consumer.refund",
	"must be an http or https URL of at most %d bytes":              "须为 http 或 https 网址，最多 %d 字节",
	"must be a GB/T 2260 administrative division code (list of %s)": "须为 GB/T 2260 行政区划代码（%s 版）",
	"lat and lng go together":                                       "经度和纬度须同时填写",
	"must be between -90 and 90":                                    "须在 -90 至 90 之间",
	"must be between -180 and 180":                                  "须在 -180 至 180 之间",
	"must be a mainland mobile number or a landline with area code": "须为大陆手机号或带区号的固定电话",
	"must be an e-mail address":                                     "须为电子邮箱地址",
	"phone or e-mail required unless anonymous":                     "请填写手机号或电子邮箱（匿名反映除外）",

	// Verification.
	"give a mobile number or an e-mail address, one of them": "请填写手机号或电子邮箱中的一项",
	"must be a mainland mobile number: codes go by SMS":      "须为大陆手机号：验证码以短信发送",
	"zh or en": "zh 或 en",
	"SMS is switched off here: verify an e-mail address":                                                          "本平台未开通短信，请验证电子邮箱",
	"invalid verification request":                                                                                "验证请求有误",
	"the verification is for another phone or address than the contact's":                                         "验证的手机号或邮箱与联系方式不一致",
	`verify the phone or e-mail address first (POST /v1/verifications) and send {"verification": {"id", "code"}}`: `请先验证手机号或电子邮箱（POST /v1/verifications），并在请求中带上 {"verification": {"id", "code"}}`,

	// What a citizen does after filing.
	"required: 1 to 5":                                             "必填：1 至 5 分",
	"only an operator records a rating by phone":                   "只有话务员可以记录电话回访评价",
	"only a replied or answered ticket can be rated":               "只有已答复的工单可以评价",
	"this answer was already rated":                                "该答复已评价过",
	"a ticket takes at most %d supplements; this one has them all": "每个工单最多补充 %d 次，已达上限",
	"the ticket is %s":                                             "工单当前状态为 %s",
	"timelineCursor is not one this API gave":                      "timelineCursor 无效",
	"the timelineNext of an earlier answer":                        "须为之前返回的 timelineNext",
	"cursor is not one this API returned":                          "cursor 无效",
	"invalid":                                                      "无效",

	// Attachments: the upload form, the check of a file by its content.
	"invalid upload request":                                               "上传请求有误",
	"invalid attachments":                                                  "附件有误",
	"at most %d files":                                                     "最多 %d 个文件",
	"given twice":                                                          "重复",
	"must be an uploadId from POST /v1/uploads":                            "须为 POST /v1/uploads 返回的 uploadId",
	"must be the file's size in bytes, 1 to %d":                            "须为文件大小（字节），1 至 %d",
	"must be ticket, supplement or reply":                                  "须为 ticket、supplement 或 reply",
	"not a ticket id":                                                      "不是工单编号",
	"a new ticket has no id yet; leave it out":                             "新工单尚无编号，请勿填写",
	"required with purpose %s":                                             "用途为 %s 时须填写",
	"only for a new ticket; a supplement comes with X-Access-Code":         "仅用于新工单；补充材料请带 X-Access-Code",
	"uploads from this client":                                             "本客户端的上传",
	"this hotline takes no files":                                          "本热线不接收附件",
	"not accepted here":                                                    "此处不接收",
	"a supplement is the citizen's; staff add notes":                       "补充材料由市民提交；工作人员请添加备注",
	"a reply's files are the department's: send a staff token":             "答复的附件由承办单位上传，请提供工作人员令牌",
	"only the lead department replies to this ticket":                      "只有主办单位可以答复此工单",
	"no such upload of yours; upload the file with POST /v1/uploads first": "没有您上传的这个文件，请先通过 POST /v1/uploads 上传",
	"this upload is already attached":                                      "该文件已添加到工单",
	"this upload expired; upload the file again":                           "上传已过期，请重新上传文件",
	"this upload is for a %s, not a %s":                                    "该文件用于 %s，不能用于 %s",
	"the file was not uploaded; send it to the upload's url first":         "文件尚未上传，请先发送到上传地址",
	"the file is larger than announced":                                    "文件比申报的大",
	"a file of this request was attached meanwhile, or its upload expired; upload it again":            "该请求中的文件已被添加或上传已过期，请重新上传",
	"a ticket takes at most %d files; this one has %d":                                                 "每张工单最多 %d 个文件，本工单已有 %d 个",
	"this file is already attached to the ticket":                                                      "该文件已在工单中",
	"this kind of file is not accepted; please attach a photo (JPEG, PNG, HEIC or WebP) or a PDF":      "不接受此类文件，请上传照片（JPEG、PNG、HEIC 或 WebP）或 PDF",
	"this kind of file is not accepted; please attach a photo (JPEG, PNG, HEIC or WebP) or a PDF (%s)": "不接受此类文件，请上传照片（JPEG、PNG、HEIC 或 WebP）或 PDF（%s）",
	"the file's content does not match its type; please attach the original file":                      "文件内容与类型不符，请上传原始文件",
	"the file's content does not match its type; please attach the original file (%s)":                 "文件内容与类型不符，请上传原始文件（%s）",
	"the file is too large":      "文件过大",
	"the file is too large (%s)": "文件过大（%s）",
	"the picture is too large (too many pixels); please attach a smaller picture":                                      "图片像素过多，请上传较小的图片",
	"the picture is too large (too many pixels); please attach a smaller picture (%s)":                                 "图片像素过多，请上传较小的图片（%s）",
	"the file is damaged and cannot be read":                                                                           "文件已损坏，无法读取",
	"the file is damaged and cannot be read (%s)":                                                                      "文件已损坏，无法读取（%s）",
	"the PDF contains scripts, attachments or other active content; please print it to a new PDF and attach that":      "PDF 含有脚本、附件等活动内容，请另存（打印）为新的 PDF 后再上传",
	"the PDF contains scripts, attachments or other active content; please print it to a new PDF and attach that (%s)": "PDF 含有脚本、附件等活动内容，请另存（打印）为新的 PDF 后再上传（%s）",
	"the PDF is password-protected or encrypted; please attach an unprotected copy":                                    "PDF 设有密码或已加密，请上传未加密的版本",
	"the PDF is password-protected or encrypted; please attach an unprotected copy (%s)":                               "PDF 设有密码或已加密，请上传未加密的版本（%s）",
	"the file name is not acceptable":                                                                                  "文件名不可用",
	"the file name is not acceptable (%s)":                                                                             "文件名不可用（%s）",

	// The catalog, as the admin screens edit it: the detail, then each
	// field's message (problemFields puts the part after "where: " there).
	"the changed catalog is invalid":                            "修改后的目录配置有误",
	"invalid calendar":                                          "工作日历有误",
	"unknown department %s":                                     "没有承办单位 %s",
	"unknown co-handler %s":                                     "没有协办单位 %s",
	"unknown category %s":                                       "没有分类 %s",
	"unknown type %s":                                           "没有诉求类型 %s",
	"lead department %s is also a co-handler":                   "主办单位 %s 同时被列为协办单位",
	"co-handler %s listed twice":                                "协办单位 %s 重复",
	"type %s listed twice":                                      "诉求类型 %s 重复",
	"duplicate code":                                            "分类代码重复",
	"duplicate department id %s":                                "承办单位编号 %s 重复",
	"duplicate rule id %s":                                      "规则编号 %s 重复",
	"id %s must be 1–64 characters of a-z, 0-9, _ and -":        "编号 %s 须为 1–64 个字符，只能用 a-z、0-9、_ 和 -",
	"name must be 1–100 printable characters on one line":       "名称须为 1–100 个可打印字符，不能换行",
	"nameEn must be up to 150 printable characters on one line": "英文名称最多 150 个可打印字符，不能换行",
	"name must be 1–50 characters (nameEn up to 100)":           "名称须为 1–50 个字符（英文名称最多 100 个）",
	"region %s is not a 6-digit division code":                  "区划代码 %s 不是 6 位行政区划代码",
	"region %s must be 2, 4 or 6 digits":                        "区划代码 %s 须为 2、4 或 6 位数字",
	"priority must be 0–1000":                                   "优先级须为 0–1000",
	"a default rule has no conditions":                          "兜底规则不能带条件",
	"no condition and not marked default":                       "规则没有任何条件，也未标为兜底规则",
	"keywords and involved units must be 1–100 characters without surrounding spaces": "关键词和涉及单位须为 1–100 个字符，首尾不能有空格",
	"leaf category without types":                                                                       "末级分类须选择诉求类型",
	"leaf category without service level":                                                               "末级分类须设置办理时限",
	"only leaf categories have types, a service level and attributes":                                   "只有末级分类才有诉求类型、办理时限和附加字段",
	"a top-level category needs children; tickets use two-level codes":                                  "一级分类下须有子分类，工单使用二级分类代码",
	"must be %s.<segment>":                                                                              "须为 %s.<子代码>",
	"top-level code must have one segment":                                                              "一级分类代码只能有一段",
	"code %s must be lowercase a-z, 0-9, _ segments joined by dots":                                     "分类代码 %s 须由小写字母、数字和 _ 组成，各段用点连接",
	"no default rule: add one (no conditions, \"default\": true) for the tickets no other rule matches": "没有兜底规则：请添加一条（无条件，\"default\": true），用于其他规则都不匹配的工单",
	"%d default rules; at most one":                                                                     "有 %d 条兜底规则，最多一条",
	"the default rule's department %s is inactive, so unmatched tickets could not be routed":            "兜底规则的承办单位 %s 已停用，不匹配其他规则的工单将无法派单",
	"invalid service level: %s":                                                                         "办理时限有误：%s",
	"acceptHours must be 1 to 720":                                                                      "签收时限须为 1–720 小时",
	"set either replyWorkingDays or replyHours, not both":                                               "答复时限只能按工作日或按小时设置其一",
	"replyWorkingDays or replyHours required":                                                           "须设置答复时限（工作日或小时）",
	"replyWorkingDays must be 1 to 60":                                                                  "答复工作日须为 1–60",
	"replyHours must be 1 to 720":                                                                       "答复小时数须为 1–720",
}

type chineseTemplate struct {
	pattern *regexp.Regexp
	zh      string
	literal bool // no verbs: compared as it is
}

var chineseCatalog = compileChinese(chineseTemplates)

var verb = regexp.MustCompile(`%[dsv]`)

// compileChinese turns each English template into a pattern whose groups
// are the values, longest template first so the most specific one wins.
func compileChinese(templates map[string]string) []chineseTemplate {
	keys := make([]string, 0, len(templates))
	for en := range templates {
		keys = append(keys, en)
	}
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	out := make([]chineseTemplate, 0, len(keys))
	for _, en := range keys {
		parts := verb.Split(en, -1)
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		out = append(out, chineseTemplate{
			// A value never spans "; ", which joins several messages into
			// one (a field's problems): those are translated one by one.
			pattern: regexp.MustCompile("^" + strings.Join(parts, "((?:[^;]|;[^ ])+?)") + "$"),
			zh:      templates[en],
			literal: len(parts) == 1,
		})
	}
	return out
}

// Chinese is msg in Chinese when a template covers it, else msg. The values
// a template stands for are themselves translated where they can be (the
// detail of a parse error, say).
func Chinese(msg string) string {
	for _, t := range chineseCatalog {
		m := t.pattern.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		if t.literal {
			return t.zh
		}
		values := m[1:]
		i := 0
		return verb.ReplaceAllStringFunc(t.zh, func(string) string {
			v := values[i]
			i++
			return Chinese(v)
		})
	}
	if parts := strings.Split(msg, "; "); len(parts) > 1 {
		changed := false
		for i, p := range parts {
			parts[i] = Chinese(p)
			changed = changed || parts[i] != p
		}
		if changed {
			return strings.Join(parts, "；")
		}
	}
	return msg
}

// chineseProblem translates a problem's detail and fields. A validation
// error's detail lists its fields; it is rebuilt from the translated ones.
func chineseProblem(p *Problem) {
	if len(p.Fields) > 0 {
		fields := make(map[string]string, len(p.Fields))
		keys := make([]string, 0, len(p.Fields))
		for k, v := range p.Fields {
			fields[k] = Chinese(v)
			keys = append(keys, k)
		}
		if strings.HasPrefix(p.Detail, "validation failed: ") {
			slices.Sort(keys)
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + "：" + fields[k]
			}
			p.Detail = "请求内容有误：" + strings.Join(parts, "；")
		}
		p.Fields = fields
	}
	p.Detail = Chinese(p.Detail)
}
