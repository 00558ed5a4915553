// Package ddbtest serves local mode's DynamoDB engine, in memory, to tests
// that talk to DynamoDB through the SDK.
package ddbtest

import (
	"net/http/httptest"
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/ddb"
)

// Server is an in-memory engine behind an HTTP server; both close when the
// test ends.
func Server(t testing.TB) *httptest.Server {
	t.Helper()
	e, err := ddb.Open(ddb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler(nil))
	t.Cleanup(func() {
		srv.Close()
		_ = e.Close()
	})
	return srv
}
