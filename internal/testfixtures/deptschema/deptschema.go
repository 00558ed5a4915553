// Package deptschema reads the AsyncAPI document of the department messages
// (deptmsg.AsyncAPI) for tests: its payload JSON Schemas, compiled, and its
// examples. Tests that receive department messages check each body with
// Check, so every message the platform produces in a test meets the document.
package deptschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/hotline12345/hotline/deptmsg"
)

// Doc is the AsyncAPI document, parsed.
type Doc struct {
	// Tree is the whole document as JSON values (maps, slices, strings,
	// json.Number, bools).
	Tree map[string]any
	// Messages are the keys of components.messages, sorted.
	Messages []string
	// TypeOf is the payload's type (its type property's const) per message.
	TypeOf map[string]deptmsg.Type
	// Examples are every message's examples, in document order per message.
	Examples []Example

	payloads map[deptmsg.Type]*jsonschema.Schema
}

// Example is one message example of the document.
type Example struct {
	Message string // key in components.messages
	Name    string
	Headers map[string]any
	Payload []byte // JSON
}

// url names the document for the compiler; it is never fetched.
const url = "https://hotline12345.example/deptmsg/asyncapi.json"

var load = sync.OnceValues(func() (*Doc, error) { return Parse(deptmsg.AsyncAPI()) })

// Load parses deptmsg's document once per test binary.
func Load() (*Doc, error) { return load() }

// Parse reads an AsyncAPI document in YAML and compiles the payload schema of
// each message (JSON Schema draft 7, the dialect of AsyncAPI's schema objects,
// with formats asserted so that date-time is checked).
func Parse(yamlDoc []byte) (*Doc, error) {
	var raw any
	if err := yaml.Unmarshal(yamlDoc, &raw); err != nil {
		return nil, fmt.Errorf("parse the AsyncAPI YAML: %w", err)
	}
	// Through JSON, so the values are what a JSON decoder gives (the schema
	// compiler wants json.Number, not YAML's ints).
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("the AsyncAPI document as JSON: %w", err)
	}
	tree, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("the AsyncAPI document as JSON: %w", err)
	}
	d := &Doc{TypeOf: map[string]deptmsg.Type{}, payloads: map[deptmsg.Type]*jsonschema.Schema{}}
	var ok bool
	if d.Tree, ok = tree.(map[string]any); !ok {
		return nil, errors.New("the AsyncAPI document is not a mapping")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	if err := c.AddResource(url, d.Tree); err != nil {
		return nil, fmt.Errorf("add the AsyncAPI document to the schema compiler: %w", err)
	}
	messages, _ := Path(d.Tree, "components", "messages").(map[string]any)
	for key := range messages {
		d.Messages = append(d.Messages, key)
	}
	sort.Strings(d.Messages)
	for _, key := range d.Messages {
		typ, ok := Path(messages, key, "payload", "properties", "type", "allOf", 1, "const").(string)
		if !ok {
			return nil, fmt.Errorf("message %s: payload.properties.type.allOf[1].const is not a string", key)
		}
		d.TypeOf[key] = deptmsg.Type(typ)
		if _, dup := d.payloads[deptmsg.Type(typ)]; dup {
			return nil, fmt.Errorf("message %s: a second payload for type %s", key, typ)
		}
		sch, err := c.Compile(url + "#/components/messages/" + key + "/payload")
		if err != nil {
			return nil, fmt.Errorf("message %s: compile the payload schema: %w", key, err)
		}
		d.payloads[deptmsg.Type(typ)] = sch
		examples, _ := Path(messages, key, "examples").([]any)
		for i, e := range examples {
			ex := Example{Message: key}
			ex.Name, _ = Path(e, "name").(string)
			ex.Headers, _ = Path(e, "headers").(map[string]any)
			if ex.Payload, err = json.Marshal(Path(e, "payload")); err != nil {
				return nil, fmt.Errorf("message %s, example %d: %w", key, i, err)
			}
			d.Examples = append(d.Examples, ex)
		}
	}
	return d, nil
}

// Path walks v by map keys (strings) and slice indexes (ints); nil when a
// step is missing.
func Path(v any, steps ...any) any {
	for _, s := range steps {
		switch s := s.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[s]
		case int:
			l, _ := v.([]any)
			if s < 0 || s >= len(l) {
				return nil
			}
			v = l[s]
		}
	}
	return v
}

// Validate checks a queue message body against the payload schema of the
// message its type names. It does not decode with deptmsg: it judges the
// body as a system in another language would.
func (d *Doc) Validate(body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	typ, _ := Path(v, "type").(string)
	return d.validateAs(deptmsg.Type(typ), v)
}

// ValidateAs checks body against the payload schema of the message of type ty.
func (d *Doc) ValidateAs(ty deptmsg.Type, body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return d.validateAs(ty, v)
}

func (d *Doc) validateAs(ty deptmsg.Type, v any) error {
	sch, ok := d.payloads[ty]
	if !ok {
		return fmt.Errorf("no message of the document has type %q", ty)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s payload: %w", ty, err)
	}
	return nil
}

// Check fails the test when body does not meet the document.
func Check(t testing.TB, body []byte) {
	t.Helper()
	d, err := Load()
	if err != nil {
		t.Fatalf("deptmsg's AsyncAPI document: %v", err)
	}
	if err := d.Validate(body); err != nil {
		t.Errorf("department message %s breaks deptmsg/asyncapi.yaml: %v", body, err)
	}
}
