package notice

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	configfiles "github.com/hotline12345/hotline/config"
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
			if !strings.Contains(m.SMS, tk.ID) || !strings.Contains(m.Subject, tk.ID) {
				t.Errorf("%s/%s: the ticket is not named: %q", tc.name, lang, m.SMS)
			}
			for _, w := range want {
				if !strings.Contains(m.SMS, w) {
					t.Errorf("%s/%s: SMS lacks %q: %q", tc.name, lang, w, m.SMS)
				}
			}
			if n := utf8.RuneCountInString(m.SMS); n > 500 {
				t.Errorf("%s/%s: SMS of %d characters", tc.name, lang, n)
			}
			if lang == ticket.LanguageEN && strings.ContainsAny(m.SMS, "【】，。") {
				t.Errorf("%s: English SMS in Chinese: %q", tc.name, m.SMS)
			}
		}
	}
}

func TestReceiptCarriesTheAccessCode(t *testing.T) {
	for _, lang := range []ticket.Language{ticket.LanguageZH, ticket.LanguageEN} {
		m := Receipt(&ticket.Ticket{ID: "261127ABCDEF", Language: lang}, "8F3KX2QD")
		for _, s := range []string{m.SMS, m.Text, m.HTML} {
			if !strings.Contains(s, "261127ABCDEF") || !strings.Contains(s, "8F3KX2QD") {
				t.Errorf("%s receipt lacks the id or the code: %q", lang, s)
			}
		}
	}
}
