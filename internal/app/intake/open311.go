package intake

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/open311"
)

// fileOpen311 serves POST /open311/v2/requests.json|xml: a third-party
// app's service request becomes a ticket of channel open311 through the
// same register as any other (limits, verification, review). Every answer,
// errors included, is in the spec's format.
func (h *Handler) fileOpen311(ctx context.Context, req events.APIGatewayV2HTTPRequest, log *slog.Logger) events.APIGatewayV2HTTPResponse {
	f := open311.RouteFormat(req.RouteKey)
	created, status, err := h.open311Request(ctx, req, log)
	if err != nil {
		return open311.Fail(ctx, log, f, err)
	}
	return open311.CreatedAnswer(f, status, created)
}

func (h *Handler) open311Request(ctx context.Context, req events.APIGatewayV2HTTPRequest, log *slog.Logger) (open311.Created, int, error) {
	body, err := httpapi.Body(req)
	if err != nil {
		return open311.Created{}, 0, err
	}
	r, err := open311.ParseRequest(body, httpapi.Header(req, "Content-Type"))
	if err != nil {
		return open311.Created{}, 0, err
	}
	// The key first: the spec's 403 comes before anything about the fields.
	app, err := h.Keys.Check(ctx, r.APIKey)
	if err != nil {
		return open311.Created{}, 0, err
	}
	log = log.With("app", app)
	if err := h.Guard.Take(ctx, limits.RuleOpen311Key, h.Guard.Subject("apikey", app), "Open311 requests with this api_key"); err != nil {
		return open311.Created{}, 0, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return open311.Created{}, 0, fmt.Errorf("load catalog: %w", err)
	}
	sub, err := r.Submission(cat)
	if err != nil {
		return open311.Created{}, 0, err
	}
	sub.App = app
	// An app is no member of staff, whatever the request carries.
	receipt, replayed, started, err := h.register(ctx, req, log, sub, body, auth.Claims{}, false)
	if err != nil {
		return open311.Created{}, 0, err
	}
	leaf, _ := cat.LeafCategory(sub.Category)
	return open311.NewCreated(receipt.ID, leaf, r), open311.StatusFor(replayed, started), nil
}
