package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/open311"
)

// adminPutAPIKey is PUT /v1/admin/api-keys/{name} (admin): a new Open311
// API key under the name, shown once in the answer (201); on a name that
// has one it replaces it (200) and the old key stops working. No If-Match:
// nothing of the old key is worth keeping, and the one who rotates it is
// the one who reads the new key.
func (h *Handler) adminPutAPIKey(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleAdmin); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	name := r.PathParameters["name"]
	if !open311.ValidKeyName(name) {
		return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("invalid API key name", map[string]string{"name": "1–64 characters of a-z, 0-9, _ and -"})
	}
	// The key is made here; a body would be a client expecting to choose it.
	body, err := httpapi.Body(r.APIGatewayV2HTTPRequest)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if b := strings.TrimSpace(string(body)); b != "" && b != "{}" {
		return events.APIGatewayV2HTTPResponse{}, httpapi.BadRequest("send no body: the hotline makes the key", map[string]string{"body": "empty or {}"})
	}
	issued, created, err := h.Open311.Keys.Issue(ctx, name)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// The name and who issued it; never the key.
	r.log.InfoContext(ctx, "open311 api key issued", "name", name, "created", created, "by", r.staff.Subject)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return httpapi.JSON(status, issued), nil
}
