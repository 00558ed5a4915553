package dataplane

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/localmode/edge"
	"github.com/hotline12345/hotline/internal/wiring/config"
)

func TestSealerFollowsTheConfiguredKeySource(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(edge.NewKMS("", ""))
	defer srv.Close()
	awsCfg, err := awsconf.Load(ctx, awsconf.Settings{Region: "cn-north-1", EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	key, err := seal.KMSClient(awsCfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	localKey := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))

	local, err := newSealer(config.Config{SealKey: localKey}, awsCfg)
	if err != nil {
		t.Fatal(err)
	}
	old, err := local.Seal(ctx, []byte("13800138000"), []byte("t1"))
	if err != nil || old[0] != seal.VersionLocal {
		t.Fatalf("local sealer: %v", err)
	}

	both, err := newSealer(config.Config{SealKey: localKey, KMSKeyID: *key.KeyMetadata.Arn}, awsCfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := both.Seal(ctx, []byte("13800138000"), []byte("t1"))
	if err != nil || b[0] != seal.VersionKMS {
		t.Fatalf("with %s set, sealing must use KMS: %v", config.EnvKMSKeyID, err)
	}
	if pt, err := both.Open(ctx, old, []byte("t1")); err != nil || string(pt) != "13800138000" {
		t.Fatalf("values sealed with the local key before the switch: %q, %v", pt, err)
	}

	if _, err := newSealer(config.Config{SealKey: "short"}, awsCfg); err == nil || !strings.Contains(err.Error(), config.EnvSealKey) {
		t.Fatalf("bad local key: %v, want an error naming %s", err, config.EnvSealKey)
	}
}
