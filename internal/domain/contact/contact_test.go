package contact

import (
	"strings"
	"testing"
)

func TestPhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"13800138000", "13800138000", true},
		{"138 0013 8000", "13800138000", true},
		{"138.0013.8000", "13800138000", true},
		{"+86 138 0013 8000", "13800138000", true},
		{"+86-13800138000", "13800138000", true},
		{"0086-13800138000", "13800138000", true},
		{"8613800138000", "13800138000", true},
		{"19912345678", "19912345678", true},
		// Full-width digits and signs from Chinese input methods.
		{"１３８００１３８０００", "13800138000", true},
		{"＋８６　１３８－００１３－８０００", "13800138000", true},
		{"（０１０）６２３４５６７８", "01062345678", true},
		// One landline, every way it is typed.
		{"010 62345678", "01062345678", true},
		{"010-62345678", "01062345678", true},
		{"(010) 6234 5678", "01062345678", true},
		{"+86 10 62345678", "01062345678", true},
		{"+86 (10) 6234-5678", "01062345678", true},
		{"0086 10 62345678", "01062345678", true},
		{"00861062345678", "01062345678", true},
		{"+86 010 62345678", "01062345678", true},
		{"021-5555666", "0215555666", true},
		{"0755—88889999", "075588889999", true},
		{"+86 755 88889999", "075588889999", true},
		// Not phone numbers.
		{"12812345678", "", false}, // 12x is not a mobile prefix
		{"1380013800", "", false},
		{"138001380001", "", false},
		{"010-02345678", "", false}, // local numbers never start with 0
		{"0755-123456", "", false},  // too short
		{"12345678", "", false},     // no area code
		{"86123", "", false},
		{"+1 415 555 0100", "", false},
		{"138-0013-800x", "", false},
		{"1380013+8000", "", false},
		{"++8613800138000", "", false},
		{"", "", false},
		{"   ", "", false},
	}
	for _, tc := range tests {
		got, ok := Phone(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Phone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMobileE164(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":       "+8613800138000",
		"+86 138 0013 8000": "+8613800138000",
		"１３８００１３８０００":       "+8613800138000",
		"010 62345678":      "", // a landline cannot receive SMS
		"+86 10 62345678":   "",
		"not a number":      "",
	} {
		if got := MobileE164(in); got != want {
			t.Errorf("MobileE164(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"A.Zhang@Example.COM", "a.zhang@example.com", true},
		{"  a@example.com \n", "a@example.com", true},
		{"a+tag@mail.example.cn", "a+tag@mail.example.cn", true},
		{"a@example", "", false},
		{"a@example.", "", false},
		{"@example.com", "", false},
		{"a@@example.com", "", false},
		{"a b@example.com", "", false},
		{"<a@example.com>", "", false},
		{"Zhang <a@example.com>", "", false},
		{"a@[127.0.0.1]", "", false},
		{"张三@example.com", "", false}, // SES sends to ASCII addresses only
		{"zhang@例子.中国", "", false},
		{"a\r\nBcc:b@example.com", "", false},
		{strings.Repeat("a", 250) + "@x.cn", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := Email(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Email(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// A canonical form is a fixed point: normalising it again changes nothing, so
// a stored contact and a typed one always meet in one blind index.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"13800138000", "+86 10 62345678", "（０１０）６２３４５６７８", "0086 755 88889999", "8613800138000", "+", "０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := Phone(s)
		if !ok {
			if p != "" {
				t.Fatalf("Phone(%q) = %q with ok false", s, p)
			}
			return
		}
		if q, ok := Phone(p); !ok || q != p {
			t.Fatalf("Phone(%q) = %q, but Phone(%q) = %q, %v", s, p, p, q, ok)
		}
		if strings.Trim(p, "0123456789") != "" || len(p) < 10 || len(p) > 12 {
			t.Fatalf("Phone(%q) = %q: not 10–12 digits", s, p)
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"a@example.com", " A@B.CN ", "<a@b.c>", "a@@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, ok := Email(s)
		if !ok {
			return
		}
		if q, ok := Email(e); !ok || q != e {
			t.Fatalf("Email(%q) = %q, but Email(%q) = %q, %v", s, e, e, q, ok)
		}
	})
}
