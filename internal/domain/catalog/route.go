package catalog

import (
	"fmt"
	"strings"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Route is where a ticket goes: the lead department (主办), co-handlers (协办)
// and the rule that decided, for the timeline and for auditing rule changes.
type Route struct {
	DepartmentID string   `json:"departmentId"`
	CoHandlers   []string `json:"coHandlers,omitempty"`
	RuleID       string   `json:"ruleId"`
}

// NoRouteError says no rule (and no default rule) matched; an operator must
// dispatch by hand. It carries only the ticket's type and category.
type NoRouteError struct {
	Type     ticket.Type
	Category string
}

func (e *NoRouteError) Error() string {
	return fmt.Sprintf("no routing rule matches a %s ticket in category %q", e.Type, e.Category)
}

// Route applies the routing rules: the highest-priority matching rule wins,
// ties go to the earlier rule, the default rule catches the rest. Rules whose
// lead department is inactive are skipped; inactive co-handlers are dropped.
func (c *Catalog) Route(t *ticket.Ticket) (Route, error) {
	content := strings.ToLower(t.Content)
	unit := strings.ToLower(t.InvolvedUnit)
	region := ""
	if t.Location != nil {
		region = t.Location.Region
	}
	for _, r := range c.rules {
		if d, ok := c.depts[r.DepartmentID]; !ok || !d.Active {
			continue
		}
		if !r.Default && !matches(r, t, region, unit, content) {
			continue
		}
		rt := Route{DepartmentID: r.DepartmentID, RuleID: r.ID}
		for _, co := range r.CoHandlers {
			if d := c.depts[co]; d.Active {
				rt.CoHandlers = append(rt.CoHandlers, co)
			}
		}
		return rt, nil
	}
	return Route{}, &NoRouteError{Type: t.Type, Category: t.Category}
}

func matches(r RoutingRule, t *ticket.Ticket, region, unit, content string) bool {
	if len(r.Types) > 0 && !containsType(r.Types, t.Type) {
		return false
	}
	if len(r.Categories) > 0 && !anyMatch(r.Categories, func(p string) bool {
		return t.Category == p || strings.HasPrefix(t.Category, p+".")
	}) {
		return false
	}
	if len(r.Regions) > 0 && !anyMatch(r.Regions, func(p string) bool {
		return region != "" && strings.HasPrefix(region, p)
	}) {
		return false
	}
	if len(r.InvolvedUnits) > 0 && !anyMatch(r.InvolvedUnits, func(s string) bool {
		return unit != "" && strings.Contains(unit, strings.ToLower(s))
	}) {
		return false
	}
	if len(r.Keywords) > 0 && !anyMatch(r.Keywords, func(s string) bool {
		return strings.Contains(content, strings.ToLower(s))
	}) {
		return false
	}
	return true
}

func containsType(ts []ticket.Type, t ticket.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func anyMatch(list []string, f func(string) bool) bool {
	for _, s := range list {
		if f(s) {
			return true
		}
	}
	return false
}
