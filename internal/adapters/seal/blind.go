package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"github.com/hotline12345/hotline/internal/domain/contact"
)

// minBlindKey is the shortest HMAC key accepted; HMAC-SHA256 gains nothing
// from more than 64 bytes but must not be guessable.
const minBlindKey = 32

// Blinder computes deterministic look-up tokens (blind indexes) of contact
// data with HMAC-SHA256 under a secret key, so equal phone numbers or e-mails
// give equal tokens while the token alone reveals neither.
type Blinder struct {
	key []byte
}

// NewBlinder builds a Blinder from a key of at least 32 bytes. Use a key
// different from the sealing key.
func NewBlinder(key []byte) (*Blinder, error) {
	if len(key) < minBlindKey {
		return nil, &KeyError{What: "blinding key", Got: len(key), Want: "at least 32 bytes"}
	}
	return &Blinder{key: append([]byte(nil), key...)}, nil
}

// NewBlinderBase64 builds a Blinder from a base64 key of at least 32 bytes.
func NewBlinderBase64(s string) (*Blinder, error) {
	key, err := decodeKey(s)
	if err != nil {
		return nil, &KeyError{What: "blinding key", Got: -1, Want: "base64 of at least 32 bytes"}
	}
	return NewBlinder(key)
}

// Phone returns the token of a phone number in contact.Phone's canonical form,
// so every way of typing one number gives one token; "" if it is blank. A value
// that is not a phone number is tokenised as typed, less the formatting around
// it: it still finds itself, and only itself.
func (b *Blinder) Phone(phone string) string {
	p, ok := contact.Phone(phone)
	if !ok {
		p = strings.TrimFunc(phone, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	return b.token("phone", p)
}

// Email returns the token of an e-mail address in contact.Email's form, or ""
// if it is blank.
func (b *Blinder) Email(email string) string {
	e, ok := contact.Email(email)
	if !ok {
		e = strings.ToLower(strings.TrimSpace(email))
	}
	return b.token("email", e)
}

// Subkey derives a key for another purpose (e.g. "access-code") from the
// blinding key, so one configured secret serves several look-up hashes that
// can never collide with each other.
func (b *Blinder) Subkey(purpose string) []byte {
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte("subkey"))
	m.Write([]byte{0})
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// token separates the kinds so a phone and an e-mail can never share a token.
func (b *Blinder) token(kind, v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}
