package deptmsg_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/testfixtures/deptschema"
)

func loadDoc(t testing.TB) *deptschema.Doc {
	t.Helper()
	d, err := deptschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The document names the types deptmsg has, no more and no fewer: in the Type
// enum, as one message each (its name and its payload's type const), on the
// channel and in the receive operation.
func TestAsyncAPIHasEveryTypeOnce(t *testing.T) {
	d := loadDoc(t)
	want := deptmsg.Types()
	var enum []deptmsg.Type
	values, _ := deptschema.Path(d.Tree, "components", "schemas", "Type", "enum").([]any)
	for _, v := range values {
		s, _ := v.(string)
		enum = append(enum, deptmsg.Type(s))
	}
	if !slices.Equal(enum, want) {
		t.Errorf("components.schemas.Type.enum = %v, want deptmsg.Types() %v", enum, want)
	}
	var typed []deptmsg.Type
	for _, key := range d.Messages {
		ty := d.TypeOf[key]
		typed = append(typed, ty)
		if name := deptschema.Path(d.Tree, "components", "messages", key, "name"); name != string(ty) {
			t.Errorf("message %s: name %v, payload type %s", key, name, ty)
		}
		if p := deptschema.Path(d.Tree, "components", "messages", key, "payload", "additionalProperties"); p != false {
			t.Errorf("message %s: payload is not closed (additionalProperties %v)", key, p)
		}
	}
	slices.Sort(typed)
	sorted := slices.Sorted(slices.Values(want))
	if !slices.Equal(typed, sorted) {
		t.Errorf("payload types of the messages = %v, want %v", typed, sorted)
	}

	channel, _ := deptschema.Path(d.Tree, "channels", "departmentQueue", "messages").(map[string]any)
	var onChannel, inOperation []string
	for key, ref := range channel {
		if got, want := deptschema.Path(ref, "$ref"), "#/components/messages/"+key; got != want {
			t.Errorf("channel message %s refers to %v, want %s", key, got, want)
		}
		onChannel = append(onChannel, key)
	}
	refs, _ := deptschema.Path(d.Tree, "operations", "receiveDepartmentMessages", "messages").([]any)
	for _, ref := range refs {
		s, _ := deptschema.Path(ref, "$ref").(string)
		key, _ := strings.CutPrefix(s, "#/channels/departmentQueue/messages/")
		inOperation = append(inOperation, key)
	}
	slices.Sort(onChannel)
	slices.Sort(inOperation)
	if !slices.Equal(onChannel, d.Messages) || !slices.Equal(inOperation, d.Messages) {
		t.Errorf("messages: channel %v, operation %v, components %v", onChannel, inOperation, d.Messages)
	}
}

// Every example decodes with Decode, re-encodes to the same JSON, meets its
// message's schema, and its headers name its type; every message has one.
func TestAsyncAPIExamplesDecode(t *testing.T) {
	d := loadDoc(t)
	seen := map[string]bool{}
	for _, ex := range d.Examples {
		t.Run(ex.Message+"/"+ex.Name, func(t *testing.T) {
			seen[ex.Message] = true
			m, err := deptmsg.Decode(ex.Payload)
			if err != nil {
				t.Fatalf("Decode(%s): %v", ex.Payload, err)
			}
			if m.Type != d.TypeOf[ex.Message] {
				t.Errorf("example of %s has type %s", ex.Message, m.Type)
			}
			if err := d.Validate(ex.Payload); err != nil {
				t.Error(err)
			}
			if got := ex.Headers["type"]; got != string(m.Type) {
				t.Errorf("headers.type = %v, want %s", got, m.Type)
			}
			again, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(t, again, ex.Payload) {
				t.Errorf("Encode(Decode(example)) = %s, want the example %s", again, ex.Payload)
			}
		})
	}
	for _, key := range d.Messages {
		if !seen[key] {
			t.Errorf("message %s has no example", key)
		}
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// Encode is the only way a message leaves the platform (the SQS adapter calls
// it), so every message it can produce must meet the schema: each type, each
// role, with and without the optional fields, fields at their limits, and
// deadlines in any location.
func TestEveryEncodableMessageMeetsTheSchema(t *testing.T) {
	d := loadDoc(t)
	deadlines := []time.Time{
		{},
		time.Date(2026, 12, 16, 15, 59, 59, 0, time.UTC),
		time.Date(2026, 12, 16, 23, 59, 59, 999_999_999, time.FixedZone("", 8*3600)),
		time.Date(2026, 12, 16, 10, 0, 0, 0, time.FixedZone("EST", -5*3600)),
		time.Now(),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		time.Date(9999, 12, 31, 15, 59, 59, 0, time.UTC),
	}
	longest := strings.Repeat("长", 2000/len("长")) // 2,000 bytes at most, in 3-byte runes
	n := 0
	for _, ty := range deptmsg.Types() {
		for _, role := range []deptmsg.Role{deptmsg.RoleLead, deptmsg.RoleCo} {
			for _, deadline := range deadlines {
				for _, fill := range []struct{ id, category, summary string }{
					{"261127K7Q2XM", "", ""},
					{"261127K7Q2XM", "consumer.refund", "投诉 · 退换货"},
					{strings.Repeat("9", 128), strings.Repeat("c", 128), longest},
					{"\u0000\"\\\u2028", "\u00e9", "<script>\t\n"},
				} {
					m := deptmsg.Message{Type: ty, TicketID: fill.id, DepartmentID: "urban_enforcement", Role: role,
						Category: fill.category, Deadline: deadline, Summary: fill.summary}
					body, err := m.Encode()
					if err != nil {
						t.Fatalf("Encode(%+v): %v", m, err)
					}
					if err := d.Validate(body); err != nil {
						t.Errorf("%s: %v", body, err)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d encoded messages meet the schema", n)
}

// The schemas are closed and as strict as Decode: what Decode refuses for
// its shape, the schema refuses too.
func TestSchemaRefusesWhatDecodeRefuses(t *testing.T) {
	d := loadDoc(t)
	base := map[string]any{"type": "ticket.dispatched", "ticketId": "T1", "departmentId": "market", "role": "lead",
		"category": "consumer.refund", "deadline": "2026-12-16T23:59:59+08:00", "summary": "投诉 · 退换货"}
	for name, change := range map[string]func(map[string]any){
		"unknown field":      func(m map[string]any) { m["phone"] = "13800138000" },
		"key in other case":  func(m map[string]any) { m["TicketId"] = m["ticketId"]; delete(m, "ticketId") },
		"no ticketId":        func(m map[string]any) { delete(m, "ticketId") },
		"empty ticketId":     func(m map[string]any) { m["ticketId"] = "" },
		"no role":            func(m map[string]any) { delete(m, "role") },
		"unknown role":       func(m map[string]any) { m["role"] = "boss" },
		"null summary":       func(m map[string]any) { m["summary"] = nil },
		"number ticketId":    func(m map[string]any) { m["ticketId"] = 1 },
		"deadline in UTC":    func(m map[string]any) { m["deadline"] = "2026-12-16T15:59:59Z" },
		"deadline no offset": func(m map[string]any) { m["deadline"] = "2026-12-16T23:59:59" },
		"deadline a date":    func(m map[string]any) { m["deadline"] = "2026-12-16" },
		"deadline not time":  func(m map[string]any) { m["deadline"] = "tomorrow +08:00" },
		"summary too long":   func(m map[string]any) { m["summary"] = strings.Repeat("x", 2001) },
		"category too long":  func(m map[string]any) { m["category"] = strings.Repeat("x", 129) },
		"unknown type":       func(m map[string]any) { m["type"] = "ticket.closed" },
	} {
		t.Run(name, func(t *testing.T) {
			m := map[string]any{}
			for k, v := range base {
				m[k] = v
			}
			change(m)
			body, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := deptmsg.Decode(body); err == nil {
				t.Errorf("Decode accepted %s", body)
			}
			if err := d.Validate(body); err == nil {
				t.Errorf("the schema accepted %s", body)
			}
		})
	}
	// Each message's schema takes its own type only.
	body, _ := json.Marshal(base)
	for _, key := range d.Messages {
		for _, ty := range deptmsg.Types() {
			b := bytes.Replace(body, []byte(`"ticket.dispatched"`), []byte(fmt.Sprintf("%q", ty)), 1)
			if err := d.ValidateAs(d.TypeOf[key], b); (err == nil) != (ty == d.TypeOf[key]) {
				t.Errorf("schema of %s on a %s message: %v", key, ty, err)
			}
		}
	}
}
