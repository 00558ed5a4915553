package browsertest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/web"
)

// fakeProvider is an OpenID provider on loopback, as strict as a real one
// about the authorization code flow with PKCE: the authorize endpoint
// wants response_type=code, the client, the console's redirect URI and an
// S256 challenge, and signs the person in at once; the token endpoint
// redeems a code once, for the same redirect URI and client, only with the
// verifier whose SHA-256 is the challenge. Its ID tokens are signed by the
// platform's issuer, so the local API takes them as API Gateway takes the
// provider's.
type fakeProvider struct {
	t        *testing.T
	srv      *httptest.Server
	p        *platform.Platform
	clientID string
	site     string // the pages' origin: CORS and the redirect URI

	mu        sync.Mutex
	codes     map[string]grant
	deny      bool // the person refuses (error=access_denied)
	tamper    bool // the token endpoint's PKCE check fails
	noRole    bool // the account has no staff role
	redeemed  int  // codes the token endpoint accepted
	loggedOut bool
}

type grant struct{ challenge, nonce, redirectURI string }

var pkceChars = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

func newFakeProvider(t *testing.T, p *platform.Platform, site string) *fakeProvider {
	f := &fakeProvider{t: t, p: p, clientID: p.Issuer.Audience, site: site, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize", "token_endpoint": f.srv.URL + "/token",
			"end_session_endpoint": f.srv.URL + "/logout", "code_challenge_methods_supported": []string{"S256"},
			"response_types_supported": []string{"code"},
		})
	})
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /logout", f.logout)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeProvider) redirectURI() string { return f.site + "/console/" }

func (f *fakeProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": f.clientID, "redirect_uri": f.redirectURI(), "code_challenge_method": "S256", "scope": "openid profile"} {
		if got := q.Get(k); got != want {
			f.t.Errorf("authorize: %s = %q, want %q", k, got, want)
			http.Error(w, "bad "+k, http.StatusBadRequest)
			return
		}
	}
	// base64url of a SHA-256: 43 characters, no padding.
	challenge, state, nonce := q.Get("code_challenge"), q.Get("state"), q.Get("nonce")
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(challenge) || len(state) < 22 || len(nonce) < 22 {
		f.t.Errorf("authorize: challenge %q, state %q, nonce %q", challenge, state, nonce)
		http.Error(w, "bad challenge, state or nonce", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {state}}
	f.mu.Lock()
	if f.deny {
		back.Set("error", "access_denied")
		back.Set("error_description", "The user denied the request")
	} else {
		code := fmt.Sprintf("code-%d", len(f.codes)+1)
		f.codes[code] = grant{challenge: challenge, nonce: nonce, redirectURI: q.Get("redirect_uri")}
		back.Set("code", code)
	}
	f.mu.Unlock()
	http.Redirect(w, r, f.redirectURI()+"?"+back.Encode(), http.StatusFound)
}

