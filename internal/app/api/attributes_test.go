package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/catalog"
)

// Admins edit a category's attributes (its Open311 service definition)
// through the categories route; they are checked like the rest.
func TestAdminEditsCategoryAttributes(t *testing.T) {
	e := newEnv(t)
	get := func() ([]catalog.Category, string) {
		r, tag := e.etag(t, route("GET /v1/admin/categories", "").as(auth.RoleAdmin, ""))
		r.want(t, "get categories", 200)
		var body struct{ Categories []catalog.Category }
		if err := json.Unmarshal([]byte(r.body), &body); err != nil {
			t.Fatal(err)
		}
		return body.Categories, tag
	}
	put := func(cats []catalog.Category, tag string) resp {
		return e.do(t, route("PUT /v1/admin/categories", "").as(auth.RoleAdmin, "").header("If-Match", tag).json(map[string]any{"categories": cats}))
	}
	withGarbage := func(cats []catalog.Category, attrs []catalog.Attribute) []catalog.Category {
		for i := range cats {
			for j := range cats[i].Children {
				if cats[i].Children[j].Code == "urban.garbage" {
					cats[i].Children[j].Attributes = attrs
				}
			}
		}
		return cats
	}
	cats, tag := get()
	bins := []catalog.Attribute{{Code: "bins", Variable: true, Datatype: catalog.DatatypeNumber, Required: true, Order: 1, Description: "几个垃圾桶 / How many bins"}}
	put(withGarbage(cats, bins), tag).want(t, "add an attribute", 200)
	cats, tag = get()
	if leaf := findLeaf(cats, "urban.garbage"); leaf == nil || len(leaf.Attributes) != 1 || leaf.Attributes[0].Code != "bins" {
		t.Fatalf("stored %+v", leaf)
	}
	bad := []catalog.Attribute{{Code: "bins", Variable: false, Datatype: "count", Required: true, Order: 1, Description: "x"}}
	r := put(withGarbage(cats, bad), tag)
	r.want(t, "invalid attribute", 400)
	fields := errorFields(t, r)
	if msg := fields["category urban.garbage"]; !strings.Contains(msg, "datatype \"count\"") || !strings.Contains(msg, "cannot be required") {
		t.Fatalf("fields %v", fields)
	}
}

func findLeaf(cats []catalog.Category, code string) *catalog.Category {
	for i := range cats {
		if cats[i].Code == code {
			return &cats[i]
		}
		if l := findLeaf(cats[i].Children, code); l != nil {
			return l
		}
	}
	return nil
}
