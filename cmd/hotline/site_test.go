package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeIssuer answers OIDC discovery with an authorization and a token
// endpoint on the same (loopback) origin.
func fakeIssuer(t *testing.T) string {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pool/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		iss := srv.URL + "/pool"
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "authorization_endpoint": srv.URL + "/oauth2/authorize",
			"token_endpoint": srv.URL + "/oauth2/token", "code_challenge_methods_supported": []string{"S256"}})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/pool"
}

func TestSiteWritesPagesAndConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	api, issuer := "https://abc123.execute-api.cn-north-1.amazonaws.com.cn", fakeIssuer(t)
	origin := strings.TrimSuffix(issuer, "/pool")
	if _, stderr, err := runHotline("site", "--out", dir, "--api", api, "--issuer", issuer, "--client-id", "console-client",
		"--signin-origin", origin, "--scope", "openid profile"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		APIURL, Issuer, ClientID, AuthorizationEndpoint, TokenEndpoint, Scope, TokenUse string
		LocalMode                                                                       *bool
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.APIURL != api || cfg.Issuer != issuer || cfg.LocalMode == nil || *cfg.LocalMode {
		t.Errorf("config.json = %s", b)
	}
	// The endpoints come from the issuer's discovery document.
	if cfg.ClientID != "console-client" || cfg.AuthorizationEndpoint != origin+"/oauth2/authorize" || cfg.TokenEndpoint != origin+"/oauth2/token" ||
		cfg.Scope != "openid profile" || cfg.TokenUse != "id" {
		t.Errorf("config.json sign-in = %s", b)
	}
	for _, p := range []string{"index.html", "console/index.html", "shared/style.css", "citizen/app.js", "console/oidc.js"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, "console", "index.html"))
	if !strings.Contains(string(page), "connect-src 'self' "+api+" "+origin+`"`) {
		t.Errorf("the console's CSP does not allow the token endpoint %s", origin)
	}
}

func TestSiteNeedsEveryFlag(t *testing.T) {
	_, _, err := runHotline("site", "--out", t.TempDir(), "--api", "https://abc.example")
	if err == nil || !strings.Contains(err.Error(), "--issuer") {
		t.Errorf("without --issuer: %v", err)
	}
	_, _, err = runHotline("site", "--out", t.TempDir(), "--api", "https://abc.example", "--issuer", "https://idp.example")
	if err == nil || !strings.Contains(err.Error(), "--client-id") {
		t.Errorf("without --client-id: %v", err)
	}
}

// Endpoints given by flag need no discovery; a token endpoint CloudFront's
// policy does not allow (StaffSignInOrigin) stops the build, as does an
// issuer that is not there.
func TestSiteChecksTheSignIn(t *testing.T) {
	api := "https://abc123.execute-api.cn-north-1.amazonaws.com.cn"
	given := []string{"--api", api, "--issuer", "https://idp.invalid/pool", "--client-id", "c",
		"--authorization-endpoint", "https://idp.example.gov.cn/authorize", "--token-endpoint", "https://idp.example.gov.cn/token"}
	if _, stderr, err := runHotline(append([]string{"site", "--out", filepath.Join(t.TempDir(), "s"), "--signin-origin", "https://idp.example.gov.cn"}, given...)...); err != nil {
		t.Errorf("endpoints by flag: %v\n%s", err, stderr)
	}
	_, _, err := runHotline(append([]string{"site", "--out", filepath.Join(t.TempDir(), "s")}, given...)...)
	if err == nil || !strings.Contains(err.Error(), "StaffSignInOrigin=https://idp.example.gov.cn") {
		t.Errorf("without --signin-origin: %v", err)
	}
	_, _, err = runHotline(append([]string{"site", "--out", filepath.Join(t.TempDir(), "s"), "--signin-origin", "https://other.example"}, given...)...)
	if err == nil || !strings.Contains(err.Error(), "StaffSignInOrigin is https://other.example") {
		t.Errorf("another --signin-origin: %v", err)
	}
	_, _, err = runHotline("site", "--out", filepath.Join(t.TempDir(), "s"), "--api", api, "--issuer", fakeIssuer(t)+"/nowhere", "--client-id", "c")
	if err == nil || !strings.Contains(err.Error(), "answered 404") {
		t.Errorf("an issuer without discovery: %v", err)
	}
	_, _, err = runHotline(append([]string{"site", "--out", filepath.Join(t.TempDir(), "s"), "--signin-origin", "https://idp.example.gov.cn", "--token-use", "refresh"}, given...)...)
	if err == nil || !strings.Contains(err.Error(), `token use "refresh"`) {
		t.Errorf("--token-use refresh: %v", err)
	}
}

// With --media the pages' own policy lets them send photos to the one media
// bucket and show them from it; a wildcard or plain http is refused.
func TestSiteNamesTheMediaBucket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	api, issuer := "https://abc123.execute-api.cn-north-1.amazonaws.com.cn", fakeIssuer(t)
	origin := strings.TrimSuffix(issuer, "/pool")
	media := "https://hotline-prod-mediabucket-1x2y3z.s3.cn-north-1.amazonaws.com.cn"
	if _, stderr, err := runHotline("site", "--out", dir, "--api", api, "--issuer", issuer, "--client-id", "console-client",
		"--signin-origin", origin, "--media", media); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, p := range []string{"index.html", "console/index.html"} {
		page, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(page), " "+media+"; img-src 'self' "+media) {
			t.Errorf("%s: the policy does not name the media bucket for connect-src and img-src", p)
		}
	}
	for _, bad := range []string{"https://*.s3.cn-north-1.amazonaws.com.cn", "http://hotline-media.s3.cn-north-1.amazonaws.com.cn"} {
		if _, _, err := runHotline("site", "--out", filepath.Join(t.TempDir(), "s"), "--api", api, "--issuer", issuer, "--client-id", "console-client",
			"--signin-origin", origin, "--media", bad); err == nil {
			t.Errorf("--media %s was taken", bad)
		}
	}
}
