package deptmsg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"
)

// Type says why the department is told.
type Type string

// Message types. What each asks of the department is in asyncapi.yaml.
const (
	// TypeDispatched: a ticket is the department's to handle (派单).
	TypeDispatched Type = "ticket.dispatched"
	// TypeReopened: the citizen was not satisfied; the ticket is back (重办).
	TypeReopened Type = "ticket.reopened"
	// TypeOverdue: the ticket was not accepted, or not answered, in time (催办).
	TypeOverdue Type = "ticket.overdue"
	// TypeEscalated: still unanswered after the reminder; supervised (督办).
	TypeEscalated Type = "ticket.escalated"
	// TypeSupplemented: the citizen added material (补充材料); read it online.
	TypeSupplemented Type = "ticket.supplemented"
	// TypeExtensionApproved and TypeExtensionRejected answer the department's
	// request for more time (延期); Deadline is the reply deadline after it.
	TypeExtensionApproved Type = "ticket.extension_approved"
	TypeExtensionRejected Type = "ticket.extension_rejected"
	// TypeDueSoon: the reply deadline nears (临期预警).
	TypeDueSoon Type = "ticket.due_soon"
	// TypeWithdrawn: the citizen withdrew the ticket; stop handling it.
	TypeWithdrawn Type = "ticket.withdrawn"
)

var types = []Type{
	TypeDispatched, TypeReopened, TypeOverdue, TypeEscalated, TypeSupplemented,
	TypeExtensionApproved, TypeExtensionRejected, TypeDueSoon, TypeWithdrawn,
}

// Types returns every message type, in the order above.
func Types() []Type { return slices.Clone(types) }

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return slices.Contains(types, t) }

// Role is the department's part in handling the ticket.
type Role string

// Roles.
const (
	RoleLead Role = "lead" // 主办: accepts, replies, returns, asks for more time
	RoleCo   Role = "co"   // 协办: gives its opinion to the lead
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleLead || r == RoleCo }

// Message is the SQS body sent to a department. It carries no personal data:
// the department reads the ticket through the API.
type Message struct {
	Type         Type   `json:"type"`
	TicketID     string `json:"ticketId"`
	DepartmentID string `json:"departmentId"`
	Role         Role   `json:"role"`
	// Category is the ticket's category code (consumer.refund), when it has one.
	Category string `json:"category,omitempty"`
	// Deadline is the deadline the message is about: the reply deadline, or
	// the accept deadline for a ticket not accepted in time. Zero: none.
	Deadline time.Time `json:"deadline,omitzero"`
	// Summary is a short line in Chinese for a human (type and category, a
	// rejection's reason), never the ticket's content.
	Summary string `json:"summary,omitempty"`
}

// ErrInvalid marks a message that breaks the contract. Retrying does not
// help: a consumer leaves such a message for the dead-letter queue.
var ErrInvalid = errors.New("invalid department message")

// Limits keep a hostile or broken producer from filling a consumer's memory.
const (
	maxBodyBytes  = 64 << 10
	maxIDLen      = 128 // bytes, for ticketId, departmentId and category
	maxSummaryLen = 2000
)

// cst is China Standard Time. A fixed zone rather than Asia/Shanghai: it needs
// no time zone database on the machine, and China has had no daylight saving
// time since 1991.
var cst = time.FixedZone("CST", cstOffset)

const cstOffset = 8 * 60 * 60 // seconds east of UTC

