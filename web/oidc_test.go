package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// issuerServer answers discovery with doc, in which "ISSUER" stands for the
// server's own URL.
func issuerServer(t *testing.T, status int, doc string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pool/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.ReplaceAll(doc, "ISSUER", srv.URL+"/pool")))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDiscoverReadsTheEndpoints(t *testing.T) {
	srv := issuerServer(t, 200, `{"issuer":"ISSUER","authorization_endpoint":"ISSUER/authorize","token_endpoint":"ISSUER/token",
		"end_session_endpoint":"ISSUER/logout","code_challenge_methods_supported":["plain","S256"],"response_types_supported":["code","id_token"]}`)
	ep, err := Discover(context.Background(), srv.Client(), srv.URL+"/pool")
	if err != nil {
		t.Fatal(err)
	}
	want := Endpoints{Authorization: srv.URL + "/pool/authorize", Token: srv.URL + "/pool/token", EndSession: srv.URL + "/pool/logout"}
	if ep != want {
		t.Errorf("endpoints %+v, want %+v", ep, want)
	}
}

func TestDiscoverRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		status int
		doc    string
		want   string
	}{
		"not found":     {404, `{}`, "answered 404"},
		"not JSON":      {200, `<html>`, "not a discovery document"},
		"other issuer":  {200, `{"issuer":"https://other.example","authorization_endpoint":"ISSUER/a","token_endpoint":"ISSUER/t"}`, "names issuer"},
		"no endpoints":  {200, `{"issuer":"ISSUER","jwks_uri":"ISSUER/jwks.json"}`, "no authorization_endpoint or token_endpoint"},
		"no S256":       {200, `{"issuer":"ISSUER","authorization_endpoint":"ISSUER/a","token_endpoint":"ISSUER/t","code_challenge_methods_supported":["plain"]}`, "not S256"},
		"implicit only": {200, `{"issuer":"ISSUER","authorization_endpoint":"ISSUER/a","token_endpoint":"ISSUER/t","response_types_supported":["id_token"]}`, "not code"},
	} {
		srv := issuerServer(t, c.status, c.doc)
		if _, err := Discover(context.Background(), srv.Client(), srv.URL+"/pool"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, c.want)
		}
	}
	if _, err := Discover(context.Background(), nil, "http://idp.example.gov.cn/pool"); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("plain http issuer: %v", err)
	}
}

// A provider that does not answer: the site build stops with a clear error
// rather than hanging.
func TestDiscoverTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Discover(ctx, srv.Client(), srv.URL+"/pool"); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("silent provider: %v", err)
	}
}

func signInConfig() Config {
	return Config{APIURL: "https://abc123.execute-api.cn-north-1.amazonaws.com.cn", Issuer: "https://cognito-idp.cn-north-1.amazonaws.com.cn/pool",
		ClientID: "4s7k1client", AuthorizationEndpoint: "https://hotline.auth.cn-north-1.amazoncognito.com.cn/oauth2/authorize",
		TokenEndpoint: "https://hotline.auth.cn-north-1.amazoncognito.com.cn/oauth2/token"}
}

func TestCheckSignInDefaults(t *testing.T) {
	c := signInConfig()
	c.Scope = "  openid   profile "
	origin, err := c.CheckSignIn()
	if err != nil {
		t.Fatal(err)
	}
	if origin != "https://hotline.auth.cn-north-1.amazoncognito.com.cn" || c.Scope != "openid profile" || c.TokenUse != TokenUseID {
		t.Errorf("origin %q, scope %q, token use %q", origin, c.Scope, c.TokenUse)
	}
	c = signInConfig()
	if _, err := c.CheckSignIn(); err != nil || c.Scope != "openid" {
		t.Errorf("no scope: %v, scope %q", err, c.Scope)
	}
	// Loopback may be plain http, for tests and a provider on this machine.
	c = signInConfig()
	c.AuthorizationEndpoint, c.TokenEndpoint, c.TokenUse = "http://127.0.0.1:9000/authorize", "http://localhost:9000/token?x=1", TokenUseAccess
	if origin, err := c.CheckSignIn(); err != nil || origin != "http://localhost:9000" {
		t.Errorf("loopback: %q %v", origin, err)
	}
}

func TestCheckSignInRefuses(t *testing.T) {
	for want, change := range map[string]func(*Config){
		"client id is required":        func(c *Config) { c.ClientID = "" },
		"spaces or control characters": func(c *Config) { c.ClientID = "a b" },
		"authorization endpoint \"\"":  func(c *Config) { c.AuthorizationEndpoint = "" },
		"must be https":                func(c *Config) { c.TokenEndpoint = "http://idp.example.gov.cn/token" },
		"token endpoint \"/token\"":    func(c *Config) { c.TokenEndpoint = "/token" },
		"end session endpoint":         func(c *Config) { c.EndSessionEndpoint = "https://u:p@idp.example.gov.cn/logout" },
		"lacks openid":                 func(c *Config) { c.Scope = "profile" },
		"not a valid scope name":       func(c *Config) { c.Scope = "openid pro\"file" },
		"token use \"refresh\"":        func(c *Config) { c.TokenUse = "refresh" },
	} {
		c := signInConfig()
		change(&c)
		if _, err := c.CheckSignIn(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
		// The site is not written with a broken sign-in either.
		if err := WriteSite(filepath.Join(t.TempDir(), "site"), c); err == nil {
			t.Errorf("%s: WriteSite wrote the site", want)
		}
	}
}

// The token endpoint's origin joins the API's in every page's connect-src,
// and config.json carries the sign-in for the console.
func TestWriteSiteAllowsTheTokenEndpoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	cfg := signInConfig()
	cfg.EndSessionEndpoint = "https://hotline.auth.cn-north-1.amazoncognito.com.cn/logout"
	if err := WriteSite(dir, cfg); err != nil {
		t.Fatal(err)
	}
	meta := `<meta http-equiv="Content-Security-Policy" content="connect-src 'self' https://abc123.execute-api.cn-north-1.amazonaws.com.cn https://hotline.auth.cn-north-1.amazoncognito.com.cn">`
	for _, p := range []string{"index.html", "citizen/index.html", "console/index.html"} {
		b, _ := os.ReadFile(filepath.Join(dir, p))
		if !strings.Contains(string(b), meta) {
			t.Errorf("%s lacks %s", p, meta)
		}
	}
	var got map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"clientId": cfg.ClientID, "authorizationEndpoint": cfg.AuthorizationEndpoint, "tokenEndpoint": cfg.TokenEndpoint,
		"endSessionEndpoint": cfg.EndSessionEndpoint, "scope": "openid", "tokenUse": "id"} {
		if got[k] != want {
			t.Errorf("config.json %s = %v, want %s", k, got[k], want)
		}
	}
}
