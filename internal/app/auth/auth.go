// Package auth issues and checks the staff JWTs of local mode and reads the claims
// that API Gateway's JWT authorizer puts into the request context in production.
package auth

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Role is a staff role.
type Role string

// Staff roles (API.md).
const (
	RoleOperator   Role = "operator"
	RoleDepartment Role = "department"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Roles lists every staff role.
var Roles = []Role{RoleOperator, RoleDepartment, RoleSupervisor, RoleAdmin}

// DevSecret is the development default for local tokens when HOTLINE_JWT_SECRET is unset.
const DevSecret = "hotline-12345-local-development-secret"

// Default issuer and audience of local tokens.
const (
	DefaultIssuer   = "hotline-local"
	DefaultAudience = "hotline-api"
)

// Claims are the staff identity (API.md: sub, role, dept).
type Claims struct {
	Subject string `json:"sub"`
	Role    Role   `json:"role"`
	Dept    string `json:"dept,omitempty"`
}

// Validate checks that the claims describe a real staff member.
func (c Claims) Validate() error {
	if c.Subject == "" {
		return errors.New("claim sub is required")
	}
	if !slices.Contains(Roles, c.Role) {
		return fmt.Errorf("claim role %q is not one of operator, department, supervisor, admin", c.Role)
	}
	if c.Role == RoleDepartment && c.Dept == "" {
		return errors.New("claim dept is required for role department")
	}
	return nil
}

// Issuer signs and verifies HS256 tokens for local mode; production tokens come
// from the organisation's identity provider (RS256, see RSASigner for a stand-in)
// and are checked by API Gateway.
type Issuer struct {
	Secret   []byte
	Issuer   string
	Audience string
	Now      func() time.Time
}

// NewIssuer returns an issuer with the local defaults.
func NewIssuer(secret string, now func() time.Time) *Issuer {
	if secret == "" {
		secret = DevSecret
	}
	return &Issuer{Secret: []byte(secret), Issuer: DefaultIssuer, Audience: DefaultAudience, Now: now}
}

type tokenClaims struct {
	Role Role   `json:"role"`
	Dept string `json:"dept,omitempty"`
	jwt.RegisteredClaims
}

// newTokenClaims validates c and returns the claims of a token issued now by
// issuer for audience, valid for ttl.
func newTokenClaims(c Claims, issuer, audience string, now time.Time, ttl time.Duration) (tokenClaims, error) {
	if err := c.Validate(); err != nil {
		return tokenClaims{}, fmt.Errorf("sign token: %w", err)
	}
	return tokenClaims{Role: c.Role, Dept: c.Dept, RegisteredClaims: jwt.RegisteredClaims{
		Subject:   c.Subject,
		Issuer:    issuer,
		Audience:  jwt.ClaimStrings{audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}, nil
}

// Sign returns a token for the claims valid for ttl.
func (i *Issuer) Sign(c Claims, ttl time.Duration) (string, error) {
	tc, err := newTokenClaims(c, i.Issuer, i.Audience, i.Now(), ttl)
	if err != nil {
		return "", err
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, tc).SignedString(i.Secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// Verify checks signature, issuer, audience and lifetime the way API Gateway's JWT
// authorizer does, and returns the raw claims it would pass to the function.
func (i *Issuer) Verify(token string) (map[string]string, error) {
	var tc tokenClaims
	_, err := jwt.ParseWithClaims(token, &tc, func(*jwt.Token) (any, error) { return i.Secret, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithIssuer(i.Issuer),
		jwt.WithAudience(i.Audience),
		jwt.WithTimeFunc(i.Now),
		jwt.WithExpirationRequired(),
	)
	if err != nil {
		return nil, fmt.Errorf("verify token: %w", err)
	}
	claims := map[string]string{"sub": tc.Subject, "role": string(tc.Role), "iss": tc.Issuer}
	if tc.Dept != "" {
		claims["dept"] = tc.Dept
	}
	return claims, nil
}

// FromAuthorizer reads the claims API Gateway put into the request context. A
// missing or malformed identity is an error; callers answer 401.
func FromAuthorizer(claims map[string]string) (Claims, error) {
	if len(claims) == 0 {
		return Claims{}, errors.New("no authorizer claims")
	}
	c := Claims{Subject: claims["sub"], Role: Role(claims["role"]), Dept: claims["dept"]}
	if err := c.Validate(); err != nil {
		return Claims{}, err
	}
	return c, nil
}
