package screening

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func shipped(t testing.TB) *Screener {
	t.Helper()
	data, err := os.ReadFile("../../../config/screening.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const blockedIndex = "5f2b9c0e7a1d4c3b"

func TestReview(t *testing.T) {
	s := shipped(t)
	s.BlockedSenders = []string{blockedIndex}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile("../../../config/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load(seed)
	if err != nil {
		t.Fatal(err)
	}
	s.Categories = cat

	now := time.Date(2026, 3, 10, 9, 0, 0, 0, ticket.China)
	prior := Recent{ID: "260308AAAAAA", Category: "housing.property_mgmt",
		Content: "小区3号楼电梯坏了一个月，物业一直不修，老人上下楼很困难。", CreatedAt: now.Add(-48 * time.Hour), Status: ticket.StatusDispatched}

	in := func(typ ticket.Type, cat, content string) Input {
		return Input{Type: typ, Category: cat, Content: content, ContactIndexes: []string{"aaaaaaaaaaaaaaaa"}, Now: now}
	}
	tests := []struct {
		name     string
		in       Input
		outcome  Outcome
		reason   string
		services []Service
	}{
		{"ordinary complaint", in(ticket.TypeComplaint, "consumer.refund", "买的电饭煲三天就坏了，商家拒绝退货。"), OutcomeAccept, ReasonOK, nil},
		{"fire", in(ticket.TypeHelp, "", "我家楼下着火了，烟很大，怎么办！"), OutcomeEmergency, ReasonEmergencyFire, []Service{ServiceFire}},
		{"fire with spaces", in(ticket.TypeReport, "", "对面楼 着 火 了 好多烟"), OutcomeEmergency, ReasonEmergencyFire, []Service{ServiceFire}},
		{"robbery", in(ticket.TypeReport, "", "刚才在地铁站门口有人抢劫，往东跑了"), OutcomeEmergency, ReasonEmergencyPolice, []Service{ServicePolice}},
		{"medical", in(ticket.TypeHelp, "", "我爸爸突然昏迷了，叫不醒"), OutcomeEmergency, ReasonEmergencyMedical, []Service{ServiceMedical}},
		{"fire and injured", in(ticket.TypeHelp, "", "仓库起火了，有人昏迷在里面"), OutcomeEmergency, ReasonEmergencyFire, []Service{ServiceFire, ServiceMedical}},
		// Keyword hits on ordinary complaints: suspected, never final (an operator rules them out).
		{"burning garbage", in(ticket.TypeComplaint, "environment.air", "Someone is burning garbage behind our building every night and the smoke comes into our flat"), OutcomeEmergency, ReasonEmergencyFire, []Service{ServiceFire}},
		{"ambulance fee", in(ticket.TypeComplaint, "", "120急救中心的救护车收费太高"), OutcomeEmergency, ReasonEmergencyMedical, []Service{ServiceMedical}},
		{"english fire", in(ticket.TypeHelp, "", "The building next door is on fire, please help"), OutcomeEmergency, ReasonEmergencyFire, []Service{ServiceFire}},
		{"fired is not fire", in(ticket.TypeComplaint, "labour.wage_arrears", "I was fired and my employer has not paid my wages."), OutcomeAccept, ReasonOK, nil},
		{"risk, not emergency", in(ticket.TypeComplaint, "other.general", "小区楼道堆满杂物，存在火灾隐患，物业不管"), OutcomeManual, ReasonPossibleEmergency, []Service{ServiceFire}},
		{"insurance question", in(ticket.TypeConsultation, "labour.social_insurance", "心脏病发作住院的费用医保能报销多少？"), OutcomeManual, ReasonPossibleEmergency, []Service{ServiceMedical}},
		{"praise mentioning a fire", in(ticket.TypePraise, "other.praise", "感谢消防员昨天及时扑灭了我们小区的火灾"), OutcomeAccept, ReasonOK, nil},
		{"blocked content", in(ticket.TypeComplaint, "consumer.refund", "这个商家就是个王八蛋，退货都不给退"), OutcomeReject, ReasonBlockedContent, nil},
		{"blocked content full-width", in(ticket.TypeComplaint, "consumer.refund", "ＦＵＣＫ this shop, no refund at all"), OutcomeReject, ReasonBlockedContent, nil},
		{"blocked word in involved unit", Input{Type: ticket.TypeComplaint, Category: "consumer.refund", Content: "商家拒绝退货，态度恶劣", InvolvedUnit: "傻逼商店", Now: now}, OutcomeReject, ReasonBlockedContent, nil},
		{"blocked sender", Input{Type: ticket.TypeComplaint, Category: "consumer.refund", Content: "买的电饭煲三天就坏了，商家拒绝退货。", ContactIndexes: []string{"x", blockedIndex}, Now: now}, OutcomeReject, ReasonBlockedSender, nil},
		{"blocked sender still sent to 119", Input{Type: ticket.TypeHelp, Content: "厨房着火了快来人", ContactIndexes: []string{blockedIndex}}, OutcomeEmergency, ReasonEmergencyFire, []Service{ServiceFire}},
		{"junk", in(ticket.TypeComplaint, "consumer.refund", "啊啊啊啊啊啊啊啊啊啊啊"), OutcomeReject, ReasonIncomplete, nil},
		{"knowledge base", in(ticket.TypeConsultation, "", "我的社保卡丢了，请问去哪里补办？"), OutcomeAnswer, ReasonKnowledgeBase, nil},
		{"kb only for consultations", in(ticket.TypeComplaint, "labour.social_insurance", "银行说社保卡补办要等一个月，太慢了"), OutcomeAccept, ReasonOK, nil},
		{"consultation not in kb", in(ticket.TypeConsultation, "consumer.refund", "网购的衣服七天无理由退货怎么算时间？"), OutcomeAccept, ReasonOK, nil},
		{"no category", in(ticket.TypeComplaint, "", "楼下餐馆油烟太大，窗户都不能开"), OutcomeManual, ReasonCategoryMissing, nil},
		{"catch-all category", in(ticket.TypeComplaint, "other.general", "楼下餐馆油烟太大，窗户都不能开"), OutcomeManual, ReasonCategoryAmbiguous, nil},
		{"unknown category", in(ticket.TypeComplaint, "consumer.nothing", "楼下餐馆油烟太大，窗户都不能开"), OutcomeManual, ReasonCategoryInvalid, nil},
		{"type not accepted by category", in(ticket.TypePraise, "consumer.refund", "商家主动退款，服务很好，表扬一下"), OutcomeManual, ReasonCategoryInvalid, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := s.Review(tc.in)
			if d.Outcome != tc.outcome || d.Reason != tc.reason {
				t.Fatalf("got %s/%s, want %s/%s", d.Outcome, d.Reason, tc.outcome, tc.reason)
			}
			if len(d.Services) != len(tc.services) {
				t.Errorf("services %v, want %v", d.Services, tc.services)
			}
			for i := range tc.services {
				if i < len(d.Services) && d.Services[i] != tc.services[i] {
					t.Errorf("services %v, want %v", d.Services, tc.services)
				}
			}
			if d.Outcome == OutcomeReject || d.Outcome == OutcomeAnswer || d.Outcome == OutcomeEmergency {
				if d.Text(ticket.LanguageZH) == "" || d.Text(ticket.LanguageEN) == "" {
					t.Errorf("missing message: %v", d.Message)
				}
			}
			if d.Outcome == OutcomeEmergency {
				for _, sv := range tc.services {
					num := map[Service]string{ServiceFire: "119", ServiceMedical: "120", ServicePolice: "110"}[sv]
					if !strings.Contains(d.Text(ticket.LanguageZH), num) || !strings.Contains(d.Text(ticket.LanguageEN), num) {
						t.Errorf("message does not give %s: %v", num, d.Message)
					}
				}
			}
		})
	}

	d := s.Review(in(ticket.TypeConsultation, "", "我的社保卡丢了，请问去哪里补办？"))
	if d.AnswerID != "social-security-card-replacement" || !strings.Contains(d.Text(ticket.LanguageZH), "挂失") {
		t.Errorf("kb decision %+v", d)
	}
	if d.Text("fr") != d.Text(ticket.LanguageZH) {
		t.Error("no fallback to zh")
	}

	// Duplicates.
	dup := func(edit func(*Input)) Decision {
		x := in(ticket.TypeComplaint, "housing.property_mgmt", "小区3号楼的电梯坏了一个多月了，物业一直不修，老人上下楼很困难！")
		x.Recent = []Recent{prior}
		edit(&x)
		return s.Review(x)
	}
	if d := dup(func(*Input) {}); d.Outcome != OutcomeManual || d.Reason != ReasonPossibleDuplicate || d.DuplicateOf != prior.ID || d.Similarity < 0.6 {
		t.Errorf("duplicate not found: %+v", d)
	}
	cases := map[string]func(*Input){
		"other category":  func(x *Input) { x.Category = "housing.rental" },
		"outside window":  func(x *Input) { x.Now = now.Add(6 * 24 * time.Hour) },
		"closed ticket":   func(x *Input) { x.Recent[0].Status = ticket.StatusClosed },
		"different story": func(x *Input) { x.Content = "小区物业乱收停车费，每月多收两百元，还不给发票。" },
		"anonymous":       func(x *Input) { x.Anonymous = true },
	}
	for name, edit := range cases {
		if d := dup(func(x *Input) { x.Recent = []Recent{prior}; edit(x) }); d.Reason == ReasonPossibleDuplicate {
			t.Errorf("%s: flagged as duplicate %+v", name, d)
		}
	}
	// The most similar candidate wins.
	closer := prior
	closer.ID, closer.Content = "260309BBBBBB", "小区3号楼的电梯坏了一个多月了，物业一直不修，老人上下楼很困难"
	if d := dup(func(x *Input) { x.Recent = []Recent{prior, closer} }); d.DuplicateOf != closer.ID {
		t.Errorf("picked %s", d.DuplicateOf)
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"电梯坏了物业不修", "电梯坏了物业不修", 1, 1},
		{"电梯坏了，物业不修！", "电梯 坏了 物业 不修", 1, 1},
		{"ABC", "abc", 1, 1},
		{"电梯坏了物业不修", "公园里的健身器材", 0, 0},
		{"", "", 0, 0},
		{"电", "电", 1, 1},
		{"电", "梯", 0, 0},
		// Bigrams ab bc cd vs bc cd de: 2 shared of 4.
		{"abcd", "bcde", 0.5, 0.5},
	}
	for _, tc := range tests {
		got := Similarity(tc.a, tc.b)
		if got < tc.min-1e-9 || got > tc.max+1e-9 {
			t.Errorf("Similarity(%q, %q) = %v, want %v–%v", tc.a, tc.b, got, tc.min, tc.max)
		}
		if back := Similarity(tc.b, tc.a); math.Abs(back-got) > 1e-12 {
			t.Errorf("not symmetric: %v vs %v", got, back)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"unknown service", `{"emergencyKeywords":{"police":["抢劫"],"fire":["着火"],"medical":["昏迷"],"coastguard":["x"]},"duplicate":{"threshold":0.6,"windowDays":7}}`,
			[]string{`unknown service "coastguard"`}},
		{"missing service", `{"emergencyKeywords":{"police":["抢劫"],"fire":["着火"]},"duplicate":{"threshold":0.6,"windowDays":7}}`,
			[]string{"no keywords for medical (120)"}},
		{"empty word", `{"blockedWords":["  ","，"],"emergencyKeywords":{"police":["抢劫"],"fire":["着火"],"medical":["昏迷"]},"duplicate":{"threshold":0.6,"windowDays":7}}`,
			[]string{"blockedWords: terms must", "blockedWords: terms must"}},
		{"duplicate word", `{"blockedWords":["傻逼","傻 逼"],"emergencyKeywords":{"police":["抢劫"],"fire":["着火"],"medical":["昏迷"]},"duplicate":{"threshold":0.6,"windowDays":7}}`,
			[]string{"listed twice"}},
		{"bad threshold and window", `{"emergencyKeywords":{"police":["抢劫"],"fire":["着火"],"medical":["昏迷"]},"duplicate":{"threshold":1.5,"windowDays":0}}`,
			[]string{"threshold", "windowDays"}},
		{"kb entry", `{"emergencyKeywords":{"police":["抢劫"],"fire":["着火"],"medical":["昏迷"]},"duplicate":{"threshold":0.6,"windowDays":7},
			"knowledgeBase":[{"id":"a","match":[[]],"answer":{"zh":"答"}},{"id":"a","match":[],"answer":{"zh":"答","en":"A","fr":"R"}}]}`,
			[]string{"empty match group", "answer needs zh and en", "duplicate id", "no match groups", `unknown answer language "fr"`}},
		{"blocked sender", `{"blockedSenders":["not an index!"],"emergencyKeywords":{"police":["抢劫"],"fire":["着火"],"medical":["昏迷"]},"duplicate":{"threshold":0.6,"windowDays":7}}`,
			[]string{"blind indexes"}},
		{"ambiguous category", `{"ambiguousCategories":["Other"],"emergencyKeywords":{"police":["抢劫"],"fire":["着火"],"medical":["昏迷"]},"duplicate":{"threshold":0.6,"windowDays":7}}`,
			[]string{"not a leaf category code"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.body))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want *ConfigError, got %v", err)
			}
			if len(ce.Problems) != len(tc.want) {
				t.Errorf("problems %q, want %d", ce.Problems, len(tc.want))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not mention %q", err, w)
				}
			}
		})
	}
	var pe *ticket.ParseError
	if _, err := Load([]byte(`{"blockedWord":[]}`)); !errors.As(err, &pe) {
		t.Errorf("unknown field: %v", err)
	}
}

