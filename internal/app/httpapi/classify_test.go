package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Every typed error reaches the client as the API.md code, also when wrapped.
func TestClassifyMapsTypedErrorsToAPICodes(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{&ticket.ValidationError{Fields: map[string]string{"content": "required"}}, 400, "validation_failed"},
		{&ticket.ParseError{Msg: "malformed JSON at byte 3"}, 400, "validation_failed"},
		{&ticket.TooLargeError{Limit: 10}, 413, "payload_too_large"},
		{&ticket.TransitionError{From: ticket.StatusClosed, To: ticket.StatusReplied}, 409, "conflict"},
		{&ports.NotFoundError{Kind: "ticket", ID: "x"}, 404, "not_found"},
		{&ports.ConflictError{Kind: "ticket", ID: "x"}, 409, "conflict"},
		{&ports.IdempotencyConflictError{TicketID: "x"}, 409, "conflict"},
		{&ports.CursorError{Reason: "junk"}, 400, "validation_failed"},
		{&ports.StepGoneError{Reason: "timed out"}, 410, "gone"},
		{Forbidden("no"), 403, "forbidden"},
		{errors.New("dynamodb: connection reset"), 500, "internal"},
	}
	for _, c := range cases {
		wrapped := fmt.Errorf("handler: %w", c.err)
		got := Classify(wrapped)
		if got.Status != c.status || got.Code != c.code {
			t.Errorf("%T: %d %s, want %d %s", c.err, got.Status, got.Code, c.status, c.code)
		}
	}
}

// Internal errors are logged, never shown: the client sees a generic 500.
func TestFailHidesInternalErrors(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	resp := Fail(context.Background(), log, errors.New("store: secret table name hotline-prod"))
	if resp.StatusCode != 500 || strings.Contains(resp.Body, "hotline-prod") {
		t.Fatalf("answer leaks the error: %d %s", resp.StatusCode, resp.Body)
	}
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Error.Code != "internal" {
		t.Fatalf("error shape: %s (%v)", resp.Body, err)
	}
	if !strings.Contains(logs.String(), "hotline-prod") {
		t.Fatal("the internal error was not logged")
	}
	// Field errors keep their fields.
	resp = Fail(context.Background(), slog.New(slog.NewJSONHandler(io.Discard, nil)), &ticket.ValidationError{Fields: map[string]string{"content": "required"}})
	if !strings.Contains(resp.Body, `"fields":{"content":"required"}`) {
		t.Fatalf("fields missing: %s", resp.Body)
	}
}
