package open311

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/testfixtures/ddbtest"
)

// clock is a settable clock: tests move it instead of sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newStore is the production store on an in-process DynamoDB-compatible
// server with a fresh table.
func newStore(t *testing.T, now func() time.Time) *store.Store {
	t.Helper()
	srv := ddbtest.Server(t)
	db := dynamodb.New(dynamodb.Options{
		Region: "cn-north-1", BaseEndpoint: aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 3,
	})
	sealer, err := seal.NewLocalSealer(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	blinder, err := seal.NewBlinder(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.New(db, "open311-test", sealer, blinder, store.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}
