package edge

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// SentEmail is one e-mail captured by the SES v2 emulation, in LocalStack's
// /_aws/ses shape.
type SentEmail struct {
	ID          string           `json:"Id"`
	Region      string           `json:"Region"`
	Source      string           `json:"Source"`
	Destination EmailDestination `json:"Destination"`
	Subject     string           `json:"Subject"`
	Body        EmailBody        `json:"Body"`
	// Timestamp is LocalStack's format: UTC, seconds, no zone suffix.
	Timestamp string `json:"Timestamp"`
	// ConfigurationSetName is not in LocalStack's shape; kept for tests.
	ConfigurationSetName string `json:"ConfigurationSetName,omitempty"`
}

// EmailDestination lists the recipients.
type EmailDestination struct {
	ToAddresses  []string `json:"ToAddresses"`
	CcAddresses  []string `json:"CcAddresses,omitempty"`
	BccAddresses []string `json:"BccAddresses,omitempty"`
}

// EmailBody holds the parts; a missing part is null like LocalStack.
type EmailBody struct {
	TextPart *string `json:"text_part"`
	HTMLPart *string `json:"html_part"`
}

type sesService struct {
	region string
	clock  Clock

	keep *keep // nil: nothing kept (keep.go)

	mu   sync.Mutex
	sent []SentEmail
	seqs []uint64 // sent[i]'s key in the store
	seq  uint64   // the last one given out
}

func newSESService(region string, clock Clock) *sesService {
	return &sesService{region: region, clock: clock}
}

type sesContent struct {
	Data    string `json:"Data"`
	Charset string `json:"Charset"`
}

type sesSendEmailInput struct {
	FromEmailAddress string
	Destination      *struct {
		ToAddresses  []string
		CcAddresses  []string
		BccAddresses []string
	}
	Content *struct {
		Simple *struct {
			Subject *sesContent
			Body    *struct {
				Text *sesContent
				Html *sesContent
			}
		}
		Raw      json.RawMessage
		Template json.RawMessage
	}
	ConfigurationSetName string
}

func (s *sesService) serveSendEmail(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		writeRESTError(w, http.StatusMethodNotAllowed, "BadRequestException", "SendEmail needs POST")
		return
	}
	var in sesSendEmailInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeRESTError(w, http.StatusBadRequest, "BadRequestException", "malformed SendEmail request")
		return
	}
	if in.Content == nil || (in.Content.Simple == nil && (in.Content.Raw != nil || in.Content.Template != nil)) {
		writeRESTError(w, http.StatusBadRequest, "BadRequestException",
			"the local AWS edge supports only Simple e-mail content")
		return
	}
	simple := in.Content.Simple
	if simple == nil || simple.Subject == nil || simple.Body == nil || (simple.Body.Text == nil && simple.Body.Html == nil) {
		writeRESTError(w, http.StatusBadRequest, "BadRequestException", "Simple content needs a Subject and a Text or Html body")
		return
	}
	if in.FromEmailAddress == "" {
		writeRESTError(w, http.StatusBadRequest, "BadRequestException", "FromEmailAddress is required")
		return
	}
	if in.Destination == nil || len(in.Destination.ToAddresses)+len(in.Destination.CcAddresses)+len(in.Destination.BccAddresses) == 0 {
		writeRESTError(w, http.StatusBadRequest, "BadRequestException", "Destination needs at least one address")
		return
	}
	if n := len(in.Destination.ToAddresses) + len(in.Destination.CcAddresses) + len(in.Destination.BccAddresses); n > 50 {
		writeRESTError(w, http.StatusBadRequest, "BadRequestException", "Recipient count exceeds 50")
		return
	}
	for _, a := range slices.Concat(in.Destination.ToAddresses, in.Destination.CcAddresses, in.Destination.BccAddresses, []string{in.FromEmailAddress}) {
		if !plausibleAddress(a) {
			writeRESTError(w, http.StatusBadRequest, "BadRequestException", "Illegal address")
			return
		}
	}
	msg := SentEmail{
		ID:     newID(),
		Region: s.region,
		Source: in.FromEmailAddress,
		Destination: EmailDestination{
			ToAddresses:  nonNil(in.Destination.ToAddresses),
			CcAddresses:  in.Destination.CcAddresses,
			BccAddresses: in.Destination.BccAddresses,
		},
		Subject:              simple.Subject.Data,
		Timestamp:            s.clock.Now().UTC().Format("2006-01-02T15:04:05"),
		ConfigurationSetName: in.ConfigurationSetName,
	}
	if simple.Body.Text != nil {
		msg.Body.TextPart = &simple.Body.Text.Data
	}
	if simple.Body.Html != nil {
		msg.Body.HTMLPart = &simple.Body.Html.Data
	}
	if err := s.capture(msg); err != nil {
		writeRESTError(w, http.StatusInternalServerError, "InternalFailure", err.Error())
		return
	}
	writeJSON(w, "application/json", map[string]string{"MessageId": msg.ID})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// plausibleAddress catches what SES rejects as "Illegal address" without
// pretending to validate deliverability. A display-name form is allowed.
func plausibleAddress(a string) bool {
	if i := strings.LastIndex(a, "<"); i >= 0 && strings.HasSuffix(a, ">") {
		a = a[i+1 : len(a)-1]
	}
	local, domain, ok := strings.Cut(a, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(a, " \t\r\n,;") && !strings.Contains(domain, "@")
}

// serveRetrospection answers GET (optional ?id= and ?email= filters; email
// matches the sender, like LocalStack; ?to= matches a recipient, local mode's
// own, so a client reading one inbox does not read them all) and DELETE
// (optional ?id=).
func (s *sesService) serveRetrospection(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	switch r.Method {
	case http.MethodGet:
		email, to := r.URL.Query().Get("email"), r.URL.Query().Get("to")
		out := []SentEmail{}
		for _, m := range s.Sent() {
			if (id == "" || m.ID == id) && (email == "" || m.Source == email) && (to == "" || slices.Contains(m.Destination.ToAddresses, to)) {
				out = append(out, m)
			}
		}
		writeJSON(w, "application/json", map[string]any{"messages": out})
	case http.MethodDelete:
		if err := s.forget(id); err != nil {
			writeRESTError(w, http.StatusInternalServerError, "InternalFailure", err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeRESTError(w, http.StatusMethodNotAllowed, "BadRequestException", "use GET or DELETE on /_aws/ses")
	}
}

// capture keeps a sent e-mail. The store is written first (without waiting
// for the disk: a captured e-mail lost in a crash is a test's or a
// developer's inconvenience, not a client's data), so a failure leaves
// memory as it was.
func (s *sesService) capture(msg SentEmail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := s.seq + 1
	if s.keep != nil {
		if err := s.keep.write([]keptOp{{key: emailKey(seq), value: msg}}); err != nil {
			return err
		}
	}
	s.seq = seq
	s.sent = append(s.sent, msg)
	s.seqs = append(s.seqs, seq)
	return nil
}

// forget drops the captured e-mail with id, or all of them when id is "".
func (s *sesService) forget(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	s.sent, s.seqs, err = forgetCaptured(s.keep, s.sent, s.seqs, id == "", func(m SentEmail) bool { return m.ID == id }, sesKey, emailKey)
	return err
}

// Sent returns a copy of the captured e-mails, oldest first.
func (s *sesService) Sent() []SentEmail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentEmails returns the e-mails captured so far, oldest first.
func (e *Edge) SentEmails() []SentEmail { return e.ses.Sent() }
