package catalog

import "github.com/hotline12345/hotline/internal/domain/ticket"

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