// Validate checks the fields a consumer relies on.
func (m Message) Validate() error {
	switch {
	case !m.Type.Valid():
		return fmt.Errorf("%w: unknown type %q", ErrInvalid, m.Type)
	case m.TicketID == "" || len(m.TicketID) > maxIDLen:
		return fmt.Errorf("%w: ticketId is required (at most %d bytes)", ErrInvalid, maxIDLen)
	case m.DepartmentID == "" || len(m.DepartmentID) > maxIDLen:
		return fmt.Errorf("%w: departmentId is required (at most %d bytes)", ErrInvalid, maxIDLen)
	case !m.Role.Valid():
		return fmt.Errorf("%w: unknown role %q", ErrInvalid, m.Role)
	case len(m.Category) > maxIDLen:
		return fmt.Errorf("%w: category longer than %d bytes", ErrInvalid, maxIDLen)
	case len(m.Summary) > maxSummaryLen:
		return fmt.Errorf("%w: summary longer than %d bytes", ErrInvalid, maxSummaryLen)
	case !utf8.ValidString(m.TicketID) || !utf8.ValidString(m.DepartmentID) || !utf8.ValidString(m.Category) || !utf8.ValidString(m.Summary):
		// JSON would carry U+FFFD instead: a different text than the one sent.
		return fmt.Errorf("%w: a text field is not valid UTF-8", ErrInvalid)
	case !m.Deadline.IsZero() && (m.Deadline.In(cst).Year() < 0 || m.Deadline.In(cst).Year() > 9999):
		return fmt.Errorf("%w: deadline %v has no RFC 3339 form", ErrInvalid, m.Deadline)
	}
	return nil
}

// MarshalJSON writes the message with its deadline at +08:00, whatever the
// time.Time's location, as the contract says. It does not validate; Encode
// does.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain Message // without this method, so no recursion
	p := plain(m)
	if !p.Deadline.IsZero() {
		p.Deadline = p.Deadline.In(cst)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("marshal department message: %w", err)
	}
	return b, nil
}

// Encode validates m and returns the queue message body.
func (m Message) Encode() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode department message: %w", err)
	}
	return b, nil
}

// Decode parses and validates a queue message body. Every error wraps
// ErrInvalid. The deadline comes back in China Standard Time.
func Decode(body []byte) (Message, error) {
	if len(body) > maxBodyBytes {
		return Message{}, fmt.Errorf("%w: body larger than %d bytes", ErrInvalid, maxBodyBytes)
	}
	m, err := decodeObject(body)
	if err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := m.Validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}

// decodeObject reads the object key by key rather than with json.Unmarshal,
// which matches keys in any case, keeps the last of repeated keys and takes
// null for absent: the contract (and its JSON Schema) allows none of these,
// and a drifting producer should show up as an error, not as lost fields.
func decodeObject(body []byte) (Message, error) {
	var m Message
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil {
		return m, fmt.Errorf("read JSON: %w", err)
	} else if tok != json.Delim('{') {
		return m, errors.New("not a JSON object")
	}
	seen := make(map[string]bool, 7)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return m, fmt.Errorf("read JSON: %w", err)
		}
		key, _ := tok.(string) // the decoder only returns strings as object keys
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return m, fmt.Errorf("field %q: %w", key, err)
		}
		field := m.field(key)
		switch {
		case field == nil:
			return m, fmt.Errorf("unknown field %q", key)
		case seen[key]:
			return m, fmt.Errorf("field %q given twice", key)
		case string(raw) == "null":
			return m, fmt.Errorf("field %q is null", key)
		}
		seen[key] = true
		if key == "deadline" {
			if m.Deadline, err = decodeDeadline(raw); err != nil {
				return m, err
			}
			continue
		}
		if err := json.Unmarshal(raw, field); err != nil {
			return m, fmt.Errorf("field %q: %w", key, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return m, fmt.Errorf("read JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return m, errors.New("trailing data after the JSON object")
	}
	return m, nil
}

// deadlineForm is RFC 3339 at +08:00. time.Parse alone is not enough: it also
// takes a one-digit hour, which RFC 3339 (and the schema's date-time) refuses.
var deadlineForm = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$`)

func decodeDeadline(raw json.RawMessage) (time.Time, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, fmt.Errorf("field \"deadline\": %w", err)
	}
	if !deadlineForm.MatchString(s) {
		return time.Time{}, fmt.Errorf("deadline %q is not RFC 3339 at +08:00", s)
	}
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("deadline %q: %w", s, err)
	}
	return d.In(cst), nil
}

// field is where the value of the JSON key goes; nil for an unknown key.
func (m *Message) field(key string) any {
	switch key {
	case "type":
		return &m.Type
	case "ticketId":
		return &m.TicketID
	case "departmentId":
		return &m.DepartmentID
	case "role":
		return &m.Role
	case "category":
		return &m.Category
	case "deadline":
		return &m.Deadline
	case "summary":
		return &m.Summary
	}
	return nil
}
