package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// Racing requests never pass more than the limit, and the counter expires
// with TTL a window after its window ends.
func TestTakeNeverPassesMoreThanTheLimitUnderRaces(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rule := ports.LimitRule{Name: "file", Limit: 10, Window: time.Hour}
	now := e.clock.Now()
	var passed atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, wait, err := e.store.Take(ctx, rule, "client-a", now)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				passed.Add(1)
			} else if wait <= 0 || wait > time.Hour {
				t.Errorf("retry after %v", wait)
			}
		}()
	}
	wg.Wait()
	if n := passed.Load(); n != int32(rule.Limit) {
		t.Fatalf("%d passed, want %d", n, rule.Limit)
	}
	if full, _, err := e.store.Full(ctx, rule, "client-a", now); err != nil || !full {
		t.Fatalf("full: %v %v", full, err)
	}
	if full, _, _ := e.store.Full(ctx, rule, "client-b", now); full {
		t.Fatal("another subject is full")
	}
	if ok, _, _ := e.store.Take(ctx, rule, "client-a", now.Add(time.Hour)); !ok {
		t.Fatal("the next window is full")
	}
	for _, it := range e.scan(t) {
		if ttl, err := numAttr(it, attrTTL); err != nil || int64(ttl) <= now.Unix() {
			t.Fatalf("counter %v without a later ttl", it[attrPK])
		}
	}
}

// A wrong code counts once per guess, up to the maximum, whoever races.
func TestFailVerificationStopsAtTheMaximum(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := e.clock.Now()
	if err := e.store.PutVerification(ctx, ports.Verification{ID: "v1", Channel: "email", Recipient: "r", CodeHash: "h", ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	var counted atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := e.store.FailVerification(ctx, "v1", 5); err != nil {
				t.Error(err)
			} else if ok {
				counted.Add(1)
			}
		}()
	}
	wg.Wait()
	v, err := e.store.GetVerification(ctx, "v1", now)
	if err != nil || v.Failures != 5 || counted.Load() != 5 {
		t.Fatalf("%+v %v, %d counted", v, err, counted.Load())
	}
	if _, err := e.store.GetVerification(ctx, "v1", now.Add(time.Minute)); err == nil {
		t.Fatal("an expired verification was read")
	}
}

// DynamoDB calls are tried ten times unless the configuration says otherwise.
func TestDynamoDBClientRetriesLikeAWSAdvises(t *testing.T) {
	var cfg aws.Config
	if n := DynamoDBClient(cfg).Options().RetryMaxAttempts; n != dynamoAttempts {
		t.Fatalf("%d attempts", n)
	}
	cfg.RetryMaxAttempts = 2
	if n := DynamoDBClient(cfg).Options().RetryMaxAttempts; n != 2 {
		t.Fatalf("configured attempts overridden: %d", n)
	}
}
