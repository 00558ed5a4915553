package limits

import (
	"context"
	"errors"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/contact"
)

// CappedMailer sends e-mail while the recipient has messages left today; past
// the cap it sends nothing and answers *ports.MessageCapError, which callers
// treat as a message that could not be delivered.
type CappedMailer struct {
	ports.Mailer
	Guard *Guard
}

// Send implements ports.Mailer.
func (m CappedMailer) Send(ctx context.Context, e ports.Email) (string, error) {
	addr, ok := contact.Email(e.To)
	if !ok {
		addr = e.To
	}
	if err := m.Guard.cap(ctx, "email", addr); err != nil {
		return "", err
	}
	return m.Mailer.Send(ctx, e)
}

// CappedTexter is CappedMailer for SMS.
type CappedTexter struct {
	ports.Texter
	Guard *Guard
}

// Send implements ports.Texter.
func (t CappedTexter) Send(ctx context.Context, phone string, m ports.SMS) (string, error) {
	if err := t.Guard.cap(ctx, "sms", phone); err != nil {
		return "", err
	}
	return t.Texter.Send(ctx, phone, m)
}

func (g *Guard) cap(ctx context.Context, channel, recipient string) error {
	err := g.Take(ctx, RuleMessages, g.Subject("recipient:"+channel, recipient), "messages to this recipient")
	var limited *ports.RateLimitedError
	if errors.As(err, &limited) {
		return &ports.MessageCapError{Channel: channel}
	}
	return err
}
