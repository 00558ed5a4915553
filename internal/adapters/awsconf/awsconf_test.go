package awsconf_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/adapters/workflow"
)

func TestLoadLocal(t *testing.T) {
	ctx := context.Background()
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: "cn-north-1", EndpointURL: "http://127.0.0.1:4566"})
	if err != nil {
		t.Fatal(err)
	}
	if !awsconf.IsLocal(cfg) || aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:4566" || cfg.Region != "cn-north-1" {
		t.Fatalf("config = %+v", cfg)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "test" {
		t.Fatalf("credentials = %+v, %v", creds, err)
	}
	ddb := store.DynamoDBClient(cfg).Options()
	// Local servers send the CRC32 the SDK checks: it stays on.
	if ddb.DisableValidateResponseChecksum || aws.ToString(ddb.BaseEndpoint) != "http://127.0.0.1:4566" {
		t.Errorf("dynamodb options: checksum off=%v endpoint=%v", ddb.DisableValidateResponseChecksum, aws.ToString(ddb.BaseEndpoint))
	}
	for name, ep := range map[string]*string{
		"sqs":   queue.SQSClient(cfg).Options().BaseEndpoint,
		"sesv2": notify.SESClient(cfg).Options().BaseEndpoint,
		"sns":   notify.SNSClient(cfg).Options().BaseEndpoint,
		"sfn":   workflow.SFNClient(cfg).Options().BaseEndpoint,
		"kms":   seal.KMSClient(cfg).Options().BaseEndpoint,
	} {
		if aws.ToString(ep) != "http://127.0.0.1:4566" {
			t.Errorf("%s endpoint = %v", name, aws.ToString(ep))
		}
	}
}

func TestLoadLocalUnsigned(t *testing.T) {
	ctx := context.Background()
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: "cn-north-1", EndpointURL: "http://127.0.0.1:4566", Unsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Credentials.(aws.AnonymousCredentials); !ok {
		t.Errorf("credentials = %T, want anonymous", cfg.Credentials)
	}
	// Real AWS is always signed.
	cfg, err = awsconf.Load(ctx, awsconf.Settings{Region: "cn-north-1", Unsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Credentials.(aws.AnonymousCredentials); ok {
		t.Error("anonymous credentials against AWS")
	}
}

func TestLoadErrorsAndProduction(t *testing.T) {
	ctx := context.Background()
	if _, err := awsconf.Load(ctx, awsconf.Settings{}); !errors.Is(err, awsconf.ErrNoRegion) {
		t.Errorf("no region err = %v", err)
	}
	for _, bad := range []string{"localhost:4566", "ftp://x", "http://", "://"} {
		if _, err := awsconf.Load(ctx, awsconf.Settings{Region: "us-east-1", EndpointURL: bad}); err == nil {
			t.Errorf("endpoint %q accepted", bad)
		}
	}
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: "cn-northwest-1"})
	if err != nil {
		t.Fatal(err)
	}
	if awsconf.IsLocal(cfg) || cfg.Region != "cn-northwest-1" {
		t.Errorf("production config = region %s local %v", cfg.Region, awsconf.IsLocal(cfg))
	}
	if store.DynamoDBClient(cfg).Options().DisableValidateResponseChecksum {
		t.Error("CRC32 validation disabled against real DynamoDB")
	}
}

// Middleware given in Settings (tracing's spans) reaches every client, local
// or not.
func TestAPIOptionsReachTheConfig(t *testing.T) {
	ctx := context.Background()
	mw := func(*middleware.Stack) error { return nil }
	for _, s := range []awsconf.Settings{
		{Region: "cn-north-1", EndpointURL: "http://127.0.0.1:4566", APIOptions: []func(*middleware.Stack) error{mw}},
		{Region: "cn-north-1", APIOptions: []func(*middleware.Stack) error{mw}},
	} {
		with, err := awsconf.Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		s.APIOptions = nil
		without, err := awsconf.Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(with.APIOptions) != len(without.APIOptions)+1 {
			t.Errorf("endpoint %q: %d API options, want %d", s.EndpointURL, len(with.APIOptions), len(without.APIOptions)+1)
		}
	}
}
