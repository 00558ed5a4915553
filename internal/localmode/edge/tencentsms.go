package edge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/localmode/durable"
)

// Tencent Cloud SMS SendSms (API 2021-01-11,
// https://cloud.tencent.com/document/api/382/55981) at TencentSMSPath: the
// SDK's TC3-HMAC-SHA256 signed JSON POST, answered in the documented
// response and error shapes, the message captured instead of sent and shown
// at /_aws/tencent-sms. The signature's form is checked, not its value: the
// edge, like its AWS services, knows no keys.

// TencentSMSPath is where the edge answers SendSms; point the texter's
// endpoint at <edge URL>/_tencent/sms.
const TencentSMSPath = "/_tencent/sms"

// TencentTemplate is one approved template the emulation knows: its kind
// and text with {1}, {2}, … for the parameters.
type TencentTemplate struct {
	Kind string
	Text string
}

// TencentSMS is one captured SendSms message.
type TencentSMS struct {
	SerialNo         string   `json:"SerialNo"`
	RequestID        string   `json:"RequestId"`
	PhoneNumber      string   `json:"PhoneNumber"`
	SmsSdkAppID      string   `json:"SmsSdkAppId"`
	SignName         string   `json:"SignName"`
	TemplateID       string   `json:"TemplateId"`
	TemplateParamSet []string `json:"TemplateParamSet"`
	SessionContext   string   `json:"SessionContext,omitempty"`
	// Kind and Text are the template's, filled in, when the edge knows the
	// template (Options.TencentTemplates).
	Kind      string `json:"Kind,omitempty"`
	Text      string `json:"Text,omitempty"`
	Timestamp string `json:"Timestamp"`
}

type tencentSMSService struct {
	clock     Clock
	templates map[string]TencentTemplate // by template id; nil accepts any
	keep      *keep

	mu   sync.Mutex
	sent []TencentSMS
	seqs []uint64
	seq  uint64
}

var tencentSMSKey = durable.Key("tencent", "sms", "")

func tencentSMSKeyOf(seq uint64) []byte { return durable.Key("tencent", "sms", seqPart(seq)) }

func (s *tencentSMSService) load(st *durable.Store) error {
	return loadCaptured(st, tencentSMSKey, &s.sent, &s.seqs, &s.seq)
}

// tencentError answers in the documented error shape, with HTTP 200 as
// Tencent Cloud does.
func tencentError(w http.ResponseWriter, code, message string) {
	writeTencent(w, map[string]any{"Error": map[string]string{"Code": code, "Message": message}, "RequestId": newID()})
}

func writeTencent(w http.ResponseWriter, response map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(map[string]any{"Response": response})
	_, _ = w.Write(b)
}

