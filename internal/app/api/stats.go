package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/aws/aws-lambda-go/events"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// maxStatsDays bounds GET /v1/stats: a year, leap or not (one query per day).
const maxStatsDays = 366

type rates struct {
	// Nil (JSON null) when the denominator is 0: no rate, rather than 0%.
	Response     *float64 `json:"response"`
	Resolution   *float64 `json:"resolution"`
	Satisfaction *float64 `json:"satisfaction"`
}

type departmentStats struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Received       int    `json:"received"`
	Accepted       int    `json:"accepted"`
	AcceptedOnTime int    `json:"acceptedOnTime"`
	Replied        int    `json:"replied"`
	RepliedOnTime  int    `json:"repliedOnTime"`
	Resolved       int    `json:"resolved"`
	Rated          int    `json:"rated"`
	Satisfied      int    `json:"satisfied"`
	Overdue        int    `json:"overdue"`
	Rates          rates  `json:"rates"`
}

func ratio(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// statsRange reads ?from=&to= (China calendar days, inclusive).
func statsRange(r *request) (from, to ticket.Date, err error) {
	fields := map[string]string{}
	from, errFrom := ticket.ParseDate(r.QueryStringParameters["from"])
	if errFrom != nil {
		fields["from"] = "required, YYYY-MM-DD"
	}
	to, errTo := ticket.ParseDate(r.QueryStringParameters["to"])
	if errTo != nil {
		fields["to"] = "required, YYYY-MM-DD"
	}
	if errFrom == nil && errTo == nil {
		switch days := int(to.Start().Sub(from.Start()).Hours()/24) + 1; {
		case days < 1:
			fields["to"] = "not before from"
		case days > maxStatsDays:
			fields["to"] = "at most 366 days from from"
		}
	}
	if len(fields) > 0 {
		return from, to, httpapi.BadRequest("invalid stats range", fields)
	}
	return from, to, nil
}

func (h *Handler) stats(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.RoleSupervisor, auth.RoleAdmin); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	from, to, err := statsRange(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	counts, err := h.Store.Stats(ctx, from.Start(), to.Start())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// Every configured department, in catalog order, then any that has
	// counters but was removed from the catalog since.
	var ids []string
	for _, d := range cat.Departments() {
		ids = append(ids, d.ID)
	}
	var gone []string
	for id := range counts {
		if !slices.Contains(ids, id) {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	out := make([]departmentStats, 0, len(ids)+len(gone))
	for _, id := range append(ids, gone...) {
		c := counts[id]
		s := departmentStats{
			ID: id, Name: cat.DepartmentName(id),
			Received: c[ticket.MetricReceived], Accepted: c[ticket.MetricAccepted], AcceptedOnTime: c[ticket.MetricAcceptedOnTime],
			Replied: c[ticket.MetricReplied], RepliedOnTime: c[ticket.MetricRepliedOnTime], Resolved: c[ticket.MetricResolved],
			Rated: c[ticket.MetricRated], Satisfied: c[ticket.MetricSatisfied], Overdue: c[ticket.MetricOverdue],
		}
		s.Rates = rates{
			Response:     ratio(s.AcceptedOnTime, s.Received),
			Resolution:   ratio(s.Resolved, s.Replied),
			Satisfaction: ratio(s.Satisfied, s.Rated),
		}
		out = append(out, s)
	}
	return httpapi.JSON(http.StatusOK, map[string]any{"from": from.String(), "to": to.String(), "departments": out}), nil
}
