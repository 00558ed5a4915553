package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteSite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	cfg := Config{APIURL: "https://abc123.execute-api.cn-north-1.amazonaws.com.cn", Issuer: "https://idp.example.gov.cn/pool"}
	if err := WriteSite(dir, cfg); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every embedded file, plus the front page and config.json.
	want := []string{"config.json", "index.html"}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			want = append(want, p)
		}
		return err
	})
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("files\n got %v\nwant %v", got, want)
	}
	var c map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if c["apiUrl"] != cfg.APIURL || c["issuer"] != cfg.Issuer || c["localMode"] != false {
		t.Errorf("config.json = %s", b)
	}
	front, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	citizen, _ := os.ReadFile(filepath.Join(dir, "citizen", "index.html"))
	if string(front) != string(citizen) {
		t.Error("index.html is not the citizen page")
	}
	meta := `<meta charset="utf-8">` + "\n" + `<meta http-equiv="Content-Security-Policy" content="connect-src 'self' https://abc123.execute-api.cn-north-1.amazonaws.com.cn">`
	for _, p := range []string{"index.html", "citizen/index.html", "console/index.html"} {
		b, _ := os.ReadFile(filepath.Join(dir, p))
		if !strings.Contains(string(b), meta) {
			t.Errorf("%s lacks the API's connect-src right after <meta charset>", p)
		}
	}
	js, _ := os.ReadFile(filepath.Join(dir, "citizen", "app.js"))
	orig, _ := files.ReadFile("citizen/app.js")
	if string(js) != string(orig) {
		t.Error("citizen/app.js differs from the embedded file")
	}

	if err := WriteSite(dir, cfg); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("writing into a non-empty directory: %v", err)
	}
}

func TestWriteSiteRefuses(t *testing.T) {
	for _, c := range []Config{
		{APIURL: ""},
		{APIURL: "/v1"},
		{APIURL: "http://abc.execute-api.cn-north-1.amazonaws.com.cn"},
		{APIURL: "https://user@abc.example/"},
		{APIURL: "https://abc.example", LocalMode: true},
	} {
		if err := WriteSite(t.TempDir(), c); err == nil {
			t.Errorf("WriteSite(%+v) wrote a site", c)
		}
	}
}

func TestWriteSiteAllowsTheBucket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	cfg := Config{APIURL: "https://abc123.execute-api.cn-north-1.amazonaws.com.cn", Issuer: "https://idp.example.gov.cn/pool",
		MediaOrigin: "https://hotline-media-1.s3.cn-north-1.amazonaws.com.cn"}
	if err := WriteSite(dir, cfg); err != nil {
		t.Fatal(err)
	}
	meta := `<meta http-equiv="Content-Security-Policy" content="connect-src 'self' https://abc123.execute-api.cn-north-1.amazonaws.com.cn https://hotline-media-1.s3.cn-north-1.amazonaws.com.cn; img-src 'self' https://hotline-media-1.s3.cn-north-1.amazonaws.com.cn">`
	b, _ := os.ReadFile(filepath.Join(dir, "citizen", "index.html"))
	if !strings.Contains(string(b), meta) {
		t.Errorf("the citizen page lacks the bucket in its policy:\n%s", b[:300])
	}
	c, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if strings.Contains(string(c), "s3.") {
		t.Errorf("config.json names the bucket: %s", c)
	}
	cfg.MediaOrigin = "http://hotline-media-1.s3.cn-north-1.amazonaws.com.cn"
	if err := WriteSite(t.TempDir(), cfg); err == nil {
		t.Error("a plain-http bucket was allowed")
	}
}
