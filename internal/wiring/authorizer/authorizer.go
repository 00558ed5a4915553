// Package authorizer wires the optional-staff Lambda authorizer of the HTTP
// API: the token issuer's settings and an HTTP client for its keys, nothing of
// the data plane. It is production-only: the local gateway checks tokens itself.
package authorizer

import (
	"context"
	"net/http"
	"strings"
	"time"

	app "github.com/hotline12345/hotline/internal/app/authorizer"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/config"
)

// Build builds the authorizer from its environment.
func Build(_ context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	cfg, err := config.Load("authorizer", getenv)
	if err != nil {
		return nil, err
	}
	o = o.WithDefaults()
	client := o.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	url := cfg.JWKSURL
	if url == "" {
		url = strings.TrimSuffix(cfg.JWTIssuer, "/") + "/.well-known/jwks.json"
	}
	return &app.Handler{
		Verifier: &app.JWKSVerifier{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, URL: url, Client: client, Now: o.Now},
		Log:      o.Logger("authorizer", cfg.LogLevel),
	}, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
