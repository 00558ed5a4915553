package deptmsg_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/deptmsg"
)

var china = time.FixedZone("CST", 8*3600)

func sampleMessage() deptmsg.Message {
	return deptmsg.Message{
		Type: deptmsg.TypeDispatched, TicketID: "T20260302-0001", DepartmentID: "d-urban", Role: deptmsg.RoleLead,
		Category: "urban.streetlight", Deadline: time.Date(2026, 3, 5, 18, 0, 0, 0, china),
		Summary: "投诉 · 路灯",
	}
}

func TestDecode(t *testing.T) {
	good := `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","category":"c","deadline":"2026-03-05T18:00:00+08:00","summary":"s"}`
	m, err := deptmsg.Decode([]byte(good))
	if err != nil {
		t.Fatalf("valid message rejected: %v", err)
	}
	if m.Type != deptmsg.TypeDispatched || m.TicketID != "T1" || m.DepartmentID != "d1" || m.Role != deptmsg.RoleLead ||
		!m.Deadline.Equal(time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("decoded %+v", m)
	}
	if name, off := m.Deadline.Zone(); name != "CST" || off != 8*3600 {
		t.Errorf("deadline decoded in zone %s%+d, want CST+28800", name, off)
	}
	minimal := `{"type":"ticket.overdue","ticketId":"T1","departmentId":"d1","role":"co"}`
	if _, err := deptmsg.Decode([]byte(" \n" + minimal + "\n")); err != nil {
		t.Errorf("minimal message rejected: %v", err)
	}

	for name, body := range map[string]string{
		"unknown field":     `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","phone":"138"}`,
		"key in other case": `{"TYPE":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead"}`,
		"repeated key":      `{"type":"ticket.dispatched","ticketId":"T1","ticketId":"T2","departmentId":"d1","role":"lead"}`,
		"null":              `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","summary":null}`,
		"null deadline":     `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","deadline":null}`,
		"unknown type":      `{"type":"ticket.closed","ticketId":"T1","departmentId":"d1","role":"lead"}`,
		"no ticket":         `{"type":"ticket.dispatched","departmentId":"d1","role":"lead"}`,
		"no department":     `{"type":"ticket.dispatched","ticketId":"T1","role":"lead"}`,
		"bad role":          `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"boss"}`,
		"number for string": `{"type":"ticket.dispatched","ticketId":1,"departmentId":"d1","role":"lead"}`,
		"trailing data":     minimal + `{}`,
		"trailing garbage":  minimal + ` x`,
		"unterminated":      strings.TrimSuffix(minimal, "}"),
		"not an object":     `[]`,
		"a string":          `"ticket.dispatched"`,
		"empty":             ``,
		"bad deadline":      `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","deadline":"tomorrow"}`,
		"deadline in UTC":   `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","deadline":"2026-03-05T10:00:00Z"}`,
		"deadline at +09":   `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","deadline":"2026-03-05T19:00:00+09:00"}`,
		"one-digit hour":    `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","deadline":"2026-03-05T9:00:00+08:00"}`,
		"deadline a number": `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","deadline":1772704800}`,
		"huge summary":      `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","summary":"` + strings.Repeat("x", 3000) + `"}`,
		"long id":           `{"type":"ticket.dispatched","ticketId":"` + strings.Repeat("1", 129) + `","departmentId":"d1","role":"lead"}`,
		"too large body":    `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","summary":"` + strings.Repeat("x", 70000) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := deptmsg.Decode([]byte(body))
			if !errors.Is(err, deptmsg.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	m := sampleMessage()
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"deadline":"2026-03-05T18:00:00+08:00"`) {
		t.Errorf("deadline not RFC 3339 at +08:00: %s", b)
	}
	back, err := deptmsg.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Deadline.Equal(m.Deadline) {
		t.Fatalf("deadline changed: %v", back.Deadline)
	}
	back.Deadline, m.Deadline = time.Time{}, time.Time{}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip = %+v, want %+v", back, m)
	}
	m.Type = "x"
	if _, err := m.Encode(); !errors.Is(err, deptmsg.ErrInvalid) {
		t.Errorf("Encode accepted an invalid message: %v", err)
	}
}

// The contract's times are at +08:00 whatever location the producer's
// time.Time has: UTC from a database, the machine's local zone, another zone.
func TestDeadlineIsWrittenAtChinaTime(t *testing.T) {
	instant := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC) // 18:00 in Beijing
	newYork := time.FixedZone("EST", -5*3600)
	for name, d := range map[string]time.Time{
		"UTC":              instant,
		"China":            instant.In(china),
		"New York":         instant.In(newYork),
		"local":            instant.Local(),
		"monotonic clock":  time.Now(),
		"across the date":  time.Date(2026, 3, 5, 20, 30, 0, 0, time.UTC),
		"fractional":       time.Date(2026, 3, 5, 10, 0, 0, 500_000_000, time.UTC),
		"last China year":  time.Date(9999, 12, 31, 15, 59, 59, 0, time.UTC),
		"first China year": time.Date(0, 1, 1, 0, 0, 0, 0, china),
	} {
		t.Run(name, func(t *testing.T) {
			m := sampleMessage()
			m.Deadline = d
			b, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			var wire struct{ Deadline string }
			if err := json.Unmarshal(b, &wire); err != nil {
				t.Fatal(err)
			}
			want := m.Deadline.In(china).Format(time.RFC3339Nano)
			if wire.Deadline != want || !strings.HasSuffix(wire.Deadline, "+08:00") {
				t.Fatalf("deadline written as %q, want %q", wire.Deadline, want)
			}
			back, err := deptmsg.Decode(b)
			if err != nil || !back.Deadline.Equal(m.Deadline) {
				t.Fatalf("decoded %v (%v), want %v", back.Deadline, err, m.Deadline)
			}
		})
	}
	// json.Marshal of the message (a log line, the example consumer's output)
	// follows the same convention.
	m := sampleMessage()
	m.Deadline = instant
	b, err := json.Marshal(m)
	if err != nil || !strings.Contains(string(b), `"deadline":"2026-03-05T18:00:00+08:00"`) {
		t.Errorf("json.Marshal = %s, %v", b, err)
	}
	m.Deadline = time.Time{}
	if b, _ := json.Marshal(m); strings.Contains(string(b), "deadline") {
		t.Errorf("zero deadline written: %s", b)
	}
}

func TestValidateRefusesWhatJSONCannotCarry(t *testing.T) {
	for name, change := range map[string]func(*deptmsg.Message){
		"invalid UTF-8 summary": func(m *deptmsg.Message) { m.Summary = "投诉\xff" },
		"invalid UTF-8 id":      func(m *deptmsg.Message) { m.TicketID = "\xc3" },
		"year 10000 in China":   func(m *deptmsg.Message) { m.Deadline = time.Date(9999, 12, 31, 16, 0, 0, 0, time.UTC) },
		"year -1":               func(m *deptmsg.Message) { m.Deadline = time.Date(-1, 6, 1, 0, 0, 0, 0, china) },
	} {
		t.Run(name, func(t *testing.T) {
			m := sampleMessage()
			change(&m)
			if _, err := m.Encode(); !errors.Is(err, deptmsg.ErrInvalid) {
				t.Fatalf("Encode err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestTypes(t *testing.T) {
	got := deptmsg.Types()
	want := []deptmsg.Type{"ticket.dispatched", "ticket.reopened", "ticket.overdue", "ticket.escalated", "ticket.supplemented",
		"ticket.extension_approved", "ticket.extension_rejected", "ticket.due_soon", "ticket.withdrawn"}
	if !slices.Equal(got, want) {
		t.Fatalf("Types() = %v, want %v", got, want)
	}
	for _, ty := range got {
		if !ty.Valid() {
			t.Errorf("%s not valid", ty)
		}
	}
	got[0] = "changed"
	if deptmsg.Types()[0] != deptmsg.TypeDispatched || !deptmsg.TypeDispatched.Valid() {
		t.Error("Types() shares its slice with the package")
	}
	if deptmsg.Type("ticket.closed").Valid() || deptmsg.Role("boss").Valid() || !deptmsg.RoleCo.Valid() {
		t.Error("Valid accepts an unknown value or refuses a known one")
	}
}

// Decode and Encode keep their round trip, and whatever Decode accepts the
// AsyncAPI document's schema accepts too: a system in another language that
// validates with the schema takes every message a Go consumer takes.
func FuzzDecode(f *testing.F) {
	doc := loadDoc(f)
	b, _ := sampleMessage().Encode()
	f.Add(b)
	f.Add([]byte(`{"type":"ticket.overdue","ticketId":"T1","departmentId":"d1","role":"co"}`))
	f.Add([]byte(`{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead"} x`))
	f.Add([]byte(`{"TYPE":"ticket.dispatched","ticketId":"\u0000","departmentId":"d1","role":"lead","deadline":null}`))
	f.Add([]byte(`{"type":"ticket.due_soon","ticketId":"T1","departmentId":"d1","role":"lead","deadline":"0000-01-01T00:00:00.000000001+08:00"}`))
	f.Add([]byte(`{"type":"ticket.withdrawn","ticketId":"\ud800","departmentId":"d1","role":"lead","summary":"\u00e9\xff"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := deptmsg.Decode(body)
		if err != nil {
			if !errors.Is(err, deptmsg.ErrInvalid) {
				t.Fatalf("error not marked ErrInvalid: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("decoded message does not validate: %v", err)
		}
		if err := doc.Validate(body); err != nil {
			t.Fatalf("Decode accepts %q, the schema does not: %v", body, err)
		}
		again, err := m.Encode()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if err := doc.Validate(again); err != nil {
			t.Fatalf("Encode wrote %s, which the schema refuses: %v", again, err)
		}
		m2, err := deptmsg.Decode(again)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		if !m2.Deadline.Equal(m.Deadline) {
			t.Fatalf("deadline changed in round trip")
		}
		m2.Deadline, m.Deadline = time.Time{}, time.Time{}
		if m2 != m {
			t.Fatalf("round trip changed the message: %+v vs %+v", m, m2)
		}
	})
}
