package api

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/openapi"
)

// openAPIDocument is GET /openapi.json: the OpenAPI document the API is tested
// against. It changes only with a deployment, so caches may keep it for five
// minutes and then revalidate it by its ETag.
func (h *Handler) openAPIDocument(_ context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	resp := events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(openapi.JSON()),
	}
	return httpapi.Conditional(r.APIGatewayV2HTTPRequest, resp, openapi.ETag(), "public, max-age=300"), nil
}
