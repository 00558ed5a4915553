package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/authorizer"
)

func TestTokenHS256ByDefault(t *testing.T) {
	out, _, err := runHotline("token", "--role", "department", "--dept", "market")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := auth.NewIssuer("", time.Now).Verify(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != "local-department-market" || claims["role"] != "department" || claims["dept"] != "market" || claims["iss"] != auth.DefaultIssuer {
		t.Fatalf("claims = %v", claims)
	}

	out, _, err = runHotline("token", "--role", "admin", "--issuer", "other-iss", "--audience", "other-aud")
	if err != nil {
		t.Fatal(err)
	}
	iss := auth.NewIssuer("", time.Now)
	if _, err := iss.Verify(strings.TrimSpace(out)); err == nil {
		t.Error("token for --issuer other-iss verified with the default issuer")
	}
	iss.Issuer, iss.Audience = "other-iss", "other-aud"
	if _, err := iss.Verify(strings.TrimSpace(out)); err != nil {
		t.Errorf("token with --issuer/--audience: %v", err)
	}
}

// `hotline jwks` publishes a key, `hotline token --key` signs with it, and the
// optional-staff authorizer's verifier accepts the token against what was
// published, found through the discovery document like API Gateway does.
func TestTokenRS256VerifiesAgainstPublishedJWKS(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	srv := httptest.NewServer(http.FileServer(http.Dir(site)))
	defer srv.Close()
	keyPath := filepath.Join(dir, "key.pem")

	out, _, err := runHotline("jwks", "--generate", "--key", keyPath, "--issuer", srv.URL, "--out", site)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "JwtIssuer="+srv.URL+" JwksUrl="+srv.URL+"/.well-known/jwks.json") {
		t.Errorf("jwks output does not name the deploy parameters:\n%s", out)
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated key: %v, %v; want mode 0600", fi, err)
	}

	resp, err := srv.Client().Get(srv.URL + auth.DiscoveryPath)
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	err = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if err != nil || disc.Issuer != srv.URL || disc.JWKSURI != srv.URL+"/.well-known/jwks.json" {
		t.Fatalf("discovery = %+v, %v", disc, err)
	}

	v := &authorizer.JWKSVerifier{Issuer: srv.URL, Audience: auth.DefaultAudience, URL: disc.JWKSURI, Client: srv.Client(), Now: time.Now}
	tok, _, err := runHotline("token", "--key", keyPath, "--issuer", srv.URL, "--role", "department", "--dept", "housing", "--sub", "d-7")
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(context.Background(), strings.TrimSpace(tok))
	if err != nil {
		t.Fatal(err)
	}
	if c != (auth.Claims{Subject: "d-7", Role: auth.RoleDepartment, Dept: "housing"}) {
		t.Fatalf("claims = %+v", c)
	}

	for name, args := range map[string][]string{
		"another audience": {"--audience", "someone-else"},
		"another issuer":   {"--issuer", srv.URL + "/x"},
		"unpublished kid":  {"--kid", "not-published"},
	} {
		a := append([]string{"token", "--key", keyPath, "--issuer", srv.URL, "--role", "operator"}, args...)
		tok, _, err := runHotline(a...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := v.Verify(context.Background(), strings.TrimSpace(tok)); err == nil {
			t.Errorf("%s: token verified", name)
		}
	}
}

func TestTokenAndJWKSBadUsage(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key.pem")
	if _, _, err := runHotline("jwks", "--generate", "--key", keyPath, "--issuer", "https://idp.example", "--out", filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	notKey := writeFile(t, "not-a-key.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	for name, args := range map[string][]string{
		"token --key without --issuer": {"token", "--role", "operator", "--key", keyPath},
		"token --kid without --key":    {"token", "--role", "operator", "--kid", "k1"},
		"token --key missing file":     {"token", "--role", "operator", "--key", filepath.Join(dir, "missing.pem"), "--issuer", "https://idp.example"},
		"token --key not a key":        {"token", "--role", "operator", "--key", notKey, "--issuer", "https://idp.example"},
		"jwks without --out":           {"jwks", "--key", keyPath, "--issuer", "https://idp.example"},
		"jwks relative issuer":         {"jwks", "--key", keyPath, "--issuer", "idp.example", "--out", dir},
		"jwks issuer with query":       {"jwks", "--key", keyPath, "--issuer", "https://idp.example/?a=b", "--out", dir},
		"jwks --generate over a key":   {"jwks", "--generate", "--key", keyPath, "--issuer", "https://idp.example", "--out", dir},
		"jwks --key not a key":         {"jwks", "--key", notKey, "--issuer", "https://idp.example", "--out", dir},
		"jwks unknown flag":            {"jwks", "--nope"},
	} {
		if _, _, err := runHotline(args...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	after, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("jwks --generate overwrote an existing key")
	}
}