func FuzzLoad(f *testing.F) {
	data, err := os.ReadFile("../../../config/screening.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, "我家楼下着火了")
	f.Add([]byte(`{"emergencyKeywords":{"police":["a"],"fire":["b c"],"medical":["昏迷"]},"duplicate":{"threshold":0.5,"windowDays":1}}`), "b  c")
	f.Fuzz(func(t *testing.T, data []byte, content string) {
		s, err := Load(data)
		if err != nil {
			var ce *ConfigError
			var pe *ticket.ParseError
			var tl *ticket.TooLargeError
			if !errors.As(err, &ce) && !errors.As(err, &pe) && !errors.As(err, &tl) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		for _, typ := range []ticket.Type{ticket.TypeConsultation, ticket.TypeComplaint} {
			d := s.Review(Input{Type: typ, Content: content, Recent: []Recent{{ID: "x", Content: content}}})
			switch d.Outcome {
			case OutcomeAccept, OutcomeManual:
			case OutcomeReject, OutcomeAnswer, OutcomeEmergency:
				if d.Text(ticket.LanguageZH) == "" {
					t.Fatalf("%s without message", d.Outcome)
				}
			default:
				t.Fatalf("outcome %q", d.Outcome)
			}
			if d.Reason == "" {
				t.Fatal("no reason")
			}
		}
	})
}

func FuzzSimilarity(f *testing.F) {
	f.Add("电梯坏了物业不修", "电梯坏了，物业不修")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		s := Similarity(a, b)
		if s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("Similarity = %v", s)
		}
		if s != Similarity(b, a) {
			t.Fatal("not symmetric")
		}
		if normalize(a).compact != "" && Similarity(a, a) != 1 {
			t.Fatal("text not similar to itself")
		}
	})
}

