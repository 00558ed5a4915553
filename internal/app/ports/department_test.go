package ports

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleMessage() DepartmentMessage {
	return DepartmentMessage{
		Type: TypeDispatched, TicketID: "T20260302-0001", DepartmentID: "d-urban", Role: RoleLead,
		Category: "urban.streetlight", Deadline: time.Date(2026, 3, 5, 18, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		Summary: "投诉 · 路灯",
	}
}

func TestDecodeDepartmentMessage(t *testing.T) {
	good := `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","category":"c","deadline":"2026-03-05T18:00:00+08:00","summary":"s"}`
	m, err := DecodeDepartmentMessage([]byte(good))
	if err != nil {
		t.Fatalf("valid message rejected: %v", err)
	}
	if m.Type != TypeDispatched || m.TicketID != "T1" || m.DepartmentID != "d1" || m.Role != RoleLead ||
		!m.Deadline.Equal(time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("decoded %+v", m)
	}
	minimal := `{"type":"ticket.overdue","ticketId":"T1","departmentId":"d1","role":"co"}`
	if _, err := DecodeDepartmentMessage([]byte(minimal)); err != nil {
		t.Errorf("minimal message rejected: %v", err)
	}

	for name, body := range map[string]string{
		"unknown field":  `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","phone":"138"}`,
		"unknown type":   `{"type":"ticket.closed","ticketId":"T1","departmentId":"d1","role":"lead"}`,
		"no ticket":      `{"type":"ticket.dispatched","departmentId":"d1","role":"lead"}`,
		"no department":  `{"type":"ticket.dispatched","ticketId":"T1","role":"lead"}`,
		"bad role":       `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"boss"}`,
		"trailing data":  minimal + `{}`,
		"not an object":  `[]`,
		"empty":          ``,
		"bad deadline":   `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","deadline":"tomorrow"}`,
		"huge summary":   `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","summary":"` + strings.Repeat("x", 3000) + `"}`,
		"too large body": `{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead","summary":"` + strings.Repeat("x", 70000) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeDepartmentMessage([]byte(body))
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("err = %v, want ErrInvalidMessage", err)
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
		t.Errorf("deadline not RFC 3339 with offset: %s", b)
	}
	back, err := DecodeDepartmentMessage(b)
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
	if _, err := m.Encode(); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("Encode accepted an invalid message: %v", err)
	}
}

func FuzzDecodeDepartmentMessage(f *testing.F) {
	b, _ := sampleMessage().Encode()
	f.Add(b)
	f.Add([]byte(`{"type":"ticket.overdue","ticketId":"T1","departmentId":"d1","role":"co"}`))
	f.Add([]byte(`{"type":"ticket.dispatched","ticketId":"T1","departmentId":"d1","role":"lead"} x`))
	f.Add([]byte(`{"TYPE":"ticket.dispatched","ticketId":"\u0000","departmentId":"d1","role":"lead","deadline":null}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := DecodeDepartmentMessage(body)
		if err != nil {
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("error not marked ErrInvalidMessage: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("decoded message does not validate: %v", err)
		}
		again, err := m.Encode()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		m2, err := DecodeDepartmentMessage(again)
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
