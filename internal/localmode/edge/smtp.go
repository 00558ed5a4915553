package edge

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The SMTP capture server takes mail as an SMTP relay would and keeps it
// with the SES captures (/_aws/ses), so the platform runs with
// HOTLINE_MAIL_CHANNEL=smtp locally and the inbox reads either. It speaks
// SMTP through github.com/emersion/go-smtp; nothing is relayed.

// SMTPOptions configure the capture server.
type SMTPOptions struct {
	// Addr defaults to 127.0.0.1:0 (a free port).
	Addr string
	// TLS, when set, is offered: from the first byte with Implicit (SMTPS,
	// port 465 style), else by STARTTLS.
	TLS      *tls.Config
	Implicit bool
	// Users, when set, are the logins AUTH PLAIN accepts (username →
	// password); nil accepts any login, and mail without one.
	Users map[string]string
}

type smtpCapture struct {
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}
}

// maxMailBytes matches the edge's body limit for SES.
const maxMailBytes = 8 << 20

// StartSMTP serves the SMTP capture server and returns its host:port.
func (e *Edge) StartSMTP(o SMTPOptions) (string, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.smtp != nil {
		return "", errors.New("edge: SMTP capture already started")
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return "", fmt.Errorf("edge: SMTP listen on %s: %w", o.Addr, err)
	}
	if o.TLS != nil && o.Implicit {
		ln = tls.NewListener(ln, o.TLS)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{edge: e, users: o.Users}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = maxMailBytes
	srv.MaxRecipients = 50
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.EnableSMTPUTF8 = true
	// Loopback only, as the whole edge: a login in clear stays on this machine.
	srv.AllowInsecureAuth = true
	srv.ErrorLog = slogLogger{e}
	if o.TLS != nil && !o.Implicit {
		srv.TLSConfig = o.TLS
	}
	c := &smtpCapture{srv: srv, ln: ln, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			e.log.Error("smtp capture stopped", "error", err.Error())
		}
	}()
	e.smtp = c
	return ln.Addr().String(), nil
}

// closeSMTP stops the capture server; e.mu must not be held.
func (e *Edge) closeSMTP() error {
	e.mu.Lock()
	c := e.smtp
	e.smtp = nil
	e.mu.Unlock()
	if c == nil {
		return nil
	}
	err := c.srv.Close()
	<-c.done
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	return err
}

// slogLogger gives go-smtp's error log to the edge's logger (no content:
// go-smtp logs connection errors only).
type slogLogger struct{ e *Edge }

func (l slogLogger) Printf(format string, v ...any) {
	l.e.log.Debug("smtp capture", "detail", fmt.Sprintf(format, v...))
}
func (l slogLogger) Println(v ...any) { l.e.log.Debug("smtp capture", "detail", fmt.Sprint(v...)) }

type smtpSession struct {
	edge   *Edge
	users  map[string]string
	authed bool
	from   string
	to     []string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if s.users != nil {
			if want, ok := s.users[username]; !ok || want != password {
				return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
			}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.users != nil && !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !plausibleAddress(to) {
		return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "Illegal address"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := parseMail(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "message not understood: " + err.Error()}
	}
	msg.Region = s.edge.region
	msg.Destination = EmailDestination{ToAddresses: nonNil(s.to)}
	if msg.Source == "" {
		msg.Source = s.from
	}
	msg.Timestamp = s.edge.clock.Now().UTC().Format("2006-01-02T15:04:05")
	if err := s.edge.ses.capture(msg); err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "could not keep the message"}
	}
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

// parseMail reads the headers and the text and HTML parts of a message as
// go-mail writes it (a single part or multipart/alternative, quoted-printable
// or base64).
func parseMail(raw []byte) (SentEmail, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return SentEmail{}, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		subject = m.Header.Get("Subject")
	}
	out := SentEmail{Subject: subject, ID: strings.Trim(m.Header.Get("Message-Id"), "<> ")}
	if out.ID == "" {
		out.ID = newID()
	}
	if from, err := dec.DecodeHeader(m.Header.Get("From")); err == nil {
		out.Source = from
	}
	if err := readPart(&out, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, 0); err != nil {
		return SentEmail{}, err
	}
	if out.Body.TextPart == nil && out.Body.HTMLPart == nil {
		return SentEmail{}, errors.New("no text or HTML part")
	}
	return out, nil
}

func readPart(out *SentEmail, ctype, encoding string, body io.Reader, depth int) error {
	if depth > 3 {
		return errors.New("parts nested too deep")
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if ctype == "" {
		mt, err = "text/plain", nil
	}
	if err != nil {
		return fmt.Errorf("content type: %w", err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := readPart(out, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: body})
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("body: %w", err)
	}
	text := string(b)
	switch mt {
	case "text/plain":
		if out.Body.TextPart == nil {
			out.Body.TextPart = &text
		}
	case "text/html":
		if out.Body.HTMLPart == nil {
			out.Body.HTMLPart = &text
		}
	}
	return nil
}

// crlfStripper drops line breaks from base64 (the decoder skips \r and \n
// itself, but not every other whitespace mailers add).
type crlfStripper struct{ r io.Reader }

func (c *crlfStripper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != ' ' && b != '\t' {
			p[j] = b
			j++
		}
	}
	return j, err
}
