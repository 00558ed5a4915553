package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
)

// WriteSite writes the pages as the deployed static site into dir: every
// embedded file, index.html at the top (the citizen page, as "/" is locally)
// and config.json from cfg. dir must be empty or absent, so a later
// `aws s3 sync --delete` publishes exactly these files and nothing stale.
//
// cfg.APIURL must be an absolute https URL (http only for loopback, for
// tests): the site is on another origin than the API. Each HTML page gets a
// <meta> Content-Security-Policy allowing connect-src to that origin alone.
// The CloudFront header policy can only allow the region's execute-api hosts
// (naming the API there would be a dependency cycle with the API's CORS;
// infra/template.yaml), and a browser enforces both policies, so together
// they allow the one API.
//
// With the console's OIDC sign-in configured (Config.CheckSignIn) the
// policies also allow the token endpoint's origin, where the console posts
// the authorization code; the CloudFront policy names it through the
// stack's StaffSignInOrigin parameter.
//
// With cfg.MediaOrigin (the attachments bucket's https origin) the policies
// also allow it in connect-src, where the pages post uploads, and img-src,
// whence they show photos. The CloudFront policy can only allow the
// region's S3 hosts (the bucket's CORS names the distribution: the same
// cycle), so the <meta> narrows it to the one bucket.
func WriteSite(dir string, cfg Config) error {
	origin, err := apiOrigin(cfg.APIURL)
	if err != nil {
		return err
	}
	connect := "'self' " + origin
	if cfg.SignInConfigured() {
		tokenOrigin, err := cfg.CheckSignIn()
		if err != nil {
			return err
		}
		if tokenOrigin != origin {
			connect += " " + tokenOrigin
		}
	}
	if err := checkMediaOrigin(cfg.MediaOrigin); err != nil {
		return err
	}
	policy := "connect-src " + connect
	if cfg.MediaOrigin != "" {
		policy += " " + cfg.MediaOrigin + "; img-src 'self' " + cfg.MediaOrigin
	}
	if cfg.LocalMode {
		return fmt.Errorf("site config: localMode is for `hotline serve` only")
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty; write the site into a fresh directory", dir)
	}
	meta := []byte(`<meta http-equiv="Content-Security-Policy" content="` + policy + `">`)
	write := func(name string, b []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, b, 0o644)
	}
	err = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		if path.Ext(p) == ".html" {
			if b, err = withMeta(p, b, meta); err != nil {
				return err
			}
			if p == "citizen/index.html" {
				if err := write("index.html", b); err != nil {
					return err
				}
			}
		}
		return write(p, b)
	})
	if err != nil {
		return err
	}
	c, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return write("config.json", append(c, '\n'))
}

// apiOrigin is scheme://host[:port] of an absolute API URL.
func apiOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("API URL %q: want an absolute URL such as https://abc123.execute-api.cn-north-1.amazonaws.com.cn", raw)
	}
	loopback := u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1"
	if u.Scheme != "https" && (u.Scheme != "http" || !loopback) {
		return "", fmt.Errorf("API URL %q: the site is served over https, so the API must be too", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// withMeta puts the policy right after <meta charset>, which has to stay
// first in <head>.
func withMeta(name string, b, meta []byte) ([]byte, error) {
	anchor := []byte(`<meta charset="utf-8">`)
	i := bytes.Index(b, anchor)
	if i < 0 {
		return nil, fmt.Errorf("%s: no %s to put the Content-Security-Policy after", name, anchor)
	}
	i += len(anchor)
	out := make([]byte, 0, len(b)+len(meta)+1)
	out = append(out, b[:i]...)
	out = append(out, '\n')
	out = append(out, meta...)
	return append(out, b[i:]...), nil
}
