// Package ports holds, in the domain's words, what the use cases exchange with
// the outside world: the results and errors of the ticket store and the
// workflow, the e-mail sent to a citizen. (The message a department reads from
// its queue is a public contract, package deptmsg at the repository's root.)
// Adapters (DynamoDB, Step Functions, SQS, SES) translate their
// services' answers into these types, so the handlers and use cases compile
// without any AWS SDK service package. The narrow interfaces themselves stay
// with the code that calls them, as Go does.
package ports

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// NotFoundError says a ticket or a stored configuration does not exist. HTTP 404.
type NotFoundError struct {
	Kind string // "ticket", "config"
	ID   string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Kind, e.ID) }

// Is makes errors.Is(err, &NotFoundError{}) match any NotFoundError.
func (e *NotFoundError) Is(target error) bool { _, ok := target.(*NotFoundError); return ok }

// ConflictError says a change lost to another: the ticket or configuration
// changed since it was read (stale version, lost race) or is no longer in the
// expected status. HTTP 409.
type ConflictError struct {
	Kind   string
	ID     string
	Reason string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict on %s %s: %s", e.Kind, e.ID, e.Reason)
}

// Is makes errors.Is(err, &ConflictError{}) match any ConflictError.
func (e *ConflictError) Is(target error) bool { _, ok := target.(*ConflictError); return ok }

// IdempotencyConflictError says the idempotency key was already used with a
// different request body. HTTP 409.
type IdempotencyConflictError struct {
	TicketID string // the ticket created by the first use of the key
}

func (e *IdempotencyConflictError) Error() string {
	return "idempotency key already used with a different request body"
}

// Is makes errors.Is(err, &IdempotencyConflictError{}) match any IdempotencyConflictError.
func (e *IdempotencyConflictError) Is(target error) bool {
	_, ok := target.(*IdempotencyConflictError)
	return ok
}

// IDCollisionError says a ticket with this id already exists; the caller
// should draw a new id and try again.
type IDCollisionError struct {
	ID string
}

func (e *IDCollisionError) Error() string { return fmt.Sprintf("ticket id %s is taken", e.ID) }

// Is makes errors.Is(err, &IDCollisionError{}) match any IDCollisionError.
func (e *IDCollisionError) Is(target error) bool { _, ok := target.(*IDCollisionError); return ok }

// CursorError says a paging cursor is not one issued for this list. HTTP 400.
type CursorError struct {
	Reason string
}

func (e *CursorError) Error() string { return "invalid cursor: " + e.Reason }

// Is makes errors.Is(err, &CursorError{}) match any CursorError.
func (e *CursorError) Is(target error) bool { _, ok := target.(*CursorError); return ok }

// StepGoneError says a workflow step a person answers is no longer waiting
// (it finished, timed out, or its token is unknown): the answer came too
// late. HTTP 410.
type StepGoneError struct{ Reason string }

func (e *StepGoneError) Error() string { return "workflow step is no longer waiting: " + e.Reason }

// WorkflowEndedError says a ticket's workflow execution cannot start because
// one of that name ran and ended (Step Functions keeps a Standard execution's
// name for 90 days; a running one with the same input is simply returned).
type WorkflowEndedError struct{ Execution string }

func (e *WorkflowEndedError) Error() string {
	return "workflow execution " + e.Execution + " already ran and ended"
}

// QueueMissingError says a department has no queue to receive its tickets on:
// a catalog that made it active could not dispatch to it. HTTP 400.
type QueueMissingError struct {
	DepartmentID string
	Queue        string
}

func (e *QueueMissingError) Error() string {
	return "department " + e.DepartmentID + " has no queue " + e.Queue + ": create it first (in AWS: add the department's queues to infra/template.yaml; locally: aws sqs create-queue on the edge)"
}

// Idempotency describes the Idempotency-Key of a create request.
type Idempotency struct {
	Key      string
	BodyHash string
	// Response is what the first request answered; replays get it back. It is
	// sealed at rest because it carries the citizen's access code.
	Response []byte
	// ExpiresAt defaults to 24 h after now.
	ExpiresAt time.Time
}

