package metrics

import (
	"context"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// FromEvent is the sample a timeline event counts as once saved, if any; t is
// the ticket as saved with it. Counting where events are recorded, rather
// than in each handler, counts a change once however many handlers make it,
// and only when it is saved (not on a lost race or an idempotent retry).
func FromEvent(t *ticket.Ticket, e ticket.Event) (Sample, bool) {
	switch {
	case e.Kind == "received":
		return Sample{Metric: TicketsFiled, TicketID: t.ID}, true
	case e.To == ticket.StatusDispatched:
		// A first dispatch, a reassignment and a reopened ticket's return
		// to a department alike: each puts work in a department's inbox.
		return Sample{Metric: TicketsDispatched, Value: t.DepartmentID, TicketID: t.ID}, true
	case e.Kind == "overdue":
		return Sample{Metric: TicketsOverdue, Value: t.DepartmentID, TicketID: t.ID}, true
	case e.Kind == "escalated" && (t.Status == ticket.StatusDispatched || t.Status == ticket.StatusAccepted):
		// 督办 of a department's late reply; an operator's overdue review
		// is escalated too, to supervisors, but that is no department's.
		return Sample{Metric: TicketsEscalated, Value: t.DepartmentID, TicketID: t.ID}, true
	}
	return Sample{}, false
}

// Mailer counts each e-mail that could not be sent as NoticesFailed
// (Channel email). It wraps the sender itself: the SDK has retried by the
// time it fails, so the failure is for good.
type Mailer struct {
	ports.Mailer
	Metrics Recorder
}

// Send implements ports.Mailer.
func (m Mailer) Send(ctx context.Context, e ports.Email) (string, error) {
	id, err := m.Mailer.Send(ctx, e)
	if err != nil {
		m.Metrics.Add(ctx, Sample{Metric: NoticesFailed, Value: ticket.NoticeEmail})
	}
	return id, err
}

// Texter is Mailer for SMS (Channel sms).
type Texter struct {
	ports.Texter
	Metrics Recorder
}

// Send implements ports.Texter.
func (t Texter) Send(ctx context.Context, phoneE164 string, sms ports.SMS) (string, error) {
	id, err := t.Texter.Send(ctx, phoneE164, sms)
	if err != nil {
		t.Metrics.Add(ctx, Sample{Metric: NoticesFailed, Value: ticket.NoticeSMS})
	}
	return id, err
}
