package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Signer issues staff tokens: *Issuer (HS256, local mode) and *RSASigner
// (RS256, what an OIDC identity provider issues and API Gateway checks).
type Signer interface {
	Sign(c Claims, ttl time.Duration) (string, error)
}

// MinRSABits is the smallest RSA modulus accepted for signing keys; the
// optional-staff authorizer refuses published keys below 2048 bits too.
const MinRSABits = 2048

// RSASigner signs RS256 tokens with a kid header, like an OIDC identity
// provider. Its public half is published with JWKS and Discovery so that API
// Gateway's JWT authorizer and internal/app/authorizer can check the tokens. It is
// for tests and LocalStack; production tokens come from the real provider.
type RSASigner struct {
	Key      *rsa.PrivateKey
	KeyID    string
	Issuer   string
	Audience string
	Now      func() time.Time
}

// NewRSASigner returns a signer for key; an empty kid becomes the key's
// RFC 7638 thumbprint, so the token and the published JWKS agree without
// passing the kid around.
func NewRSASigner(key *rsa.PrivateKey, kid, issuer, audience string, now func() time.Time) *RSASigner {
	if kid == "" {
		kid = Thumbprint(&key.PublicKey)
	}
	return &RSASigner{Key: key, KeyID: kid, Issuer: issuer, Audience: audience, Now: now}
}

// Sign returns an RS256 token for the claims valid for ttl.
func (s *RSASigner) Sign(c Claims, ttl time.Duration) (string, error) {
	tc, err := newTokenClaims(c, s.Issuer, s.Audience, s.Now(), ttl)
	if err != nil {
		return "", err
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, tc)
	tok.Header["kid"] = s.KeyID
	out, err := tok.SignedString(s.Key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return out, nil
}

// JWKS returns the JWK set (RFC 7517) that publishes the signer's public key.
func (s *RSASigner) JWKS() ([]byte, error) {
	return JWKS(s.KeyID, &s.Key.PublicKey)
}

// ParseRSAPrivateKey reads one PEM-encoded RSA private key, PKCS#1 ("RSA
// PRIVATE KEY", openssl genrsa -traditional) or PKCS#8 ("PRIVATE KEY",
// openssl genpkey), of at least MinRSABits bits.
func ParseRSAPrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("parse rsa key: no PEM block")
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse rsa key: %w", err)
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse rsa key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("parse rsa key: PKCS#8 key is %T, not RSA", k)
		}
		key = rk
	default:
		return nil, fmt.Errorf("parse rsa key: PEM block %q is not an RSA private key (want RSA PRIVATE KEY or PRIVATE KEY)", block.Type)
	}
	if bits := key.N.BitLen(); bits < MinRSABits {
		return nil, fmt.Errorf("parse rsa key: %d bits, want at least %d", bits, MinRSABits)
	}
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("parse rsa key: %w", err)
	}
	return key, nil
}

// GenerateRSAKey returns a new MinRSABits-bit key as PKCS#8 PEM.
func GenerateRSAKey() (*rsa.PrivateKey, []byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, MinRSABits)
	if err != nil {
		return nil, nil, fmt.Errorf("generate rsa key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode rsa key: %w", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jwkMembers(pub *rsa.PublicKey) (n, e string) {
	return b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of an RSA public key,
// base64url without padding: a stable key id.
func Thumbprint(pub *rsa.PublicKey) string {
	n, e := jwkMembers(pub)
	// Required members only, in lexicographic order, no whitespace (RFC 7638 §3.2).
	sum := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	return b64(sum[:])
}

// JWKS returns a JWK set holding one RS256 signing key.
func JWKS(kid string, pub *rsa.PublicKey) ([]byte, error) {
	n, e := jwkMembers(pub)
	b, err := json.MarshalIndent(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e,
	}}}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode jwks: %w", err)
	}
	return b, nil
}

// JWKSURL is where an issuer publishes its keys by this project's convention
// (and Cognito's): <issuer>/.well-known/jwks.json. internal/wiring uses the same
// default for HOTLINE_JWKS_URL.
func JWKSURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/jwks.json"
}

// DiscoveryPath is the OIDC discovery document's path below the issuer.
const DiscoveryPath = "/.well-known/openid-configuration"

// Discovery returns a minimal OpenID Connect discovery document for issuer:
// what API Gateway's JWT authorizer reads (issuer, jwks_uri) plus the
// signing-algorithm and subject/response-type members the specification
// requires.
func Discovery(issuer, jwksURI string) ([]byte, error) {
	if issuer == "" || jwksURI == "" {
		return nil, errors.New("discovery document: issuer and jwks_uri are required")
	}
	b, err := json.MarshalIndent(map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              jwksURI,
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode discovery document: %w", err)
	}
	return b, nil
}
