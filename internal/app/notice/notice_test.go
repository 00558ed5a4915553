package notice

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Every message, SMS included, says what happened, names what matters (the
// number to call, the ticket it was merged into, the result) and says what the
// citizen can do next, in the ticket's language, within one SMS.
func TestEveryMessageSaysWhatToDoNext(t *testing.T) {
	cat, err := catalog.Load(configfiles.Seed)
	if err != nil {
		t.Fatal(err)
	}
	longAnswer := strings.Repeat("根据《条例》第十二条的规定，", 60)
	cases := []struct {
		name   string
		t      ticket.Ticket
		zh, en []string // what the SMS must contain, per language
	}{
		{"suspected emergency", ticket.Ticket{Status: ticket.StatusInReview, SuspectedEmergency: []string{"119"}, ReviewNotice: "如果情况紧急，请立即拨打119（火警）。"},
			[]string{"119", "紧急"}, []string{"119", "emergency"}},
		{"rejected as incomplete", ticket.Ticket{Status: ticket.StatusRejected, ReviewReason: "incomplete", ReviewNotice: "内容不完整。"},
			[]string{"不予受理", "内容不完整", "12345", "重新提交"}, []string{"not accepted", "12345", "submit again"}},
		{"confirmed emergency", ticket.Ticket{Status: ticket.StatusRejected, ReviewReason: "emergency_confirmed", ReviewNotice: ticket.EmergencyConfirmedNotice(ticket.LanguageZH, []string{"120"})},
			[]string{"120"}, []string{"120"}},
		{"merged", ticket.Ticket{Status: ticket.StatusMerged, MergedInto: "261127MASTER"},
			[]string{"261127MASTER", "无需重复提交"}, []string{"261127MASTER", "no need to submit again"}},
		{"answered from the knowledge base", ticket.Ticket{Status: ticket.StatusAnswered, Answer: longAnswer},
			[]string{"评价", "详见网站"}, []string{"rate", "details online"}},
		{"replied", ticket.Ticket{Status: ticket.StatusReplied, Reply: &ticket.Reply{Result: ticket.ResultResolved, Message: "商家已退款。", DepartmentID: "market", At: time.Now()}},
			[]string{"已解决", "评价", "商家已退款"}, []string{"resolved", "rate"}},
	}
	for _, tc := range cases {
		for _, lang := range []ticket.Language{ticket.LanguageZH, ticket.LanguageEN} {
			tk := tc.t
			tk.ID, tk.Language = "261127ABCDEF", lang
			want := tc.zh
			if lang == ticket.LanguageEN {
				// What staff wrote comes in the ticket's language too.
				want = tc.en
				tk.ReviewNotice = strings.NewReplacer("内容不完整。", "The description is incomplete.", "如果情况紧急，请立即拨打119（火警）。", "If this is an emergency, call 119 (fire) now.").Replace(tk.ReviewNotice)
				if tk.ReviewReason == "emergency_confirmed" {
					tk.ReviewNotice = ticket.EmergencyConfirmedNotice(ticket.LanguageEN, []string{"120"})
				}
				if tk.Answer != "" {
					tk.Answer = strings.Repeat("Under article 12 of the regulation, ", 30)
				}
				if tk.Reply != nil {
					tk.Reply = &ticket.Reply{Result: ticket.ResultResolved, Message: "The shop refunded you.", DepartmentID: "market"}
				}
			}
			m := Compose(&tk, cat)
			if !strings.Contains(m.SMS.Text, tk.ID) || !strings.Contains(m.Subject, tk.ID) {
				t.Errorf("%s/%s: the ticket is not named: %q", tc.name, lang, m.SMS.Text)
			}
			for _, w := range want {
				if !strings.Contains(m.SMS.Text, w) {
					t.Errorf("%s/%s: SMS lacks %q: %q", tc.name, lang, w, m.SMS.Text)
				}
			}
			if n := utf8.RuneCountInString(m.SMS.Text); n > 500 {
				t.Errorf("%s/%s: SMS of %d characters", tc.name, lang, n)
			}
			if lang == ticket.LanguageEN && strings.ContainsAny(m.SMS.Text, "【】，。") {
				t.Errorf("%s: English SMS in Chinese: %q", tc.name, m.SMS.Text)
			}
		}
	}
}

func TestReceiptCarriesTheAccessCode(t *testing.T) {
	for _, lang := range []ticket.Language{ticket.LanguageZH, ticket.LanguageEN} {
		m := Receipt(&ticket.Ticket{ID: "261127ABCDEF", Language: lang}, "8F3KX2QD")
		for _, s := range []string{m.SMS.Text, m.Text, m.HTML} {
			if !strings.Contains(s, "261127ABCDEF") || !strings.Contains(s, "8F3KX2QD") {
				t.Errorf("%s receipt lacks the id or the code: %q", lang, s)
			}
		}
	}
}

// A template provider gets a kind and its parameters: as many as the kind's
// template has, each short enough for a template variable and never a URL,
// naming what the free text names.
func TestSMSParamsPerKind(t *testing.T) {
	cat, err := catalog.Load(configfiles.Seed)
	if err != nil {
		t.Fatal(err)
	}
	dept := cat.Departments()[0]
	const id, master = "261127ABCDEF", "261127MASTER"
	replied := &ticket.Reply{Result: ticket.ResultResolved, Message: "商家已退款。", DepartmentID: dept.ID}
	cases := []struct {
		name string
		msg  Message
		kind ports.SMSKind
		want []string
	}{
		{"verification", VerificationCode("482913", 10, ticket.LanguageZH), ports.SMSVerification, []string{"482913", "10"}},
		{"receipt", Receipt(&ticket.Ticket{ID: id}, "8F3KX2QD"), ports.SMSReceipt, []string{id, "8F3KX2QD"}},
		{"replied", Compose(&ticket.Ticket{ID: id, Status: ticket.StatusReplied, Reply: replied}, cat), ports.SMSReplied,
			[]string{id, param(cat.DepartmentNameIn(dept.ID, ticket.LanguageZH)), "已解决"}},
		{"replied in English", Compose(&ticket.Ticket{ID: id, Language: ticket.LanguageEN, Status: ticket.StatusReplied, Reply: replied}, cat), ports.SMSReplied,
			[]string{id, param(cat.DepartmentNameIn(dept.ID, ticket.LanguageZH)), "已解决"}},
		{"answered", Compose(&ticket.Ticket{ID: id, Status: ticket.StatusAnswered, Answer: "见条例。"}, cat), ports.SMSAnswered, []string{id}},
		{"rejected", Compose(&ticket.Ticket{ID: id, Status: ticket.StatusRejected, ReviewReason: "incomplete", ReviewNotice: "内容不完整，见 https://example.cn"}, cat), ports.SMSRejected, []string{id}},
		{"merged", Compose(&ticket.Ticket{ID: id, Status: ticket.StatusMerged, MergedInto: master}, cat), ports.SMSMerged, []string{id, master}},
		{"suspected emergency", Compose(&ticket.Ticket{ID: id, Status: ticket.StatusInReview, SuspectedEmergency: []string{"119", "120"}, ReviewNotice: "请立即拨打119。"}, cat), ports.SMSEmergency, []string{id, "119/120"}},
		{"confirmed emergency", Compose(&ticket.Ticket{ID: id, Status: ticket.StatusRejected, ReviewReason: "emergency_confirmed", ReviewNotice: ticket.EmergencyConfirmedNotice(ticket.LanguageZH, []string{"120"})}, cat), ports.SMSEmergency, []string{id, "120"}},
		{"master replied", MasterResult(&ticket.Ticket{ID: id}, &ticket.Ticket{ID: master, Reply: &ticket.Reply{Result: ticket.ResultExplained, DepartmentID: dept.ID}}, cat), ports.SMSMasterResult, []string{id, master, "已解释说明"}},
		{"master answered", MasterResult(&ticket.Ticket{ID: id}, &ticket.Ticket{ID: master, Answer: "见条例。"}, cat), ports.SMSMasterResult, []string{id, master, "已答复"}},
	}
	seen := map[ports.SMSKind]bool{}
	for _, tc := range cases {
		sms := tc.msg.SMS
		seen[sms.Kind] = true
		if sms.Kind != tc.kind || !slices.Equal(sms.Params, tc.want) {
			t.Errorf("%s: %s %q, want %s %q", tc.name, sms.Kind, sms.Params, tc.kind, tc.want)
		}
		if len(sms.Params) != ports.SMSParamCount[sms.Kind] {
			t.Errorf("%s: %d params, the %s template has %d", tc.name, len(sms.Params), sms.Kind, ports.SMSParamCount[sms.Kind])
		}
		for _, p := range sms.Params {
			if n := utf8.RuneCountInString(p); n == 0 || n > ports.MaxSMSParamRunes || strings.Contains(p, "://") {
				t.Errorf("%s: param %q does not fit a template variable", tc.name, p)
			}
		}
		if wantID := tc.kind != ports.SMSVerification; (sms.TicketID == id) != wantID {
			t.Errorf("%s: ticket id %q", tc.name, sms.TicketID)
		}
		if sms.Text == "" {
			t.Errorf("%s: no text for SNS", tc.name)
		}
	}
	for _, k := range ports.SMSKinds {
		if !seen[k] {
			t.Errorf("kind %s is never sent", k)
		}
	}
}

func TestParamFitsALongName(t *testing.T) {
	if got := param("某某市人力资源和社会保障局劳动监察支队"); utf8.RuneCountInString(got) != ports.MaxSMSParamRunes || !strings.HasPrefix(got, "某某市人力资源") {
		t.Errorf("param = %q", got)
	}
}

// Each template uses exactly its kind's parameters, and the filled template
// names what the parameters carry.
func TestSMSTemplatesFitTheirKinds(t *testing.T) {
	for _, k := range ports.SMSKinds {
		tmpl, ok := SMSTemplates[k]
		if !ok {
			t.Errorf("no template for %s", k)
			continue
		}
		n := ports.SMSParamCount[k]
		for i := 1; i <= n+1; i++ {
			has := strings.Contains(tmpl, "{"+strconv.Itoa(i)+"}")
			if has != (i <= n) {
				t.Errorf("%s: template %q and {%d}", k, tmpl, i)
			}
		}
		params := make([]string, n)
		for i := range params {
			params[i] = strings.Repeat(strconv.Itoa(i+1), ports.MaxSMSParamRunes)
		}
		text, ok := RenderSMS(k, params)
		// Carriers bill 70 characters, signature included, as one message
		// and longer ones in 67-character parts: at most two, even with the
		// longest parameters.
		if n := utf8.RuneCountInString("【某某市12345】" + text); !ok || strings.Contains(text, "{") || n > 2*67 {
			t.Errorf("%s: rendered %q (%d characters)", k, text, n)
		}
	}
	if _, ok := RenderSMS(ports.SMSReceipt, []string{"x"}); ok {
		t.Error("a receipt with one parameter rendered")
	}
}

// docs/sms-templates.md is what a centre registers: it must show the
// templates the code fills.
func TestSMSTemplatesAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/sms-templates.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ports.SMSKinds {
		if row := "| `" + string(k) + "` | " + SMSTemplates[k] + " |"; !strings.Contains(string(doc), row) {
			t.Errorf("docs/sms-templates.md lacks %s's row %q", k, row)
		}
	}
}
