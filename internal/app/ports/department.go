package ports

// The department message is the contract with the departments' systems: what
// dispatch and the sweep publish to a department's queue, and what a
// department's consumer decodes.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// MessageType says why the department is told.
type MessageType string

// Message types (API.md "Department queue message").
const (
	TypeDispatched MessageType = "ticket.dispatched"
	TypeReopened   MessageType = "ticket.reopened"
	TypeOverdue    MessageType = "ticket.overdue"
	TypeEscalated  MessageType = "ticket.escalated"
	// TypeSupplemented: the citizen added material (补充材料); read it online.
	TypeSupplemented MessageType = "ticket.supplemented"
	// TypeExtensionApproved and TypeExtensionRejected answer the department's
	// request for more time (延期); Deadline is the reply deadline after it.
	TypeExtensionApproved MessageType = "ticket.extension_approved"
	TypeExtensionRejected MessageType = "ticket.extension_rejected"
	// TypeDueSoon: the reply deadline nears (临期预警).
	TypeDueSoon MessageType = "ticket.due_soon"
	// TypeWithdrawn: the citizen withdrew the ticket; stop handling it.
	TypeWithdrawn MessageType = "ticket.withdrawn"
)

// Valid reports whether t is a known type.
func (t MessageType) Valid() bool {
	switch t {
	case TypeDispatched, TypeReopened, TypeOverdue, TypeEscalated, TypeWithdrawn, TypeDueSoon,
		TypeSupplemented, TypeExtensionApproved, TypeExtensionRejected:
		return true
	}
	return false
}

// Role is the department's part in handling the ticket.
type Role string

// Roles.
const (
	RoleLead Role = "lead" // 主办
	RoleCo   Role = "co"   // 协办
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleLead || r == RoleCo }

// DepartmentMessage is the SQS body sent to a department. It carries no
// personal data: the department reads details through the API.
type DepartmentMessage struct {
	Type         MessageType `json:"type"`
	TicketID     string      `json:"ticketId"`
	DepartmentID string      `json:"departmentId"`
	Role         Role        `json:"role"`
	Category     string      `json:"category,omitempty"`
	Deadline     time.Time   `json:"deadline,omitzero"`
	Summary      string      `json:"summary,omitempty"`
}

// ErrInvalidMessage marks a department message that fails validation;
// consumers should drop (not retry) such messages.
var ErrInvalidMessage = errors.New("invalid department message")

// Limits keep a hostile or broken producer from filling a consumer's memory.
const (
	maxMessageBytes = 64 << 10
	maxIDLen        = 128
	maxSummaryLen   = 2000
)

// Validate checks the fields a consumer relies on.
func (m DepartmentMessage) Validate() error {
	switch {
	case !m.Type.Valid():
		return fmt.Errorf("%w: unknown type %q", ErrInvalidMessage, m.Type)
	case m.TicketID == "" || len(m.TicketID) > maxIDLen:
		return fmt.Errorf("%w: ticketId is required (at most %d bytes)", ErrInvalidMessage, maxIDLen)
	case m.DepartmentID == "" || len(m.DepartmentID) > maxIDLen:
		return fmt.Errorf("%w: departmentId is required (at most %d bytes)", ErrInvalidMessage, maxIDLen)
	case !m.Role.Valid():
		return fmt.Errorf("%w: unknown role %q", ErrInvalidMessage, m.Role)
	case len(m.Category) > maxIDLen:
		return fmt.Errorf("%w: category longer than %d bytes", ErrInvalidMessage, maxIDLen)
	case len(m.Summary) > maxSummaryLen:
		return fmt.Errorf("%w: summary longer than %d bytes", ErrInvalidMessage, maxSummaryLen)
	}
	return nil
}

// Encode validates m and returns its JSON body.
func (m DepartmentMessage) Encode() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode department message: %w", err)
	}
	return b, nil
}

// DecodeDepartmentMessage parses and validates a queue message body. Unknown
// fields and trailing data are rejected so producer/consumer drift shows up
// as an error instead of silently lost fields.
func DecodeDepartmentMessage(body []byte) (DepartmentMessage, error) {
	var m DepartmentMessage
	if len(body) > maxMessageBytes {
		return m, fmt.Errorf("%w: body larger than %d bytes", ErrInvalidMessage, maxMessageBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return DepartmentMessage{}, fmt.Errorf("%w: %v", ErrInvalidMessage, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return DepartmentMessage{}, fmt.Errorf("%w: trailing data after the JSON object", ErrInvalidMessage)
	}
	if err := m.Validate(); err != nil {
		return DepartmentMessage{}, err
	}
	return m, nil
}
