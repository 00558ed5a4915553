package api_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/api"
	"github.com/hotline12345/hotline/openapi"
)

// GET /openapi.json serves the document with its ETag, and an If-None-Match
// naming that ETag (alone, weak, in a list, or *) gets a 304 without a body.
func TestOpenAPIDocumentIsServedWithItsETag(t *testing.T) {
	h := &api.Handler{Log: slog.New(slog.DiscardHandler)}
	get := func(ifNoneMatch string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		req := events.APIGatewayV2HTTPRequest{RouteKey: "GET /openapi.json", Headers: map[string]string{}}
		if ifNoneMatch != "" {
			req.Headers["if-none-match"] = ifNoneMatch
		}
		resp, err := h.Handle(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	first := get("")
	etag := first.Headers["ETag"]
	if first.StatusCode != 200 || !bytes.Equal([]byte(first.Body), openapi.JSON()) || etag != openapi.ETag() ||
		first.Headers["Content-Type"] != "application/json" || first.Headers["Cache-Control"] != "public, max-age=300" {
		t.Fatalf("GET /openapi.json: %d %v (%d bytes)", first.StatusCode, first.Headers, len(first.Body))
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		if r := get(inm); r.StatusCode != 304 || r.Body != "" || r.Headers["ETag"] != etag {
			t.Errorf("If-None-Match %s: %d %v %q", inm, r.StatusCode, r.Headers, r.Body)
		}
	}
	for _, inm := range []string{`"other"`, etag[:len(etag)-2] + `"`} {
		if r := get(inm); r.StatusCode != 200 || r.Body != first.Body {
			t.Errorf("If-None-Match %s: %d", inm, r.StatusCode)
		}
	}
}
