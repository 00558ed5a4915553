package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
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

// Phone returns the token of a phone number, or "" if nothing is left after
// normalization.
func (b *Blinder) Phone(phone string) string {
	return b.token("phone", NormalizePhone(phone))
}

// Email returns the token of an e-mail address, or "" if it is blank.
func (b *Blinder) Email(email string) string {
	return b.token("email", NormalizeEmail(email))
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

// NormalizePhone removes the formatting people type (spaces, dashes, dots,
// parentheses) and the mainland country code (+86, 0086, or 86 before an
// 11-digit mobile number), so "+86 138-0013-8000" and "13800138000" match.
func NormalizePhone(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '-', r == '.', r == '(', r == ')',
			r == '\u2010', r == '\u2011', r == '\u2012', r == '\u2013', r == '\u2014', r == '\uff0d':
			continue
		case r >= '０' && r <= '９': // full-width digits from Chinese input methods
			sb.WriteRune('0' + (r - '０'))
		case r == '＋':
			sb.WriteRune('+')
		default:
			sb.WriteRune(r)
		}
	}
	p := sb.String()
	switch {
	case strings.HasPrefix(p, "+86"):
		p = p[3:]
	case strings.HasPrefix(p, "0086"):
		p = p[4:]
	case len(p) == 13 && strings.HasPrefix(p, "861"):
		p = p[2:]
	}
	return p
}

// NormalizeEmail trims and lowercases an e-mail address.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
