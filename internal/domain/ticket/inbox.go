package ticket

// A department's inbox is listed by tab: a status, or one of these two.

// InboxCo is the inbox tab of the tickets a department co-handles (协办)
// that are not final, earliest reply deadline first. It is not a status.
const InboxCo Status = "co"

// InboxOverdue is the inbox tab of tickets past a deadline (dispatched or
// accepted, flagged overdue): departments see them apart, not among the rest.
const InboxOverdue Status = "overdue"

// InboxStatus is the inbox tab a ticket is listed under.
func InboxStatus(t *Ticket) Status {
	if t.Overdue && (t.Status == StatusDispatched || t.Status == StatusAccepted) {
		return InboxOverdue
	}
	return t.Status
}
