// Package notifiers builds what tells citizens: the mailer (SES, or SMTP
// where SES does not exist) and the texter (SNS, Tencent Cloud SMS, or none),
// as HOTLINE_MAIL_CHANNEL and HOTLINE_SMS_CHANNEL say. Only the functions that
// message citizens (intake's receipt, feedback's notices) import it, so only
// they link the mail and SMS clients.
package notifiers

import (
	"context"
	"fmt"

	"github.com/hotline12345/hotline/internal/adapters/metrics"
	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/adapters/secrets"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/wiring/config"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// New returns the mailer and the texter (nil when HOTLINE_SMS_CHANNEL is
// off). Credentials are read from Secrets Manager now, at cold start.
func New(ctx context.Context, b *dataplane.Base) (ports.Mailer, ports.Texter, error) {
	c := b.Config
	var sm secrets.API
	if c.MailChannel == config.MailSMTP && c.SMTP.SecretArn != "" || c.SMSChannel == config.SMSTencent {
		sm = secrets.Client(b.AWS)
	}
	var mailer ports.Mailer
	switch c.MailChannel {
	case config.MailSMTP:
		var login secrets.SMTPCredentials
		if c.SMTP.SecretArn != "" {
			if err := secrets.ReadJSON(ctx, sm, c.SMTP.SecretArn, &login); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", config.EnvSMTPSecretArn, err)
			}
		}
		m, err := notify.NewSMTPMailer(notify.SMTPConfig{Host: c.SMTP.Host, Port: c.SMTP.Port, TLS: notify.SMTPTLS(c.SMTP.TLS),
			Username: login.Username, Password: login.Password, From: c.SenderEmail})
		if err != nil {
			return nil, nil, fmt.Errorf("smtp: %w", err)
		}
		mailer = m
	default:
		m, err := notify.NewSESMailer(notify.SESClient(b.AWS), notify.SESConfig{From: c.SenderEmail, ConfigurationSet: c.SESConfigSet})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", config.EnvSenderEmail, err)
		}
		mailer = m
	}
	// Every message counts against its recipient's daily cap.
	guard := b.Guard()
	// Failures are counted at the sender: a capped message was not a failure.
	capped := limits.CappedMailer{Mailer: metrics.Mailer{Mailer: mailer, Metrics: b.Metrics}, Guard: guard}
	var texter ports.Texter
	switch c.SMSChannel {
	case config.SMSSNS:
		t, err := notify.NewSNSTexter(notify.SNSClient(b.AWS), notify.SNSConfig{})
		if err != nil {
			return nil, nil, fmt.Errorf("sms: %w", err)
		}
		texter = t
	case config.SMSTencent:
		var key secrets.TencentCredentials
		if err := secrets.ReadJSON(ctx, sm, c.TencentSMS.SecretArn, &key); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", config.EnvTencentSMSSecretArn, err)
		}
		t, err := notify.NewTencentTexter(notify.TencentConfig{
			SecretID: key.SecretID, SecretKey: key.SecretKey, AppID: c.TencentSMS.AppID, SignName: c.TencentSMS.SignName,
			Region: c.TencentSMS.Region, Templates: c.TencentSMS.Templates, Endpoint: c.TencentSMS.Endpoint,
			Receipts: b.Store, Log: b.Log,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("sms: %w", err)
		}
		texter = t
	default:
		return capped, nil, nil
	}
	return capped, limits.CappedTexter{Texter: metrics.Texter{Texter: texter, Metrics: b.Metrics}, Guard: guard}, nil
}
