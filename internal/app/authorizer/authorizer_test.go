package authorizer

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
)

func jwks(t *testing.T, kid string, pub *rsa.PublicKey) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAuthorizerAllowsAnonymousAndValidStaffOnly(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	set := jwks(t, "k1", &key.PublicKey)
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		_, _ = w.Write(set)
	}))
	defer srv.Close()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	h := &Handler{
		Verifier: &JWKSVerifier{Issuer: "https://idp.example", Audience: "hotline-api", URL: srv.URL, Client: srv.Client(), Now: func() time.Time { return now }},
		Log:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}
	sign := func(method jwt.SigningMethod, signKey any, kid string, claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(method, claims)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(signKey)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": "https://idp.example", "aud": "hotline-api", "sub": "op-1", "role": "operator", "exp": now.Add(time.Hour).Unix()}
	}
	call := func(header string) events.APIGatewayV2CustomAuthorizerSimpleResponse {
		req := events.APIGatewayV2CustomAuthorizerV2Request{RouteKey: "POST /v1/tickets", Headers: map[string]string{}}
		if header != "" {
			req.Headers["authorization"] = header
		}
		resp, err := h.Handle(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	if r := call(""); !r.IsAuthorized || r.Context != nil {
		t.Fatalf("anonymous: %+v, want allowed with no identity", r)
	}
	r := call("Bearer " + sign(jwt.SigningMethodRS256, key, "k1", base()))
	if !r.IsAuthorized || r.Context["sub"] != "op-1" || r.Context["role"] != "operator" {
		t.Fatalf("valid operator token: %+v", r)
	}
	dept := base()
	dept["role"], dept["dept"] = "department", "market"
	if r := call("Bearer " + sign(jwt.SigningMethodRS256, key, "k1", dept)); !r.IsAuthorized || r.Context["dept"] != "market" {
		t.Fatalf("department token: %+v", r)
	}

	refused := map[string]string{}
	wrongAud := base()
	wrongAud["aud"] = "other"
	refused["wrong audience"] = "Bearer " + sign(jwt.SigningMethodRS256, key, "k1", wrongAud)
	expired := base()
	expired["exp"] = now.Add(-time.Minute).Unix()
	refused["expired"] = "Bearer " + sign(jwt.SigningMethodRS256, key, "k1", expired)
	noDept := base()
	noDept["role"] = "department"
	refused["department without dept"] = "Bearer " + sign(jwt.SigningMethodRS256, key, "k1", noDept)
	refused["HS256 (algorithm confusion)"] = "Bearer " + sign(jwt.SigningMethodHS256, []byte("secret"), "k1", base())
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	refused["signed by another key"] = "Bearer " + sign(jwt.SigningMethodRS256, other, "k1", base())
	refused["unknown key id"] = "Bearer " + sign(jwt.SigningMethodRS256, key, "k2", base())
	refused["not a bearer token"] = "Basic b3A6cGFzcw=="
	for name, header := range refused {
		if r := call(header); r.IsAuthorized {
			t.Errorf("%s: allowed, want refused", name)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want once (unknown key ids refetch at most once a minute)", n)
	}
}

func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, err := ParseJWKS(b)
		if err == nil && len(keys) == 0 {
			t.Fatal("no error and no keys")
		}
		for kid, k := range keys {
			if k.N.BitLen() < 2041 || k.E <= 0 {
				t.Fatalf("key %q accepted with %d bits, e=%d", kid, k.N.BitLen(), k.E)
			}
		}
	})
}
