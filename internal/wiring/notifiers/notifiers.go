// Package notifiers builds what tells citizens: the SES mailer and, when SMS
// is switched on, the SNS texter. Only the functions that message citizens
// (intake's receipt, feedback's notices) import it, so only they link the SES
// and SNS clients.
package notifiers

import (
	"fmt"

	"github.com/hotline12345/hotline/internal/adapters/metrics"
	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/wiring/config"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// New returns the mailer and the texter (nil when HOTLINE_SMS_ENABLED is off).
func New(b *dataplane.Base) (ports.Mailer, ports.Texter, error) {
	mailer, err := notify.NewSESMailer(notify.SESClient(b.AWS), notify.SESConfig{From: b.Config.SenderEmail, ConfigurationSet: b.Config.SESConfigSet})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", config.EnvSenderEmail, err)
	}
	// Every message counts against its recipient's daily cap.
	guard := b.Guard()
	// Failures are counted at the sender: a capped message was not a failure.
	capped := limits.CappedMailer{Mailer: metrics.Mailer{Mailer: mailer, Metrics: b.Metrics}, Guard: guard}
	if !b.Config.SMSEnabled {
		return capped, nil, nil
	}
	texter, err := notify.NewSNSTexter(notify.SNSClient(b.AWS), notify.SNSConfig{})
	if err != nil {
		return nil, nil, fmt.Errorf("sms: %w", err)
	}
	return capped, limits.CappedTexter{Texter: metrics.Texter{Texter: texter, Metrics: b.Metrics}, Guard: guard}, nil
}
