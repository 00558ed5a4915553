// Package seal protects personal data at rest: a Sealer encrypts small values
// (a citizen's contact) bound to a context (AAD, e.g. the ticket id) and a
// Blinder derives look-up tokens so the same person can be found again without
// storing their phone number or e-mail in plaintext.
package seal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Sealer encrypts and authenticates values. Open must fail unless sealed was
// produced by Seal with the same aad; production uses a KMS data-key sealer,
// local mode the LocalSealer, both speaking the versioned envelope below.
type Sealer interface {
	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
}

// Envelope versions. The first byte of every sealed value names its format so
// a KMS data-key sealer can be added beside the local one and old values stay
// readable after a switch.
const (
	// VersionLocal: version(1) | key id(4) | nonce(12) | AES-256-GCM ciphertext+tag.
	VersionLocal byte = 1
)

const (
	keySize      = 32
	keyIDSize    = 4
	nonceSize    = 12
	tagSize      = 16
	localHdrSize = 1 + keyIDSize + nonceSize
)

// ErrMalformed means the sealed value is not an envelope this package can read
// (truncated, unknown version). It never carries the value itself.
var ErrMalformed = errors.New("seal: malformed envelope")

// ErrUnknownKey means the envelope was sealed under a key this sealer does not hold.
var ErrUnknownKey = errors.New("seal: envelope sealed with an unknown key")

// ErrAuth means the envelope failed authentication: tampered, or opened with a
// different aad than it was sealed with.
var ErrAuth = errors.New("seal: authentication failed")

// KeyError says a key has the wrong size or encoding.
type KeyError struct {
	What string // which key ("sealing key", "blinding key")
	Got  int    // decoded length in bytes, -1 if it was not valid base64
	Want string
}

func (e *KeyError) Error() string {
	if e.Got < 0 {
		return fmt.Sprintf("seal: %s is not valid base64 (want %s)", e.What, e.Want)
	}
	return fmt.Sprintf("seal: %s is %d bytes, want %s", e.What, e.Got, e.Want)
}

// LocalSealer seals with AES-256-GCM under a key held in memory.
type LocalSealer struct {
	aead  cipher.AEAD
	keyID [keyIDSize]byte
}

// NewLocalSealer builds a sealer from a 32-byte key.
func NewLocalSealer(key []byte) (*LocalSealer, error) {
	if len(key) != keySize {
		return nil, &KeyError{What: "sealing key", Got: len(key), Want: "32 bytes"}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: new GCM: %w", err)
	}
	s := &LocalSealer{aead: aead}
	// The key id is a fingerprint, so opening with the wrong key says so
	// instead of looking like tampering; it reveals nothing usable about the key.
	sum := sha256.Sum256(append([]byte("hotline seal key id\x00"), key...))
	copy(s.keyID[:], sum[:keyIDSize])
	return s, nil
}

// NewLocalSealerBase64 builds a sealer from a standard or URL-safe base64 key
// (padded or not) that decodes to 32 bytes.
func NewLocalSealerBase64(s string) (*LocalSealer, error) {
	key, err := decodeKey(s)
	if err != nil {
		return nil, &KeyError{What: "sealing key", Got: -1, Want: "base64 of 32 bytes"}
	}
	if len(key) != keySize {
		return nil, &KeyError{What: "sealing key", Got: len(key), Want: "base64 of 32 bytes"}
	}
	return NewLocalSealer(key)
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// Seal encrypts plaintext bound to aad under a fresh random nonce.
func (s *LocalSealer) Seal(_ context.Context, plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, localHdrSize, localHdrSize+len(plaintext)+tagSize)
	out[0] = VersionLocal
	copy(out[1:], s.keyID[:])
	if _, err := rand.Read(out[1+keyIDSize : localHdrSize]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	nonce := out[1+keyIDSize : localHdrSize]
	return s.aead.Seal(out, nonce, plaintext, additional(out[:localHdrSize], aad)), nil
}

// Open authenticates and decrypts an envelope produced by Seal with the same aad.
func (s *LocalSealer) Open(_ context.Context, sealed, aad []byte) ([]byte, error) {
	env, err := ParseEnvelope(sealed)
	if err != nil {
		return nil, err
	}
	if env.KeyID != s.keyID {
		return nil, ErrUnknownKey
	}
	pt, err := s.aead.Open(nil, env.Nonce, env.Ciphertext, additional(sealed[:localHdrSize], aad))
	if err != nil {
		return nil, ErrAuth
	}
	return pt, nil
}

// additional authenticates the header too, so changing the version or key id
// byte fails like any other tampering. The header is fixed-size, so the
// concatenation is unambiguous.
func additional(header, aad []byte) []byte {
	a := make([]byte, 0, len(header)+len(aad))
	return append(append(a, header...), aad...)
}

// Envelope is a parsed local envelope. The slices alias the input.
type Envelope struct {
	Version    byte
	KeyID      [keyIDSize]byte
	Nonce      []byte
	Ciphertext []byte // includes the GCM tag
}

// ParseEnvelope checks the framing of a sealed value without decrypting it.
func ParseEnvelope(sealed []byte) (Envelope, error) {
	if len(sealed) == 0 {
		return Envelope{}, fmt.Errorf("%w: empty", ErrMalformed)
	}
	switch sealed[0] {
	case VersionLocal:
		if len(sealed) < localHdrSize+tagSize {
			return Envelope{}, fmt.Errorf("%w: %d bytes is too short", ErrMalformed, len(sealed))
		}
		env := Envelope{
			Version:    VersionLocal,
			Nonce:      sealed[1+keyIDSize : localHdrSize],
			Ciphertext: sealed[localHdrSize:],
		}
		copy(env.KeyID[:], sealed[1:1+keyIDSize])
		return env, nil
	default:
		return Envelope{}, fmt.Errorf("%w: unknown version %d", ErrMalformed, sealed[0])
	}
}