// token answers CORS for the site alone, as a provider configured with the
// console's origin does; the form post is a simple request (no preflight).
func (f *fakeProvider) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", f.site)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	refuse := func(code, why string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": why})
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" && !strings.HasPrefix(got, "application/x-www-form-urlencoded;") {
		f.t.Errorf("token: Content-Type %q", got)
	}
	if err := r.ParseForm(); err != nil {
		refuse("invalid_request", err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code")) // a code is good once
	verifier := r.PostForm.Get("code_verifier")
	sum := sha256.Sum256([]byte(verifier))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code":
		refuse("unsupported_grant_type", r.PostForm.Get("grant_type"))
		return
	case !ok:
		refuse("invalid_grant", "unknown or used code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI || r.PostForm.Get("client_id") != f.clientID:
		refuse("invalid_grant", "redirect_uri or client_id differs from the authorization request")
		return
	case !pkceChars.MatchString(verifier) || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		f.t.Errorf("token: verifier %q does not match the challenge %q", verifier, g.challenge)
		refuse("invalid_grant", "PKCE verification failed")
		return
	case f.tamper:
		// The verifier was right; the provider is made to refuse it anyway.
		refuse("invalid_grant", "PKCE verification failed")
		return
	}
	now := f.p.Issuer.Now()
	claims := jwt.MapClaims{"iss": f.p.Issuer.Issuer, "aud": f.clientID, "sub": "oidc-market-1", "nonce": g.nonce,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "role": "department", "dept": "market", "name": "王芳"}
	if f.noRole {
		delete(claims, "role")
		delete(claims, "dept")
	}
	idToken, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(f.p.Issuer.Secret)
	if err != nil {
		f.t.Error(err)
		refuse("server_error", err.Error())
		return
	}
	f.redeemed++
	// The access token is opaque here: the console must send the ID token.
	_ = json.NewEncoder(w).Encode(map[string]any{"id_token": idToken, "access_token": "opaque-access", "token_type": "Bearer", "expires_in": 3600})
}

func (f *fakeProvider) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != f.clientID || q.Get("post_logout_redirect_uri") != f.redirectURI() || q.Get("id_token_hint") == "" {
		f.t.Errorf("logout: %v", q)
		http.Error(w, "bad logout", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.loggedOut = true
	f.mu.Unlock()
	http.Redirect(w, r, f.redirectURI(), http.StatusFound)
}

func (f *fakeProvider) set(deny, tamper, noRole bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deny, f.tamper, f.noRole = deny, tamper, noRole
}

// oidcFailure starts a sign-in the provider makes fail and returns what the
// console then says.
func oidcFailure(t *testing.T, ctx context.Context, what string) string {
	t.Helper()
	do(t, ctx, what,
		chromedp.WaitVisible(chromedp.ID("signin-oidc-start")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('err-oidc').textContent = ''`),
		chromedp.Click(chromedp.ID("signin-oidc-start")),
		chromedp.WaitVisible(chromedp.ID("err-oidc")),
	)
	if s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search + sessionStorage.getItem('hotline.staff')`)); s != "null" {
		t.Errorf("%s: the address or the session still holds %q", what, s)
	}
	return text(t, ctx, "err-oidc")
}

// The deployed console signs a department in through an OpenID provider
// (authorization code with PKCE) and shows its inbox from the API; the
// provider's refusals and a forged return are told in plain words. The
// pages are the static site `hotline site` writes, on their own origin,
// with the endpoints read from the provider's discovery document; the
// header CSP is CloudFront's (the API's and StaffSignInOrigin), and each
// page's <meta> CSP must allow the token endpoint too.
func TestConsoleOIDCSignIn(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	siteDir := filepath.Join(t.TempDir(), "site")
	site := httptest.NewUnstartedServer(nil)
	logs := &localtest.Logs{}
	site.Start()
	t.Cleanup(site.Close)
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits, CORSOrigins: []string{site.URL}}, logs.String)
	idp := newFakeProvider(t, p, site.URL)
	site.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", web.CSP+"; connect-src 'self' "+p.APIURL+" "+idp.srv.URL)
		w.Header().Set("Cache-Control", "no-cache")
		http.FileServer(http.Dir(siteDir)).ServeHTTP(w, r)
	})

	ep, err := web.Discover(context.Background(), idp.srv.Client(), idp.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{APIURL: p.APIURL, Issuer: idp.srv.URL, ClientID: idp.clientID, AuthorizationEndpoint: ep.Authorization,
		TokenEndpoint: ep.Token, EndSessionEndpoint: ep.EndSession, Scope: "openid profile"}
	if err := web.WriteSite(siteDir, cfg); err != nil {
		t.Fatal(err)
	}
	rec := fileByAPI(t, p, "oidc@example.com")
	pg := watch(t, ctx)
	do(t, ctx, "desk size", chromedp.EmulateViewport(1280, 900))

	do(t, ctx, "open the console",
		chromedp.Navigate(site.URL+"/console/"),
		chromedp.WaitVisible(chromedp.ID("signin-oidc-start")),
		chromedp.WaitNotVisible(chromedp.ID("signin-form")),
	)
	if s := text(t, ctx, "signin-oidc-start"); s != "使用统一身份认证登录" {
		t.Errorf("sign-in button says %q", s)
	}
	shot(t, ctx, dir, "console-oidc-01-signin")
	assertAccessible(t, ctx, "console-oidc-01-signin")

	// Signed in at the provider, back with a code: the department's inbox.
	row := `#tickets li[data-id="` + rec.ID + `"]`
	do(t, ctx, "sign in at the provider",
		chromedp.Click(chromedp.ID("signin-oidc-start")),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	if h, who := text(t, ctx, "list-heading"), text(t, ctx, "whoami"); h != "市市场监督管理局 工单" || !strings.HasSuffix(who, "承办单位 · 市市场监督管理局") {
		t.Errorf("inbox heading %q, signed in as %q", h, who)
	}
	session, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`JSON.parse(sessionStorage.getItem('hotline.staff'))`))
	if err != nil || session["role"] != "department" || session["dept"] != "market" || strings.Count(session["token"], ".") != 2 {
		t.Errorf("session %v %v: want the ID token of department market", session, err)
	}
	if u, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); u != site.URL+"/console/" {
		t.Errorf("after the sign-in the address is %s, want the code gone", u)
	}
	if left, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`sessionStorage.getItem('hotline.oidc') || ''`)); left != "" {
		t.Errorf("the verifier outlives the sign-in: %q", left)
	}
	shot(t, ctx, dir, "console-oidc-02-inbox")
	pg.check(t)

	// Sign-out ends the provider's session too and comes back signed out.
	do(t, ctx, "sign out",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("signin-oidc-start")),
	)
	idp.mu.Lock()
	if !idp.loggedOut || idp.redeemed != 1 {
		t.Errorf("provider: logged out %v, codes redeemed %d", idp.loggedOut, idp.redeemed)
	}
	idp.mu.Unlock()
	if s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`sessionStorage.getItem('hotline.staff') || ''`)); s != "" {
		t.Errorf("signed out, the session still holds %q", s)
	}

	// The token endpoint refuses the code (the PKCE check).
	idp.set(false, true, false)
	if s := oidcFailure(t, ctx, "refused PKCE"); s != "统一身份认证拒绝了本次登录（PKCE verification failed）。请重新登录。" {
		t.Errorf("refused PKCE says %q", s)
	}
	shot(t, ctx, dir, "console-oidc-03-refused")
	pg.check(t, "status of 400")

	// The person says no at the provider.
	idp.set(true, false, false)
	if s := oidcFailure(t, ctx, "access denied"); !strings.HasPrefix(s, "登录已取消") {
		t.Errorf("access_denied says %q", s)
	}
	shot(t, ctx, dir, "console-oidc-04-denied")
	assertAccessible(t, ctx, "console-oidc-04-denied")
	// The same in English.
	do(t, ctx, "English", chromedp.Click(chromedp.ID("lang")))
	if s := text(t, ctx, "err-oidc"); !strings.HasPrefix(s, "The sign-in was cancelled") {
		t.Errorf("access_denied in English says %q", s)
	}
	shot(t, ctx, dir, "console-oidc-05-denied-en")
	do(t, ctx, "back to Chinese", chromedp.Click(chromedp.ID("lang")))

	// An account without a staff role.
	idp.set(false, false, true)
	if s := oidcFailure(t, ctx, "no role"); !strings.HasPrefix(s, "您的账号尚未分配工作台角色") {
		t.Errorf("a token without a role says %q", s)
	}
	pg.check(t)

	// A return this tab did not start (a forged or replayed link).
	do(t, ctx, "forged return",
		chromedp.Navigate(site.URL+"/console/?code=code-1&state=forged"),
		chromedp.WaitVisible(chromedp.ID("err-oidc")),
	)
	if s := text(t, ctx, "err-oidc"); !strings.HasPrefix(s, "登录未能完成") {
		t.Errorf("a forged return says %q", s)
	}
	shot(t, ctx, dir, "console-oidc-06-forged")
	pg.check(t)
}
