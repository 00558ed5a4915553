package task_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// FuzzTaskInput decodes arbitrary payloads as Step Functions would send them
// and validates them: never a panic; an accepted input names a known action
// and a valid ticket id and has a token exactly when the action waits; a
// refused one is an InputError the workflow catches by name.
func FuzzTaskInput(f *testing.F) {
	f.Add(`{"action":"route","ticketId":"260302ABCDEF"}`)
	f.Add(`{"action":"await-reply","ticketId":"260302ABCDEF","taskToken":"tok"}`)
	f.Add(`{"action":"await-reply","ticketId":"260302ABCDEF"}`)
	f.Add(`{"action":"route","ticketId":"260302ABCDEF","taskToken":"x"}`)
	f.Add(`{"action":"nope","ticketId":"../../x"}`)
	f.Add(`{"action":null,"ticketId":1}`)
	f.Add(`[]`)
	actions := []string{"route", "await-reply"}
	waiting := []string{"await-reply"}
	f.Fuzz(func(t *testing.T, payload string) {
		var in task.Input
		if err := json.Unmarshal([]byte(payload), &in); err != nil {
			return
		}
		err := in.Validate(actions, waiting)
		if err == nil {
			if in.Action != "route" && in.Action != "await-reply" || !ticket.ValidID(in.TicketID) || (in.Action == "await-reply") != (in.TaskToken != "") {
				t.Fatalf("accepted %+v", in)
			}
			return
		}
		var ie *task.InputError
		if !errors.As(err, &ie) || task.ErrorName(err) != "InputError" {
			t.Fatalf("error %T %v named %s", err, err, task.ErrorName(err))
		}
	})
}
