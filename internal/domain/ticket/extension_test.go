package ticket

import (
	"errors"
	"testing"
	"time"
)

func handling(now time.Time) *Ticket {
	return &Ticket{
		ID: "T1", Status: StatusAccepted, DepartmentID: "market",
		Deadlines: Deadlines{Accept: now.Add(24 * time.Hour), Reply: Date{2026, time.March, 6}.End()},
	}
}

func TestRequestExtensionRules(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, China)
	dept := Actor{Role: ActorDepartment, ID: "market"}
	var ext *ExtensionError
	var val *ValidationError
	cases := []struct {
		name   string
		change func(t *Ticket)
		days   int
		reason string
		now    time.Time
		want   any // nil, &ext or &val
	}{
		{"ok", nil, 5, "需要现场核查", now, nil},
		{"zero days", nil, 0, "需要现场核查", now, &val},
		{"31 days", nil, 31, "需要现场核查", now, &val},
		{"no reason", nil, 5, " ", now, &val},
		{"replied", func(t *Ticket) { t.Status = StatusReplied }, 5, "需要现场核查", now, &ext},
		{"returned", func(t *Ticket) { t.Status = StatusReturned }, 5, "需要现场核查", now, &ext},
		{"open request", func(t *Ticket) { t.ExtensionRequested = true }, 5, "需要现场核查", now, &ext},
		{"deadline passed", nil, 5, "需要现场核查", Date{2026, time.March, 7}.Start(), &ext},
		{"at the deadline", nil, 5, "需要现场核查", Date{2026, time.March, 6}.End(), &ext},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := handling(now)
			if c.change != nil {
				c.change(tk)
			}
			before := *tk
			ev, err := tk.RequestExtension(c.days, c.reason, dept, "d1", c.now)
			switch w := c.want.(type) {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
				if !tk.ExtensionRequested || tk.Extension == nil || tk.Extension.Days != c.days || tk.Extension.By != "d1" || ev.Kind != "extension.requested" || ev.Public {
					t.Fatalf("request not recorded: %+v %+v", tk.Extension, ev)
				}
			case **ExtensionError:
				if !errors.As(err, w) {
					t.Fatalf("err %v, want *ExtensionError", err)
				}
			case **ValidationError:
				if !errors.As(err, w) {
					t.Fatalf("err %v, want *ValidationError", err)
				}
			}
			if c.want != nil && (tk.ExtensionRequested != before.ExtensionRequested || tk.Extension != before.Extension) {
				t.Fatal("a refused request changed the ticket")
			}
		})
	}
}

func TestDecideExtension(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, China)
	op := Actor{Role: ActorOperator, ID: "op1"}
	cal, err := NewCalendar(CalendarFile{Year: 2026, Holidays: []string{"2026-03-10"}})
	if err != nil {
		t.Fatal(err)
	}
	request := func() *Ticket {
		tk := handling(now)
		if _, err := tk.RequestExtension(3, "需要现场核查", Actor{Role: ActorDepartment, ID: "market"}, "d1", now); err != nil {
			t.Fatal(err)
		}
		return tk
	}

	// Approved: Fri 6 March + 3 working days, skipping the weekend and the
	// holiday on Tue 10 March, is the end of Thu 12 March (9, 11, 12).
	tk := request()
	tk.Overdue = true
	ev, err := tk.DecideExtension(true, "同意", op, cal, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Date{2026, time.March, 12}).End(); !tk.Deadlines.Reply.Equal(want) {
		t.Fatalf("new deadline %v, want %v", tk.Deadlines.Reply, want)
	}
	if tk.ExtensionRequested || tk.Overdue || tk.Extension.Decision != ExtensionApproved || tk.Extension.DecidedBy != "op1" ||
		!tk.Extension.PreviousReply.Equal(Date{2026, time.March, 6}.End()) || ev.Kind != "extension.approved" || ev.Public {
		t.Fatalf("approval: %+v %+v", tk.Extension, ev)
	}
	// Decided once only.
	var ext *ExtensionError
	if _, err := tk.DecideExtension(false, "理由不充分", op, cal, now); !errors.As(err, &ext) {
		t.Fatalf("second decision: %v", err)
	}

	// Rejected: the deadline stays.
	tk = request()
	if ev, err = tk.DecideExtension(false, "理由不充分", op, cal, now); err != nil {
		t.Fatal(err)
	}
	if !tk.Deadlines.Reply.Equal(Date{2026, time.March, 6}.End()) || tk.ExtensionRequested || tk.Extension.Decision != ExtensionRejected || ev.Kind != "extension.rejected" {
		t.Fatalf("rejection: %v %+v %+v", tk.Deadlines.Reply, tk.Extension, ev)
	}

	// Withdrawn by a reply: nothing left to decide.
	tk = request()
	tk.WithdrawExtension(now)
	tk.Status = StatusReplied
	if tk.ExtensionRequested || tk.Extension.Decision != ExtensionWithdrawn {
		t.Fatalf("withdrawal: %+v", tk.Extension)
	}
	if _, err := tk.DecideExtension(true, "", op, cal, now); !errors.As(err, &ext) {
		t.Fatalf("decision after withdrawal: %v", err)
	}
}
