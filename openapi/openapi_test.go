package openapi_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	pyaml "github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"go.yaml.in/yaml/v3"

	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/testfixtures/contract"
	"github.com/hotline12345/hotline/openapi"
)

// doc is the document as generic JSON.
func doc(t *testing.T) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(openapi.JSON(), &d); err != nil {
		t.Fatalf("JSON(): %v", err)
	}
	return d
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// methods are the operations' keys of a path item.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations lists the document's operations as route keys ("GET /v1/tickets").
func operations(d map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for path, item := range obj(d["paths"]) {
		for _, m := range methods {
			if op := obj(obj(item)[m]); op != nil {
				out[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return out
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	d, err := libopenapi.NewDocument(openapi.YAML())
	if err != nil {
		t.Fatal(err)
	}
	if v := d.GetVersion(); v != "3.1.0" {
		t.Fatalf("openapi %s, want 3.1.0", v)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Error(e)
		}
	}
}

// JSON() is the YAML, value for value and key for key in the same order.
func TestJSONIsTheYAML(t *testing.T) {
	var fromYAML any
	if err := yaml.Unmarshal(openapi.YAML(), &fromYAML); err != nil {
		t.Fatal(err)
	}
	// Through encoding/json, so numbers compare as JSON numbers.
	b, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(openapi.JSON(), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("JSON() differs from openapi.yaml")
	}
	var paths yaml.Node
	if err := yaml.Unmarshal(openapi.YAML(), &paths); err != nil {
		t.Fatal(err)
	}
	first := ""
	for i, n := range paths.Content[0].Content {
		if n.Value == "paths" {
			first = paths.Content[0].Content[i+1].Content[0].Value
		}
	}
	if at := strings.Index(string(openapi.JSON()), `"paths":{"`); at < 0 || !strings.HasPrefix(string(openapi.JSON())[at+len(`"paths":{"`):], first+`"`) {
		t.Errorf("JSON() does not keep the order of the paths: the first is not %s", first)
	}
}

func TestToJSONRefusesWhatJSONCannotSay(t *testing.T) {
	for _, y := range []string{"{1: a}", "a: [b", "? [a]\n: b"} {
		if b, err := openapi.ToJSON([]byte(y)); err == nil {
			t.Errorf("ToJSON(%q) = %s, want an error", y, b)
		}
	}
	b, err := openapi.ToJSON([]byte("a: &x {b: 2026-11-30, c: 1.5, d: null, e: [true, '7']}\nf: *x\n"))
	if err != nil || string(b) != `{"a":{"b":"2026-11-30","c":1.5,"d":null,"e":[true,"7"]},"f":{"b":"2026-11-30","c":1.5,"d":null,"e":[true,"7"]}}` {
		t.Fatalf("toJSON = %s, %v", b, err)
	}
}

func TestETagFollowsTheDocument(t *testing.T) {
	if e := openapi.ETag(); !strings.HasPrefix(e, `"`) || !strings.HasSuffix(e, `"`) || len(e) < 10 || e != openapi.ETag() {
		t.Fatalf("ETag() = %s", e)
	}
}

// routeDiff says which routes the document lacks and which operations are
// no route.
func routeDiff(d map[string]any, routes []httpapi.Route) []string {
	ops := operations(d)
	var diff []string
	want := map[string]bool{}
	for _, r := range routes {
		if strings.HasSuffix(r.Path, "+}") {
			// A greedy catch-all (ANY /v1/{proxy+}) is no operation: it
			// answers what no route serves (components/responses NoRoute
			// and MethodNotAllowed).
			continue
		}
		want[r.Key()] = true
		if ops[r.Key()] == nil {
			diff = append(diff, "route "+r.Key()+" is not in openapi.yaml")
		}
	}
	for k := range ops {
		if !want[k] {
			diff = append(diff, "operation "+k+" of openapi.yaml is not a route of httpapi.Routes")
		}
	}
	slices.Sort(diff)
	return diff
}

// The document's operations are exactly the routes API Gateway has.
func TestOperationsAreTheRoutes(t *testing.T) {
	for _, d := range routeDiff(doc(t), httpapi.Routes) {
		t.Error(d)
	}
}

func TestRouteDiffSeesBothWays(t *testing.T) {
	d := doc(t)
	routes := slices.Clone(httpapi.Routes)
	routes = append(routes[1:], httpapi.Route{Method: "DELETE", Path: "/v1/tickets/{id}"})
	got := routeDiff(d, routes)
	want := []string{
		"operation " + httpapi.Routes[0].Key() + " of openapi.yaml is not a route of httpapi.Routes",
		"route DELETE /v1/tickets/{id} is not in openapi.yaml",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("routeDiff = %q, want %q", got, want)
	}
}

// mediaTypes lists a content map's JSON media types (application/json and
// application/*+json).
func jsonMedia(content map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for mt, m := range content {
		if mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json") {
			out[mt] = obj(m)
		}
	}
	return out
}

// resolve follows a local $ref.
func resolve(d map[string]any, v map[string]any) map[string]any {
	for range 10 {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		var cur any = d
		for _, seg := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = obj(cur)[strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")]
		}
		v = obj(cur)
	}
	return v
}

// Every operation says what it is and shows itself: an operationId (unique),
// a summary, a description, tags, its security, an example of every JSON
// request body and of every JSON 2xx answer.
func TestEveryOperationIsDocumented(t *testing.T) {
	d := doc(t)
	ids := map[string]string{}
	for key, op := range operations(d) {
		id, _ := op["operationId"].(string)
		switch {
		case id == "":
			t.Errorf("%s: no operationId", key)
		case ids[id] != "":
			t.Errorf("%s: operationId %s is %s's too", key, id, ids[id])
		}
		ids[id] = key
		for _, f := range []string{"summary", "description"} {
			if s, _ := op[f].(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s: no %s", key, f)
			}
		}
		if tags, _ := op["tags"].([]any); len(tags) == 0 {
			t.Errorf("%s: no tags", key)
		}
		if _, ok := op["security"]; !ok {
			t.Errorf("%s: no security requirement (say [] for none)", key)
		}
		if rb := op["requestBody"]; rb != nil {
			for mt, m := range jsonMedia(obj(resolve(d, obj(rb))["content"])) {
				if len(obj(m["examples"])) == 0 && m["example"] == nil {
					t.Errorf("%s: request body %s has no example", key, mt)
				}
			}
		}
		twoxx := 0
		for status, r := range obj(op["responses"]) {
			if !strings.HasPrefix(status, "2") {
				continue
			}
			twoxx++
			for mt, m := range jsonMedia(obj(resolve(d, obj(r))["content"])) {
				if len(obj(m["examples"])) == 0 && m["example"] == nil {
					t.Errorf("%s: %s answer %s has no example", key, status, mt)
				}
			}
		}
		if twoxx == 0 {
			t.Errorf("%s: no 2xx answer", key)
		}
	}
}

// Every response says who writes it: a function or API Gateway. Gateway
// answers say so in their description; a response both may write says it on
// each media type.
func TestEveryResponseSaysWhoAnswers(t *testing.T) {
	d := doc(t)
	check := func(where string, r map[string]any) {
		desc, _ := r["description"].(string)
		desc = strings.Join(strings.Fields(desc), " ") // as a reader sees it, line breaks aside
		by := r["x-answered-by"]
		switch by := by.(type) {
		case string:
			if by == "gateway" && !strings.Contains(desc, "Answered by API Gateway, not by the function") {
				t.Errorf("%s: a gateway answer whose description does not say \"Answered by API Gateway, not by the function\"", where)
			}
			if by != "gateway" && by != "function" {
				t.Errorf("%s: x-answered-by %q", where, by)
			}
			for mt, m := range obj(r["content"]) {
				if g, ok := obj(m)["x-answered-by"]; ok && g != by {
					t.Errorf("%s %s: x-answered-by %v in a response answered by %s", where, mt, g, by)
				}
			}
		case []any:
			if !strings.Contains(strings.ToLower(desc), "answered by api gateway, not by the function") {
				t.Errorf("%s: a response API Gateway may write whose description does not say \"answered by API Gateway, not by the function\"", where)
			}
			for mt, m := range obj(r["content"]) {
				// A media type says who writes it: one of the response's, or
				// several when both write that type.
				g := obj(m)["x-answered-by"]
				mine := asSlice(g)
				if str, ok := g.(string); ok {
					mine = []any{str}
				}
				if len(mine) == 0 || slices.ContainsFunc(mine, func(w any) bool { return !slices.Contains(by, w) }) {
					t.Errorf("%s %s: x-answered-by %v, want some of %v", where, mt, g, by)
				}
			}
		default:
			t.Errorf("%s: no x-answered-by", where)
		}
		if by == "gateway" || slices.Contains(asSlice(by), any("gateway")) {
			found := false
			for mt := range obj(r["content"]) {
				found = found || mt == "application/json"
			}
			if !found {
				t.Errorf("%s: API Gateway answers application/json, which the response does not have", where)
			}
		}
	}
	for name, r := range obj(obj(d["components"])["responses"]) {
		check("components/responses/"+name, obj(r))
	}
	for key, op := range operations(d) {
		for status, r := range obj(op["responses"]) {
			if _, ref := obj(r)["$ref"]; !ref {
				check(key+" "+status, obj(r))
			}
		}
	}
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// openSchemas lists the object schemas under s that accept properties they
// do not name: every answer's objects must be closed, so an undocumented
// field fails validation. A schema is closed by additionalProperties false
// (or a schema for the values of a map) or by unevaluatedProperties false;
// the members of an allOf are closed by their whole.
func openSchemas(d map[string]any, where string, s map[string]any, seen map[string]bool, allOfMember bool) []string {
	if ref, ok := s["$ref"].(string); ok {
		if seen[ref] {
			return nil
		}
		seen[ref] = true
		return openSchemas(d, ref, resolve(d, s), seen, allOfMember)
	}
	var out []string
	objectLike := s["properties"] != nil || s["type"] == "object" || slices.Contains(asSlice(s["type"]), any("object"))
	closedHere := s["unevaluatedProperties"] == false || (s["additionalProperties"] != nil && s["additionalProperties"] != true)
	if objectLike && !closedHere && !allOfMember {
		out = append(out, where)
	}
	for name, p := range obj(s["properties"]) {
		out = append(out, openSchemas(d, where+"/properties/"+name, obj(p), seen, false)...)
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if sub := obj(s[k]); sub != nil {
			out = append(out, openSchemas(d, where+"/"+k, sub, seen, false)...)
		}
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		for i, sub := range asSlice(s[k]) {
			out = append(out, openSchemas(d, fmt.Sprintf("%s/%s/%d", where, k, i), obj(sub), seen, false)...)
		}
	}
	// An allOf's members are closed by the whole when it closes them, or by
	// one member closed on its own (no property outside it can pass).
	members := asSlice(s["allOf"])
	wholeClosed := closedHere || slices.ContainsFunc(members, func(m any) bool {
		r := resolve(d, obj(m))
		return r["additionalProperties"] == false || r["unevaluatedProperties"] == false
	})
	if len(members) > 0 && !wholeClosed && !allOfMember {
		out = append(out, where)
	}
	for i, sub := range members {
		out = append(out, openSchemas(d, fmt.Sprintf("%s/allOf/%d", where, i), obj(sub), seen, true)...)
	}
	return out
}

// answerSchemas lists the schemas of every answer of every operation, and of
// the answers outside operations (components/responses).
func answerSchemas(d map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	add := func(where string, r map[string]any) {
		for mt, m := range obj(r["content"]) {
			if s := obj(obj(m)["schema"]); s != nil {
				out[where+" "+mt] = s
			}
		}
	}
	for key, op := range operations(d) {
		for status, r := range obj(op["responses"]) {
			add(key+" "+status, resolve(d, obj(r)))
		}
	}
	for name, r := range obj(obj(d["components"])["responses"]) {
		add("components/responses/"+name, obj(r))
	}
	return out
}

func TestEveryAnswerIsClosed(t *testing.T) {
	d := doc(t)
	seen := map[string]bool{
		// The document itself: its parts are OpenAPI's, not this API's to close.
		"#/components/schemas/OpenAPIDocument": true,
	}
	for where, s := range answerSchemas(d) {
		for _, open := range openSchemas(d, where, s, seen, false) {
			t.Errorf("%s: an object schema that is not closed (additionalProperties: false or unevaluatedProperties: false)", open)
		}
	}
	if !slices.Contains(slices.Collect(mapsKeys(seen)), "#/components/schemas/StaffView") {
		t.Error("the walk never reached StaffView: it checks less than it should")
	}
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestOpenSchemasFindsOpenObjects(t *testing.T) {
	d := map[string]any{"components": map[string]any{"schemas": map[string]any{
		"Open":   map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}}},
		"Closed": map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{"b": map[string]any{"$ref": "#/components/schemas/Open"}}},
		"Mixin":  map[string]any{"allOf": []any{map[string]any{"$ref": "#/components/schemas/Open"}}, "unevaluatedProperties": false},
		"Both":   map[string]any{"allOf": []any{map[string]any{"$ref": "#/components/schemas/Open"}}},
	}}}
	for _, c := range []struct {
		name string
		open []string
	}{
		{"Open", []string{"Open"}},
		{"Closed", []string{"#/components/schemas/Open"}},
		{"Mixin", nil},
		{"Both", []string{"Both"}},
	} {
		got := openSchemas(d, c.name, map[string]any{"$ref": "#/components/schemas/" + c.name}, map[string]bool{}, false)
		// The walk names a schema by where it was reached: the $ref itself
		// for the top, so compare the last path element.
		for i, g := range got {
			got[i] = g[strings.LastIndex(g, "/")+1:]
		}
		for i, w := range c.open {
			c.open[i] = w[strings.LastIndex(w, "/")+1:]
		}
		if !slices.Equal(got, c.open) {
			t.Errorf("%s: open %q, want %q", c.name, got, c.open)
		}
	}
}