// Created is the outcome of creating a ticket.
type Created struct {
	TicketID string
	// Response is the stored original response on a replay, else the
	// Idempotency.Response given (nil without an idempotency key).
	Response []byte
	// Replayed is true when nothing was written because the key was seen.
	Replayed bool
}

// PendingCallback is an answer to a waiting workflow step that was saved with
// the change that caused it and is not yet known to be delivered.
type PendingCallback struct {
	TicketID string
	At       time.Time
	ticket.Callback
}

// Mailer sends e-mail to citizens (SES in production).
type Mailer interface {
	Send(ctx context.Context, e Email) (messageID string, err error)
}

// Texter sends SMS to citizens' mobile numbers in E.164 form (SNS, or a
// domestic provider such as Tencent Cloud SMS in the China regions).
type Texter interface {
	Send(ctx context.Context, phoneE164 string, m SMS) (messageID string, err error)
}

// SMSKind names what an SMS says. Chinese SMS providers send only
// pre-approved templates (模板) filled with parameters, never free text, so
// every SMS is one of these kinds, and a centre registers one template per
// kind (docs/sms-templates.md).
type SMSKind string

// The kinds of SMS the platform sends.
const (
	SMSVerification SMSKind = "verification"  // params: code, minutes
	SMSReceipt      SMSKind = "receipt"       // params: ticket id, access code
	SMSReplied      SMSKind = "replied"       // params: ticket id, department, result
	SMSAnswered     SMSKind = "answered"      // params: ticket id
	SMSRejected     SMSKind = "rejected"      // params: ticket id
	SMSMerged       SMSKind = "merged"        // params: ticket id, master ticket id
	SMSEmergency    SMSKind = "emergency"     // params: ticket id, emergency numbers
	SMSMasterResult SMSKind = "master_result" // params: ticket id, master ticket id, result
)

// SMSKinds lists every kind, in the order the docs list their templates.
var SMSKinds = []SMSKind{SMSVerification, SMSReceipt, SMSReplied, SMSAnswered, SMSRejected, SMSMerged, SMSEmergency, SMSMasterResult}

// SMSParamCount is how many parameters each kind's template has.
var SMSParamCount = map[SMSKind]int{
	SMSVerification: 2, SMSReceipt: 2, SMSReplied: 3, SMSAnswered: 1,
	SMSRejected: 1, SMSMerged: 2, SMSEmergency: 2, SMSMasterResult: 3,
}

// MaxSMSParamRunes is the longest template parameter: Tencent Cloud SMS
// refuses a variable of more than 12 characters on an individually verified
// account (InvalidParameterValue.TemplateParameterLengthLimit).
const MaxSMSParamRunes = 12

// SMS is one text message: the kind and ordered parameters a template
// provider fills, and the full text for providers that send free text (SNS).
// Both say the same; the text may say more (the body of an answer), the
// parameters never carry a URL or a citizen's words.
type SMS struct {
	Kind   SMSKind
	Params []string
	Text   string
	// TicketID is the ticket the message is about, "" for a verification
	// code; a provider with delivery receipts keeps it to flag the ticket
	// when the message does not arrive.
	TicketID string
}

// Email is one message to one citizen.
type Email struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// TicketQuery is a search of tickets (GET /v1/tickets); zero fields do not
// filter. The store serves every combination from an index or a bounded
// range of one (see store.SearchTickets).
type TicketQuery struct {
	Status       ticket.Status
	DepartmentID string // the lead department
	Category     string // a leaf code
	// Region is a division code; a province (xx0000) or prefecture (xxxx00)
	// code matches the counties under it.
	Region string
	// From and To bound the filing time: From <= createdAt < To.
	From, To  time.Time
	Overdue   bool
	Escalated bool
	// Text is a substring of the ticket's text (content, address, involved
	// unit, answer, reply) or its id.
	Text   string
	Limit  int
	Cursor string
}

// SearchPage is one page of a search and what it cost.
type SearchPage struct {
	Tickets []ticket.Ticket
	// Next continues the search; "" at the end. A page may hold fewer
	// than Limit tickets (even none) and still have a Next: each call
	// reads a bounded share of the index.
	Next string
	// Examined is how many index entries the call read.
	Examined int
}
