package catalog

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func loadShipped(t testing.TB) *Catalog {
	t.Helper()
	data, err := os.ReadFile("../../../config/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func tk(typ ticket.Type, cat, content, unit, region string) *ticket.Ticket {
	t := &ticket.Ticket{Type: typ, Category: cat, Content: content, InvolvedUnit: unit}
	if region != "" {
		t.Location = &ticket.Location{Region: region}
	}
	return t
}

func TestShippedSeedRoutes(t *testing.T) {
	c := loadShipped(t)
	tests := []struct {
		name string
		t    *ticket.Ticket
		want Route
	}{
		{"refund", tk(ticket.TypeComplaint, "consumer.refund", "买的电饭煲三天就坏了，商家拒绝退货", "某某电器商店", "110105"),
			Route{DepartmentID: "market", RuleID: "consumer"}},
		{"food safety", tk(ticket.TypeReport, "consumer.food_safety", "餐馆后厨卫生很差，有老鼠", "", ""),
			Route{DepartmentID: "market", RuleID: "consumer"}},
		{"construction noise at night", tk(ticket.TypeComplaint, "housing.construction_noise", "工地夜里十二点还在施工，噪音很大", "", "110108"),
			Route{DepartmentID: "urban_enforcement", CoHandlers: []string{"housing"}, RuleID: "construction-noise"}},
		{"property management", tk(ticket.TypeComplaint, "housing.property_mgmt", "小区电梯坏了一个月物业不修", "", "110108"),
			Route{DepartmentID: "housing", RuleID: "housing"}},
		{"gas category", tk(ticket.TypeReport, "public_safety.gas", "楼道里有很重的味道", "", ""),
			Route{DepartmentID: "urban_mgmt", CoHandlers: []string{"chaoyang"}, RuleID: "gas-category"}},
		{"gas by keyword in another category", tk(ticket.TypeComplaint, "housing.property_mgmt", "楼道里有煤气味，物业不管", "", ""),
			Route{DepartmentID: "urban_mgmt", RuleID: "gas-keywords"}},
		{"subway by involved unit", tk(ticket.TypeComplaint, "", "早高峰站台太挤，建议加车", "北京地铁10号线", ""),
			Route{DepartmentID: "transport", RuleID: "subway-unit"}},
		{"subway unit but consultation", tk(ticket.TypeConsultation, "", "地铁几点收车", "北京地铁", ""),
			Route{DepartmentID: "chaoyang", RuleID: "default"}},
		{"wage arrears by keyword", tk(ticket.TypeHelp, "", "老板拖欠工资三个月了，怎么办", "某建筑公司", "110105"),
			Route{DepartmentID: "hrss", RuleID: "wage-keywords"}},
		{"wage arrears category", tk(ticket.TypeComplaint, "labour.wage_arrears", "公司三个月没发工资", "", ""),
			Route{DepartmentID: "hrss", RuleID: "labour"}},
		{"illegal parking", tk(ticket.TypeReport, "urban.illegal_parking", "小区门口消防通道长期有车停放", "", "110105"),
			Route{DepartmentID: "traffic_police", RuleID: "illegal-parking"}},
		{"taxi praise", tk(ticket.TypePraise, "transport.taxi", "出租车司机拾金不昧，归还了我的钱包", "", ""),
			Route{DepartmentID: "transport", RuleID: "transport"}},
		{"uncategorised in Haidian", tk(ticket.TypeSuggestion, "", "建议在公园增加健身器材", "", "110108"),
			Route{DepartmentID: "haidian", RuleID: "haidian-local"}},
		{"uncategorised elsewhere", tk(ticket.TypeSuggestion, "other.general", "建议在公园增加健身器材", "", "110101"),
			Route{DepartmentID: "chaoyang", RuleID: "default"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Route(tc.t)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Route = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestShippedSeedContents(t *testing.T) {
	c := loadShipped(t)
	want := []string{"consumer.refund", "consumer.food_safety", "housing.property_mgmt", "housing.construction_noise",
		"transport.taxi", "transport.bus", "environment.air", "environment.noise", "labour.wage_arrears",
		"urban.illegal_parking", "urban.street_vendors", "public_safety.gas"}
	for _, code := range want {
		if _, ok := c.LeafCategory(code); !ok {
			t.Errorf("seed lacks leaf %s", code)
		}
	}
	if _, ok := c.LeafCategory("consumer"); ok {
		t.Error("group returned as a leaf")
	}
	gas := c.ServiceLevelFor(&ticket.Ticket{Type: ticket.TypeReport, Category: "public_safety.gas"})
	if gas.ReplyHours != 4 {
		t.Errorf("gas level %+v", gas)
	}
	if got := c.ServiceLevelFor(&ticket.Ticket{Type: ticket.TypeConsultation}); got != ticket.DefaultServiceLevel(ticket.TypeConsultation) {
		t.Errorf("type default %+v", got)
	}
	if got := c.ServiceLevelFor(&ticket.Ticket{Type: ticket.TypeComplaint, Category: "no.such"}); got.ReplyWorkingDays != 13 {
		t.Errorf("unknown category level %+v", got)
	}

	// A gas leak filed under another category: the keyword rule that routes it
	// carries its own level, counted in hours, and makes it urgent in review.
	leak := tk(ticket.TypeComplaint, "other.general", "楼道里有很重的燃气味，担心燃气泄漏", "", "")
	if !c.UrgentByRules(leak) {
		t.Error("a gas leak is not urgent by the rules")
	}
	if c.UrgentByRules(tk(ticket.TypeComplaint, "other.general", "楼道里堆满杂物，物业不清理", "", "")) {
		t.Error("an ordinary complaint is urgent by the rules")
	}
	leak.RuleID = "gas-keywords"
	if got := c.ServiceLevelFor(leak); got.ReplyHours != 4 || got.AcceptHours != 1 {
		t.Errorf("the rule's level does not apply: %+v", got)
	}
	// An operator's urgent mark counts hours where the category counts days.
	urgent := &ticket.Ticket{Type: ticket.TypeComplaint, Category: "consumer.refund", RuleID: "operator", Urgency: ticket.UrgencyUrgent}
	if got := c.ServiceLevelFor(urgent); got != ticket.UrgentServiceLevel {
		t.Errorf("urgent refund level %+v", got)
	}
	dispatched := time.Date(2026, 10, 1, 10, 0, 0, 0, ticket.China) // a public holiday: hours still count
	if dl := c.Deadlines(urgent, dispatched); !dl.Reply.Equal(dispatched.Add(24 * time.Hour)) {
		t.Errorf("urgent reply deadline %v", dl.Reply)
	}

	// The seed's calendar is the shipped 2026 file.
	data, err := os.ReadFile("../../../config/calendar/2026.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ticket.ParseCalendarFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Seed(); len(s.Calendars) != 1 || !reflect.DeepEqual(s.Calendars[0], f) {
		t.Errorf("seed calendar differs from config/calendar/2026.json")
	}
	// Wednesday 30 Sep 2026 before National Day: 13 working days are
	// 8, 9, 10 (make-up Saturday), 12–16 and 19–23 October.
	dl := c.Deadlines(&ticket.Ticket{Type: ticket.TypeComplaint, Category: "consumer.refund"}, time.Date(2026, 9, 30, 10, 0, 0, 0, ticket.China))
	if want := time.Date(2026, 10, 23, 23, 59, 59, 0, ticket.China); !dl.Reply.Equal(want) {
		t.Errorf("reply deadline %s, want %s", dl.Reply, want)
	}

	// Every leaf routes somewhere and every type it accepts passes CheckCategory.
	for _, g := range c.Categories() {
		for _, leaf := range g.Children {
			for _, ty := range leaf.Types {
				if err := c.CheckCategory(leaf.Code, ty); err != nil {
					t.Errorf("%s/%s: %v", leaf.Code, ty, err)
				}
				if _, err := c.Route(tk(ty, leaf.Code, "内容", "", "")); err != nil {
					t.Errorf("%s/%s: %v", leaf.Code, ty, err)
				}
			}
		}
	}
	var ve *ticket.ValidationError
	if err := c.CheckCategory("consumer.refund", ticket.TypePraise); !errors.As(err, &ve) || ve.Fields["category"] == "" {
		t.Errorf("type not accepted: %v", err)
	}
	if err := c.CheckCategory("consumer", ticket.TypeComplaint); !errors.As(err, &ve) {
		t.Errorf("group accepted: %v", err)
	}
	if err := c.CheckCategory("", ticket.TypeComplaint); err != nil {
		t.Errorf("empty category: %v", err)
	}
}

// small builds a seed for routing tests.
func small() Seed {
	lvl := &ticket.ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 13}
	return Seed{
		Departments: []Department{{ID: "a", Name: "A", Active: true}, {ID: "b", Name: "B", Active: true},
			{ID: "c", Name: "C", Active: true}, {ID: "off", Name: "Off", Active: false}},
		Categories: []Category{{Code: "consumer", Name: "消费", Children: []Category{
			{Code: "consumer.refund", Name: "退货", Types: []ticket.Type{ticket.TypeComplaint}, ServiceLevel: lvl}}},
			{Code: "consumerx", Name: "X", Children: []Category{
				{Code: "consumerx.a", Name: "A", Types: []ticket.Type{ticket.TypeComplaint}, ServiceLevel: lvl}}}},
	}
}

func TestRoute(t *testing.T) {
	tests := []struct {
		name  string
		rules []RoutingRule
		t     *ticket.Ticket
		want  Route
		noRte bool
	}{
		{"priority wins over order",
			[]RoutingRule{{ID: "low", Priority: 1, Categories: []string{"consumer"}, DepartmentID: "a"},
				{ID: "high", Priority: 5, Categories: []string{"consumer.refund"}, DepartmentID: "b"}},
			tk(ticket.TypeComplaint, "consumer.refund", "x", "", ""), Route{DepartmentID: "b", RuleID: "high"}, false},
		{"tie goes to the earlier rule",
			[]RoutingRule{{ID: "first", Priority: 5, Categories: []string{"consumer"}, DepartmentID: "a"},
				{ID: "second", Priority: 5, Categories: []string{"consumer.refund"}, DepartmentID: "b"}},
			tk(ticket.TypeComplaint, "consumer.refund", "x", "", ""), Route{DepartmentID: "a", RuleID: "first"}, false},
		{"category prefix respects segments",
			[]RoutingRule{{ID: "c", Categories: []string{"consumer"}, DepartmentID: "a"}},
			tk(ticket.TypeComplaint, "consumerx.a", "x", "", ""), Route{}, true},
		{"default is last whatever its priority",
			[]RoutingRule{{ID: "d", Priority: 1000, Default: true, DepartmentID: "c"},
				{ID: "k", Priority: 0, Keywords: []string{"噪音"}, DepartmentID: "a"}},
			tk(ticket.TypeComplaint, "", "晚上噪音很大", "", ""), Route{DepartmentID: "a", RuleID: "k"}, false},
		{"default catches the rest",
			[]RoutingRule{{ID: "d", Default: true, DepartmentID: "c"}, {ID: "k", Keywords: []string{"噪音"}, DepartmentID: "a"}},
			tk(ticket.TypeComplaint, "", "路灯不亮", "", ""), Route{DepartmentID: "c", RuleID: "d"}, false},
		{"region prefix",
			[]RoutingRule{{ID: "r", Regions: []string{"1101"}, DepartmentID: "a"}},
			tk(ticket.TypeComplaint, "", "x", "", "110105"), Route{DepartmentID: "a", RuleID: "r"}, false},
		{"region needs a location",
			[]RoutingRule{{ID: "r", Regions: []string{"1101"}, DepartmentID: "a"}},
			tk(ticket.TypeComplaint, "", "x", "", ""), Route{}, true},
		{"involved unit substring, case-insensitive",
			[]RoutingRule{{ID: "u", InvolvedUnits: []string{"Metro"}, DepartmentID: "a"}},
			tk(ticket.TypeComplaint, "", "x", "Beijing METRO line 10", ""), Route{DepartmentID: "a", RuleID: "u"}, false},
		{"all conditions must hold",
			[]RoutingRule{{ID: "both", Keywords: []string{"噪音"}, Types: []ticket.Type{ticket.TypeReport}, DepartmentID: "a"}},
			tk(ticket.TypeComplaint, "", "噪音", "", ""), Route{}, true},
		{"inactive lead skipped",
			[]RoutingRule{{ID: "x", Keywords: []string{"噪音"}, DepartmentID: "off"}, {ID: "y", Keywords: []string{"噪音"}, DepartmentID: "b"}},
			tk(ticket.TypeComplaint, "", "噪音", "", ""), Route{DepartmentID: "b", RuleID: "y"}, false},
		{"inactive co-handler dropped",
			[]RoutingRule{{ID: "x", Keywords: []string{"噪音"}, DepartmentID: "a", CoHandlers: []string{"off", "b"}}},
			tk(ticket.TypeComplaint, "", "噪音", "", ""), Route{DepartmentID: "a", CoHandlers: []string{"b"}, RuleID: "x"}, false},
		{"no rule", nil, tk(ticket.TypeComplaint, "", "x", "", ""), Route{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := small()
			// A catalog needs a default rule; where a case has none, what no
			// other rule matches goes to this one.
			s.RoutingRules = tc.rules
			if !slices.ContainsFunc(tc.rules, func(r RoutingRule) bool { return r.Default }) {
				s.RoutingRules = append(slices.Clone(tc.rules), RoutingRule{ID: "fallback", Default: true, DepartmentID: "c"})
			}
			c, err := New(s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Route(tc.t)
			want := tc.want
			if tc.noRte {
				want = Route{DepartmentID: "c", RuleID: "fallback"}
			}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Route = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

// A routing table that could leave a ticket unrouted is refused: it needs a
// default rule, and the default's department must be active.
func TestCatalogThatCannotRouteIsRefused(t *testing.T) {
	s := small()
	s.RoutingRules = []RoutingRule{{ID: "k", Keywords: []string{"噪音"}, DepartmentID: "a"}}
	if _, err := New(s); err == nil || !strings.Contains(err.Error(), "no default rule") {
		t.Errorf("no default rule: %v", err)
	}
	s.RoutingRules = nil
	if _, err := New(s); err == nil || !strings.Contains(err.Error(), "no default rule") {
		t.Errorf("no rules at all: %v", err)
	}
	s.RoutingRules = []RoutingRule{{ID: "d", Default: true, DepartmentID: "off"}}
	if _, err := New(s); err == nil || !strings.Contains(err.Error(), "inactive") {
		t.Errorf("inactive default department: %v", err)
	}
	// A stored catalog from before the rule still routes what it can; the
	// workflow hands an unroutable ticket to an operator (NoRouteError).
	c := &Catalog{depts: map[string]Department{}}
	var nr *NoRouteError
	if _, err := c.Route(tk(ticket.TypeComplaint, "", "夜里施工噪音很大", "", "")); !errors.As(err, &nr) || strings.Contains(err.Error(), "噪音") {
		t.Errorf("no route: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	base := func() map[string]any {
		var m map[string]any
		data, err := os.ReadFile("../../../config/seed.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	obj := func(v any) map[string]any { return v.(map[string]any) }
	list := func(v any) []any { return v.([]any) }
	tests := []struct {
		name string
		edit func(m map[string]any)
		want []string
	}{
		{"unknown department in rule", func(m map[string]any) {
			obj(list(m["routingRules"])[0])["departmentId"] = "nope"
		}, []string{`rule gas-category: unknown department "nope"`}},
		{"unknown co-handler", func(m map[string]any) {
			obj(list(m["routingRules"])[0])["coHandlers"] = []any{"ghost"}
		}, []string{`unknown co-handler "ghost"`}},
		{"lead as co-handler", func(m map[string]any) {
			obj(list(m["routingRules"])[0])["coHandlers"] = []any{"urban_mgmt"}
		}, []string{"also a co-handler"}},
		{"line break in a department name", func(m map[string]any) {
			obj(list(m["departments"])[0])["name"] = "市场监管局\r\nBcc: x@example.com"
		}, []string{"department market: name must be 1–100 printable characters on one line"}},
		{"control character in an English name", func(m map[string]any) {
			obj(list(m["departments"])[1])["nameEn"] = "Housing\u2028Commission"
		}, []string{"department housing: nameEn must be"}},
		{"rule with a broken service level", func(m map[string]any) {
			obj(list(m["routingRules"])[1])["serviceLevel"] = map[string]any{"acceptHours": 1}
		}, []string{"rule gas-keywords: invalid service level"}},
		{"duplicate department", func(m map[string]any) {
			m["departments"] = append(list(m["departments"]), map[string]any{"id": "market", "name": "again", "active": true})
		}, []string{`duplicate department id "market"`}},
		{"duplicate rule id", func(m map[string]any) {
			obj(list(m["routingRules"])[1])["id"] = "gas-category"
		}, []string{`duplicate rule id "gas-category"`}},
		{"duplicate category code", func(m map[string]any) {
			g := obj(list(m["categories"])[0])
			g["children"] = append(list(g["children"]), list(g["children"])[0])
		}, []string{"category consumer.refund: duplicate code"}},
		{"leaf without service level", func(m map[string]any) {
			delete(obj(list(obj(list(m["categories"])[0])["children"])[0]), "serviceLevel")
		}, []string{"category consumer.refund: leaf category without service level"}},
		{"leaf without types", func(m map[string]any) {
			delete(obj(list(obj(list(m["categories"])[0])["children"])[0]), "types")
		}, []string{"leaf category without types"}},
		{"bad service level", func(m map[string]any) {
			obj(list(obj(list(m["categories"])[0])["children"])[0])["serviceLevel"] = map[string]any{"acceptHours": 24}
		}, []string{"replyWorkingDays or replyHours required"}},
		{"child code outside parent", func(m map[string]any) {
			obj(list(obj(list(m["categories"])[0])["children"])[0])["code"] = "housing.refund"
		}, []string{"category housing.refund: must be consumer.<segment>"}},
		{"top-level leaf", func(m map[string]any) {
			m["categories"] = append(list(m["categories"]), map[string]any{"code": "misc", "name": "杂项", "types": []any{"complaint"},
				"serviceLevel": map[string]any{"acceptHours": 24, "replyWorkingDays": 3}})
		}, []string{"top-level category needs children"}},
		{"rule without condition", func(m map[string]any) {
			r := obj(list(m["routingRules"])[0])
			delete(r, "categories")
		}, []string{"rule gas-category: no condition and not marked default"}},
		{"default with a condition", func(m map[string]any) {
			r := list(m["routingRules"])
			obj(r[len(r)-1])["keywords"] = []any{"x"}
		}, []string{"rule default: a default rule has no conditions"}},
		{"two defaults", func(m map[string]any) {
			m["routingRules"] = append(list(m["routingRules"]), map[string]any{"id": "default2", "default": true, "departmentId": "market"})
		}, []string{"2 default rules"}},
		{"rule with unknown category", func(m map[string]any) {
			obj(list(m["routingRules"])[0])["categories"] = []any{"public_safety.gass"}
		}, []string{`unknown category "public_safety.gass"`}},
		{"bad region prefix", func(m map[string]any) {
			obj(list(m["routingRules"])[0])["regions"] = []any{"110"}
		}, []string{`region "110" must be 2, 4 or 6 digits`}},
		{"bad calendar", func(m map[string]any) {
			obj(list(m["calendars"])[0])["workdays"] = []any{"2026-10-09"}
		}, []string{"not a weekend day"}},
		{"many problems at once", func(m map[string]any) {
			obj(list(m["routingRules"])[0])["departmentId"] = "nope"
			obj(list(m["routingRules"])[2])["departmentId"] = "nope2"
			delete(obj(list(obj(list(m["categories"])[0])["children"])[0]), "serviceLevel")
		}, []string{`"nope"`, `"nope2"`, "consumer.refund: leaf category without service level"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(data)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("want *LoadError, got %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if len(le.Problems) != len(tc.want) {
				t.Errorf("%d problems, want %d: %v", len(le.Problems), len(tc.want), le.Problems)
			}
		})
	}

	var pe *ticket.ParseError
	if _, err := Load([]byte(`{"departments": [], "extra": 1}`)); !errors.As(err, &pe) {
		t.Errorf("unknown field: %v", err)
	}
	var le *LoadError
	if _, err := Load([]byte(`{}`)); !errors.As(err, &le) || len(le.Problems) != 3 {
		t.Errorf("empty seed: %v", err)
	}
}

func TestCatalogIsImmutable(t *testing.T) {
	c := loadShipped(t)
	cats := c.Categories()
	cats[0].Children[0].ServiceLevel.ReplyWorkingDays = 99
	cats[0].Children[0].Types[0] = "x"
	rules := c.Rules()
	rules[0].Keywords = append(rules[0].Keywords, "everything")
	if l := c.ServiceLevelFor(&ticket.Ticket{Type: ticket.TypeComplaint, Category: "consumer.refund"}); l.ReplyWorkingDays != 13 {
		t.Errorf("caller changed the catalog: %+v", l)
	}
	if got := c.Categories()[0].Children[0].Types[0]; got != ticket.TypeComplaint {
		t.Errorf("caller changed the tree: %s", got)
	}
	if got := c.Rules()[0].Keywords; len(got) != 0 {
		t.Errorf("caller changed a rule: %v", got)
	}
}

func FuzzLoad(f *testing.F) {
	data, err := os.ReadFile("../../../config/seed.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"departments":[{"id":"a","name":"A","active":true}],"categories":[{"code":"x","name":"X","children":[{"code":"x.y","name":"Y","types":["help"],"serviceLevel":{"acceptHours":24,"replyHours":4}}]}],"routingRules":[{"id":"d","default":true,"departmentId":"a"}]}`))
	f.Add([]byte(`{"categories":[{"code":"a","children":[{"code":"a.b","children":[{"code":"a.b.c"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load(data)
		if err != nil {
			var le *LoadError
			var pe *ticket.ParseError
			var tl *ticket.TooLargeError
			if !errors.As(err, &le) && !errors.As(err, &pe) && !errors.As(err, &tl) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		// A loaded catalog round-trips and routes without panicking.
		out, err := json.Marshal(c.Seed())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Load(out); err != nil {
			t.Fatalf("re-load of a valid seed failed: %v", err)
		}
		for _, r := range c.Rules() {
			for _, code := range r.Categories {
				rt, err := c.Route(&ticket.Ticket{Type: ticket.TypeComplaint, Category: code, Content: strings.Join(r.Keywords, "")})
				var nr *NoRouteError
				if err != nil && !errors.As(err, &nr) {
					t.Fatalf("route error %T", err)
				}
				if err == nil {
					if _, ok := c.Department(rt.DepartmentID); !ok {
						t.Fatalf("routed to unknown department")
					}
				}
			}
		}
	})
}
