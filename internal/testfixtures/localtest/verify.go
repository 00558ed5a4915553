package localtest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/localmode/inbox"
)

// Verified is Verify for a test's own goroutine.
func Verified(t testing.TB, edgeURL string, post inbox.Poster, sub map[string]any) map[string]any {
	t.Helper()
	out, err := inbox.Verify(edgeURL, post, sub)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Handler is a Lambda HTTP handler (intake's).
type Handler interface {
	Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

// HandlerPoster posts verification requests to an intake handler directly.
func HandlerPoster(h Handler) inbox.Poster {
	return func(body []byte) (int, []byte, error) {
		out, err := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/verifications", Body: string(body)})
		return out.StatusCode, []byte(out.Body), err
	}
}

// VerifiedBody is Verified for a JSON submission.
func VerifiedBody(t testing.TB, edgeURL string, post inbox.Poster, submission string) string {
	t.Helper()
	var sub map[string]any
	if err := json.Unmarshal([]byte(submission), &sub); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(Verified(t, edgeURL, post, sub))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
