package ticket

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewID(t *testing.T) {
	// 17:00 UTC on 1 March is already 2 March in China.
	now := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)
	id, err := NewID(now, bytes.NewReader([]byte{0, 31, 32, 33, 255, 10}))
	if err != nil {
		t.Fatal(err)
	}
	if want := "260302" + "0Z01ZA"; id != want {
		t.Errorf("NewID = %q, want %q", id, want)
	}
	if !ValidID(id) {
		t.Errorf("ValidID(%q) = false", id)
	}

	_, err = NewID(now, bytes.NewReader([]byte{1, 2}))
	var re *RandomError
	if !errors.As(err, &re) {
		t.Errorf("short randomness: err %v", err)
	}

	seen := map[byte]bool{}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	r := bytes.NewReader(all)
	for range 256 / 6 {
		id, err := NewID(now, r)
		if err != nil {
			t.Fatal(err)
		}
		for i := 6; i < len(id); i++ {
			seen[id[i]] = true
		}
	}
	if len(seen) != 32 {
		t.Errorf("only %d of 32 characters used", len(seen))
	}

	id, err = NewID(now, rand.Reader)
	if err != nil || !ValidID(id) {
		t.Errorf("crypto/rand id %q, %v", id, err)
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"2603027KQ2XD", true},
		{"261231ZZZZZZ", true},
		{"2603027kq2xd", false}, // not canonical
		{"2603027KQ2XO", false}, // O is not Crockford
		{"2603027KQ2XI", false},
		{"2613017KQ2XD", false}, // month 13
		{"2602307KQ2XD", false}, // 30 February
		{"2603027KQ2X", false},
		{"2603027KQ2XDD", false},
		{"", false},
		{"../../etc/pa", false},
		{"260302-7KQ2X", false},
	}
	for _, tc := range tests {
		if got := ValidID(tc.id); got != tc.ok {
			t.Errorf("ValidID(%q) = %v", tc.id, got)
		}
	}
	if got := NormalizeID("260302-7kq2xo"); got != "2603027KQ2X0" || !ValidID(got) {
		t.Errorf("NormalizeID = %q", got)
	}
}

func TestAccessCode(t *testing.T) {
	code, err := NewAccessCode(bytes.NewReader([]byte{0, 1, 2, 3, 28, 29, 30, 31}))
	if err != nil {
		t.Fatal(err)
	}
	if code != "0123WXYZ" {
		t.Errorf("code %q", code)
	}
	if FormatAccessCode(code) != "0123-WXYZ" {
		t.Errorf("FormatAccessCode = %q", FormatAccessCode(code))
	}
	if _, err := NewAccessCode(bytes.NewReader(nil)); err == nil {
		t.Error("no randomness: no error")
	}

	code, err = NewAccessCode(rand.Reader)
	if err != nil || len(code) != AccessCodeLength || !isCrockford(code) {
		t.Fatalf("code %q, %v", code, err)
	}

	const id = "2603027KQ2XD"
	h := HashAccessCode(testKey, id, "7KQ2XD9M")
	if len(h) != 64 || strings.Contains(h, "7KQ2XD9M") {
		t.Errorf("hash %q", h)
	}
	tests := []struct {
		id, code string
		ok       bool
	}{
		{id, "7KQ2XD9M", true},
		{id, "7kq2-xd9m", true},
		{id, " 7KQ2 XD9M ", true},
		{id, "7KQ2XD9N", false},
		{id, "7KQ2XD9", false},
		{id, "", false},
		{"2603027KQ2XE", "7KQ2XD9M", false}, // code of another ticket
	}
	for _, tc := range tests {
		if got := CheckAccessCode(testKey, tc.id, tc.code, h); got != tc.ok {
			t.Errorf("CheckAccessCode(%q, %q) = %v", tc.id, tc.code, got)
		}
	}
	// Crockford look-alikes read over the phone match.
	h0 := HashAccessCode(testKey, id, "A0B1C1D1")
	if !CheckAccessCode(testKey, id, "AoBiClDL", h0) {
		t.Error("O/I/L not normalised")
	}
	if CheckAccessCode(testKey, id, "7KQ2XD9M", "") {
		t.Error("empty hash matched")
	}
}

func FuzzValidID(f *testing.F) {
	f.Add("2603027KQ2XD")
	f.Add("260230AAAAAA")
	f.Add("2603027kq2xo")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidID(s) {
			if NormalizeID(s) != s {
				t.Fatalf("valid id %q not canonical", s)
			}
			if _, err := time.Parse("060102", s[:6]); err != nil {
				t.Fatalf("valid id %q has a bad date", s)
			}
		}
		if !CheckAccessCode(testKey, s, s, HashAccessCode(testKey, s, s)) {
			t.Fatalf("code does not match its own hash")
		}
	})
}

var testKey = []byte("access-code-test-key-of-32-bytes")

func TestAccessCodeHashNeedsTheKey(t *testing.T) {
	h := HashAccessCode(testKey, "261127ABCDEF", "7KQ2XD9M")
	if CheckAccessCode([]byte("another-key-of-at-least-32-bytes"), "261127ABCDEF", "7KQ2XD9M", h) {
		t.Fatal("a hash made with one key matched under another")
	}
}