// The same matter reported by other citizens in the same category and place
// is flagged for an operator with the candidates, most similar first; it is
// never merged (or rejected) automatically.
func TestSameMatterNearby(t *testing.T) {
	s := shipped(t)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, ticket.China)
	content := "小区东门外的路灯已经坏了一个多月，晚上一片漆黑，老人出门很危险。"
	in := Input{Type: ticket.TypeComplaint, Category: "urban.street_vendors", Content: content, Anonymous: true, Now: now,
		Nearby: []Recent{
			{ID: "OTHERCAT", Category: "urban.garbage", Content: content, CreatedAt: now.Add(-time.Hour), Status: ticket.StatusDispatched},
			{ID: "CLOSED", Category: "urban.street_vendors", Content: content, CreatedAt: now.Add(-time.Hour), Status: ticket.StatusClosed},
			{ID: "OLD", Category: "urban.street_vendors", Content: content, CreatedAt: now.Add(-60 * 24 * time.Hour), Status: ticket.StatusDispatched},
			{ID: "UNLIKE", Category: "urban.street_vendors", Content: "路灯白天也一直亮着，浪费电。", CreatedAt: now.Add(-time.Hour), Status: ticket.StatusDispatched},
			{ID: "CLOSE", Category: "urban.street_vendors", Content: "小区东门外的路灯坏了一个多月，晚上一片漆黑，出门很危险。", CreatedAt: now.Add(-2 * time.Hour), Status: ticket.StatusAccepted},
			{ID: "SAME", Category: "urban.street_vendors", Content: content, CreatedAt: now.Add(-3 * time.Hour), Status: ticket.StatusDispatched},
		}}
	d := s.Review(in)
	if d.Outcome != OutcomeManual || d.Reason != ReasonSameMatterNearby || len(d.Candidates) != 2 || d.Candidates[0] != "SAME" || d.Candidates[1] != "CLOSE" {
		t.Fatalf("decision %+v", d)
	}
	in.Nearby = in.Nearby[:4]
	if d := s.Review(in); d.Reason == ReasonSameMatterNearby {
		t.Fatalf("flagged without a similar open ticket: %+v", d)
	}
}
