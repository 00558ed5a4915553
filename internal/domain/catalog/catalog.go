// Package catalog is the admin-managed configuration of the hotline:
// departments, the category tree with service levels, routing rules and the
// working-day calendar. It is pure: it parses and validates a seed document
// and answers questions about it (which department gets this ticket, which
// service level applies). Where the seed comes from — config/seed.json or
// CONF# items in DynamoDB — is the caller's business.
package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/domain/region"
	"github.com/hotline12345/hotline/internal/domain/text"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// MaxSeedBytes bounds a seed document.
const MaxSeedBytes = 1 << 20

// Department is a unit that handles tickets.
type Department struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// NameEn is the name in English notices; Name serves when it is empty.
	NameEn string `json:"nameEn,omitempty"`
	// Region is the division code of a territorial (属地) department, if any.
	Region string `json:"region,omitempty"`
	// Active departments receive tickets; routing skips inactive ones.
	Active bool `json:"active"`
}

// Category is a node of the category tree. Leaves (no children) are what
// tickets carry; they name the types they accept and their service level.
// Groups carry neither.
type Category struct {
	Code         string               `json:"code"`
	Name         string               `json:"name"`
	NameEN       string               `json:"nameEn,omitempty"`
	Types        []ticket.Type        `json:"types,omitempty"`
	ServiceLevel *ticket.ServiceLevel `json:"serviceLevel,omitempty"`
	// Description says what the category is for; Open311 apps show it
	// beside the name.
	Description string `json:"description,omitempty"`
	// Attributes are the questions a leaf asks beside the content (Open311
	// service definitions).
	Attributes []Attribute `json:"attributes,omitempty"`
	Children   []Category  `json:"children,omitempty"`
}

// Leaf reports whether c is a leaf.
func (c Category) Leaf() bool { return len(c.Children) == 0 }

// Accepts reports whether the leaf c accepts tickets of type t.
func (c Category) Accepts(t ticket.Type) bool { return slices.Contains(c.Types, t) }

// RoutingRule sends matching tickets to a lead department and co-handlers.
// Every non-empty condition list must match (AND); within a list one entry
// is enough (OR).
type RoutingRule struct {
	ID       string `json:"id"`
	Priority int    `json:"priority"` // higher wins; ties go to the earlier rule
	// Categories match a category code or any code below it ("consumer"
	// matches "consumer.refund", not "consumerx.a").
	Categories []string `json:"categories,omitempty"`
	// Regions match division-code prefixes ("1101" matches "110105").
	Regions []string `json:"regions,omitempty"`
	// InvolvedUnits and Keywords are case-insensitive substrings of the
	// involved unit and of the content.
	InvolvedUnits []string      `json:"involvedUnits,omitempty"`
	Keywords      []string      `json:"keywords,omitempty"`
	Types         []ticket.Type `json:"types,omitempty"`
	DepartmentID  string        `json:"departmentId"`
	CoHandlers    []string      `json:"coHandlers,omitempty"`
	// Default rules have no conditions and are tried only after every other rule.
	Default bool `json:"default,omitempty"`
	// ServiceLevel, when set, replaces the category's for the tickets this rule
	// routes: a gas-leak keyword rule makes a ticket filed under "other" urgent.
	ServiceLevel *ticket.ServiceLevel `json:"serviceLevel,omitempty"`
}

func (r RoutingRule) hasConditions() bool {
	return len(r.Categories)+len(r.Regions)+len(r.InvolvedUnits)+len(r.Keywords)+len(r.Types) > 0
}

// Seed is the whole configuration as stored (config/seed.json).
type Seed struct {
	Departments  []Department          `json:"departments"`
	Categories   []Category            `json:"categories"`
	RoutingRules []RoutingRule         `json:"routingRules"`
	Calendars    []ticket.CalendarFile `json:"calendars,omitempty"`
}

