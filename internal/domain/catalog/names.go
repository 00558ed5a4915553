package catalog

// DepartmentName is the department's display name, or its id when unknown, so
// a notice never shows an empty name.
func (c *Catalog) DepartmentName(id string) string {
	if d, ok := c.depts[id]; ok && d.Name != "" {
		return d.Name
	}
	return id
}

// CategoryName is the display name of a category code, empty when unknown.
func (c *Catalog) CategoryName(code string) string {
	return c.nodes[code].Name
}
