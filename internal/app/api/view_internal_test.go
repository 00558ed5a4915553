package api

import (
	"testing"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// A timeline read after a save the ticket read missed is ahead of it, and
// the view reads both again; a timeline of the ticket's own saves is not.
func TestTimelineAheadOfTheTicketIsReadAgain(t *testing.T) {
	tk := &ticket.Ticket{Version: 8}
	evs := []ticket.Event{{Seq: 100}, {Seq: 800}, {Seq: 801}}
	if timelineAhead(tk, evs) {
		t.Fatal("the timeline of versions up to 8 is ahead of version 8")
	}
	if !timelineAhead(tk, append(evs, ticket.Event{Seq: 900})) {
		t.Fatal("an event of version 9 is not ahead of version 8")
	}
}
