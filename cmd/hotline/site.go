package main

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/hotline12345/hotline/web"
)

// siteCmd writes the pages as the deployed static site: the files embedded in
// this binary (so what is published is what `hotline serve` serves) and a
// config.json naming the API, the staff issuer and the console's OIDC
// sign-in. `aws s3 sync` publishes the directory (README, "Deploy to AWS").
//
// The sign-in's endpoints are read from the issuer's discovery document now,
// unless given: the page then needs no discovery at run time, and its CSP
// names the token endpoint it posts to.
func siteCmd(args []string, stdout io.Writer) error {
	fs := newFlags("site", "site --out DIR --api URL --issuer URL --client-id ID [flags]",
		"Write the pages and their config.json as the deployed static site (what `aws s3 sync` publishes), with the console's OIDC sign-in.")
	out := fs.String("out", "", "directory to write the site into (absent or empty)")
	api := fs.String("api", "", "the API's URL (the stack's ApiUrl output)")
	issuer := fs.String("issuer", "", "issuer of staff tokens (the JwtIssuer parameter)")
	clientID := fs.String("client-id", "", "the console's OIDC app client id (public client with PKCE, no secret; the JwtAudience parameter when the API gets ID tokens)")
	authz := fs.String("authorization-endpoint", "", "OIDC authorization endpoint; default: from the issuer's discovery document")
	tokenEP := fs.String("token-endpoint", "", "OIDC token endpoint; default: from the issuer's discovery document")
	endSession := fs.String("end-session-endpoint", "", "where sign-out ends the provider's session too; default: the discovery document's, if any")
	scope := fs.String("scope", web.DefaultScope, "scopes the console asks for, space-separated; must include openid")
	tokenUse := fs.String("token-use", web.TokenUseID, `token the API gets: "id" (its aud is the client id; where role and dept claims usually are) or "access"`)
	media := fs.String("media", "", "the media bucket's origin (the stack's MediaOrigin output), where the pages send photos and show them from; empty: the pages take no files")
	signInOrigin := fs.String("signin-origin", "", "the stack's StaffSignInOrigin parameter, checked against the token endpoint's origin (CloudFront's CSP allows only that one)")
	if err := fs.parse(args, stdout, false); err != nil {
		return err
	}
	if *out == "" || *api == "" || *issuer == "" || *clientID == "" {
		return fs.errorf("site needs --out, --api, --issuer and --client-id")
	}
	cfg := web.Config{APIURL: *api, Issuer: *issuer, ClientID: *clientID, MediaOrigin: *media,
		AuthorizationEndpoint: *authz, TokenEndpoint: *tokenEP, EndSessionEndpoint: *endSession, Scope: *scope, TokenUse: *tokenUse}
	if cfg.AuthorizationEndpoint == "" || cfg.TokenEndpoint == "" {
		ep, err := web.Discover(context.Background(), nil, *issuer)
		if err != nil {
			return err
		}
		if cfg.AuthorizationEndpoint == "" {
			cfg.AuthorizationEndpoint = ep.Authorization
		}
		if cfg.TokenEndpoint == "" {
			cfg.TokenEndpoint = ep.Token
		}
		if cfg.EndSessionEndpoint == "" {
			cfg.EndSessionEndpoint = ep.EndSession
		}
	}
	tokenOrigin, err := cfg.CheckSignIn()
	if err != nil {
		return err
	}
	// The browser enforces CloudFront's policy as well as the page's own: a
	// token endpoint it does not allow would fail every sign-in.
	if apiURL, err := url.Parse(*api); err == nil && apiURL.Scheme+"://"+apiURL.Host != tokenOrigin && *signInOrigin != tokenOrigin {
		if *signInOrigin == "" {
			return fmt.Errorf("the token endpoint %s is on %s: deploy the stack with StaffSignInOrigin=%s and pass it here with --signin-origin, or CloudFront's Content-Security-Policy blocks the sign-in", cfg.TokenEndpoint, tokenOrigin, tokenOrigin)
		}
		return fmt.Errorf("the token endpoint %s is on %s, but the stack's StaffSignInOrigin is %s: CloudFront's Content-Security-Policy would block the sign-in; deploy with StaffSignInOrigin=%s", cfg.TokenEndpoint, tokenOrigin, *signInOrigin, tokenOrigin)
	}
	if err := web.WriteSite(*out, cfg); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "site written to %s (API %s; staff sign-in: client %s, token endpoint %s)\n", *out, *api, cfg.ClientID, cfg.TokenEndpoint)
	return nil
}
