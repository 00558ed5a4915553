package store

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// replayDB sends every PutItem twice, as the SDK does when the answer to a
// written put is lost and it retries.
type replayDB struct{ *dynamodb.Client }

func (r replayDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if _, err := r.Client.PutItem(ctx, in, optFns...); err != nil {
		return nil, err
	}
	return r.Client.PutItem(ctx, in, optFns...)
}

func TestPutConfigSurvivesARetriedPut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s, err := New(replayDB{e.db}, e.store.Table(), e.store.sealer, e.store.blinder, WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutConfig(ctx, "catalog", "current", map[string]int{"a": 1}, 0); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := s.PutConfig(ctx, "catalog", "current", map[string]int{"a": 2}, 1); err != nil {
		t.Fatalf("update: %v", err)
	}
	var got map[string]int
	if v, err := s.GetConfig(ctx, "catalog", "current", &got); err != nil || v != 2 || got["a"] != 2 {
		t.Fatalf("stored %v at version %d (%v)", got, v, err)
	}
	// A real conflict is still one: another value at a stale version.
	err = e.store.PutConfig(ctx, "catalog", "current", map[string]int{"a": 3}, 1)
	if !errors.Is(err, &ports.ConflictError{}) {
		t.Fatalf("stale write: %v", err)
	}
}
