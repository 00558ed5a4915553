package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/authorizer"
)

// testKeys are generated once per test binary: 2048-bit generation is slow.
var testKeys = sync.OnceValues(func() ([2]*rsa.PrivateKey, error) {
	var ks [2]*rsa.PrivateKey
	for i := range ks {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return ks, err
		}
		ks[i] = k
	}
	return ks, nil
})

func keys(t testing.TB) [2]*rsa.PrivateKey {
	t.Helper()
	ks, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func pemOf(t testing.TB, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkcs8(t testing.TB, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf(t, "PRIVATE KEY", der)
}

// issuerServer publishes a signer's discovery document and JWKS the way
// `hotline jwks` lays them out, at <issuer>/.well-known/...
func issuerServer(t *testing.T, signer *auth.RSASigner) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	signer.Issuer = srv.URL
	disc, err := auth.Discovery(srv.URL, auth.JWKSURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	set, err := signer.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET "+auth.DiscoveryPath, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(disc) })
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(set) })
	return srv
}

func TestRSATokenVerifiesWithAuthorizerAgainstPublishedJWKS(t *testing.T) {
	ks := keys(t)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	_, pemKey, err := auth.GenerateRSAKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.ParseRSAPrivateKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	signer := auth.NewRSASigner(key, "", "", "hotline-api", clock)
	srv := issuerServer(t, signer)

	// Follow discovery like API Gateway's JWT authorizer: issuer must match,
	// jwks_uri says where the keys are.
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
	if err != nil {
		t.Fatal(err)
	}
	if disc.Issuer != srv.URL || disc.JWKSURI != srv.URL+"/.well-known/jwks.json" {
		t.Fatalf("discovery = %+v, want issuer %s and its /.well-known/jwks.json", disc, srv.URL)
	}

	newHandler := func() *authorizer.Handler {
		return &authorizer.Handler{
			Verifier: &authorizer.JWKSVerifier{Issuer: srv.URL, Audience: "hotline-api", URL: disc.JWKSURI, Client: srv.Client(), Now: clock},
			Log:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
		}
	}
	call := func(tok string) events.APIGatewayV2CustomAuthorizerSimpleResponse {
		t.Helper()
		r, err := newHandler().Handle(context.Background(), events.APIGatewayV2CustomAuthorizerV2Request{
			RouteKey: "GET /v1/tickets/{id}", Headers: map[string]string{"authorization": "Bearer " + tok}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	sign := func(s auth.Signer, c auth.Claims) string {
		t.Helper()
		tok, err := s.Sign(c, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	good := auth.Claims{Subject: "d-1", Role: auth.RoleDepartment, Dept: "market"}
	r := call(sign(signer, good))
	if !r.IsAuthorized || r.Context["sub"] != "d-1" || r.Context["role"] != "department" || r.Context["dept"] != "market" {
		t.Fatalf("valid RS256 token: %+v, want allowed as d-1/department/market", r)
	}
	c, err := newHandler().Verifier.Verify(context.Background(), sign(signer, good))
	if err != nil || c != good {
		t.Fatalf("Verify = %+v, %v; want %+v", c, err, good)
	}

	otherKey := auth.NewRSASigner(ks[0], signer.KeyID, srv.URL, "hotline-api", clock)
	otherIssuer := auth.NewRSASigner(key, "", "https://idp.example", "hotline-api", clock)
	otherAud := auth.NewRSASigner(key, "", srv.URL, "someone-else", clock)
	otherKid := auth.NewRSASigner(key, "another-kid", srv.URL, "hotline-api", clock)
	expired := auth.NewRSASigner(key, "", srv.URL, "hotline-api", func() time.Time { return now.Add(-2 * time.Hour) })
	hs := auth.NewIssuer("", clock)
	hs.Issuer, hs.Audience = srv.URL, "hotline-api"
	for name, s := range map[string]auth.Signer{
		"another key under the published kid": otherKey,
		"another issuer":                      otherIssuer,
		"another audience":                    otherAud,
		"unpublished kid":                     otherKid,
		"expired":                             expired,
		"HS256 with the right iss/aud":        hs,
	} {
		if r := call(sign(s, good)); r.IsAuthorized {
			t.Errorf("%s: allowed, want refused", name)
		}
	}
}

func TestParseRSAPrivateKey(t *testing.T) {
	ks := keys(t)
	k := ks[1]
	for name, data := range map[string][]byte{
		"PKCS#1": pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k)),
		"PKCS#8": pkcs8(t, k),
	} {
		got, err := auth.ParseRSAPrivateKey(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !got.Equal(k) {
			t.Errorf("%s: parsed a different key", name)
		}
	}

	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := x509.MarshalPKCS1PrivateKey(k)
	corrupt[len(corrupt)/2] ^= 0xff
	for name, data := range map[string][]byte{
		"empty":          nil,
		"not PEM":        []byte("-----BEGIN nothing"),
		"1024 bits":      pkcs8(t, small),
		"EC key":         pkcs8(t, ec),
		"public key":     pemOf(t, "PUBLIC KEY", pub),
		"corrupt PKCS#1": pemOf(t, "RSA PRIVATE KEY", corrupt),
	} {
		if _, err := auth.ParseRSAPrivateKey(data); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "parse rsa key: ") {
			t.Errorf("%s: error %q does not say what failed", name, err)
		}
	}
}

// The worked example of RFC 7638 §3.1.
func TestThumbprintRFC7638(t *testing.T) {
	n, err := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	if err != nil {
		t.Fatal(err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	if got, want := auth.Thumbprint(pub), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Fatalf("thumbprint = %s, want %s", got, want)
	}
}

func TestJWKSIsWhatTheAuthorizerParses(t *testing.T) {
	k := keys(t)[0]
	set, err := auth.JWKS("k1", &k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := authorizer.ParseJWKS(set)
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed) != 1 || parsed["k1"] == nil || !parsed["k1"].Equal(&k.PublicKey) {
		t.Fatalf("ParseJWKS(JWKS) = %v, want exactly k1 with the public key", parsed)
	}
	if strings.Contains(string(set), `"d"`) || strings.Contains(string(set), `"p"`) {
		t.Fatalf("JWKS leaks private members: %s", set)
	}
}

func TestDiscoveryNeedsIssuerAndJWKSURI(t *testing.T) {
	if _, err := auth.Discovery("", "https://x/jwks.json"); err == nil {
		t.Error("no issuer accepted")
	}
	if _, err := auth.Discovery("https://x", ""); err == nil {
		t.Error("no jwks_uri accepted")
	}
	if got := auth.JWKSURL("http://s3.localhost.localstack.cloud:4566/b/"); got != "http://s3.localhost.localstack.cloud:4566/b/.well-known/jwks.json" {
		t.Errorf("JWKSURL = %s", got)
	}
}

func FuzzParseRSAPrivateKey(f *testing.F) {
	ks := keys(f)
	f.Add(pemOf(f, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(ks[0])))
	f.Add(pkcs8(f, ks[1]))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := auth.ParseRSAPrivateKey(data)
		if err != nil {
			return
		}
		if k.N.BitLen() < auth.MinRSABits {
			t.Fatalf("accepted a %d-bit key", k.N.BitLen())
		}
		if err := k.Validate(); err != nil {
			t.Fatalf("accepted an invalid key: %v", err)
		}
	})
}
