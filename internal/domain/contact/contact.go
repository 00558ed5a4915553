// Package contact is the one normaliser of citizens' phone numbers and e-mail
// addresses. Intake stores contacts in this form and the blind index hashes
// this form, so every way of typing one number finds the same ticket, the same
// duplicate and the same block-list entry.
package contact

import (
	"net/mail"
	"strings"
	"unicode"
)

// MaxEmailBytes is the longest e-mail address accepted (RFC 5321's path limit).
const MaxEmailBytes = 254

// Phone returns the canonical form of a mainland phone number and whether it is
// one: 11 digits for a mobile (1[3-9]…), 0 + area code + local number for a
// landline (010 62345678 → 01062345678). It accepts what people type: spaces,
// hyphens and dashes, dots, parentheses, full-width digits and signs from
// Chinese input methods, and the country code as +86, 0086, or 86 before a
// mobile number; the trunk 0 a landline drops after the country code comes
// back (+86 10 62345678 is 010 62345678).
func Phone(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		r = halfWidth(r)
		switch {
		case unicode.IsSpace(r) || isDash(r) || r == '.' || r == '(' || r == ')':
		case r == '+' && b.Len() == 0:
			b.WriteByte('+')
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	d := b.String()
	intl := false
	if rest, ok := strings.CutPrefix(d, "+86"); ok {
		d, intl = rest, true
	} else if rest, ok := strings.CutPrefix(d, "0086"); ok {
		d, intl = rest, true
	} else if len(d) == 13 && strings.HasPrefix(d, "861") {
		d, intl = d[2:], true
	}
	if strings.ContainsRune(d, '+') {
		return "", false
	}
	if isMobile(d) {
		return d, true
	}
	if intl && d != "" && d[0] != '0' {
		d = "0" + d
	}
	// Landline: area codes are 3 digits starting 01/02 (010, 021…) or
	// 4 digits otherwise (0755…); local numbers are 7 or 8 digits, not 0/1-led.
	if len(d) < 10 || len(d) > 12 || d[0] != '0' || d[1] == '0' {
		return "", false
	}
	area := 4
	if d[1] == '1' || d[1] == '2' {
		area = 3
	}
	local := d[area:]
	if len(local) < 7 || len(local) > 8 || local[0] == '0' || local[0] == '1' {
		return "", false
	}
	return d, true
}

// MobileE164 returns a mainland mobile number in E.164 form (+8613800138000),
// or "" for anything that cannot receive an SMS (landlines, invalid numbers).
func MobileE164(s string) string {
	p, ok := Phone(s)
	if !ok || !isMobile(p) {
		return ""
	}
	return "+86" + p
}

// Email returns the lower-cased bare address and whether s is a plausible
// deliverable e-mail address (ASCII, net/mail syntax, a dotted domain, no
// display name). Surrounding space is ignored.
func Email(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmailBytes {
		return "", false
	}
	// The address goes into a mail header; SES takes ASCII addresses only
	// (an internationalised address would fail every notice later).
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return "", false
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	dom := s[at+1:]
	if at <= 0 || !strings.Contains(dom, ".") || strings.HasPrefix(dom, ".") ||
		strings.HasSuffix(dom, ".") || strings.Contains(dom, "..") || strings.ContainsAny(dom, "[]") {
		return "", false
	}
	return strings.ToLower(s), true
}

func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

// halfWidth maps the full-width forms (U+FF01…U+FF5E, e.g. １ ＋ （) and the
// ideographic space to their ASCII forms.
func halfWidth(r rune) rune {
	switch {
	case r >= '\uff01' && r <= '\uff5e':
		return r - 0xfee0
	case r == '\u3000':
		return ' '
	}
	return r
}

func isDash(r rune) bool {
	return r == '-' || (r >= '\u2010' && r <= '\u2015') || r == '\u2212'
}
