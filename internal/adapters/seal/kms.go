package seal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// VersionKMS: version(1) | wrapped key length(2, big endian) | wrapped data key
// (a KMS CiphertextBlob) | nonce(12) | AES-256-GCM ciphertext+tag. The GCM
// additional data is the whole header plus the caller's aad, as for VersionLocal.
const VersionKMS byte = 2

// maxWrappedKey bounds the KMS CiphertextBlob of a 32-byte data key (about 180
// bytes in practice) so a corrupt length cannot make Open read far.
const maxWrappedKey = 1024

// KMSAPI is the part of *kms.Client the KMS sealer uses.
type KMSAPI interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// KMSSealerConfig tunes the data-key cache.
type KMSSealerConfig struct {
	// KeyID is the KMS key (id, ARN or alias) that wraps data keys. Required.
	KeyID string
	// MaxKeyAge is how long one data key seals new values; default 5 minutes.
	MaxKeyAge time.Duration
	// MaxKeyUses is how many values one data key seals; default 10000, far
	// below the 2^32 random-nonce limit of AES-GCM.
	MaxKeyUses int
	// OpenCacheSize bounds the unwrapped data keys kept for Open; default 256.
	OpenCacheSize int
	// Legacy, when set, opens VersionLocal envelopes, so values sealed before a
	// switch to KMS stay readable. Seal never uses it.
	Legacy Sealer
	// Now defaults to time.Now.
	Now func() time.Time
}

// encryptionContext binds every data key to its purpose: KMS refuses to unwrap
// it for any other context, and CloudTrail shows what each Decrypt was for.
var encryptionContext = map[string]string{"app": "hotline12345", "purpose": "contact-seal"}

// KMSSealer is envelope encryption with KMS data keys: a data key from
// GenerateDataKey seals values with AES-256-GCM for a few minutes (or uses),
// and its KMS-wrapped copy travels in every envelope. Caching is what keeps
// KMS off the hot path: one GenerateDataKey per cached key, one Decrypt per
// distinct wrapped key a warm function meets. It is safe for concurrent use.
type KMSSealer struct {
	api    KMSAPI
	cfg    KMSSealerConfig
	mu     sync.Mutex
	cur    *dataKey
	opened map[[32]byte]*dataKey
	order  [][32]byte // insertion order for eviction
}

type dataKey struct {
	aead    cipher.AEAD
	wrapped []byte
	born    time.Time
	uses    int
}

// NewKMSSealer builds a sealer that wraps data keys under cfg.KeyID.
func NewKMSSealer(api KMSAPI, cfg KMSSealerConfig) (*KMSSealer, error) {
	if api == nil {
		return nil, errors.New("seal: KMS client is required")
	}
	if cfg.KeyID == "" {
		return nil, errors.New("seal: KMS key id is required")
	}
	if cfg.MaxKeyAge <= 0 {
		cfg.MaxKeyAge = 5 * time.Minute
	}
	if cfg.MaxKeyUses <= 0 {
		cfg.MaxKeyUses = 10000
	}
	if cfg.OpenCacheSize <= 0 {
		cfg.OpenCacheSize = 256
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &KMSSealer{api: api, cfg: cfg, opened: map[[32]byte]*dataKey{}}, nil
}

func newDataKey(plain, wrapped []byte, now time.Time) (*dataKey, error) {
	if len(plain) != keySize {
		return nil, fmt.Errorf("seal: KMS returned a %d-byte data key, want %d", len(plain), keySize)
	}
	block, err := aes.NewCipher(plain)
	if err != nil {
		return nil, fmt.Errorf("seal: new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: new GCM: %w", err)
	}
	return &dataKey{aead: aead, wrapped: wrapped, born: now}, nil
}

// sealingKey returns the current data key, asking KMS for a new one when it is
// too old or used too often. The lock is held across the KMS call on purpose:
// concurrent seals then share one new key instead of each minting their own.
func (s *KMSSealer) sealingKey(ctx context.Context) (*dataKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	if k := s.cur; k != nil && k.uses < s.cfg.MaxKeyUses && now.Sub(k.born) < s.cfg.MaxKeyAge {
		k.uses++
		return k, nil
	}
	out, err := s.api.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(s.cfg.KeyID),
		KeySpec:           types.DataKeySpecAes256,
		EncryptionContext: encryptionContext,
	})
	if err != nil {
		return nil, fmt.Errorf("seal: generate data key: %w", err)
	}
	if len(out.CiphertextBlob) == 0 || len(out.CiphertextBlob) > maxWrappedKey {
		return nil, fmt.Errorf("seal: KMS returned a %d-byte wrapped key", len(out.CiphertextBlob))
	}
	k, err := newDataKey(out.Plaintext, out.CiphertextBlob, now)
	clear(out.Plaintext)
	if err != nil {
		return nil, err
	}
	k.uses = 1
	s.cur = k
	s.remember(k)
	return k, nil
}

