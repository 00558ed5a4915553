// Package web holds the pages (the citizen page, later the staff console) as
// plain files embedded in the binary, and serves them: `hotline serve` puts
// them on the API's own origin, so the pages need no CORS and `make run` needs
// nothing but Go. In AWS the same files are a static site whose config.json
// names the API.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed citizen console shared
var files embed.FS

// Files are the pages' files: citizen/, console/ and shared/.
func Files() fs.FS { return files }

// Config is what the pages read from /config.json.
type Config struct {
	// APIURL is where the API answers; empty means the pages' own origin.
	APIURL string `json:"apiUrl"`
	// Issuer names the issuer of staff tokens (the console's, later).
	Issuer string `json:"issuer"`
	// LocalMode says the pages run under `hotline serve`.
	LocalMode bool `json:"localMode"`

	// The console's OpenID Connect sign-in (oidc.go, console/oidc.js);
	// empty when the site has none.

	// ClientID is the identity provider's app client (public, no secret).
	ClientID string `json:"clientId,omitempty"`
	// AuthorizationEndpoint and TokenEndpoint are the provider's, usually
	// read from its discovery document when the site is built.
	AuthorizationEndpoint string `json:"authorizationEndpoint,omitempty"`
	TokenEndpoint         string `json:"tokenEndpoint,omitempty"`
	// EndSessionEndpoint, when set, is where sign-out sends the browser so
	// the provider's own session ends too.
	EndSessionEndpoint string `json:"endSessionEndpoint,omitempty"`
	// Scope is what the console asks for; it includes openid.
	Scope string `json:"scope,omitempty"`
	// TokenUse is which token the API gets: TokenUseID or TokenUseAccess.
	TokenUse string `json:"tokenUse,omitempty"`

	// MediaOrigin is the attachments bucket's origin (scheme://host[:port]),
	// where the pages post uploads and whence they show photos: the
	// Content-Security-Policy allows it in connect-src and img-src. The pages
	// themselves only use the URLs the API gives, so it is not in config.json.
	MediaOrigin string `json:"-"`
}

// CSP keeps the pages to their own origin: no inline script or style, nothing
// from elsewhere, not framed. The API is same-origin in local mode; a static
// site whose API is elsewhere adds it to connect-src.
const CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// Policy is the pages' Content-Security-Policy under `hotline serve`: CSP,
// and with a bucket for attachments its origin alone added to connect-src
// (the upload's POST) and img-src (thumbnails), the API staying same-origin.
func (c Config) Policy() string {
	if c.MediaOrigin == "" {
		return CSP
	}
	return CSP + "; connect-src 'self' " + c.MediaOrigin + "; img-src 'self' " + c.MediaOrigin
}

// checkMediaOrigin says whether o is an origin a policy may name: an
// absolute http(s) origin without a path (http only on loopback).
func checkMediaOrigin(o string) error {
	if o == "" {
		return nil
	}
	origin, err := apiOrigin(o)
	if err != nil || origin != o || strings.ContainsAny(o, "*;' ") {
		return fmt.Errorf("media origin %q: want scheme://host[:port] of the attachments bucket, https unless on loopback", o)
	}
	return nil
}

type asset struct {
	body, gz    []byte
	etag, gzTag string
	ctype       string
}

// Handler serves the pages and config.json. Has says which paths it holds, so
// a server can send everything else to the API.
type Handler struct {
	assets map[string]*asset
	csp    string
}

// New builds the handler; every file is digested and compressed once here.
func New(cfg Config) (*Handler, error) {
	if err := checkMediaOrigin(cfg.MediaOrigin); err != nil {
		return nil, err
	}
	h := &Handler{assets: map[string]*asset{}, csp: cfg.Policy()}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		h.add("/"+p, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The citizen page is the site's front page; directories serve their
	// index.html.
	h.assets["/"] = h.assets["/citizen/index.html"]
	h.assets["/console/"] = h.assets["/console/index.html"]
	c, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	h.add("/config.json", c)
	return h, nil
}

func (h *Handler) add(p string, b []byte) {
	ctype := mime.TypeByExtension(path.Ext(p))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	sum := sha256.Sum256(b)
	tag := hex.EncodeToString(sum[:8])
	a := &asset{body: b, ctype: ctype, etag: `"` + tag + `"`, gzTag: `"` + tag + `-gz"`}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	// Small files can grow when compressed; those go as they are.
	if buf.Len() < len(b) {
		a.gz = buf.Bytes()
	}
	h.assets[p] = a
}

// Has says whether path is one of the pages' files.
func (h *Handler) Has(p string) bool { _, ok := h.assets[p]; return ok }

// ServeHTTP answers GET and HEAD for the pages' files.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	// Revalidate every time: names are not fingerprinted, and a 304 costs
	// one small round trip.
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Vary", "Accept-Encoding")
	hd.Set("Content-Type", a.ctype)
	body, etag := a.body, a.etag
	if a.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = a.gz, a.gzTag
		hd.Set("Content-Encoding", "gzip")
	}
	hd.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && matches(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

func matches(inm, etag string) bool {
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
