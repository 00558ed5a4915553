package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/text/language"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// ProblemTypeBase prefixes each code to make the problem's type URI
// (RFC 9457 §3.1.1): stable, and a place for documentation of the code.
const ProblemTypeBase = "https://errors.hotline12345.example/"

// ProblemContentType is the media type of every error answer of a function.
const ProblemContentType = "application/problem+json"

// Problem is an error answer: RFC 9457 problem details with the API's code,
// the fields at fault and the request id to quote to support (API.md v1.1).
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Code      string            `json:"code"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"requestId,omitempty"`
}

// titles are the problem titles by code, in English and Chinese: a title is
// the same for every occurrence of its code (RFC 9457 §3.1.3).
var titles = map[string]struct{ en, zh string }{
	"validation_failed":     {"Validation failed", "请求内容有误"},
	"verification_required": {"Verification required", "需要验证联系方式"},
	"unauthorized":          {"Unauthorized", "未登录或登录已失效"},
	"forbidden":             {"Forbidden", "无权执行此操作"},
	"not_found":             {"Not found", "未找到"},
	"method_not_allowed":    {"Method not allowed", "不支持该请求方法"},
	"conflict":              {"Conflict", "操作与当前状态冲突"},
	"gone":                  {"Gone", "该步骤已结束"},
	"precondition_failed":   {"Precondition failed", "内容已被他人修改"},
	"payload_too_large":     {"Payload too large", "请求内容过大"},
	"precondition_required": {"Precondition required", "需要 If-Match 条件"},
	"rate_limited":          {"Too many requests", "请求过于频繁"},
	"attachment_rejected":   {"Attachment rejected", "附件未被接受"},
	"internal":              {"Internal error", "系统内部错误"},
}

// Title is the code's title in lang; unknown codes get the generic one.
func Title(code string, lang ticket.Language) string {
	t, ok := titles[code]
	if !ok {
		t = titles["internal"]
	}
	if lang == ticket.LanguageEN {
		return t.en
	}
	return t.zh
}

var languages = language.NewMatcher([]language.Tag{language.Chinese, language.English})

// Language is the answer language the client asks for with Accept-Language:
// zh or en, Chinese when it names neither (the hotline's language).
func Language(req events.APIGatewayV2HTTPRequest) ticket.Language {
	return LanguageOr(req, ticket.LanguageZH)
}

// LanguageOr is Language with another default for a request without
// Accept-Language (a citizen's view defaults to the ticket's language).
func LanguageOr(req events.APIGatewayV2HTTPRequest, fallback ticket.Language) ticket.Language {
	accept := Header(req, "Accept-Language")
	if accept == "" {
		return fallback
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return ticket.LanguageZH
	}
	_, index, confidence := languages.Match(tags...)
	if confidence == language.No || index != 1 {
		return ticket.LanguageZH
	}
	return ticket.LanguageEN
}

// Fail answers err as problem details and logs what the client does not see.
func Fail(ctx context.Context, log *slog.Logger, req events.APIGatewayV2HTTPRequest, err error) events.APIGatewayV2HTTPResponse {
	e := Classify(err)
	if e.Status >= 500 {
		log.ErrorContext(ctx, "request failed", "error", err.Error())
	} else {
		log.InfoContext(ctx, "request refused", "status", e.Status, "code", e.Code)
	}
	lang := Language(req)
	p := Problem{
		Type:      ProblemTypeBase + e.Code,
		Title:     Title(e.Code, lang),
		Status:    e.Status,
		Detail:    e.Message,
		Code:      e.Code,
		Fields:    e.Fields,
		RequestID: req.RequestContext.RequestID,
	}
	if lang == ticket.LanguageZH {
		chineseProblem(&p)
	}
	resp := JSON(e.Status, p)
	resp.Headers["Content-Type"] = ProblemContentType
	resp.Headers["Content-Language"] = string(lang)
	if e.RetryAfter > 0 {
		resp.Headers["Retry-After"] = strconv.Itoa(e.RetryAfter)
	}
	if len(e.Allow) > 0 {
		resp.Headers["Allow"] = strings.Join(e.Allow, ", ")
	}
	return resp
}

// Conditional answers a GET with an entity tag: 304 without a body when
// If-None-Match names it (weak comparison, RFC 9110 §13.1.2), otherwise resp
// with the ETag set. cacheControl goes on both.
func Conditional(req events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse, etag, cacheControl string) events.APIGatewayV2HTTPResponse {
	if ETagListed(Header(req, "If-None-Match"), etag) {
		return events.APIGatewayV2HTTPResponse{
			StatusCode: http.StatusNotModified,
			Headers:    map[string]string{"ETag": etag, "Cache-Control": cacheControl},
		}
	}
	resp.Headers["ETag"] = etag
	resp.Headers["Cache-Control"] = cacheControl
	return resp
}

// ContentTag is a strong entity tag for an answer body: the first 128 bits
// of its SHA-256, enough that two different bodies never share one.
func ContentTag(body string) string {
	sum := sha256.Sum256([]byte(body))
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// ETagListed reports whether the If-None-Match or If-Match value list names
// etag ("*" names any), comparing without the weak marker.
func ETagListed(list, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for v := range strings.SplitSeq(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || (v != "" && strings.TrimPrefix(v, "W/") == want) {
			return true
		}
	}
	return false
}
