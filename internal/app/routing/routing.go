// Package routing dispatches a ticket (派单): the department the rules or an
// operator chose, its co-handlers and deadlines. The review function
// dispatches what it accepts in the same save as its decision, and the
// dispatch function what an operator accepts or a citizen reopens, so both
// share this.
package routing

import (
	"fmt"
	"slices"
	"time"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Dispatch moves t to dispatched: to the handler an operator chose, else to
// the one the catalog's rules pick (a *catalog.NoRouteError when none
// does). A replied or answered ticket is reopened. It returns the events.
func Dispatch(t *ticket.Ticket, cat *catalog.Catalog, now time.Time) ([]ticket.Event, error) {
	dept, co, rule, chosen := t.NextHandler()
	if !chosen {
		r, err := cat.Route(t)
		if err != nil {
			return nil, err
		}
		dept, co, rule = r.DepartmentID, r.CoHandlers, r.RuleID
	}
	reopened := t.Status == ticket.StatusReplied || t.Status == ticket.StatusAnswered
	ev, err := t.Transition(ticket.StatusDispatched, ticket.Actor{Role: ticket.ActorSystem}, now, ticket.Say("派单至 "+cat.DepartmentName(dept), "dispatched to "+cat.DepartmentNameIn(dept, ticket.LanguageEN)))
	if err != nil {
		return nil, err
	}
	if reopened {
		t.ReopenCount++
		t.Reply, t.Rating = nil, nil
		ev.Kind = "status.reopened"
	}
	t.DepartmentID, t.CoHandlers, t.RuleID = dept, slices.Clone(co), rule
	t.PendingDepartmentID, t.PendingCoHandlers = "", nil
	t.DispatchedAt, t.AcceptedAt = now, time.Time{}
	t.Deadlines = cat.Deadlines(t, now)
	evs := []ticket.Event{ev}
	if t.CalendarGap = calendarGap(cat, t, now); len(t.CalendarGap) > 0 {
		evs = append(evs, t.Note("calendar.gap", ticket.Actor{Role: ticket.ActorSystem}, now,
			ticket.Say(fmt.Sprintf("期限计算超出节假日安排（%v 年未载入），按周一至周五计", t.CalendarGap), fmt.Sprintf("deadline counted past the holiday calendar (%v not loaded)", t.CalendarGap)), false))
	}
	t.Overdue, t.ExtensionRequested = false, false
	t.TaskToken, t.WaitingStep = "", ticket.StepNone
	return evs, nil
}

// calendarGap lists the years a day-counted deadline of t ran through without
// their holiday schedule; hour-counted deadlines need no calendar.
func calendarGap(cat *catalog.Catalog, t *ticket.Ticket, now time.Time) []int {
	level := cat.ServiceLevelFor(t)
	end := t.Deadlines.Accept
	if level.ReplyHours == 0 && t.Deadlines.Reply.After(end) {
		end = t.Deadlines.Reply
	}
	if level.AcceptHours%24 != 0 && level.ReplyHours > 0 {
		return nil
	}
	return cat.Calendar().Uncovered(now, end)
}

// UntilDeadline is the wait until t's reply deadline in whole seconds, at
// least 1 (Step Functions refuses 0): the waiting step's TimeoutSecondsPath.
func UntilDeadline(t *ticket.Ticket, now time.Time) int64 {
	return max(int64(t.Deadlines.Reply.Sub(now).Seconds()), 1)
}