// remember keeps an unwrapped key for Open; the caller holds s.mu.
func (s *KMSSealer) remember(k *dataKey) {
	id := sha256.Sum256(k.wrapped)
	if _, ok := s.opened[id]; ok {
		return
	}
	if len(s.order) >= s.cfg.OpenCacheSize {
		delete(s.opened, s.order[0])
		s.order = s.order[1:]
	}
	s.opened[id] = k
	s.order = append(s.order, id)
}

// Seal encrypts plaintext bound to aad under the current data key.
func (s *KMSSealer) Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error) {
	k, err := s.sealingKey(ctx)
	if err != nil {
		return nil, err
	}
	hdr := 1 + 2 + len(k.wrapped) + nonceSize
	out := make([]byte, hdr, hdr+len(plaintext)+tagSize)
	out[0] = VersionKMS
	binary.BigEndian.PutUint16(out[1:3], uint16(len(k.wrapped)))
	copy(out[3:], k.wrapped)
	nonce := out[3+len(k.wrapped) : hdr]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return k.aead.Seal(out, nonce, plaintext, additional(out[:hdr], aad)), nil
}

// Open authenticates and decrypts an envelope produced by Seal (or, with a
// Legacy sealer, by it) with the same aad.
func (s *KMSSealer) Open(ctx context.Context, sealed, aad []byte) ([]byte, error) {
	if len(sealed) > 0 && sealed[0] == VersionLocal {
		if s.cfg.Legacy == nil {
			return nil, ErrUnknownKey
		}
		return s.cfg.Legacy.Open(ctx, sealed, aad)
	}
	env, err := ParseKMSEnvelope(sealed)
	if err != nil {
		return nil, err
	}
	k, err := s.openingKey(ctx, env.WrappedKey)
	if err != nil {
		return nil, err
	}
	pt, err := k.aead.Open(nil, env.Nonce, env.Ciphertext, additional(sealed[:env.HeaderSize], aad))
	if err != nil {
		return nil, ErrAuth
	}
	return pt, nil
}

func (s *KMSSealer) openingKey(ctx context.Context, wrapped []byte) (*dataKey, error) {
	id := sha256.Sum256(wrapped)
	s.mu.Lock()
	k, ok := s.opened[id]
	s.mu.Unlock()
	if ok {
		return k, nil
	}
	out, err := s.api.Decrypt(ctx, &kms.DecryptInput{
		CiphertextBlob:    wrapped,
		KeyId:             aws.String(s.cfg.KeyID),
		EncryptionContext: encryptionContext,
	})
	if err != nil {
		var invalid *types.InvalidCiphertextException
		var incorrect *types.IncorrectKeyException
		if errors.As(err, &invalid) || errors.As(err, &incorrect) {
			return nil, fmt.Errorf("%w: %w", ErrUnknownKey, err)
		}
		return nil, fmt.Errorf("seal: decrypt data key: %w", err)
	}
	k, err = newDataKey(out.Plaintext, append([]byte(nil), wrapped...), s.cfg.Now())
	clear(out.Plaintext)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.remember(k)
	s.mu.Unlock()
	return k, nil
}

// KMSEnvelope is a parsed VersionKMS envelope. The slices alias the input.
type KMSEnvelope struct {
	WrappedKey []byte
	Nonce      []byte
	Ciphertext []byte // includes the GCM tag
	HeaderSize int
}

// ParseKMSEnvelope checks the framing of a VersionKMS value without decrypting it.
func ParseKMSEnvelope(sealed []byte) (KMSEnvelope, error) {
	if len(sealed) == 0 {
		return KMSEnvelope{}, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if sealed[0] != VersionKMS {
		return KMSEnvelope{}, fmt.Errorf("%w: version %d is not a KMS envelope", ErrMalformed, sealed[0])
	}
	if len(sealed) < 3 {
		return KMSEnvelope{}, fmt.Errorf("%w: %d bytes is too short", ErrMalformed, len(sealed))
	}
	n := int(binary.BigEndian.Uint16(sealed[1:3]))
	if n == 0 || n > maxWrappedKey {
		return KMSEnvelope{}, fmt.Errorf("%w: wrapped key length %d", ErrMalformed, n)
	}
	hdr := 3 + n + nonceSize
	if len(sealed) < hdr+tagSize {
		return KMSEnvelope{}, fmt.Errorf("%w: %d bytes is too short", ErrMalformed, len(sealed))
	}
	return KMSEnvelope{WrappedKey: sealed[3 : 3+n], Nonce: sealed[3+n : hdr], Ciphertext: sealed[hdr:], HeaderSize: hdr}, nil
}

// KMSClient builds a KMS client.
func KMSClient(cfg aws.Config, optFns ...func(*kms.Options)) *kms.Client {
	return kms.NewFromConfig(cfg, optFns...)
}
