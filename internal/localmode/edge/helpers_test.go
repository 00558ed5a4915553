package edge_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

type harness struct {
	edge  *edge.Edge
	url   string
	cfg   aws.Config
	clock *fakeClock
	logs  *bytes.Buffer
}

func start(t *testing.T, opts edge.Options) *harness {
	t.Helper()
	h := &harness{clock: newFakeClock(), logs: &bytes.Buffer{}}
	if opts.Clock == nil {
		opts.Clock = h.clock
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(&lockedBuffer{b: h.logs}, nil))
	}
	h.edge = edge.New(opts)
	url, err := h.edge.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.edge.Close(); err != nil {
			t.Error(err)
		}
	})
	h.url = url
	h.cfg, err = awsconf.Load(context.Background(), awsconf.Settings{Region: "cn-north-1", EndpointURL: url, RetryMaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return h
}
