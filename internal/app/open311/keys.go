package open311

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
)

// API keys are config items (kind KeyKind, id the key's name) holding a
// keyed hash of the key and when it was issued; the key itself is shown
// once, to the admin who issues it. A key is "<name>.<secret>": the name
// finds the item in one read, the secret is 256 random bits. Issuing a key
// under an existing name replaces the hash, so the old key stops working.

// KeyKind is the config kind of API keys.
const KeyKind = "apikey"

// secretBytes is the randomness of a key's secret.
const secretBytes = 32

// secretEncoding spells secrets: lower-case base32, no padding, so a key
// survives forms, URLs and shells without escaping.
var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// secretLen is the length of an encoded secret.
var secretLen = secretEncoding.EncodedLen(secretBytes)

// KeyStore keeps config items under optimistic versions.
type KeyStore interface {
	GetConfig(ctx context.Context, kind, id string, out any) (int, error)
	PutConfig(ctx context.Context, kind, id string, value any, expectedVersion int) error
}

// Keys issues and checks API keys.
type Keys struct {
	Store KeyStore
	// Secret keys the hashes (a server secret).
	Secret []byte
	Now    func() time.Time
	Random io.Reader
}

// storedKey is an API key's config item.
type storedKey struct {
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"createdAt"`
}

// Issued is the answer of PUT /v1/admin/api-keys/{name}: the only time the
// key is shown.
type Issued struct {
	Name      string `json:"name"`
	APIKey    string `json:"apiKey"`
	CreatedAt string `json:"createdAt"`
}

// ValidKeyName reports whether s can name a key: a config id like the
// hotline's others (no dot: it ends the name in a key).
func ValidKeyName(s string) bool { return catalog.ValidID(s) }

// KeyNameError says a key name is not valid.
type KeyNameError struct{ Name string }

func (e *KeyNameError) Error() string {
	return "an API key's name is 1–64 characters of a-z, 0-9, _ and -"
}

// Issue makes a new key under name, replacing the one it had; created says
// there was none. Two admins issuing at once: one gets *ports.ConflictError.
func (k *Keys) Issue(ctx context.Context, name string) (Issued, bool, error) {
	if !ValidKeyName(name) {
		return Issued{}, false, &KeyNameError{Name: name}
	}
	var old storedKey
	version, err := k.Store.GetConfig(ctx, KeyKind, name, &old)
	var missing *ports.NotFoundError
	switch {
	case errors.As(err, &missing):
		version = 0
	case err != nil:
		return Issued{}, false, fmt.Errorf("read api key %s: %w", name, err)
	}
	raw := make([]byte, secretBytes)
	if _, err := io.ReadFull(k.Random, raw); err != nil {
		return Issued{}, false, fmt.Errorf("api key secret: %w", err)
	}
	secret := secretEncoding.EncodeToString(raw)
	now := k.Now().UTC().Truncate(time.Second)
	if err := k.Store.PutConfig(ctx, KeyKind, name, storedKey{Hash: k.hash(name, secret), CreatedAt: now}, version); err != nil {
		return Issued{}, false, fmt.Errorf("store api key %s: %w", name, err)
	}
	return Issued{Name: name, APIKey: name + "." + secret, CreatedAt: datetime(now)}, version == 0, nil
}

// Check answers the name of a valid key, and the spec's 403 for a missing,
// malformed, unknown or replaced one.
func (k *Keys) Check(ctx context.Context, apiKey string) (string, error) {
	apiKey = strings.TrimSpace(apiKey)
	if apiKey == "" {
		return "", Forbidden("api_key is missing: apps file requests with the key the hotline issued them")
	}
	invalid := Forbidden("invalid api_key received -- can't proceed")
	name, secret, ok := strings.Cut(apiKey, ".")
	if !ok || !ValidKeyName(name) || len(secret) != secretLen {
		return "", invalid
	}
	var stored storedKey
	_, err := k.Store.GetConfig(ctx, KeyKind, name, &stored)
	var missing *ports.NotFoundError
	switch {
	case errors.As(err, &missing):
		return "", invalid
	case err != nil:
		return "", fmt.Errorf("read api key %s: %w", name, err)
	}
	if subtle.ConstantTimeCompare([]byte(k.hash(name, secret)), []byte(stored.Hash)) != 1 {
		return "", invalid
	}
	return name, nil
}

func (k *Keys) hash(name, secret string) string {
	m := hmac.New(sha256.New, k.Secret)
	m.Write([]byte(name))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))
}
