package ticket

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// designTransitions is DESIGN.md §1 copied by hand, so a change to the table in
// status.go that the design does not make fails here.
var designTransitions = map[Status][]Status{
	StatusReceived:   {StatusInReview, StatusWithdrawn},
	StatusInReview:   {StatusRejected, StatusMerged, StatusAnswered, StatusDispatched, StatusWithdrawn},
	StatusDispatched: {StatusAccepted, StatusReturned, StatusReplied, StatusWithdrawn},
	StatusAccepted:   {StatusReplied, StatusReturned, StatusWithdrawn},
	StatusReturned:   {StatusDispatched, StatusWithdrawn},
	StatusReplied:    {StatusClosed, StatusDispatched},
	StatusAnswered:   {StatusClosed, StatusDispatched},
	StatusMerged:     {StatusClosed},
}

func TestTransitionTableExhaustive(t *testing.T) {
	if len(Statuses) != 11 {
		t.Fatalf("Statuses has %d entries, the design names 11", len(Statuses))
	}
	all := append([]Status{"", "bogus"}, Statuses...)
	for _, from := range all {
		for _, to := range all {
			want := false
			for _, s := range designTransitions[from] {
				if s == to {
					want = true
				}
			}
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%q, %q) = %v, want %v", from, to, got, want)
			}
			err := CheckTransition(from, to)
			if want != (err == nil) {
				t.Errorf("CheckTransition(%q, %q) = %v", from, to, err)
			}
			var te *TransitionError
			if err != nil && (!errors.As(err, &te) || te.From != from || te.To != to) {
				t.Errorf("CheckTransition(%q, %q) error %#v", from, to, err)
			}
		}
	}
}

func TestFinal(t *testing.T) {
	final := map[Status]bool{StatusRejected: true, StatusClosed: true, StatusWithdrawn: true}
	for _, s := range Statuses {
		if s.Final() != final[s] {
			t.Errorf("%s.Final() = %v", s, s.Final())
		}
		// A merged ticket waits to close with the ticket it joined, but is
		// not handled on its own.
		if open := !final[s] && s != StatusMerged; s.Open() != open {
			t.Errorf("%s.Open() = %v", s, s.Open())
		}
		if !s.Valid() {
			t.Errorf("%s not Valid", s)
		}
	}
	for _, s := range []Status{"", "bogus", "CLOSED"} {
		if s.Valid() || s.Final() {
			t.Errorf("%q: Valid %v Final %v", s, s.Valid(), s.Final())
		}
	}
}

func TestTransitionProducesEvent(t *testing.T) {
	when := time.Date(2026, 3, 2, 9, 0, 0, 0, China)
	tk := &Ticket{ID: "260302ABCDEF", Status: StatusDispatched}
	ev, err := tk.Transition(StatusAccepted, Actor{Role: ActorDepartment, ID: "d1"}, when, Verbatim("签收"))
	if err != nil {
		t.Fatal(err)
	}
	want := Event{TicketID: "260302ABCDEF", At: when, Kind: "status.accepted", ActorRole: ActorDepartment,
		ActorID: "d1", From: StatusDispatched, To: StatusAccepted, Note: "签收", Public: true}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("event %+v, want %+v", ev, want)
	}
	if tk.Status != StatusAccepted || !tk.UpdatedAt.Equal(when) {
		t.Errorf("ticket not moved: %+v", tk)
	}

	_, err = tk.Transition(StatusClosed, Actor{Role: ActorSystem}, when.Add(time.Hour), Verbatim(""))
	var te *TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("accepted→closed: err %v", err)
	}
	if tk.Status != StatusAccepted || !tk.UpdatedAt.Equal(when) {
		t.Errorf("refused transition changed the ticket: %+v", tk)
	}
}

// Every status a citizen can see has words in both languages; a returned
// ticket is shown as being reassigned.
func TestCitizenStatusText(t *testing.T) {
	for _, s := range Statuses {
		c := CitizenStatus(s)
		// An unknown status falls back to its code; the Chinese text never is one.
		if zh, en := StatusText(c, LanguageZH), StatusText(c, LanguageEN); zh == string(c) || en == "" {
			t.Errorf("%s (%s) has no text: %q %q", c, s, zh, en)
		}
	}
	if CitizenStatus(StatusReturned) != StatusReassigning {
		t.Error("a returned ticket is shown as returned")
	}
}
