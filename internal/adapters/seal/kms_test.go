package seal_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// countingKMS counts the KMS calls that reach the local KMS over HTTP.
type countingKMS struct {
	seal.KMSAPI
	generate, decrypt atomic.Int32
}

func (c *countingKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, o ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	c.generate.Add(1)
	return c.KMSAPI.GenerateDataKey(ctx, in, o...)
}

func (c *countingKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	c.decrypt.Add(1)
	return c.KMSAPI.Decrypt(ctx, in, o...)
}

// localKMS starts the edge's KMS and returns a real SDK client and a key ARN.
func localKMS(t *testing.T) (*kms.Client, string) {
	t.Helper()
	srv := httptest.NewServer(edge.NewKMS("cn-north-1", "123456789012"))
	t.Cleanup(srv.Close)
	cfg, err := awsconf.Load(context.Background(), awsconf.Settings{Region: "cn-north-1", EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := seal.KMSClient(cfg)
	key, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return c, *key.KeyMetadata.Arn
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func TestKMSSealerRoundTripAndCaching(t *testing.T) {
	ctx := context.Background()
	client, arn := localKMS(t)
	api := &countingKMS{KMSAPI: client}
	clk := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	s, err := seal.NewKMSSealer(api, seal.KMSSealerConfig{KeyID: arn, MaxKeyAge: time.Minute, MaxKeyUses: 3, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	var sealed [][]byte
	for i := range 4 {
		b, err := s.Seal(ctx, []byte("13800138000"), []byte("ticket-1"))
		if err != nil {
			t.Fatal(err)
		}
		if b[0] != seal.VersionKMS || bytes.Contains(b, []byte("13800138000")) {
			t.Fatalf("seal %d: not a KMS envelope or plaintext visible", i)
		}
		sealed = append(sealed, b)
	}
	if n := api.generate.Load(); n != 2 {
		t.Fatalf("4 seals with MaxKeyUses 3 made %d GenerateDataKey calls, want 2", n)
	}
	clk.t = clk.t.Add(2 * time.Minute)
	if _, err := s.Seal(ctx, []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if n := api.generate.Load(); n != 3 {
		t.Fatalf("a seal after MaxKeyAge made %d GenerateDataKey calls in all, want 3", n)
	}

	// The sealing instance opens from its cache; a cold one (another function)
	// unwraps each distinct data key once.
	for _, b := range sealed {
		pt, err := s.Open(ctx, b, []byte("ticket-1"))
		if err != nil || string(pt) != "13800138000" {
			t.Fatalf("open: %q, %v", pt, err)
		}
	}
	if n := api.decrypt.Load(); n != 0 {
		t.Fatalf("opening own envelopes made %d Decrypt calls, want 0", n)
	}
	cold, err := seal.NewKMSSealer(api, seal.KMSSealerConfig{KeyID: arn})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range sealed {
		if _, err := cold.Open(ctx, b, []byte("ticket-1")); err != nil {
			t.Fatal(err)
		}
	}
	if n := api.decrypt.Load(); n != 2 {
		t.Fatalf("a cold sealer opening envelopes under 2 data keys made %d Decrypt calls, want 2", n)
	}

	if _, err := cold.Open(ctx, sealed[0], []byte("ticket-2")); !errors.Is(err, seal.ErrAuth) {
		t.Fatalf("open with another aad: %v, want ErrAuth", err)
	}
	tampered := bytes.Clone(sealed[0])
	tampered[len(tampered)-1] ^= 1
	if _, err := cold.Open(ctx, tampered, []byte("ticket-1")); !errors.Is(err, seal.ErrAuth) {
		t.Fatalf("open tampered: %v, want ErrAuth", err)
	}
	wrongWrap := bytes.Clone(sealed[0])
	wrongWrap[10] ^= 1 // inside the wrapped key: KMS refuses to unwrap it
	if _, err := cold.Open(ctx, wrongWrap, []byte("ticket-1")); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("open with a corrupt wrapped key: %v, want ErrUnknownKey", err)
	}
	if _, err := cold.Open(ctx, sealed[0][:20], nil); !errors.Is(err, seal.ErrMalformed) {
		t.Fatalf("open truncated: %v, want ErrMalformed", err)
	}
}

func TestKMSSealerOpensLegacyLocalEnvelopes(t *testing.T) {
	ctx := context.Background()
	client, arn := localKMS(t)
	local, err := seal.NewLocalSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	old, err := local.Seal(ctx, []byte("zhang@example.com"), []byte("t"))
	if err != nil {
		t.Fatal(err)
	}
	without, err := seal.NewKMSSealer(client, seal.KMSSealerConfig{KeyID: arn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := without.Open(ctx, old, []byte("t")); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("local envelope without Legacy: %v, want ErrUnknownKey", err)
	}
	with, err := seal.NewKMSSealer(client, seal.KMSSealerConfig{KeyID: arn, Legacy: local})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := with.Open(ctx, old, []byte("t"))
	if err != nil || string(pt) != "zhang@example.com" {
		t.Fatalf("legacy open: %q, %v", pt, err)
	}
	if _, err := seal.NewKMSSealer(client, seal.KMSSealerConfig{}); err == nil {
		t.Fatal("a sealer without a key id was built")
	}
}

func FuzzParseKMSEnvelope(f *testing.F) {
	f.Add([]byte{2, 0, 1, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{2, 0xff, 0xff})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := seal.ParseKMSEnvelope(b)
		if err != nil {
			if !errors.Is(err, seal.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if env.HeaderSize+len(env.Ciphertext) != len(b) || len(env.Nonce) != 12 || len(env.Ciphertext) < 16 {
			t.Fatalf("inconsistent envelope %+v for %d bytes", env, len(b))
		}
	})
}
