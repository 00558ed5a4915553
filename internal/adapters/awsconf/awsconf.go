// Package awsconf builds the aws.Config every adapter builds its client from
// (each adapter package has its own constructor, so a function links only the
// clients it uses). The same adapters run against AWS (default credential chain) and
// against a local AWS-compatible edge (hotline serve, LocalStack) selected only
// by an endpoint URL.
package awsconf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
)

// Settings select where the clients talk to. Callers fill it from their own
// configuration; this package never reads the environment itself.
type Settings struct {
	// Region is required (e.g. "cn-north-1", "us-east-1").
	Region string
	// EndpointURL, when set, sends every client to this base URL with static
	// dummy credentials (local edge, LocalStack). Empty means real AWS with the
	// default credential chain.
	EndpointURL string
	// HTTPClient is optional; nil keeps the SDK default.
	HTTPClient *http.Client
	// RetryMaxAttempts is optional; 0 keeps the SDK default.
	RetryMaxAttempts int
	// Unsigned, with an EndpointURL, sends requests unsigned (anonymous
	// credentials): for local mode's in-process edge, which checks no
	// signature, so its callers need not spend on SigV4 (6% of a load
	// run's CPU). Ignored for real AWS.
	Unsigned bool
	// APIOptions are middleware every client gets (tracing's spans).
	APIOptions []func(*middleware.Stack) error
}

// ErrNoRegion is returned when Settings.Region is empty.
var ErrNoRegion = errors.New("awsconf: region is required")

// Local dummy credentials: LocalStack and our edge accept any signature, and
// using fixed values keeps local mode independent of ~/.aws and the environment.
const (
	localAccessKey = "test"
	localSecretKey = "test"
)

// LocalCredentials are the access key and secret local endpoints are given:
// what the local edge checks presigned S3 forms and links with.
func LocalCredentials() (accessKeyID, secret string) { return localAccessKey, localSecretKey }

// Load builds the aws.Config. With an endpoint URL it is fully hermetic (no
// shared config files, no IMDS); otherwise it uses the default chain, which is
// what Lambda needs.
func Load(ctx context.Context, s Settings) (aws.Config, error) {
	if s.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	if s.EndpointURL != "" {
		u, err := url.Parse(s.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return aws.Config{}, fmt.Errorf("awsconf: endpoint URL %q must be an absolute http(s) URL", s.EndpointURL)
		}
		cfg := aws.Config{
			Region:           s.Region,
			Credentials:      aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(localAccessKey, localSecretKey, "")),
			BaseEndpoint:     aws.String(s.EndpointURL),
			RetryMaxAttempts: s.RetryMaxAttempts,
		}
		if s.HTTPClient != nil {
			cfg.HTTPClient = s.HTTPClient
		}
		if s.Unsigned {
			cfg.Credentials = aws.AnonymousCredentials{}
		}
		cfg.APIOptions = append(cfg.APIOptions, s.APIOptions...)
		return cfg, nil
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(s.Region)}
	if s.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(s.HTTPClient))
	}
	if s.RetryMaxAttempts > 0 {
		opts = append(opts, config.WithRetryMaxAttempts(s.RetryMaxAttempts))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("awsconf: load default AWS config: %w", err)
	}
	cfg.APIOptions = append(cfg.APIOptions, s.APIOptions...)
	return cfg, nil
}

// IsLocal reports whether cfg points at a custom endpoint.
func IsLocal(cfg aws.Config) bool { return cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" }
