package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		s         string
		multiline bool
		bad       bool
	}{
		{"小区门口的路灯坏了", false, false},
		{"第一行\n第二行\r\n\t缩进", true, false},
		{"第一行\n第二行", false, true},
		{"👨\u200d👩\u200d👧 一家人", false, false}, // emoji joined by ZWJ
		{"字符\ufffd本身", false, false},          // U+FFFD written out is a character
		{"a\x00b", true, true},
		{"\x1b[31mred", true, true},
		{"abc\u202edcba", true, true},
		{"a\u2028b", true, true},
		{"a\u200bb", true, true},
		{"\ufeffa", true, true},
		{"a\u0085b", true, true},
		{"a" + string([]byte{0xc3}) + "b", true, true},
	} {
		if _, bad := Refused(tc.s, tc.multiline); bad != tc.bad {
			t.Errorf("Refused(%q, %v) = %v, want %v", tc.s, tc.multiline, bad, tc.bad)
		}
	}
}

func TestFieldCheck(t *testing.T) {
	f := Field{Min: 2, Max: 5, Multiline: true}
	for _, tc := range []struct {
		in, kept string
		ok       bool
	}{
		{"  你好 ", "你好", true},
		{"", "", false},
		{"好", "好", false},
		{"一二三四五六", "一二三四五六", false},
		{"一\x00二", "一\x00二", false},
	} {
		kept, msg := f.Check(tc.in)
		if kept != tc.kept || (msg == "") != tc.ok {
			t.Errorf("Check(%q) = %q, %q", tc.in, kept, msg)
		}
	}
	if _, msg := (Field{Max: 3}).Check(""); msg != "" {
		t.Errorf("an optional field refused empty text: %s", msg)
	}
}

// Whatever passes is valid UTF-8 within its length, with no character a
// terminal, a log line or a bidirectional renderer would read differently.
func FuzzFieldCheck(f *testing.F) {
	for _, s := range []string{"你好", "a\x00b", "\u202e", "line\nline", "\xff"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		field := Field{Min: 1, Max: 50, Multiline: multiline}
		kept, msg := field.Check(s)
		if msg != "" {
			return
		}
		if !utf8.ValidString(kept) || kept != strings.TrimSpace(kept) {
			t.Fatalf("kept %q", kept)
		}
		if n := utf8.RuneCountInString(kept); n < 1 || n > 50 {
			t.Fatalf("kept %d characters", n)
		}
		for _, r := range kept {
			if (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') || (unicode.Is(unicode.Cf, r) && r != '\u200d') || r == '\u2028' || r == '\u2029' {
				t.Fatalf("kept %q with %U", kept, r)
			}
			if !multiline && (r == '\n' || r == '\r') {
				t.Fatalf("a single-line field kept %q", kept)
			}
		}
	})
}
