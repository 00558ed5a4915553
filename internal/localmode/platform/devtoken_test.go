package platform_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// The console's development sign-in: a token for a staff role (and a
// department of the catalog), that the API then takes.
func TestDevTokenSignsForTheConsole(t *testing.T) {
	p := localtest.StartPlatform(t, platform.Options{}, nil)
	post := func(body string) (*http.Response, map[string]any) {
		t.Helper()
		resp, err := http.Post(p.APIURL+platform.TokenPath, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return resp, m
	}

	resp, m := post(`{"role":"department","dept":"market"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("department market: %d %v", resp.StatusCode, m)
	}
	tok, _ := m["token"].(string)
	claims, err := p.Issuer.Verify(tok)
	if err != nil || claims["role"] != "department" || claims["dept"] != "market" {
		t.Errorf("token claims %v, %v", claims, err)
	}
	if exp, err := time.Parse(time.RFC3339, m["expiresAt"].(string)); err != nil || time.Until(exp) < time.Hour {
		t.Errorf("expiresAt %v (%v)", m["expiresAt"], err)
	}
	// The API takes it: the department's inbox answers.
	req, _ := http.NewRequest(http.MethodGet, p.APIURL+"/v1/departments/market/tickets?status=dispatched", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	inbox, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	inbox.Body.Close()
	if inbox.StatusCode != http.StatusOK {
		t.Errorf("inbox with the token: %d", inbox.StatusCode)
	}

	if resp, m := post(`{"role":"operator"}`); resp.StatusCode != http.StatusOK || m["token"] == "" {
		t.Errorf("operator: %d %v", resp.StatusCode, m)
	}
	for body, field := range map[string]string{
		`{"role":"citizen"}`:                  "role",
		`{"role":""}`:                         "role",
		`{"role":"department","dept":"nope"}`: "dept",
		`{"role":"department"}`:               "dept",
		`{"role":"operator","dept":"market"}`: "dept",
	} {
		resp, m := post(body)
		fields, _ := m["fields"].(map[string]any)
		if resp.StatusCode != http.StatusBadRequest || fields[field] == nil || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %v, want 400 naming %s", body, resp.StatusCode, m, field)
		}
	}
	// In the language the console asks for.
	req, _ = http.NewRequest(http.MethodPost, p.APIURL+platform.TokenPath, strings.NewReader(`{"role":"department","dept":"nope"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	en, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var enProblem struct{ Fields map[string]string }
	_ = json.NewDecoder(en.Body).Decode(&enProblem)
	en.Body.Close()
	if !strings.HasPrefix(enProblem.Fields["dept"], "no department nope; known: market") {
		t.Errorf("English refusal %q", enProblem.Fields["dept"])
	}
	// Not JSON: refused, so a cross-site form cannot ask for a token.
	form, err := http.Post(p.APIURL+platform.TokenPath, "application/x-www-form-urlencoded", strings.NewReader("role=admin"))
	if err != nil {
		t.Fatal(err)
	}
	form.Body.Close()
	if form.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form post: %d", form.StatusCode)
	}
}

// Outside local mode the endpoint is not there.
func TestDevTokenOnlyInLocalMode(t *testing.T) {
	cat, err := catalog.Load(configfiles.Seed)
	if err != nil {
		t.Fatal(err)
	}
	h := platform.DevTokenHandler(auth.NewIssuer("", time.Now), cat, false)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, platform.TokenPath, strings.NewReader(`{"role":"admin"}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "token\"") {
		t.Errorf("not local: %d %s", rec.Code, rec.Body)
	}
}
