// Package text is the one rule for free text people type into the hotline:
// how long it may be and which characters it may carry. Every field a citizen
// or a member of staff writes goes through it, so a character refused in one
// field is refused in all of them.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Refused returns the first character free text may not carry, and false when
// there is none. Refused are invalid UTF-8, control characters (C0, DEL, C1)
// other than tab and the line breaks \n and \r in multiline text, the line and
// paragraph separators U+2028/U+2029 (they break JavaScript and log lines),
// and format characters (Unicode Cf: bidirectional overrides such as U+202E
// that make a text read differently than it is stored, zero-width spaces, the
// byte-order mark) — except the zero-width joiner U+200D, which emoji
// sequences need.
func Refused(s string, multiline bool) (rune, bool) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !validAt(s, i):
			return r, true
		case r == '\t' || r == '\n' || r == '\r':
			if !multiline {
				return r, true
			}
		case r == '\u200d':
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', unicode.Is(unicode.Cf, r):
			return r, true
		}
	}
	return 0, false
}

func validAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 3 // U+FFFD itself, written out, is three bytes
}

// Field is what a free-text field allows: its length in characters after
// surrounding space is trimmed, and whether it may span lines.
type Field struct {
	Min, Max  int
	Multiline bool
}

// Check trims s and checks it against the field. It returns the text as kept,
// and a message for the field ("" when the text is fine). An empty text with
// Min 0 is fine.
func (f Field) Check(s string) (string, string) {
	t := strings.TrimSpace(s)
	n := utf8.RuneCountInString(t)
	switch {
	case n == 0 && f.Min > 0:
		return t, "required"
	case n < f.Min || n > f.Max:
		if f.Min <= 1 {
			return t, fmt.Sprintf("at most %d characters", f.Max)
		}
		return t, fmt.Sprintf("%d to %d characters", f.Min, f.Max)
	}
	if r, bad := Refused(t, f.Multiline); bad {
		return t, "must not contain control or format characters (" + Describe(r) + ")"
	}
	return t, ""
}

// Describe names a character for an error message, e.g. U+202E.
func Describe(r rune) string {
	return fmt.Sprintf("U+%04X", r)
}