// Catalog is a validated, immutable configuration with look-up indexes.
type Catalog struct {
	seed     Seed
	depts    map[string]Department
	nodes    map[string]Category // every category, group or leaf
	rules    []RoutingRule       // in evaluation order
	calendar ticket.Calendar
}

// LoadError lists every problem found in a seed. Messages name configuration
// ids and codes (admin data), never ticket contents.
type LoadError struct {
	Problems []string
}

func (e *LoadError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid catalog: " + e.Problems[0]
	}
	return fmt.Sprintf("invalid catalog (%d problems): %s", len(e.Problems), strings.Join(e.Problems, "; "))
}

// Load parses a JSON seed strictly and builds the catalog.
func Load(data []byte) (*Catalog, error) {
	var s Seed
	if err := ticket.DecodeStrict(data, MaxSeedBytes, &s); err != nil {
		return nil, err
	}
	return New(s)
}

// New validates a seed and builds the catalog, reporting every problem at once
// in a *LoadError.
func New(s Seed) (*Catalog, error) {
	c := &Catalog{
		depts: map[string]Department{},
		nodes: map[string]Category{},
	}
	v := &validator{}
	c.seed = cloneSeed(s)
	s = c.seed

	if len(s.Departments) == 0 {
		v.addf("no departments")
	}
	for i, d := range s.Departments {
		where := fmt.Sprintf("departments[%d]", i)
		if !ValidID(d.ID) {
			v.addf("%s: id %q must be 1–64 characters of a-z, 0-9, _ and -", where, clipped(d.ID))
			continue
		}
		if _, dup := c.depts[d.ID]; dup {
			v.addf("%s: duplicate department id %q", where, d.ID)
			continue
		}
		// Names go into e-mail subjects: a line break there would break the
		// message, so it is refused here, where it is entered.
		if d.Name == "" || utf8.RuneCountInString(d.Name) > 100 || !printable(d.Name) {
			v.addf("department %s: name must be 1–100 printable characters on one line", d.ID)
		}
		if utf8.RuneCountInString(d.NameEn) > 150 || !printable(d.NameEn) {
			v.addf("department %s: nameEn must be up to 150 printable characters on one line", d.ID)
		}
		if d.Region != "" && !ticket.ValidRegion(d.Region) {
			v.addf("department %s: region %q is not a 6-digit division code", d.ID, clipped(d.Region))
		}
		c.depts[d.ID] = d
	}

	if len(s.Categories) == 0 {
		v.addf("no categories")
	}
	for i, cat := range s.Categories {
		c.addCategory(v, cat, "", fmt.Sprintf("categories[%d]", i))
	}

	defaults := 0
	ruleIDs := map[string]bool{}
	for i, r := range s.RoutingRules {
		where := fmt.Sprintf("routingRules[%d]", i)
		if !ValidID(r.ID) {
			v.addf("%s: id %q must be 1–64 characters of a-z, 0-9, _ and -", where, clipped(r.ID))
		} else if ruleIDs[r.ID] {
			v.addf("%s: duplicate rule id %q", where, r.ID)
		} else {
			ruleIDs[r.ID] = true
			where = "rule " + r.ID
		}
		c.checkRule(v, where, r)
		if r.Default {
			defaults++
		}
	}
	switch {
	case defaults > 1:
		v.addf("%d default rules; at most one", defaults)
	case defaults == 0:
		// Without one, a ticket no rule matches could not be routed.
		v.addf("no default rule: add one (no conditions, \"default\": true) for the tickets no other rule matches")
	}
	for _, r := range s.RoutingRules {
		if d, ok := c.depts[r.DepartmentID]; r.Default && ok && !d.Active {
			v.addf("rule %s: the default rule's department %s is inactive, so unmatched tickets could not be routed", r.ID, d.ID)
		}
	}

	cal, err := ticket.NewCalendar(s.Calendars...)
	if err != nil {
		v.addf("calendars: %v", err)
	}
	c.calendar = cal

	if len(v.problems) > 0 {
		return nil, &LoadError{Problems: v.problems}
	}

	// Evaluation order: priority descending, seed order on ties, defaults last.
	c.rules = slices.Clone(s.RoutingRules)
	sort.SliceStable(c.rules, func(i, j int) bool {
		a, b := c.rules[i], c.rules[j]
		if a.Default != b.Default {
			return b.Default
		}
		return a.Priority > b.Priority
	})
	return c, nil
}

