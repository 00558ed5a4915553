package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSiteWritesPagesAndConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	api, issuer := "https://abc123.execute-api.cn-north-1.amazonaws.com.cn", "https://cognito-idp.cn-north-1.amazonaws.com.cn/pool"
	if _, stderr, err := runHotline("site", "--out", dir, "--api", api, "--issuer", issuer); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		APIURL    string `json:"apiUrl"`
		Issuer    string `json:"issuer"`
		LocalMode *bool  `json:"localMode"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.APIURL != api || cfg.Issuer != issuer || cfg.LocalMode == nil || *cfg.LocalMode {
		t.Errorf("config.json = %s", b)
	}
	for _, p := range []string{"index.html", "console/index.html", "shared/style.css", "citizen/app.js"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestSiteNeedsEveryFlag(t *testing.T) {
	_, _, err := runHotline("site", "--out", t.TempDir(), "--api", "https://abc.example")
	if err == nil || !strings.Contains(err.Error(), "--issuer") {
		t.Errorf("without --issuer: %v", err)
	}
}
