package main

import (
	"crypto/rsa"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/hotline12345/hotline/internal/app/auth"
)

// jwksCmd writes what an OIDC issuer publishes for a signing key, laid out as
// the URL paths below the issuer: <out>/.well-known/openid-configuration (read
// by API Gateway's JWT authorizer) and <out>/.well-known/jwks.json (the keys;
// also the default HOTLINE_JWKS_URL of the optional-staff authorizer). Copy
// <out> to the issuer URL, e.g. an S3 bucket: `aws s3 sync <out> s3://bucket`.
func jwksCmd(args []string, stdout io.Writer) error {
	fs := newFlags("jwks", "jwks --key FILE --issuer URL --out DIR [flags]", "Write what an OIDC issuer publishes for a signing key: <out>/.well-known/openid-configuration and <out>/.well-known/jwks.json.")
	keyPath := fs.String("key", "", "RSA private key (PEM, PKCS#1 or PKCS#8) whose public half is published")
	generate := fs.Bool("generate", false, "first create --key with a new 2048-bit RSA key (refuses to overwrite a file)")
	issuer := fs.String("issuer", "", "issuer URL: the iss claim and JwtIssuer; the documents are served below it")
	jwksURL := fs.String("jwks-url", "", "where the JWKS will be served; default: <issuer>/.well-known/jwks.json")
	kid := fs.String("kid", "", "key id; default: the key's RFC 7638 thumbprint (what `hotline token --key` uses)")
	out := fs.String("out", "", "directory to write .well-known/openid-configuration and .well-known/jwks.json into")
	if err := fs.parse(args, stdout, false); err != nil {
		return err
	}
	if *keyPath == "" || *issuer == "" || *out == "" {
		return fs.errorf("--key, --issuer and --out are required")
	}
	if err := checkIssuerURL(*issuer); err != nil {
		return fs.errorf("%v", err)
	}
	if *jwksURL == "" {
		*jwksURL = auth.JWKSURL(*issuer)
	}
	var key *rsa.PrivateKey
	if *generate {
		k, pemKey, err := auth.GenerateRSAKey()
		if err != nil {
			return err
		}
		if err := writeNew(*keyPath, pemKey); err != nil {
			return fmt.Errorf("--key: %w", err)
		}
		key = k
	} else {
		k, err := readKey(*keyPath)
		if err != nil {
			return err
		}
		key = k
	}
	signer := auth.NewRSASigner(key, *kid, *issuer, "", nil)
	set, err := signer.JWKS()
	if err != nil {
		return err
	}
	disc, err := auth.Discovery(*issuer, *jwksURL)
	if err != nil {
		return err
	}
	dir := filepath.Join(*out, ".well-known")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	for name, body := range map[string][]byte{"openid-configuration": disc, "jwks.json": set} {
		if err := os.WriteFile(filepath.Join(dir, name), append(body, '\n'), 0o644); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	fmt.Fprintf(stdout, "wrote %s and %s (kid %s)\nserve %s at %s (discovery %s%s, keys %s); deploy with JwtIssuer=%s JwksUrl=%s\n",
		filepath.Join(dir, "openid-configuration"), filepath.Join(dir, "jwks.json"), signer.KeyID,
		*out, *issuer, *issuer, auth.DiscoveryPath, *jwksURL, *issuer, *jwksURL)
	return nil
}

// checkIssuerURL refuses an issuer API Gateway could not use: it must be an
// absolute http(s) URL without query or fragment (AWS itself wants https).
func checkIssuerURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("--issuer: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--issuer %q: want an absolute http(s) URL without query or fragment", s)
	}
	return nil
}

func readKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--key: %w", err)
	}
	key, err := auth.ParseRSAPrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", path, err)
	}
	return key, nil
}

// writeNew creates path with data, readable by the owner only, and fails if
// it exists: a generated key never replaces one somebody may rely on.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
