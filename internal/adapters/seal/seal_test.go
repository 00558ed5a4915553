package seal

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func newSealer(t *testing.T, b byte) *LocalSealer {
	t.Helper()
	s, err := NewLocalSealer(testKey(b))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, 1)
	for _, pt := range [][]byte{nil, []byte("x"), []byte(`{"name":"张三","phone":"13800138000"}`), bytes.Repeat([]byte("a"), 5000)} {
		sealed, err := s.Seal(ctx, pt, []byte("T1"))
		if err != nil {
			t.Fatal(err)
		}
		// A one-byte plaintext appears in random ciphertext by chance; only
		// a plaintext long enough not to collide proves anything.
		if len(pt) >= 8 && bytes.Contains(sealed, pt) {
			t.Fatal("sealed value contains the plaintext")
		}
		if sealed[0] != VersionLocal {
			t.Fatalf("version byte %d", sealed[0])
		}
		got, err := s.Open(ctx, sealed, []byte("T1"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("got %q want %q", got, pt)
		}
	}
}

func TestSealUsesFreshNonce(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, 1)
	a, _ := s.Seal(ctx, []byte("same"), nil)
	b, _ := s.Seal(ctx, []byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical")
	}
}

func TestTamperDetected(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, 1)
	sealed, err := s.Seal(ctx, []byte("13800138000"), []byte("T1"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := s.Open(ctx, bad, []byte("T1")); err == nil {
			t.Fatalf("flipping byte %d was not detected", i)
		}
	}
	if _, err := s.Open(ctx, sealed[:len(sealed)-1], []byte("T1")); err == nil {
		t.Fatal("truncation was not detected")
	}
	if _, err := s.Open(ctx, append(bytes.Clone(sealed), 0), []byte("T1")); !errors.Is(err, ErrAuth) {
		t.Fatalf("extension: got %v, want ErrAuth", err)
	}
}

func TestWrongAADFails(t *testing.T) {
	ctx := context.Background()
	s := newSealer(t, 1)
	sealed, _ := s.Seal(ctx, []byte("secret"), []byte("T1"))
	for _, aad := range [][]byte{[]byte("T2"), nil, []byte("T1 "), []byte("t1")} {
		if _, err := s.Open(ctx, sealed, aad); !errors.Is(err, ErrAuth) {
			t.Fatalf("aad %q: got %v, want ErrAuth", aad, err)
		}
	}
}

func TestWrongKey(t *testing.T) {
	ctx := context.Background()
	sealed, _ := newSealer(t, 1).Seal(ctx, []byte("secret"), nil)
	if _, err := newSealer(t, 2).Open(ctx, sealed, nil); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("got %v, want ErrUnknownKey", err)
	}
}

func TestMalformed(t *testing.T) {
	s := newSealer(t, 1)
	for _, in := range [][]byte{nil, {}, {VersionLocal}, {9, 1, 2, 3}, bytes.Repeat([]byte{VersionLocal}, localHdrSize+tagSize-1)} {
		if _, err := s.Open(context.Background(), in, nil); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%x: got %v, want ErrMalformed", in, err)
		}
	}
}

