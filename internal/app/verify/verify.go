// Package verify proves a citizen can read the phone or e-mail address they
// give before anything is sent to it (API.md v1.1 POST /v1/verifications): a
// six-digit code goes there, and a ticket naming that contact carries the
// code back. Without it anyone could make the platform text or mail any
// number or address.
package verify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"time"

	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/notice"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/contact"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

const (
	// Lifetime is how long a code may be used: long enough to write a ticket.
	Lifetime = 30 * time.Minute
	// MaxFailures wrong codes kill a verification: a million codes cannot be
	// guessed five at a time.
	MaxFailures = 5
)

// Service sends and checks codes.
type Service struct {
	Store  ports.Verifications
	Guard  *limits.Guard
	Mailer ports.Mailer
	Texter ports.Texter // nil when SMS is switched off
	// Key keys the code hashes; Blind gives the blind index of a phone
	// number (channel "sms") or an e-mail address ("email").
	Key    []byte
	Blind  func(channel, value string) string
	Now    func() time.Time
	Random io.Reader
}

// Request is the body of POST /v1/verifications.
type Request struct {
	Phone    string          `json:"phone"`
	Email    string          `json:"email"`
	Language ticket.Language `json:"language"`
}

// Sent is the answer: the id to file the ticket with, and until when.
type Sent struct {
	VerificationID string    `json:"verificationId"`
	ExpiresAt      time.Time `json:"expiresAt"`
}

// maxRequestBytes bounds a request body: an address and a language.
const maxRequestBytes = 1 << 10

// ParseRequest reads and checks a request body.
func ParseRequest(body []byte) (Request, error) {
	var r Request
	if err := ticket.DecodeStrict(body, maxRequestBytes, &r); err != nil {
		return Request{}, err
	}
	if r.Language == "" {
		r.Language = ticket.LanguageZH
	}
	fields := map[string]string{}
	switch {
	case (r.Phone == "") == (r.Email == ""):
		fields["phone"] = "give a mobile number or an e-mail address, one of them"
	case r.Phone != "" && contact.MobileE164(r.Phone) == "":
		fields["phone"] = "must be a mainland mobile number: codes go by SMS"
	case r.Email != "":
		if _, ok := contact.Email(r.Email); !ok {
			fields["email"] = "must be an e-mail address"
		}
	}
	if !r.Language.Valid() {
		fields["language"] = "zh or en"
	}
	if len(fields) > 0 {
		return Request{}, httpapi.BadRequest("invalid verification request", fields)
	}
	return r, nil
}

// Send sends a code to the request's phone or address, within the limits of
// the client and of the recipient.
func (s *Service) Send(ctx context.Context, r Request, client string, log *slog.Logger) (Sent, error) {
	channel, address, typed := ticket.NoticeEmail, r.Email, r.Email
	if r.Phone != "" {
		typed = r.Phone
		channel, address = ticket.NoticeSMS, contact.MobileE164(r.Phone)
		if s.Texter == nil {
			return Sent{}, httpapi.BadRequest("SMS is switched off here: verify an e-mail address", map[string]string{"phone": "SMS is not available; use an e-mail address"})
		}
	} else {
		address, _ = contact.Email(address)
	}
	if err := s.Guard.Take(ctx, limits.RuleVerify, client, "verification codes from this client"); err != nil {
		return Sent{}, err
	}
	recipient := s.Guard.Subject("recipient:"+channel, address)
	if err := s.Guard.Take(ctx, limits.RuleVerifyRecipient, recipient, "verification codes to this recipient"); err != nil {
		return Sent{}, err
	}
	if err := s.Guard.Take(ctx, limits.RuleVerifyRecipientDay, recipient, "verification codes to this recipient today"); err != nil {
		return Sent{}, err
	}
	id, code, err := s.newCode()
	if err != nil {
		return Sent{}, err
	}
	now := ticket.Stamp(s.Now()).Truncate(time.Second)
	v := ports.Verification{
		ID: id, Channel: channel, Recipient: s.Blind(channel, typed),
		CodeHash: s.hash(id, code), ExpiresAt: now.Add(Lifetime),
	}
	if err := s.Store.PutVerification(ctx, v); err != nil {
		return Sent{}, fmt.Errorf("save verification: %w", err)
	}
	msg := notice.VerificationCode(code, int(Lifetime/time.Minute), r.Language)
	if channel == ticket.NoticeSMS {
		_, err = s.Texter.Send(ctx, address, msg.SMS)
	} else {
		_, err = s.Mailer.Send(ctx, ports.Email{To: address, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML})
	}
	var capped *ports.MessageCapError
	switch {
	case errors.As(err, &capped):
		return Sent{}, &ports.RateLimitedError{What: "messages to this recipient today", RetryAfter: 24 * time.Hour}
	case err != nil:
		return Sent{}, fmt.Errorf("send verification code by %s: %w", channel, err)
	}
	log.InfoContext(ctx, "verification code sent", "verification_id", id, "channel", channel)
	return Sent{VerificationID: id, ExpiresAt: v.ExpiresAt}, nil
}

