// Package task is the contract between the workflow and its Lambda tasks: the
// payload each task receives, its validation, and the stable error names that
// the workflow's Retry and Catch match on.
package task

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Input is the payload every workflow task receives: ids only.
type Input struct {
	Action    string `json:"action"`
	TicketID  string `json:"ticketId"`
	TaskToken string `json:"taskToken,omitempty"`
	// EnteredAt is $$.State.EnteredTime for steps that must act once per
	// state entry: retries of the same entry share it.
	EnteredAt string `json:"enteredAt,omitempty"`
	// State is the workflow's state when a step failed (workflow-failed): its
	// "error" member is the Catch's {"Error", "Cause"}.
	State json.RawMessage `json:"state,omitempty"`
	// Start is the execution's input, which the first step (review) gets:
	// a repaired ticket's new execution picks up where its state says.
	Start *Start `json:"start,omitempty"`
}

// Start is the workflow execution's input as the first step sees it.
type Start struct {
	Resume bool `json:"resume,omitempty"`
}

// InputError says the workflow sent a payload the task cannot act on. Its type
// name is the error name Step Functions reports.
type InputError struct{ Reason string }

func (e *InputError) Error() string { return "invalid task input: " + e.Reason }

// Validate checks the input against the actions a task knows; actions listed in
// waiting need a task token.
func (in Input) Validate(actions, waiting []string) error {
	if !slices.Contains(actions, in.Action) {
		return &InputError{Reason: fmt.Sprintf("unknown action %q", in.Action)}
	}
	if !ticket.ValidID(in.TicketID) {
		return &InputError{Reason: "ticketId is not a ticket id"}
	}
	needsToken := slices.Contains(waiting, in.Action)
	if needsToken && in.TaskToken == "" {
		return &InputError{Reason: "taskToken is required for " + in.Action}
	}
	if !needsToken && in.TaskToken != "" {
		return &InputError{Reason: "taskToken is not expected for " + in.Action}
	}
	return nil
}

// StateError says the ticket is not in a status the step can act on: a bug or a
// manual change, never transient, so the workflow catches it instead of retrying.
type StateError struct {
	TicketID string
	Status   ticket.Status
	Action   string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("ticket %s is %s; cannot %s", e.TicketID, e.Status, e.Action)
}

// DeliveryError says a message to the citizen or a department could not be sent;
// the workflow retries it.
type DeliveryError struct{ Err error }

func (e *DeliveryError) Error() string { return "delivery failed: " + e.Err.Error() }
func (e *DeliveryError) Unwrap() error { return e.Err }

// Named is implemented by errors whose type name the workflow matches on.
type Named interface {
	error
	ErrorName() string
}

// WithdrawnError says the citizen withdrew the ticket: the workflow catches
// it by name and ends after telling the department.
type WithdrawnError struct{ TicketID string }

func (e *WithdrawnError) Error() string {
	return "ticket " + e.TicketID + " was withdrawn by the citizen"
}

// ErrorName is the name Step Functions reports for a WithdrawnError.
func (e *WithdrawnError) ErrorName() string { return "TicketWithdrawn" }

// ErrorName is the name Step Functions reports for an InputError.
func (e *InputError) ErrorName() string { return "InputError" }

// ErrorName is the name Step Functions reports for a StateError.
func (e *StateError) ErrorName() string { return "StateError" }

// ErrorName is the name Step Functions reports for a DeliveryError.
func (e *DeliveryError) ErrorName() string { return "DeliveryError" }

// InternalErrorName is reported for every error without a stable name, so the
// workflow can retry it without matching on Go's wrapper type names.
const InternalErrorName = "InternalError"

// Report turns a task's error into what Lambda returns to Step Functions: the
// error name is the first stable name in the chain, the message keeps the
// context. Lambda's runtime keeps the Type of an InvokeResponse_Error as the
// error name, where a wrapped error would be reported as Go's wrapper type.
func Report(err error) error {
	if err == nil {
		return nil
	}
	return messages.InvokeResponse_Error{Type: ErrorName(err), Message: err.Error()}
}

// ErrorName is the stable name of an error for the workflow's Retry and Catch.
func ErrorName(err error) string {
	var (
		named    Named
		conflict *ports.ConflictError
		notFound *ports.NotFoundError
		noRoute  *catalog.NoRouteError
	)
	switch {
	case errors.As(err, &named):
		return named.ErrorName()
	case errors.As(err, &conflict):
		return "ConflictError"
	case errors.As(err, &notFound):
		return "NotFoundError"
	case errors.As(err, &noRoute):
		return "NoRouteError"
	}
	return InternalErrorName
}
