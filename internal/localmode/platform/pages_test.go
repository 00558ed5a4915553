package platform_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// The pages and the API share one origin: pages from the embedded files,
// API routes and unknown paths from the gateway.
func TestPagesShareTheAPIOrigin(t *testing.T) {
	p := localtest.StartPlatform(t, platform.Options{}, nil)
	for path, want := range map[string]string{
		"/":               "text/html; charset=utf-8",
		"/console/":       "text/html; charset=utf-8",
		"/citizen/app.js": "text/javascript; charset=utf-8",
		"/config.json":    "application/json",
		"/v1/categories":  "application/json",
	} {
		resp, err := http.Get(p.APIURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			t.Errorf("GET %s: %d %q, want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
		if isPage := !strings.HasPrefix(path, "/v1/"); isPage != (resp.Header.Get("Content-Security-Policy") != "") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, resp.Header.Get("Content-Security-Policy"))
		}
	}
	resp, err := http.Get(p.APIURL + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cfg map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg["apiUrl"] != "" || cfg["issuer"] != p.Issuer.Issuer || cfg["localMode"] != true {
		t.Errorf("config.json = %v", cfg)
	}
	// Outside the pages' files the gateway answers, as API Gateway would.
	nf, err := http.Get(p.APIURL + "/nope.html")
	if err != nil {
		t.Fatal(err)
	}
	nf.Body.Close()
	if nf.StatusCode != http.StatusNotFound || nf.Header.Get("Apigw-Requestid") == "" {
		t.Errorf("GET /nope.html: %d %v", nf.StatusCode, nf.Header)
	}
}