func TestKeyConstructors(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(testKey(7))
	for _, k := range []string{good, strings.TrimRight(good, "="), base64.URLEncoding.EncodeToString(testKey(7)), " " + good + "\n"} {
		if _, err := NewLocalSealerBase64(k); err != nil {
			t.Fatalf("%q: %v", k, err)
		}
	}
	// A key given as base64 opens what the raw key sealed.
	a, _ := NewLocalSealerBase64(good)
	sealed, _ := newSealer(t, 7).Seal(context.Background(), []byte("x"), nil)
	if _, err := a.Open(context.Background(), sealed, nil); err != nil {
		t.Fatal(err)
	}

	var ke *KeyError
	_, err := NewLocalSealerBase64(base64.StdEncoding.EncodeToString(testKey(7)[:16]))
	if !errors.As(err, &ke) || ke.Got != 16 || !strings.Contains(err.Error(), "16 bytes") {
		t.Fatalf("short key: %v", err)
	}
	_, err = NewLocalSealerBase64("not base64 !!")
	if !errors.As(err, &ke) || ke.Got != -1 {
		t.Fatalf("bad base64: %v", err)
	}
	if strings.Contains(err.Error(), "not base64 !!") {
		t.Fatal("error message echoes the key material")
	}
	if _, err := NewLocalSealer(make([]byte, 31)); !errors.As(err, &ke) {
		t.Fatalf("31 bytes: %v", err)
	}
	if _, err := NewBlinder(make([]byte, 16)); !errors.As(err, &ke) {
		t.Fatalf("short blinding key: %v", err)
	}
	if _, err := NewBlinderBase64(base64.StdEncoding.EncodeToString(testKey(3))); err != nil {
		t.Fatal(err)
	}
}

// One person, typed many ways, is one blind index: a blocked caller cannot get
// through by writing the country code, and a duplicate is found however the
// number was written the first time.
func TestBlindIndexOfOneContactTypedManyWays(t *testing.T) {
	b, err := NewBlinder(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, same := range [][]string{
		{"010 62345678", "+86 10 62345678", "0086 10 6234 5678", "(010) 6234-5678", "+86 010 62345678", "（０１０）６２３４５６７８"},
		{"13800138000", "+86 138 0013 8000", "0086-13800138000", "8613800138000", "１３８００１３８０００", "＋８６　１３８－００１３－８０００"},
	} {
		want := b.Phone(same[0])
		for _, v := range same[1:] {
			if got := b.Phone(v); got != want {
				t.Errorf("Phone(%q) differs from Phone(%q)", v, same[0])
			}
		}
	}
	if b.Phone("010 62345678") == b.Phone("010 62345679") {
		t.Error("two landlines share a blind index")
	}
}

func TestBlinder(t *testing.T) {
	b, err := NewBlinder(testKey(5))
	if err != nil {
		t.Fatal(err)
	}
	p := b.Phone("13800138000")
	if p == "" || strings.Contains(p, "13800138000") || len(p) != 64 {
		t.Fatalf("phone token %q", p)
	}
	if b.Phone("+86 138-0013-8000") != p {
		t.Fatal("formatted number gives a different token")
	}
	if b.Phone("13800138001") == p {
		t.Fatal("different numbers give the same token")
	}
	if b.Email(" A@Example.com") != b.Email("a@example.com") {
		t.Fatal("e-mail case changes the token")
	}
	if b.Email("13800138000") == p {
		t.Fatal("phone and e-mail tokens are not separated")
	}
	if b.Phone(" - ") != "" || b.Email("") != "" {
		t.Fatal("blank input gives a token")
	}
	other, _ := NewBlinder(testKey(6))
	if other.Phone("13800138000") == p {
		t.Fatal("token does not depend on the key")
	}
}

func FuzzOpen(f *testing.F) {
	s, err := NewLocalSealer(testKey(1))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := s.Seal(context.Background(), []byte("13800138000"), []byte("T1"))
	f.Add(good, []byte("T1"))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{VersionLocal, 0, 0}, []byte("T1"))
	f.Add([]byte{2, 1, 2, 3, 4}, []byte(nil))
	f.Fuzz(func(t *testing.T, sealed, aad []byte) {
		pt, err := s.Open(context.Background(), sealed, aad)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrAuth) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("untyped error %v", err)
			}
			if _, perr := ParseEnvelope(sealed); perr == nil && errors.Is(err, ErrMalformed) {
				t.Fatal("Open says malformed but ParseEnvelope accepts it")
			}
			return
		}
		// Only an envelope this key sealed opens (the seed, possibly sealed by
		// another fuzz worker with its own nonce); forging one would need the key.
		if !bytes.Equal(aad, []byte("T1")) || string(pt) != "13800138000" {
			t.Fatalf("forged envelope opened: %x", sealed)
		}
	})
}
