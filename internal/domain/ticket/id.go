package ticket

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"strings"
	"time"
)

// China is the hotline's civil time zone. China has no daylight saving time, so
// a fixed zone needs no tzdata on the Lambda image.
var China = time.FixedZone("CST", 8*3600)

// Stamp is the time a change is recorded at: China time, so every time the
// API and the queue messages show carries the one offset +08:00 (keys and
// sort orders use UTC on their own), to the millisecond, as stored.
func Stamp(now time.Time) time.Time { return now.In(China).Truncate(time.Millisecond) }

// crockford is Crockford's base32 alphabet: no I, L, O or U, so an id read out
// over the phone cannot be misheard as a different one.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// IDLength is the length of a ticket id: yymmdd + 6 random characters.
const IDLength = 12

// AccessCodeLength is the length of a citizen's lookup code.
const AccessCodeLength = 8

// NewID returns a ticket id: the Asia/Shanghai date of now as yymmdd and six
// Crockford base32 characters (30 bits) from r. Ids are not sequential, so they
// reveal nothing about volume. Within one day 10 000 tickets collide with
// probability ~5 %, so the store must create the ticket with a not-exists
// condition and draw a new id on collision.
func NewID(now time.Time, r io.Reader) (string, error) {
	rnd, err := randomCrockford(r, 6)
	if err != nil {
		return "", err
	}
	return now.In(China).Format("060102") + rnd, nil
}

// ValidID reports whether s is a well-formed ticket id in canonical form: a
// real yymmdd date followed by six upper-case Crockford characters. It lets
// handlers reject junk path parameters before touching the store.
func ValidID(s string) bool {
	if len(s) != IDLength {
		return false
	}
	if _, err := time.ParseInLocation("060102", s[:6], China); err != nil {
		return false
	}
	return isCrockford(s[6:])
}

// NormalizeID turns an id as a citizen types or reads it ("260315-7kq2xd",
// "260315 7KQ2XO") into canonical form, applying Crockford's decoding rules
// (O→0, I/L→1). The result still needs ValidID.
func NormalizeID(s string) string { return normalizeCrockford(s) }

// RandomError says the randomness source failed.
type RandomError struct {
	Err error
}

func (e *RandomError) Error() string { return "reading randomness: " + e.Err.Error() }
func (e *RandomError) Unwrap() error { return e.Err }

// NewAccessCode returns an 8-character Crockford base32 code (40 bits) from r.
// The citizen gets it once; only HashAccessCode's output is stored.
func NewAccessCode(r io.Reader) (string, error) {
	return randomCrockford(r, AccessCodeLength)
}

// HashAccessCode returns hex(HMAC-SHA-256(key, ticketID, normalised code)).
// The key is a server secret, so a copy of the table alone does not allow
// guessing the 40-bit codes offline; binding the ticket id makes a code
// worthless for any other ticket. Case, spaces, hyphens and the Crockford
// look-alikes (O, I, L) are normalised first.
func HashAccessCode(key []byte, ticketID, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ticketID))
	m.Write([]byte{0})
	m.Write([]byte(normalizeCrockford(code)))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckAccessCode reports in constant time whether code matches the stored hash.
func CheckAccessCode(key []byte, ticketID, code, hash string) bool {
	got := HashAccessCode(key, ticketID, code)
	return subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToLower(hash))) == 1
}

// FormatAccessCode splits a code for reading aloud: "7KQ2-XD9M".
func FormatAccessCode(code string) string {
	if len(code) != AccessCodeLength {
		return code
	}
	return code[:4] + "-" + code[4:]
}

func randomCrockford(r io.Reader, n int) (string, error) {
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", &RandomError{Err: err}
	}
	// 256 is a multiple of 32: the low five bits of a uniform byte are uniform.
	for i, b := range buf {
		buf[i] = crockford[b&31]
	}
	return string(buf), nil
}

func isCrockford(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(crockford, s[i]) < 0 {
			return false
		}
	}
	return true
}

func normalizeCrockford(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		switch c {
		case ' ', '-':
			continue
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		b.WriteByte(c)
	}
	return b.String()
}
