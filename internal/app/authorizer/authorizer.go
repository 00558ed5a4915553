// Package authorizer is the optional-staff Lambda authorizer of the two HTTP API
// routes citizens and staff share (POST /v1/tickets, GET /v1/tickets/{id}). API
// Gateway's JWT authorizer cannot let a request without a token through, so
// these routes use this one: no Authorization header is an anonymous citizen
// (allowed, no identity); a valid staff token is allowed with its sub, role and
// dept as context, which internal/app/httpapi reads like JWT authorizer claims;
// anything else is refused. It verifies RS256 tokens against the identity
// provider's JWKS, the same check the JWT authorizer does on staff routes.
package authorizer

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
	"github.com/hotline12345/hotline/internal/app/auth"
)

// Handler is the authorizer function.
type Handler struct {
	Verifier *JWKSVerifier
	Log      *slog.Logger
}

// Handle answers API Gateway's payload-2.0 simple-response authorizer call.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	header := ""
	for k, v := range req.Headers {
		if strings.EqualFold(k, "authorization") {
			header = v
		}
	}
	if header == "" {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true}, nil
	}
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	c, err := h.Verifier.Verify(ctx, strings.TrimSpace(token))
	if err != nil {
		// Only the reason's type: the token itself is a credential.
		h.Log.Info("token refused", "route", req.RouteKey, "reason", fmt.Sprintf("%T", errors.Unwrap(err)))
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	ctxOut := map[string]any{"sub": c.Subject, "role": string(c.Role)}
	if c.Dept != "" {
		ctxOut["dept"] = c.Dept
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: ctxOut}, nil
}

// JWKSVerifier checks RS256 tokens of one issuer and audience against the
// issuer's published keys, fetched once and again when a token names an
// unknown key id (key rotation), at most once a minute.
type JWKSVerifier struct {
	Issuer, Audience, URL string
	Client                *http.Client
	Now                   func() time.Time

	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetched time.Time
}

// Verify returns the staff claims of a valid token.
func (v *JWKSVerifier) Verify(ctx context.Context, token string) (auth.Claims, error) {
	var tc struct {
		Role string `json:"role"`
		Dept string `json:"dept"`
		jwt.RegisteredClaims
	}
	_, err := jwt.ParseWithClaims(token, &tc, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return v.key(ctx, kid)
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(v.Issuer), jwt.WithAudience(v.Audience),
		jwt.WithTimeFunc(v.Now), jwt.WithExpirationRequired())
	if err != nil {
		return auth.Claims{}, fmt.Errorf("verify token: %w", err)
	}
	c := auth.Claims{Subject: tc.Subject, Role: auth.Role(tc.Role), Dept: tc.Dept}
	if err := c.Validate(); err != nil {
		return auth.Claims{}, fmt.Errorf("verify token: %w", err)
	}
	return c, nil
}

func (v *JWKSVerifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	if !v.fetched.IsZero() && v.Now().Sub(v.fetched) < time.Minute {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	keys, err := v.fetch(ctx)
	if err != nil {
		return nil, err
	}
	v.keys, v.fetched = keys, v.Now()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

func (v *JWKSVerifier) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks request: %w", err)
	}
	resp, err := v.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", v.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: status %d", v.URL, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read jwks: %w", err)
	}
	return ParseJWKS(body)
}

// ParseJWKS reads the RSA signing keys of a JWK set (RFC 7517), by key id.
func ParseJWKS(data []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []struct {
			Kty, Kid, Use, N, E string
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("parse jwks: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(n) < 256 || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("parse jwks: key %q is not a usable RSA key (2048 bits or more)", k.Kid)
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		if exp < 3 {
			return nil, fmt.Errorf("parse jwks: key %q has exponent %d", k.Kid, exp)
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
	}
	if len(keys) == 0 {
		return nil, errors.New("parse jwks: no RSA signing keys")
	}
	return keys, nil
}