type validator struct{ problems []string }

func (v *validator) addf(format string, args ...any) {
	// Cap the list: a fuzzer or a broken export must not produce megabytes.
	if len(v.problems) < 100 {
		v.problems = append(v.problems, fmt.Sprintf(format, args...))
	}
}

func (c *Catalog) addCategory(v *validator, cat Category, parent, where string) {
	if !ticket.ValidCategoryCode(cat.Code) {
		v.addf("%s: code %q must be lowercase a-z, 0-9, _ segments joined by dots", where, clipped(cat.Code))
		return
	}
	where = "category " + cat.Code
	switch {
	case parent == "" && strings.Contains(cat.Code, "."):
		v.addf("%s: top-level code must have one segment", where)
	case parent != "" && !isChildCode(parent, cat.Code):
		v.addf("%s: must be %s.<segment>", where, parent)
	}
	if _, dup := c.nodes[cat.Code]; dup {
		v.addf("%s: duplicate code", where)
		return
	}
	c.nodes[cat.Code] = cat
	if cat.Name == "" || utf8.RuneCountInString(cat.Name) > 50 || utf8.RuneCountInString(cat.NameEN) > 100 || !printable(cat.Name) || !printable(cat.NameEN) {
		v.addf("%s: name must be 1–50 characters (nameEn up to 100)", where)
	}
	if utf8.RuneCountInString(cat.Description) > MaxCategoryDescriptionRunes || !printable(cat.Description) {
		v.addf("%s: description must be up to %d printable characters on one line", where, MaxCategoryDescriptionRunes)
	}
	if !cat.Leaf() {
		if len(cat.Types) > 0 || cat.ServiceLevel != nil || len(cat.Attributes) > 0 {
			v.addf("%s: only leaf categories have types, a service level and attributes", where)
		}
		for i, ch := range cat.Children {
			c.addCategory(v, ch, cat.Code, fmt.Sprintf("%s.children[%d]", where, i))
		}
		return
	}
	if parent == "" {
		v.addf("%s: a top-level category needs children; tickets use two-level codes", where)
	}
	if len(cat.Types) == 0 {
		v.addf("%s: leaf category without types", where)
	}
	seen := map[ticket.Type]bool{}
	for _, t := range cat.Types {
		if !t.Valid() {
			v.addf("%s: unknown type %q", where, clipped(string(t)))
		} else if seen[t] {
			v.addf("%s: type %s listed twice", where, t)
		}
		seen[t] = true
	}
	if cat.ServiceLevel == nil {
		v.addf("%s: leaf category without service level", where)
	} else if err := cat.ServiceLevel.Validate(); err != nil {
		v.addf("%s: %v", where, err)
	}
	checkAttributes(v, where, cat.Attributes)
}

