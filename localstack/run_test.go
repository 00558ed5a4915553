// Package localstack_test checks localstack/run.sh without Docker: its syntax,
// its skip paths, and, with stand-ins for docker, awslocal, samlocal, curl,
// make and parts of go, that the staff-token issuer it publishes, the stack
// parameters it deploys with and the token settings it gives the e2e suite
// fit together.
package localstack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/authorizer"
)

func TestRunShSyntax(t *testing.T) {
	if out, err := exec.Command("bash", "-n", "run.sh").CombinedOutput(); err != nil {
		t.Fatalf("bash -n run.sh: %v\n%s", err, out)
	}
}

// fakeBin writes executable scripts into a new directory and returns it.
func fakeBin(t *testing.T, scripts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/usr/bin/env bash\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runScript(t *testing.T, bin string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", "run.sh")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestRunShSkipsWithoutDockerOrToken(t *testing.T) {
	for name, c := range map[string]struct {
		docker string
		env    []string
	}{
		"no Docker daemon": {docker: "exit 1\n", env: []string{"LOCALSTACK_AUTH_TOKEN=x"}},
		"no token":         {docker: "exit 0\n", env: []string{"LOCALSTACK_AUTH_TOKEN="}},
	} {
		out, err := runScript(t, fakeBin(t, map[string]string{"docker": c.docker}), c.env...)
		if err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "SKIPPED (not run)") {
			t.Errorf("%s: output %q, want one SKIPPED (not run) line", name, out)
		}
	}
}

// Stand-ins: a LocalStack S3 that stores put-object bodies under $FAKE/s3, a
// curl that reads them back by URL, and recorders for the deploy and the suite.
const (
	fakeDocker = `case "$*" in
info*) exit 0 ;;
*" exec -T localstack curl -sf "*) exec curl -sf "${@: -1}" ;;
*) exit 0 ;;
esac
`
	fakeAWSLocal = `case "$1 $2" in
"s3api head-bucket") exit 1 ;;
"s3api put-object")
	while [ $# -gt 0 ]; do
		case "$1" in --bucket) b=$2 ;; --key) k=$2 ;; --body) f=$2 ;; --acl) acl=$2 ;; esac
		shift
	done
	[ "$acl" = public-read ] || { echo "object $k is not public-read" >&2; exit 1; }
	mkdir -p "$(dirname "$FAKE/s3/$b/$k")" && cp "$f" "$FAKE/s3/$b/$k" ;;
"cloudformation describe-stacks")
	case "$*" in *ApiUrl*) echo http://api.test ;; *) echo hotline-ls ;; esac ;;
esac
`
	fakeCurl = `url=${@: -1}
path=${url#http://s3.localhost.localstack.cloud:4566/}
[ "$path" != "$url" ] && exec cat "$FAKE/s3/$path"
exit 7
`
	fakeSAMLocal = `printf '%s\n' "$@" > "$FAKE/samlocal.args"
`
	fakeGo = `case "$1 $2" in
"run ./cmd/hotline") exec "$REAL_GO" "$@" ;;
"test -count=1")
	env | grep '^HOTLINE_E2E_' > "$FAKE/e2e.env"
	cp "$HOTLINE_E2E_TOKEN_KEY" "$FAKE/e2e-key.pem" ;;
esac
`
)

func TestRunShPublishesTheIssuerTheStackAndSuiteUse(t *testing.T) {
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	fake := t.TempDir()
	bin := fakeBin(t, map[string]string{
		"docker": fakeDocker, "awslocal": fakeAWSLocal, "curl": fakeCurl,
		"samlocal": fakeSAMLocal, "make": "exit 0\n", "go": fakeGo,
	})
	out, err := runScript(t, bin, "LOCALSTACK_AUTH_TOKEN=x", "FAKE="+fake, "REAL_GO="+realGo, "LOCALSTACK_LOG_DIR="+fake)
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, out)
	}

	samArgs, err := os.ReadFile(filepath.Join(fake, "samlocal.args"))
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{}
	for _, a := range strings.Split(string(samArgs), "\n") {
		if k, v, ok := strings.Cut(a, "="); ok {
			params[k] = v
		}
	}
	issuer, audience, jwksURL := params["JwtIssuer"], params["JwtAudience"], params["JwksUrl"]
	if !strings.HasPrefix(issuer, "http://s3.localhost.localstack.cloud:4566/") || audience == "" || jwksURL != auth.JWKSURL(issuer) {
		t.Fatalf("deployed with JwtIssuer=%q JwtAudience=%q JwksUrl=%q", issuer, audience, jwksURL)
	}

	envData, err := os.ReadFile(filepath.Join(fake, "e2e.env"))
	if err != nil {
		t.Fatal(err)
	}
	e2e := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(envData)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		e2e[k] = v
	}
	if e2e["HOTLINE_E2E_TOKEN_ISSUER"] != issuer || e2e["HOTLINE_E2E_TOKEN_AUDIENCE"] != audience || e2e["HOTLINE_E2E_API_URL"] != "http://api.test" {
		t.Fatalf("e2e suite env %v, want issuer %s, audience %s", e2e, issuer, audience)
	}

	// Serve the fake bucket under the issuer URL's path and check a token
	// signed with the suite's key the way both authorizers would.
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(fake, "s3"))))
	defer srv.Close()
	u, err := url.Parse(issuer)
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	b, err := os.ReadFile(filepath.Join(fake, "s3", filepath.FromSlash(u.Path), ".well-known", "openid-configuration"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &disc); err != nil || disc.Issuer != issuer || disc.JWKSURI != jwksURL {
		t.Fatalf("published discovery %s (%v), want issuer %s and jwks_uri %s", b, err, issuer, jwksURL)
	}
	pemKey, err := os.ReadFile(filepath.Join(fake, "e2e-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.ParseRSAPrivateKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.NewRSASigner(key, "", issuer, audience, time.Now).Sign(auth.Claims{Subject: "s", Role: auth.RoleSupervisor}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	v := &authorizer.JWKSVerifier{Issuer: issuer, Audience: audience, URL: srv.URL + u.Path + "/.well-known/jwks.json", Client: srv.Client(), Now: time.Now}
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("suite's token against the published JWKS: %v", err)
	}
}
