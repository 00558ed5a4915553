package catalog

import (
	"strings"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// DepartmentName is the department's display name, or its id when unknown, so
// a notice never shows an empty name.
func (c *Catalog) DepartmentName(id string) string {
	if d, ok := c.depts[id]; ok && d.Name != "" {
		return d.Name
	}
	return id
}

// DepartmentNameIn is the department's name in lang: the English name for an
// English ticket when the catalog has one, else DepartmentName.
func (c *Catalog) DepartmentNameIn(id string, lang ticket.Language) string {
	if d, ok := c.depts[id]; ok && lang == ticket.LanguageEN && d.NameEn != "" {
		return d.NameEn
	}
	return c.DepartmentName(id)
}

// CategoryName is the display name of a category code, empty when unknown.
func (c *Catalog) CategoryName(code string) string {
	return c.nodes[code].Name
}

// Leaves lists the leaf categories, depth first in the tree's order: what
// tickets carry and Open311 lists as services.
func (c *Catalog) Leaves() []Category {
	var out []Category
	var walk func(cs []Category)
	walk = func(cs []Category) {
		for _, cat := range cs {
			if cat.Leaf() {
				out = append(out, cat)
				continue
			}
			walk(cat.Children)
		}
	}
	walk(cloneCategories(c.seed.Categories))
	return out
}

// Parent is the group a category is in, false for a top-level code.
func (c *Catalog) Parent(code string) (Category, bool) {
	i := strings.LastIndexByte(code, '.')
	if i < 0 {
		return Category{}, false
	}
	p, ok := c.nodes[code[:i]]
	if !ok {
		return Category{}, false
	}
	p.Children = nil // the caller wants the group, not a copy of its subtree
	return p, true
}
