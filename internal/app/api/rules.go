package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/configcache"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/app/screeningconfig"
	"github.com/hotline12345/hotline/internal/domain/screening"
)

// The screening rules (emergency keywords and exclusions, blocked words and
// senders, duplicate settings, ambiguous categories) and the knowledge base
// are edited like the catalog: GET carries the version as ETag, a PUT needs
// If-Match (428) and is a 412 unless the rules are still at that version.
// Until the first change the shipped config/screening.json serves as
// version 0.

// rulesRead loads the stored rules for a GET (admins and supervisors).
func (h *Handler) rulesRead(ctx context.Context, r *request) (*screening.Screener, int, error) {
	if err := requireRole(r, auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, 0, err
	}
	return screeningconfig.Read(ctx, h.Store, h.ShippedRules)
}

func (h *Handler) adminGetScreeningRules(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	rules, version, err := h.rulesRead(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, answered(rules), version), nil
}

// answered is the rules as the API shows them: a list left empty is [], not
// null, in the answer as in the OpenAPI document.
func answered(s *screening.Screener) *screening.Screener {
	c := *s
	if c.BlockedWords == nil {
		c.BlockedWords = []string{}
	}
	if c.BlockedSenders == nil {
		c.BlockedSenders = []string{}
	}
	if c.EmergencyKeywords == nil {
		c.EmergencyKeywords = map[screening.Service][]string{}
	}
	return &c
}

// knowledgeBase is the answer of both knowledge-base routes.
func knowledgeBase(s *screening.Screener) map[string]any {
	kb := s.KnowledgeBase
	if kb == nil {
		kb = []screening.Entry{}
	}
	return map[string]any{"knowledgeBase": kb}
}

func (h *Handler) adminPutScreeningRules(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	rules, version, err := h.rulesWrite(ctx, r, "screening rules", func(s *screening.Screener) error {
		body, err := httpapi.Body(r.APIGatewayV2HTTPRequest)
		if err != nil {
			return err
		}
		next, err := screening.Load(body) // strict: unknown fields are refused
		if err != nil {
			return err
		}
		*s = *next
		return nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, answered(rules), version), nil
}

type knowledgeBaseBody struct {
	KnowledgeBase *[]screening.Entry `json:"knowledgeBase"`
}

func (h *Handler) adminGetKnowledgeBase(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	rules, version, err := h.rulesRead(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, knowledgeBase(rules), version), nil
}

func (h *Handler) adminPutKnowledgeBase(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	rules, version, err := h.rulesWrite(ctx, r, "knowledge base", func(s *screening.Screener) error {
		var body knowledgeBaseBody
		if err := decodeAdmin(r, &body); err != nil {
			return err
		}
		if body.KnowledgeBase == nil {
			return httpapi.BadRequest(`the body is {"knowledgeBase": [...]}`, map[string]string{"knowledgeBase": "required"})
		}
		s.KnowledgeBase = *body.KnowledgeBase
		return nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, knowledgeBase(rules), version), nil
}

// rulesWrite applies change to the stored rules and stores the result if it
// is valid and nobody changed the rules meanwhile (admins).
func (h *Handler) rulesWrite(ctx context.Context, r *request, what string, change func(s *screening.Screener) error) (*screening.Screener, int, error) {
	if err := requireRole(r, auth.RoleAdmin); err != nil {
		return nil, 0, err
	}
	cur, version, err := screeningconfig.Read(ctx, h.Store, h.ShippedRules)
	if err != nil {
		return nil, 0, err
	}
	if err := checkVersion(r, "the screening rules", version); err != nil {
		return nil, 0, err
	}
	edited, err := screeningconfig.Copy(cur)
	if err != nil {
		return nil, 0, err
	}
	if err := change(&edited); err != nil {
		var invalid *screening.ConfigError
		if errors.As(err, &invalid) {
			return nil, 0, httpapi.BadRequest("the screening rules are invalid", problemFields(invalid.Problems))
		}
		return nil, 0, err
	}
	rules, next, err := screeningconfig.Write(ctx, h.Store, edited, version)
	var (
		invalid  *screening.ConfigError
		tooLarge *configcache.TooLargeError
		conflict *ports.ConflictError
	)
	switch {
	case errors.As(err, &invalid):
		return nil, 0, httpapi.BadRequest("the changed screening rules are invalid", problemFields(invalid.Problems))
	case errors.As(err, &tooLarge):
		return nil, 0, &httpapi.Error{Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large", Message: tooLarge.Error()}
	case errors.As(err, &conflict):
		return nil, 0, lostRace("the screening rules")
	case err != nil:
		return nil, 0, err
	}
	if inv, ok := h.Rules.(interface{ Invalidate() }); ok {
		inv.Invalidate() // this function sees its own change at once
	}
	r.log.InfoContext(ctx, "screening rules changed", "what", what, "version", next, "by", r.staff.Subject)
	return rules, next, nil
}
