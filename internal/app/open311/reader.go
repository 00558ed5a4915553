package open311

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Store reads the Open311 requests.
type Store interface {
	// GetTicketMeta reads a ticket without unsealing its contact.
	GetTicketMeta(ctx context.Context, id string) (*ticket.Ticket, error)
	// ChannelTickets hands fn the tickets of an indexed channel filed in
	// [from, to), newest first, until fn says stop or budget entries were
	// read (then it answers true).
	ChannelTickets(ctx context.Context, channel ticket.Channel, from, to time.Time, budget int, fn func(t *ticket.Ticket) bool) (bool, error)
}

// Catalog gives the current categories.
type Catalog interface {
	Current(ctx context.Context) (*catalog.Catalog, error)
}

// ReadBudget bounds the index entries one GET requests reads: a filter
// that matches few of 90 days' requests stops here, newest first, rather
// than read them all for one answer.
const ReadBudget = 5 * MaxResults

// Reader serves the GETs of the GeoReport v2 endpoint.
type Reader struct {
	Store   Store
	Catalog Catalog
	Regions Regions
	Keys    *Keys
	// Guard limits the reads per API key or, without one, per client.
	Guard *limits.Guard
	Now   func() time.Time
	Log   *slog.Logger
	// Contact and KeyService are the discovery document's texts
	// (DefaultContact, DefaultKeyService when empty).
	Contact, KeyService string
	// Files signs links to a request's photos for the app that filed it;
	// nil shows only the media_url the app gave.
	Files Files
	// maxResults replaces MaxResults in tests, which need not file a
	// thousand requests to see the cap.
	maxResults int
}

// Files signs short-lived links to attachments (attach.Service).
type Files interface {
	Links(ctx context.Context, atts []ticket.Attachment) ([]attach.Link, error)
}

// Handle serves one GET; every answer, errors included, is in the spec's
// format.
func (rd *Reader) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	log := httpapi.Logger(rd.Log, req)
	f := RouteFormat(req.RouteKey)
	name := ""
	switch req.RouteKey {
	case RouteOther:
		return unrouted(ctx, log, req)
	case RouteService, RouteRequest, RouteToken:
		var ok bool
		if name, f, ok = SplitFile(req.PathParameters["file"]); !ok {
			return Fail(ctx, log, XML, NotFound("not found: resources end in .json or .xml"))
		}
	}
	resp, err := rd.serve(ctx, req, log, f, name)
	if err != nil {
		return Fail(ctx, log, f, err)
	}
	return resp
}

func (rd *Reader) serve(ctx context.Context, req events.APIGatewayV2HTTPRequest, log *slog.Logger, f Format, name string) (events.APIGatewayV2HTTPResponse, error) {
	var none events.APIGatewayV2HTTPResponse
	c, err := rd.Catalog.Current(ctx)
	if err != nil {
		return none, fmt.Errorf("load catalog: %w", err)
	}
	switch req.RouteKey {
	case RouteDiscoveryJSON, RouteDiscoveryXML:
		version := 0
		if v, ok := rd.Catalog.(interface{ Version() int }); ok {
			version = v.Version()
		}
		return DiscoveryAnswer(f, req, Changeset(version), or(rd.Contact, DefaultContact), or(rd.KeyService, DefaultKeyService)), nil
	case RouteServicesJSON, RouteServicesXML:
		return ServicesAnswer(f, c), nil
	case RouteService:
		return DefinitionAnswer(f, c, name)
	}
	// The rest reads tickets: each call counts against the key it carries
	// or the client.
	app, err := rd.take(ctx, req)
	if err != nil {
		return none, err
	}
	view := func(t *ticket.Ticket) ServiceRequest {
		v := View(t, c, rd.Regions)
		if app != "" && t.App == app {
			rd.showPhoto(ctx, log, t, &v)
		}
		return v
	}
	switch req.RouteKey {
	case RouteRequestsJSON, RouteRequestsXML:
		q, err := ParseQuery(req.QueryStringParameters, rd.Now())
		if err != nil {
			return none, err
		}
		list, err := rd.list(ctx, log, q, view)
		if err != nil {
			return none, err
		}
		return RequestsAnswer(f, list), nil
	case RouteRequest:
		t, err := rd.request(ctx, name)
		if err != nil {
			return none, err
		}
		if t == nil {
			return none, NotFound("service_request_id %s not found", clip(name))
		}
		return RequestsAnswer(f, []ServiceRequest{view(t)}), nil
	case RouteToken:
		// Requests are realtime: a request's id is its token.
		t, err := rd.request(ctx, name)
		if err != nil {
			return none, err
		}
		if t == nil {
			return none, NotFound("token %s not found", clip(name))
		}
		return TokenAnswer(f, t.ID, name), nil
	}
	return none, NotFound("not found")
}

