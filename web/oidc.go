package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Staff sign-in in the deployed console: OpenID Connect authorization code
// flow with PKCE (S256), run by web/console/oidc.js against the endpoints
// config.json names. The endpoints are found at site-build time (Discover),
// so the page needs no discovery at run time and its CSP can name the one
// token endpoint it posts to.

// Token uses: which of the token endpoint's tokens the console sends to the
// API as its bearer token.
const (
	// TokenUseID sends the ID token. Its aud is the client id (the stack's
	// JwtAudience, which the API's JWT authorizer checks) and it is where
	// identity providers put custom claims such as role and dept by default
	// (Cognito's pre token generation trigger, V1, adds them to the ID token
	// only). The default.
	TokenUseID = "id"
	// TokenUseAccess sends the access token, for a provider whose access
	// tokens carry aud (or Cognito's client_id) and the role claims.
	TokenUseAccess = "access"
)

// DefaultScope is the scope asked for when none is configured.
const DefaultScope = "openid"

// DiscoveryTimeout bounds the site build's read of the discovery document.
const DiscoveryTimeout = 10 * time.Second

// Endpoints are what Discover reads from an issuer's discovery document.
type Endpoints struct {
	Authorization string
	Token         string
	EndSession    string
}

// Discover reads issuer's /.well-known/openid-configuration and returns its
// endpoints. The document must name the same issuer (OpenID Connect
// Discovery §4.3) and, when it lists PKCE methods, S256.
func Discover(ctx context.Context, client *http.Client, issuer string) (Endpoints, error) {
	if _, err := httpsOrigin("issuer", issuer); err != nil {
		return Endpoints{}, err
	}
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, DiscoveryTimeout)
	defer cancel()
	where := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return Endpoints{}, fmt.Errorf("OIDC discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return Endpoints{}, fmt.Errorf("OIDC discovery: %s did not answer within %s; give the endpoints with --authorization-endpoint and --token-endpoint instead", where, DiscoveryTimeout)
		}
		return Endpoints{}, fmt.Errorf("OIDC discovery: read %s: %w", where, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Endpoints{}, fmt.Errorf("OIDC discovery: %s answered %s; is the issuer (JwtIssuer) right?", where, resp.Status)
	}
	var doc struct {
		Issuer                string   `json:"issuer"`
		Authorization         string   `json:"authorization_endpoint"`
		Token                 string   `json:"token_endpoint"`
		EndSession            string   `json:"end_session_endpoint"`
		CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
		ResponseTypeSupported []string `json:"response_types_supported"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return Endpoints{}, fmt.Errorf("OIDC discovery: %s is not a discovery document: %w", where, err)
	}
	if doc.Issuer != issuer {
		return Endpoints{}, fmt.Errorf("OIDC discovery: %s names issuer %q, not %q (JwtIssuer must be exactly the provider's issuer)", where, doc.Issuer, issuer)
	}
	if doc.Authorization == "" || doc.Token == "" {
		return Endpoints{}, fmt.Errorf("OIDC discovery: %s names no authorization_endpoint or token_endpoint (a provider for API tokens only?); give them with --authorization-endpoint and --token-endpoint", where)
	}
	if len(doc.CodeChallengeMethods) > 0 && !slices.Contains(doc.CodeChallengeMethods, "S256") {
		return Endpoints{}, fmt.Errorf("OIDC discovery: the provider supports PKCE methods %v, not S256, which the console uses", doc.CodeChallengeMethods)
	}
	if len(doc.ResponseTypeSupported) > 0 && !slices.Contains(doc.ResponseTypeSupported, "code") {
		return Endpoints{}, fmt.Errorf("OIDC discovery: the provider supports response types %v, not code, which the console uses", doc.ResponseTypeSupported)
	}
	return Endpoints{Authorization: doc.Authorization, Token: doc.Token, EndSession: doc.EndSession}, nil
}

// SignInConfigured says whether cfg names any of the OIDC sign-in settings.
func (c Config) SignInConfigured() bool {
	return c.ClientID != "" || c.AuthorizationEndpoint != "" || c.TokenEndpoint != "" || c.EndSessionEndpoint != ""
}

// CheckSignIn validates the OIDC sign-in settings and fills the defaults
// (scope, tokenUse). It returns the token endpoint's origin, which the
// page's connect-src must allow (the console posts the code there).
func (c *Config) CheckSignIn() (tokenOrigin string, err error) {
	if c.ClientID == "" {
		return "", errors.New("sign-in: the client id is required (the identity provider's app client, also the stack's JwtAudience)")
	}
	if strings.ContainsFunc(c.ClientID, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", fmt.Errorf("sign-in: client id %q has spaces or control characters", c.ClientID)
	}
	if _, err := httpsOrigin("authorization endpoint", c.AuthorizationEndpoint); err != nil {
		return "", err
	}
	tokenOrigin, err = httpsOrigin("token endpoint", c.TokenEndpoint)
	if err != nil {
		return "", err
	}
	if c.EndSessionEndpoint != "" {
		if _, err := httpsOrigin("end session endpoint", c.EndSessionEndpoint); err != nil {
			return "", err
		}
	}
	if c.Scope == "" {
		c.Scope = DefaultScope
	}
	scopes := strings.Fields(c.Scope)
	if !slices.Contains(scopes, "openid") {
		return "", fmt.Errorf("sign-in: scope %q lacks openid (OpenID Connect needs it)", c.Scope)
	}
	for _, s := range scopes {
		// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e || r == '"' || r == '\\' }) {
			return "", fmt.Errorf("sign-in: scope %q is not a valid scope name", s)
		}
	}
	c.Scope = strings.Join(scopes, " ")
	switch c.TokenUse {
	case "":
		c.TokenUse = TokenUseID
	case TokenUseID, TokenUseAccess:
	default:
		return "", fmt.Errorf("sign-in: token use %q: want %q (the ID token, default) or %q", c.TokenUse, TokenUseID, TokenUseAccess)
	}
	return tokenOrigin, nil
}

// httpsOrigin checks that raw is an absolute https URL (http only on
// loopback, for tests) without credentials or fragment, and returns its
// origin. A query is allowed: OAuth endpoints may carry one (RFC 6749 §3.1).
func httpsOrigin(what, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("sign-in: %s %q: want an absolute URL such as https://idp.example.gov.cn/oauth2/token", what, raw)
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !loopback(u.Hostname())) {
		return "", fmt.Errorf("sign-in: %s %q: must be https (http only on this machine's loopback)", what, raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

func loopback(host string) bool {
	return host == "127.0.0.1" || host == "localhost" || host == "::1"
}