// Every example in the document fits its schema, formats and the +08:00
// offset included: the media types' examples (requests and answers) and the
// parameters'.
func TestEveryExampleFitsItsSchema(t *testing.T) {
	c, err := contract.Shared()
	if err != nil {
		t.Fatal(err)
	}
	d, err := libopenapi.NewDocument(openapi.YAML())
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for path, item := range m.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			where := strings.ToUpper(method) + " " + path
			if op.RequestBody != nil {
				for mt, media := range op.RequestBody.Content.FromOldest() {
					for name, ex := range media.Examples.FromOldest() {
						checked++
						if media.Schema == nil {
							t.Errorf("%s request %s: example %s has no schema to fit", where, mt, name)
							continue
						}
						if err := c.ValidateSchema(media.Schema.Schema(), decode(t, ex.Value)); err != nil {
							t.Errorf("%s request %s example %s: %v", where, mt, name, err)
						}
					}
				}
			}
			for status, r := range op.Responses.Codes.FromOldest() {
				for mt, media := range r.Content.FromOldest() {
					for name, ex := range media.Examples.FromOldest() {
						checked++
						if media.Schema == nil {
							t.Errorf("%s %s %s: example %s has no schema to fit", where, status, mt, name)
							continue
						}
						if err := c.ValidateSchema(media.Schema.Schema(), decode(t, ex.Value)); err != nil {
							t.Errorf("%s %s %s example %s: %v", where, status, mt, name, err)
						}
					}
				}
			}
			for _, p := range op.Parameters {
				if p.Schema == nil {
					continue
				}
				s := p.Schema.Schema()
				for i, ex := range s.Examples {
					checked++
					if err := c.ValidateSchema(s, decode(t, ex)); err != nil {
						t.Errorf("%s parameter %s example %d: %v", where, p.Name, i, err)
					}
				}
			}
		}
	}
	for name, r := range m.Model.Components.Responses.FromOldest() {
		for mt, media := range r.Content.FromOldest() {
			for ex, e := range media.Examples.FromOldest() {
				checked++
				if err := c.ValidateSchema(media.Schema.Schema(), decode(t, e.Value)); err != nil {
					t.Errorf("components/responses/%s %s example %s: %v", name, mt, ex, err)
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked %d examples; the walk misses some", checked)
	}
	t.Logf("%d examples fit their schemas", checked)
}

// A wrong example is caught: the check above is not blind.
func TestAWrongExampleIsCaught(t *testing.T) {
	c, err := contract.Shared()
	if err != nil {
		t.Fatal(err)
	}
	d, err := libopenapi.NewDocument(openapi.YAML())
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	receipt := m.Model.Components.Schemas.GetOrZero("Receipt").Schema()
	for _, bad := range []string{
		`{"id":"261130K7Q2XD","accessCode":"7KQ2XD9M","status":"received","createdAt":"2026-11-30T01:15:00Z"}`,
		`{"id":"261130K7Q2XD","accessCode":"7KQ2XD9M","status":"received","createdAt":"2026-11-30T09:15:00+08:00","extra":true}`,
		`{"id":"261130K7Q2XD","accessCode":"7KQ2XD9M","status":"received","createdAt":"2026-11-31T09:15:00+08:00"}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(bad), &v); err != nil {
			t.Fatal(err)
		}
		if err := c.ValidateSchema(receipt, v); err == nil {
			t.Errorf("%s fits Receipt", bad)
		}
	}
}

// decode turns an example (a node of libopenapi's YAML parser) into the
// value JSON would give, as the served document says it.
func decode(t *testing.T, n *pyaml.Node) any {
	t.Helper()
	if n == nil {
		t.Fatal("an example without a value")
	}
	y, err := pyaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	j, err := openapi.ToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(j, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