func (c *Catalog) checkRule(v *validator, where string, r RoutingRule) {
	if r.Priority < 0 || r.Priority > 1000 {
		v.addf("%s: priority must be 0–1000", where)
	}
	switch {
	case r.Default && r.hasConditions():
		v.addf("%s: a default rule has no conditions", where)
	case !r.Default && !r.hasConditions():
		v.addf("%s: no condition and not marked default", where)
	}
	if _, ok := c.depts[r.DepartmentID]; !ok {
		v.addf("%s: unknown department %q", where, clipped(r.DepartmentID))
	}
	seen := map[string]bool{}
	for _, co := range r.CoHandlers {
		switch _, ok := c.depts[co]; {
		case !ok:
			v.addf("%s: unknown co-handler %q", where, clipped(co))
		case co == r.DepartmentID:
			v.addf("%s: lead department %s is also a co-handler", where, co)
		case seen[co]:
			v.addf("%s: co-handler %s listed twice", where, co)
		}
		seen[co] = true
	}
	for _, code := range r.Categories {
		if _, ok := c.nodes[code]; !ok {
			v.addf("%s: unknown category %q", where, clipped(code))
		}
	}
	if r.ServiceLevel != nil {
		if err := r.ServiceLevel.Validate(); err != nil {
			v.addf("%s: %v", where, err)
		}
	}
	for _, reg := range r.Regions {
		if !validRegionPrefix(reg) {
			v.addf("%s: region %q must be 2, 4 or 6 digits", where, clipped(reg))
		}
	}
	for _, list := range [][]string{r.InvolvedUnits, r.Keywords} {
		for _, s := range list {
			if strings.TrimSpace(s) != s || s == "" || utf8.RuneCountInString(s) > 100 {
				v.addf("%s: keywords and involved units must be 1–100 characters without surrounding spaces", where)
			}
		}
	}
	for _, t := range r.Types {
		if !t.Valid() {
			v.addf("%s: unknown type %q", where, clipped(string(t)))
		}
	}
}

func isChildCode(parent, code string) bool {
	rest, ok := strings.CutPrefix(code, parent+".")
	return ok && rest != "" && !strings.Contains(rest, ".")
}

// ValidID reports whether s can be a config id (a department's, a rule's, an
// app's key name): 1–64 characters of a-z, 0-9, _ and -.
func ValidID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func validRegionPrefix(s string) bool { return region.ValidPrefix(s) }