// idEncoding spells verification ids: lower-case, no padding.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newCode draws an id and a uniformly random six-digit code.
func (s *Service) newCode() (id, code string, err error) {
	raw := make([]byte, 15)
	if _, err := io.ReadFull(s.Random, raw); err != nil {
		return "", "", fmt.Errorf("verification id: %w", err)
	}
	n, err := rand.Int(s.Random, big.NewInt(1_000_000))
	if err != nil {
		return "", "", fmt.Errorf("verification code: %w", err)
	}
	return "v" + idEncoding.EncodeToString(raw), fmt.Sprintf("%06d", n.Int64()), nil
}

func (s *Service) hash(id, code string) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// Check verifies the proof for one of the contact's phone or e-mail address
// and answers the channel it proves ("sms" or "email"): messages about the
// ticket go there only. Anything wrong is the same verification_required
// answer; a wrong code counts toward the verification's death.
func (s *Service) Check(ctx context.Context, p *ticket.VerificationProof, c ticket.Contact) (string, error) {
	v, err := s.proven(ctx, p)
	if err != nil {
		return "", err
	}
	var want string
	switch v.Channel {
	case ticket.NoticeSMS:
		if contact.MobileE164(c.Phone) != "" {
			want = s.Blind(ticket.NoticeSMS, c.Phone)
		}
	case ticket.NoticeEmail:
		if c.Email != "" {
			want = s.Blind(ticket.NoticeEmail, c.Email)
		}
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(v.Recipient)) != 1 {
		return "", httpapi.VerificationRequired("the verification is for another phone or address than the contact's")
	}
	return v.Channel, nil
}

// CheckCode verifies a proof with no contact to compare it with (an upload
// for a ticket about to be filed) and answers the verification's id.
func (s *Service) CheckCode(ctx context.Context, p *ticket.VerificationProof) (string, error) {
	v, err := s.proven(ctx, p)
	if err != nil {
		return "", err
	}
	return v.ID, nil
}

// proven reads the verification p names if p's code is its code.
func (s *Service) proven(ctx context.Context, p *ticket.VerificationProof) (ports.Verification, error) {
	refused := httpapi.VerificationRequired("verify the phone or e-mail address first (POST /v1/verifications) and send {\"verification\": {\"id\", \"code\"}}")
	if p == nil || p.ID == "" || len(p.ID) > 64 || len(p.Code) != 6 {
		return ports.Verification{}, refused
	}
	v, err := s.Store.GetVerification(ctx, p.ID, s.Now())
	var missing *ports.NotFoundError
	switch {
	case errors.As(err, &missing):
		return ports.Verification{}, refused
	case err != nil:
		return ports.Verification{}, fmt.Errorf("read verification: %w", err)
	}
	if v.Failures >= MaxFailures {
		return ports.Verification{}, refused
	}
	if subtle.ConstantTimeCompare([]byte(s.hash(v.ID, p.Code)), []byte(v.CodeHash)) != 1 {
		if _, err := s.Store.FailVerification(ctx, v.ID, MaxFailures); err != nil {
			return ports.Verification{}, err
		}
		return ports.Verification{}, refused
	}
	return v, nil
}