// unrouted answers a method or path the endpoint does not serve: 405 with
// Allow for a resource's path, 404 otherwise.
func unrouted(ctx context.Context, log *slog.Logger, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	f := RouteFormat(req.RawPath)
	allow := httpapi.Allowed(req.RawPath)
	if len(allow) == 0 {
		return Fail(ctx, log, f, NotFound("not found: see %s/discovery.json", Base))
	}
	resp := Fail(ctx, log, f, problem(http.StatusMethodNotAllowed, "this resource serves %s", strings.Join(allow, ", ")))
	resp.Headers["Allow"] = strings.Join(allow, ", ")
	return resp
}

// or is v, or def when v is the zero value.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// take counts the request against its API key or, without one, its client,
// and answers the key's app ("" without one).
func (rd *Reader) take(ctx context.Context, req events.APIGatewayV2HTTPRequest) (string, error) {
	if key := req.QueryStringParameters["api_key"]; key != "" {
		name, err := rd.Keys.Check(ctx, key)
		if err != nil {
			return "", err
		}
		return name, rd.Guard.Take(ctx, limits.RuleOpen311Key, rd.Guard.Subject("apikey", name), "Open311 requests with this api_key")
	}
	return "", rd.Guard.Take(ctx, limits.RuleOpen311Read, rd.Guard.Client(req), "Open311 reads from this client")
}

// showPhoto makes media_url a short-lived link to the request's newest
// photo (a department's reply shows the repair), for the app that filed it:
// a photo may show people, so the public reads of GeoReport do not get it.
// Without photos the app's own media_url stays.
func (rd *Reader) showPhoto(ctx context.Context, log *slog.Logger, t *ticket.Ticket, v *ServiceRequest) {
	if rd.Files == nil {
		return
	}
	for i := len(t.Attachments) - 1; i >= 0; i-- {
		a := t.Attachments[i]
		if !strings.HasPrefix(a.ContentType, "image/") {
			continue
		}
		links, err := rd.Files.Links(ctx, []ticket.Attachment{a})
		if err != nil {
			log.WarnContext(ctx, "photo link not signed; media_url left as given", "ticket_id", t.ID, "error", err.Error())
			return
		}
		if len(links) == 0 {
			return // no bucket configured
		}
		v.MediaURL = text(links[0].URL)
		return
	}
}

// request reads one Open311 request; nil when there is none with that id.
// Tickets filed through other channels are not Open311 requests: without
// its access code nobody learns that such a ticket exists.
func (rd *Reader) request(ctx context.Context, id string) (*ticket.Ticket, error) {
	id = ticket.NormalizeID(id)
	if !ticket.ValidID(id) {
		return nil, nil
	}
	t, err := rd.Store.GetTicketMeta(ctx, id)
	var missing *ports.NotFoundError
	switch {
	case errors.As(err, &missing):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read request %s: %w", id, err)
	}
	if t.Channel != ticket.ChannelOpen311 {
		return nil, nil
	}
	return t, nil
}

// list answers GET requests: the ids asked for, or the newest requests of
// the range that pass the filters, at most MaxResults.
func (rd *Reader) list(ctx context.Context, log *slog.Logger, q Query, view func(*ticket.Ticket) ServiceRequest) ([]ServiceRequest, error) {
	out := []ServiceRequest{}
	if len(q.IDs) > 0 {
		seen := map[string]bool{}
		for _, id := range q.IDs {
			t, err := rd.request(ctx, id)
			if err != nil {
				return nil, err
			}
			if t != nil && !seen[t.ID] {
				seen[t.ID] = true
				out = append(out, view(t))
			}
		}
		return out, nil
	}
	more, err := rd.Store.ChannelTickets(ctx, ticket.ChannelOpen311, q.From, q.To, ReadBudget, func(t *ticket.Ticket) bool {
		if q.Matches(t) {
			out = append(out, view(t))
		}
		return len(out) < or(rd.maxResults, MaxResults)
	})
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	log.InfoContext(ctx, "open311 requests listed", "found", len(out), "budget_reached", more)
	return out, nil
}