func (s *tencentSMSService) serve(w http.ResponseWriter, r *http.Request, body []byte) string {
	action := r.Header.Get("X-TC-Action")
	switch {
	case r.Method != http.MethodPost:
		tencentError(w, "UnsupportedProtocol", "the local Tencent Cloud SMS answers POST only")
		return "unsupported"
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		tencentError(w, "InvalidParameter", "Content-Type must be application/json (signature v3)")
		return action
	case !strings.HasPrefix(r.Header.Get("Authorization"), "TC3-HMAC-SHA256 Credential=") ||
		!strings.Contains(r.Header.Get("Authorization"), "/sms/tc3_request") ||
		!strings.Contains(r.Header.Get("Authorization"), "Signature="):
		tencentError(w, "AuthFailure.SignatureFailure", "the request is not signed with TC3-HMAC-SHA256 for sms")
		return action
	case r.Header.Get("X-TC-Timestamp") == "":
		tencentError(w, "MissingParameter", "X-TC-Timestamp is required")
		return action
	case r.Header.Get("X-TC-Version") != "2021-01-11":
		tencentError(w, "InvalidParameterValue", "X-TC-Version must be 2021-01-11")
		return action
	case action != "SendSms":
		tencentError(w, "InvalidAction", fmt.Sprintf("the local Tencent Cloud SMS does not support %q", action))
		return action
	}
	var in struct {
		PhoneNumberSet   []string
		SmsSdkAppId      string
		SignName         string
		TemplateId       string
		TemplateParamSet []string
		SessionContext   string
		ExtendCode       string
		SenderId         string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		tencentError(w, "InvalidParameter", "the request body is not the SendSms JSON object")
		return action
	}
	switch {
	case len(in.PhoneNumberSet) == 0:
		tencentError(w, "MissingParameter", "PhoneNumberSet is required")
		return action
	case len(in.PhoneNumberSet) > 200:
		tencentError(w, "LimitExceeded.PhoneNumberCountLimit", "more than 200 numbers in one request")
		return action
	case in.SmsSdkAppId == "":
		tencentError(w, "MissingParameter", "SmsSdkAppId is required")
		return action
	case in.TemplateId == "":
		tencentError(w, "MissingParameter", "TemplateId is required")
		return action
	case in.SignName == "":
		tencentError(w, "FailedOperation.SignatureIncorrectOrUnapproved", "domestic SMS needs an approved SignName")
		return action
	case len(in.SessionContext) >= 512:
		tencentError(w, "InvalidParameterValue", "SessionContext is 512 bytes or more")
		return action
	}
	var tmpl TencentTemplate
	if s.templates != nil {
		t, ok := s.templates[in.TemplateId]
		if !ok {
			tencentError(w, "FailedOperation.TemplateIncorrectOrUnapproved", "template "+in.TemplateId+" is not approved")
			return action
		}
		if strings.Count(t.Text, "{") != len(in.TemplateParamSet) {
			tencentError(w, "FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "TemplateParamSet does not match the template's variables")
			return action
		}
		tmpl = t
	}
	for _, p := range in.TemplateParamSet {
		switch {
		case utf8.RuneCountInString(p) > 12:
			tencentError(w, "InvalidParameterValue.TemplateParameterLengthLimit", "单个模板变量字符数超过12个")
			return action
		case strings.Contains(strings.ToLower(p), "://") || strings.Contains(strings.ToLower(p), "www."):
			tencentError(w, "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter", "template parameters may not carry a URL")
			return action
		}
	}
	requestID := newID()
	var statuses []map[string]any
	for _, phone := range in.PhoneNumberSet {
		st := map[string]any{"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": in.SessionContext, "IsoCode": "CN"}
		if !validE164(phone) {
			st["Code"], st["Message"], st["IsoCode"] = "InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误", "DEF"
			statuses = append(statuses, st)
			continue
		}
		m := TencentSMS{
			SerialNo: "2433:" + strings.ReplaceAll(newID(), "-", "")[:20], RequestID: requestID, PhoneNumber: phone,
			SmsSdkAppID: in.SmsSdkAppId, SignName: in.SignName, TemplateID: in.TemplateId,
			TemplateParamSet: slices.Clone(in.TemplateParamSet), SessionContext: in.SessionContext,
			Kind: tmpl.Kind, Timestamp: s.clock.Now().UTC().Format("2006-01-02T15:04:05"),
		}
		if tmpl.Text != "" {
			m.Text = "【" + in.SignName + "】" + fill(tmpl.Text, in.TemplateParamSet)
		}
		if err := s.capture(m); err != nil {
			tencentError(w, "InternalError", "the local edge could not keep the message")
			return action
		}
		st["SerialNo"], st["Fee"], st["Code"], st["Message"] = m.SerialNo, 1, "Ok", "send success"
		statuses = append(statuses, st)
	}
	writeTencent(w, map[string]any{"SendStatusSet": statuses, "RequestId": requestID})
	return action
}

func fill(tmpl string, params []string) string {
	pairs := make([]string, 0, 2*len(params))
	for i, p := range params {
		pairs = append(pairs, fmt.Sprintf("{%d}", i+1), p)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}

func (s *tencentSMSService) capture(m TencentSMS) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := s.seq + 1
	if err := s.keep.writeNow(keptOp{key: tencentSMSKeyOf(seq), value: m}); err != nil {
		return err
	}
	s.seq = seq
	s.sent = append(s.sent, m)
	s.seqs = append(s.seqs, seq)
	return nil
}

// serveRetrospection answers GET /_aws/tencent-sms (optional ?phoneNumber=)
// and DELETE (optional ?phoneNumber=).
func (s *tencentSMSService) serveRetrospection(w http.ResponseWriter, r *http.Request) {
	phone := r.URL.Query().Get("phoneNumber")
	switch r.Method {
	case http.MethodGet:
		out := []TencentSMS{}
		for _, m := range s.Sent() {
			if phone == "" || m.PhoneNumber == phone {
				out = append(out, m)
			}
		}
		writeJSON(w, "application/json", map[string]any{"messages": out})
	case http.MethodDelete:
		s.mu.Lock()
		var err error
		s.sent, s.seqs, err = forgetCaptured(s.keep, s.sent, s.seqs, phone == "", func(m TencentSMS) bool { return m.PhoneNumber == phone }, tencentSMSKey, tencentSMSKeyOf)
		s.mu.Unlock()
		if err != nil {
			writeJSONError(w, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSONError(w, http.StatusMethodNotAllowed, "UnsupportedOperation", "use GET or DELETE on /_aws/tencent-sms")
	}
}

// Sent returns a copy of the captured messages, oldest first.
func (s *tencentSMSService) Sent() []TencentSMS {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTencentSMS returns the Tencent Cloud SMS messages captured so far.
func (e *Edge) SentTencentSMS() []TencentSMS { return e.tsms.Sent() }
