package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// SMTPTLS is how the mailer protects the connection.
type SMTPTLS string

const (
	// SMTPTLSImplicit is TLS from the first byte (SMTPS, port 465): what
	// Tencent Cloud SES, Aliyun DirectMail and Exmail document.
	SMTPTLSImplicit SMTPTLS = "ssl"
	// SMTPTLSStartTLS upgrades a plain connection and refuses a server that
	// cannot (submission, port 587).
	SMTPTLSStartTLS SMTPTLS = "starttls"
	// SMTPTLSNone sends in clear: only to a loopback host (local mode's
	// capture server), never across a network.
	SMTPTLSNone SMTPTLS = "none"
)

// SMTPConfig is the SMTP mailer's configuration.
type SMTPConfig struct {
	Host string
	// Port defaults to 465 for ssl and 587 for starttls.
	Port int
	TLS  SMTPTLS // default ssl
	// Username and Password are the login (read from Secrets Manager);
	// both empty: no AUTH (local mode).
	Username, Password string
	// From is the sender, e.g. "12345 热线 <noreply@12345.example.cn>".
	From string
	// Timeout bounds one message's dial and send; default 15 s.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests: a private CA).
	TLSConfig *tls.Config
}

// SMTPMailer sends e-mail over SMTP, where SES does not exist (AWS China).
type SMTPMailer struct {
	from    string
	options []gomail.Option
	host    string
}

// NewSMTPMailer builds a mailer.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("notify: SMTP host is required")
	}
	if cfg.From == "" {
		return nil, errors.New("notify: sender address (From) is required")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil || strings.ContainsAny(cfg.From, "\r\n") {
		return nil, fmt.Errorf("notify: sender address %q is not a valid address", cfg.From)
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("notify: SMTP port %d is out of range", cfg.Port)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	opts := []gomail.Option{gomail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case "", SMTPTLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(portOr(cfg.Port, 465)))
	case SMTPTLSStartTLS:
		// WithTLSPortPolicy sets 587; an explicit port comes after it.
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory), gomail.WithPort(portOr(cfg.Port, 587)))
	case SMTPTLSNone:
		if !IsLoopbackHost(cfg.Host) {
			return nil, fmt.Errorf("notify: SMTP without TLS is allowed only to a loopback host (local mode), not %q", cfg.Host)
		}
		if cfg.Port == 0 {
			return nil, errors.New("notify: SMTP without TLS needs a port")
		}
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.NoTLS), gomail.WithPort(cfg.Port))
	default:
		return nil, fmt.Errorf("notify: SMTP TLS mode %q is not ssl, starttls or none", cfg.TLS)
	}
	if cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(cfg.TLSConfig))
	}
	switch {
	case cfg.Username != "" && cfg.Password != "":
		// AUTH LOGIN is what Aliyun DirectMail documents; AutoDiscover picks
		// the strongest the server offers (it never sends PLAIN in clear).
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	case cfg.Username != "" || cfg.Password != "":
		return nil, errors.New("notify: SMTP needs both a username and a password, or neither")
	}
	return &SMTPMailer{from: cfg.From, options: opts, host: cfg.Host}, nil
}

func portOr(p, def int) int {
	if p == 0 {
		return def
	}
	return p
}

// IsLoopbackHost reports whether host names this machine (localhost or a
// loopback address), the only place mail may go unencrypted.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// SMTPError is a message the SMTP server did not take. Its text names what
// failed and the server's reply code, never the recipients (go-mail's own
// error lists them).
type SMTPError struct {
	Reason string // go-mail's reason, e.g. "SMTP RCPT TO failed"
	Code   int    // the server's reply code; 0 before any reply
	Temp   bool   // a 4xx reply or a lost connection
	Err    error
}

func (e *SMTPError) Error() string {
	s := "smtp send: " + e.Reason
	if e.Code != 0 {
		s += fmt.Sprintf(" (reply %d)", e.Code)
	}
	return s
}

func (e *SMTPError) Unwrap() error { return e.Err }

// Retryable says whether the server or the network asked to try later.
func (e *SMTPError) Retryable() bool { return e.Temp }

// Send sends e and returns the Message-ID it was given.
func (m *SMTPMailer) Send(ctx context.Context, e ports.Email) (string, error) {
	if err := validateEmail(e); err != nil {
		return "", err
	}
	msg := gomail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return "", fmt.Errorf("notify: sender address: %w", err)
	}
	if err := msg.To(e.To); err != nil {
		return "", fmt.Errorf("%w: recipient is not a valid address", ErrInvalidInput)
	}
	msg.Subject(e.Subject)
	msg.SetDate()
	msg.SetMessageID()
	switch {
	case e.Text != "" && e.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, e.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	case e.Text != "":
		msg.SetBodyString(gomail.TypeTextPlain, e.Text)
	default:
		msg.SetBodyString(gomail.TypeTextHTML, e.HTML)
	}
	c, err := gomail.NewClient(m.host, m.options...)
	if err != nil {
		return "", fmt.Errorf("notify: SMTP client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", smtpError(err)
	}
	return strings.Trim(msg.GetMessageID(), "<>"), nil
}

func smtpError(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return &SMTPError{Reason: se.Reason.String(), Code: se.ErrorCode(), Temp: se.IsTemp(), Err: err}
	}
	// A reply before any message (a refused login, a refused STARTTLS):
	// its code says whether it is worth another try.
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return &SMTPError{Reason: "server refused the session", Code: reply.Code, Temp: reply.Code/100 == 4, Err: err}
	}
	// Dial and TLS failures name the server and the cause, no recipient:
	// no message was under way.
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &certErr):
		return &SMTPError{Reason: "the server's certificate is not trusted", Err: err}
	case errors.As(err, &opErr):
		return &SMTPError{Reason: "connection failed: " + opErr.Error(), Temp: true, Err: err}
	}
	return &SMTPError{Reason: "connection failed: " + redactedCause(err), Temp: true, Err: err}
}
