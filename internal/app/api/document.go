package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/openapi"
)

// openAPIDocument is GET /openapi.json: the OpenAPI document the API is tested
// against. It changes only with a deployment, so caches may keep it for five
// minutes and revalidate it by its ETag.
func (h *Handler) openAPIDocument(_ context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	etag := openapi.ETag()
	headers := map[string]string{"ETag": etag, "Cache-Control": "public, max-age=300"}
	if noneMatch(httpapi.Header(r.APIGatewayV2HTTPRequest, "If-None-Match"), etag) {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotModified, Headers: headers}, nil
	}
	headers["Content-Type"] = "application/json"
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: headers, Body: string(openapi.JSON())}, nil
}

// noneMatch says whether an If-None-Match header names etag (RFC 9110
// 13.1.2: a list of entity tags, weak ones compared weakly, or "*").
func noneMatch(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}
