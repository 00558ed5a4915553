package edge_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

func kmsClient(t *testing.T) *kms.Client {
	t.Helper()
	srv := httptest.NewServer(edge.NewKMS("cn-north-1", "123456789012"))
	t.Cleanup(srv.Close)
	cfg, err := awsconf.Load(context.Background(), awsconf.Settings{Region: "cn-north-1", EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return seal.KMSClient(cfg)
}

func TestKMSDataKeyRoundTripWithTheSDK(t *testing.T) {
	ctx := context.Background()
	c := kmsClient(t)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(key.KeyMetadata.Arn)
	if !strings.HasPrefix(arn, "arn:aws:kms:cn-north-1:123456789012:key/") {
		t.Fatalf("arn = %s", arn)
	}
	ec := map[string]string{"purpose": "test"}
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key.KeyMetadata.KeyId, KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if len(dk.Plaintext) != 32 || len(dk.CiphertextBlob) == 0 || bytes.Contains(dk.CiphertextBlob, dk.Plaintext) {
		t.Fatalf("data key: %d plaintext bytes, %d wrapped", len(dk.Plaintext), len(dk.CiphertextBlob))
	}
	out, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, KeyId: aws.String(arn), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Plaintext, dk.Plaintext) {
		t.Fatal("Decrypt returned a different key")
	}

	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: map[string]string{"purpose": "other"}})
	var invalid *types.InvalidCiphertextException
	if !errors.As(err, &invalid) {
		t.Fatalf("wrong encryption context: err = %v, want InvalidCiphertextException", err)
	}
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, KeyId: other.KeyMetadata.KeyId, EncryptionContext: ec})
	var incorrect *types.IncorrectKeyException
	if !errors.As(err, &incorrect) {
		t.Fatalf("wrong key: err = %v, want IncorrectKeyException", err)
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("missing"), KeySpec: types.DataKeySpecAes256})
	var notFound *types.NotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("unknown key: err = %v, want NotFoundException", err)
	}
}

func FuzzKMSRequest(f *testing.F) {
	f.Add("GenerateDataKey", `{"KeyId":"x","KeySpec":"AES_256"}`)
	f.Add("Decrypt", `{"CiphertextBlob":"AAAA"}`)
	f.Add("Decrypt", `{"CiphertextBlob":"BWFiY2Rl"}`)
	f.Add("CreateKey", `{}`)
	k := edge.NewKMS("", "")
	f.Fuzz(func(t *testing.T, op, body string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "TrentService."+op)
		k.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d", op, body, rec.Code)
		}
	})
}