func clipped(s string) string {
	if len(s) <= 40 {
		return s
	}
	n := 40
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func cloneSeed(s Seed) Seed {
	out := Seed{
		Departments:  slices.Clone(s.Departments),
		Categories:   cloneCategories(s.Categories),
		RoutingRules: make([]RoutingRule, len(s.RoutingRules)),
		Calendars:    make([]ticket.CalendarFile, len(s.Calendars)),
	}
	for i, r := range s.RoutingRules {
		r.Categories = slices.Clone(r.Categories)
		r.Regions = slices.Clone(r.Regions)
		r.InvolvedUnits = slices.Clone(r.InvolvedUnits)
		r.Keywords = slices.Clone(r.Keywords)
		r.Types = slices.Clone(r.Types)
		r.CoHandlers = slices.Clone(r.CoHandlers)
		if r.ServiceLevel != nil {
			l := *r.ServiceLevel
			r.ServiceLevel = &l
		}
		out.RoutingRules[i] = r
	}
	for i, f := range s.Calendars {
		f.Holidays = slices.Clone(f.Holidays)
		f.Workdays = slices.Clone(f.Workdays)
		out.Calendars[i] = f
	}
	return out
}

func cloneCategories(cs []Category) []Category {
	if cs == nil {
		return nil
	}
	out := make([]Category, len(cs))
	for i, c := range cs {
		c.Types = slices.Clone(c.Types)
		if c.ServiceLevel != nil {
			l := *c.ServiceLevel
			c.ServiceLevel = &l
		}
		c.Attributes = cloneAttributes(c.Attributes)
		c.Children = cloneCategories(c.Children)
		out[i] = c
	}
	return out
}

func cloneAttributes(as []Attribute) []Attribute {
	if as == nil {
		return nil
	}
	out := slices.Clone(as)
	for i := range out {
		out[i].Values = slices.Clone(out[i].Values)
	}
	return out
}

// Seed returns a copy of the configuration the catalog was built from (for
// admin GET endpoints and for saving it elsewhere).
func (c *Catalog) Seed() Seed { return cloneSeed(c.seed) }

// Categories returns a copy of the category tree (GET /v1/categories).
func (c *Catalog) Categories() []Category { return cloneCategories(c.seed.Categories) }

// Departments returns a copy of the departments in seed order.
func (c *Catalog) Departments() []Department { return slices.Clone(c.seed.Departments) }

// Department looks a department up by id.
func (c *Catalog) Department(id string) (Department, bool) {
	d, ok := c.depts[id]
	return d, ok
}

// HasDepartment says whether id is a department of the catalog.
func (c *Catalog) HasDepartment(id string) bool {
	_, ok := c.depts[id]
	return ok
}

// Catalog is what the ticket's operator commands check against.
var _ ticket.Catalog = (*Catalog)(nil)

// Rules returns a copy of the routing rules in evaluation order.
func (c *Catalog) Rules() []RoutingRule { return cloneSeed(Seed{RoutingRules: c.rules}).RoutingRules }

// Calendar returns the working-day calendar.
func (c *Catalog) Calendar() ticket.Calendar { return c.calendar }

// LeafCategory returns the leaf category with this code.
func (c *Catalog) LeafCategory(code string) (Category, bool) {
	cat, ok := c.nodes[code]
	if !ok || !cat.Leaf() {
		return Category{}, false
	}
	cat.Types = slices.Clone(cat.Types)
	cat.Attributes = cloneAttributes(cat.Attributes)
	return cat, true
}

// CheckCategory says whether a ticket of type t may carry category code: it
// must be a leaf that accepts t. An empty code is fine (review assigns one).
// The error is a *ticket.ValidationError on field "category", so intake can
// answer it like any other validation failure.
func (c *Catalog) CheckCategory(code string, t ticket.Type) error {
	if code == "" {
		return nil
	}
	cat, ok := c.LeafCategory(code)
	switch {
	case !ok:
		return &ticket.ValidationError{Fields: map[string]string{"category": "unknown category"}}
	case !cat.Accepts(t):
		return &ticket.ValidationError{Fields: map[string]string{"category": "category does not accept this ticket type"}}
	}
	return nil
}

// ServiceLevelFor returns the level the ticket is handled at: the routing
// rule's that sent it (t.RuleID) when the rule sets one, else its category's,
// else its type's; an urgent ticket (an operator's mark, or a level counted in
// hours) is counted in hours, at ticket.UrgentServiceLevel at the slowest.
func (c *Catalog) ServiceLevelFor(t *ticket.Ticket) ticket.ServiceLevel {
	level := ticket.DefaultServiceLevel(t.Type)
	if cat, ok := c.LeafCategory(t.Category); ok && cat.ServiceLevel != nil {
		level = *cat.ServiceLevel
	}
	if r, ok := c.rule(t.RuleID); ok && r.ServiceLevel != nil {
		level = *r.ServiceLevel
	}
	if t.Urgency == ticket.UrgencyUrgent {
		level = level.Urgent()
	}
	return level
}

func (c *Catalog) rule(id string) (RoutingRule, bool) {
	for _, r := range c.rules {
		if r.ID == id {
			return r, true
		}
	}
	return RoutingRule{}, false
}

// UrgentByRules reports whether the rules would handle the ticket in hours:
// the rule that would route it, or its category, sets a level counted in
// hours (a gas leak). Review puts such tickets ahead of ordinary ones.
func (c *Catalog) UrgentByRules(t *ticket.Ticket) bool {
	probe := *t
	if r, err := c.Route(t); err == nil {
		probe.RuleID = r.RuleID
	}
	return c.ServiceLevelFor(&probe).ReplyHours > 0
}

// Deadlines computes the ticket's deadlines for a dispatch at the given time
// on this catalog's calendar and service levels.
func (c *Catalog) Deadlines(t *ticket.Ticket, dispatchedAt time.Time) ticket.Deadlines {
	return ticket.ComputeDeadlines(dispatchedAt, c.ServiceLevelFor(t), c.calendar)
}

// printable reports whether s is a single line of text without control or
// format characters.
func printable(s string) bool {
	_, bad := text.Refused(s, false)
	return !bad
}
