// Package awsconf builds the aws.Config and the service clients the platform
// uses. The same adapters run against AWS (default credential chain) and
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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
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
}

// ErrNoRegion is returned when Settings.Region is empty.
var ErrNoRegion = errors.New("awsconf: region is required")

// Local dummy credentials: LocalStack and our edge accept any signature, and
// using fixed values keeps local mode independent of ~/.aws and the environment.
const (
	localAccessKey = "test"
	localSecretKey = "test"
)

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
	return cfg, nil
}

// IsLocal reports whether cfg points at a custom endpoint.
func IsLocal(cfg aws.Config) bool { return cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" }

// DynamoDB builds a DynamoDB client. Against a custom endpoint the CRC32
// response check is off because DynamoDB-compatible servers (minidyn) do not
// send the X-Amz-Crc32 header.
func DynamoDB(cfg aws.Config, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	local := IsLocal(cfg)
	return dynamodb.NewFromConfig(cfg, append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		if local {
			o.DisableValidateResponseChecksum = true
		}
	}}, optFns...)...)
}

// SQS builds an SQS client.
func SQS(cfg aws.Config, optFns ...func(*sqs.Options)) *sqs.Client {
	return sqs.NewFromConfig(cfg, optFns...)
}

// SESv2 builds an SES v2 client.
func SESv2(cfg aws.Config, optFns ...func(*sesv2.Options)) *sesv2.Client {
	return sesv2.NewFromConfig(cfg, optFns...)
}

// SNS builds an SNS client.
func SNS(cfg aws.Config, optFns ...func(*sns.Options)) *sns.Client {
	return sns.NewFromConfig(cfg, optFns...)
}

// SFN builds a Step Functions client.
func SFN(cfg aws.Config, optFns ...func(*sfn.Options)) *sfn.Client {
	return sfn.NewFromConfig(cfg, optFns...)
}

// KMS builds a KMS client.
func KMS(cfg aws.Config, optFns ...func(*kms.Options)) *kms.Client {
	return kms.NewFromConfig(cfg, optFns...)
}
