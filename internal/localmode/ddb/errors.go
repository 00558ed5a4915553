package ddb

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
	"github.com/hotline12345/hotline/internal/localmode/ddb/expr"
)

// Error is a DynamoDB error: its exception type, as the SDKs match it, and
// DynamoDB's words. Item is the item a failed condition saw, when the
// request asked for it (ReturnValuesOnConditionCheckFailure ALL_OLD);
// Reasons are a cancelled transaction's.
type Error struct {
	Type    string
	Message string
	Status  int
	Item    av.Item
	Reasons []CancellationReason
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// CancellationReason says why one action of a transaction was cancelled.
type CancellationReason struct {
	Code    string
	Message string  `json:",omitempty"`
	Item    av.Item `json:",omitempty"`
}

// The exception types the engine answers.
const (
	excValidation         = "ValidationException"
	excNotFound           = "ResourceNotFoundException"
	excInUse              = "ResourceInUseException"
	excConditionFailed    = "ConditionalCheckFailedException"
	excTxCanceled         = "TransactionCanceledException"
	excIdempotentMismatch = "IdempotentParameterMismatchException"
	excSerialization      = "SerializationException"
	excUnknownOperation   = "UnknownOperationException"
	excInternal           = "InternalServerError"
)

func validation(format string, args ...any) *Error {
	return &Error{Type: excValidation, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func notFound(msg string) *Error {
	return &Error{Type: excNotFound, Message: msg, Status: http.StatusBadRequest}
}

var errNoTable = notFound("Requested resource not found")

func conditionFailed(item av.Item) *Error {
	return &Error{Type: excConditionFailed, Message: "The conditional request failed", Status: http.StatusBadRequest, Item: item}
}

// asError turns what an operation returned into the error DynamoDB would
// answer: value and expression mistakes are ValidationExceptions, anything
// else is the engine's own failure (a 500, which the SDKs retry).
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var inv *av.InvalidError
	if errors.As(err, &inv) {
		return validation("%s", inv.Msg)
	}
	var xe *expr.Error
	if errors.As(err, &xe) {
		return validation("%s", xe.Error())
	}
	return &Error{Type: excInternal, Message: "internal error: " + err.Error(), Status: http.StatusInternalServerError}
}
