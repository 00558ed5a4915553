package open311

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Service is one entry of GET services: a leaf category.
type Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	Code        string   `json:"service_code" xml:"service_code"`
	Name        string   `json:"service_name" xml:"service_name"`
	Description text     `json:"description" xml:"description"`
	// Metadata says the service has attributes: the app reads its definition.
	Metadata bool `json:"metadata" xml:"metadata"`
	// Type is always realtime: the ticket id exists when the POST answers.
	Type     string `json:"type" xml:"type"`
	Keywords text   `json:"keywords" xml:"keywords"`
	Group    text   `json:"group" xml:"group"`
}

type serviceList struct {
	XMLName  xml.Name  `xml:"services"`
	Services []Service `xml:"service"`
}

// Services lists the leaf categories as Open311 services, in the tree's
// order; group is the parent category's name.
func Services(c *catalog.Catalog) []Service {
	out := []Service{}
	for _, leaf := range c.Leaves() {
		s := Service{
			Code: leaf.Code, Name: leaf.Name, Description: text(leaf.Description),
			Metadata: len(leaf.Attributes) > 0, Type: "realtime",
		}
		words := []string{leaf.NameEN}
		if g, ok := c.Parent(leaf.Code); ok {
			s.Group = text(g.Name)
			words = append(words, g.Name, g.NameEN)
		}
		s.Keywords = text(keywords(words))
		out = append(out, s)
	}
	return out
}

// keywords joins the non-empty words with ", "; a comma inside a name
// would split it, so it becomes a space.
func keywords(words []string) string {
	var kept []string
	for _, w := range words {
		w = strings.TrimSpace(strings.ReplaceAll(w, ",", " "))
		if w != "" && !slices.Contains(kept, w) {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, ", ")
}

// ServicesAnswer is GET services.
func ServicesAnswer(f Format, c *catalog.Catalog) events.APIGatewayV2HTTPResponse {
	list := Services(c)
	return answer(f, http.StatusOK, list, serviceList{Services: list})
}

// Definition is GET services/{service_code}: the service's attributes.
type Definition struct {
	XMLName    xml.Name      `json:"-" xml:"service_definition"`
	Code       string        `json:"service_code" xml:"service_code"`
	Attributes attributeList `json:"attributes" xml:"attributes"`
}

// attributeList is a JSON array and, in XML, <attributes> holding one
// <attribute> each, present even when there is none.
type attributeList struct {
	Attributes []DefinitionAttribute `xml:"attribute"`
}

// MarshalJSON writes the list as an array, [] when empty.
func (l attributeList) MarshalJSON() ([]byte, error) {
	if l.Attributes == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(l.Attributes)
}

// DefinitionAttribute is one attribute of a service definition.
type DefinitionAttribute struct {
	Variable            bool    `json:"variable" xml:"variable"`
	Code                string  `json:"code" xml:"code"`
	Datatype            string  `json:"datatype" xml:"datatype"`
	Required            bool    `json:"required" xml:"required"`
	DatatypeDescription text    `json:"datatype_description" xml:"datatype_description"`
	Order               int     `json:"order" xml:"order"`
	Description         string  `json:"description" xml:"description"`
	Values              []Value `json:"values,omitempty" xml:"values>value,omitempty"`
}

// Value is a choice of a list attribute.
type Value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// ServiceDefinition is the definition of a leaf category, attributes in
// their order; false when code is no leaf.
func ServiceDefinition(c *catalog.Catalog, code string) (Definition, bool) {
	leaf, ok := c.LeafCategory(code)
	if !ok {
		return Definition{}, false
	}
	attrs := slices.Clone(leaf.Attributes)
	slices.SortStableFunc(attrs, func(a, b catalog.Attribute) int { return a.Order - b.Order })
	d := Definition{Code: leaf.Code}
	for _, a := range attrs {
		da := DefinitionAttribute{
			Variable: a.Variable, Code: a.Code, Datatype: string(a.Datatype), Required: a.Required,
			DatatypeDescription: text(a.DatatypeDescription), Order: a.Order, Description: a.Description,
		}
		for _, v := range a.Values {
			da.Values = append(da.Values, Value(v))
		}
		d.Attributes.Attributes = append(d.Attributes.Attributes, da)
	}
	return d, true
}

// DefinitionAnswer is GET services/{service_code}: 404 for an unknown code.
func DefinitionAnswer(f Format, c *catalog.Catalog, code string) (events.APIGatewayV2HTTPResponse, error) {
	d, ok := ServiceDefinition(c, code)
	if !ok {
		return events.APIGatewayV2HTTPResponse{}, NotFound("service_code %s not found", clip(code))
	}
	return answer(f, http.StatusOK, d, d), nil
}

// Notice is the service_notice of a service: what happens to a request and
// how soon, from the category's service level. It is the same for every
// request of the service, so it says nothing about one citizen.
func Notice(leaf catalog.Category) string {
	if leaf.ServiceLevel == nil {
		return "热线审核后派发承办部门办理。The hotline reviews the request and dispatches it to the responsible department."
	}
	if h := leaf.ServiceLevel.ReplyHours; h > 0 {
		return fmt.Sprintf("热线审核后派发承办部门，承办部门自派单起%d小时内答复。The hotline reviews the request and dispatches it; the department replies within %d hours of dispatch.", h, h)
	}
	d := leaf.ServiceLevel.ReplyWorkingDays
	return fmt.Sprintf("热线审核后派发承办部门，承办部门自派单起%d个工作日内答复。The hotline reviews the request and dispatches it; the department replies within %d working days of dispatch.", d, d)
}

// noticeOf is the notice of a category code, "" when the catalog no longer
// has it.
func noticeOf(c *catalog.Catalog, code string) string {
	if leaf, ok := c.LeafCategory(code); ok {
		return Notice(leaf)
	}
	return ""
}

// clip shortens what an error quotes of a request: an id or a code, never
// free text.
func clip(s string) string {
	n := ticket.MaxCategoryLen
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
