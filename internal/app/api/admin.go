package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/catalogconfig"
	"github.com/hotline12345/hotline/internal/app/configcache"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// The admin routes edit the one catalog config item (catalogconfig.Kind/ID) by
// read-modify-write on its stored version. GET answers carry the version as
// ETag; a PUT must name it in If-Match (428 without) and is a 412 unless the
// catalog is still at that version, also when another write comes between
// our read and our write: an editor never overwrites what it has not seen,
// and no change is lost. Other functions cache the catalog for
// catalogconfig.DefaultTTL (30 s).

// maxAdminBodyBytes lets a whole category tree through; the stored catalog
// is bounded again as a whole.
const maxAdminBodyBytes = configcache.MaxStoredBytes

// listBody is the PUT body of routing-rules or categories: exactly one list.
type listBody struct {
	RoutingRules *[]catalog.RoutingRule `json:"routingRules,omitempty"`
	Categories   *[]catalog.Category    `json:"categories,omitempty"`
}

// calendarBody is ticket.CalendarFile with the lists required, so a PUT that
// forgets them does not silently clear a year's holidays.
type calendarBody struct {
	Year     int       `json:"year"`
	Holidays *[]string `json:"holidays"`
	Workdays *[]string `json:"workdays"`
}

func decodeAdmin(r *request, v any) error {
	body, err := httpapi.Body(r.APIGatewayV2HTTPRequest)
	if err != nil {
		return err
	}
	return ticket.DecodeStrict(body, maxAdminBodyBytes, v)
}

// adminRead loads the stored catalog for a GET (admins and supervisors).
func (h *Handler) adminRead(ctx context.Context, r *request) (*catalog.Catalog, int, error) {
	if err := requireRole(r, auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, 0, err
	}
	return catalogconfig.Read(ctx, h.Store)
}

// withVersion answers v with the config version as ETag. A GET whose
// If-None-Match names it is a 304: an editor's or a cache's copy is current.
// private, no-cache lets a browser keep the copy but ask each time.
func withVersion(r *request, v any, version int) events.APIGatewayV2HTTPResponse {
	etag := strconv.Quote(strconv.Itoa(version))
	resp := httpapi.JSON(http.StatusOK, v)
	if !strings.HasPrefix(r.RouteKey, "GET ") {
		resp.Headers["ETag"] = etag
		return resp
	}
	return httpapi.Conditional(r.APIGatewayV2HTTPRequest, resp, etag, "private, no-cache")
}

// ifMatch reads the If-Match an admin PUT must carry: a version as sent in
// ETag (quotes and W/ optional; "0" is the shipped screening rules before any
// change), or "*" to replace whatever is stored. Without it the PUT is a 428:
// an editor cannot overwrite what it has not seen by forgetting the header.
func ifMatch(r *request) (int, bool, error) {
	v := strings.TrimSpace(httpapi.Header(r.APIGatewayV2HTTPRequest, "If-Match"))
	switch v {
	case "":
		return 0, false, httpapi.PreconditionRequired("send If-Match with the ETag of your last read (or * to replace whatever is stored)")
	case "*":
		return 0, false, nil
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(v, "W/"), `"`))
	if err != nil || n < 0 {
		return 0, false, httpapi.BadRequest("If-Match must be an ETag this API returned", map[string]string{"If-Match": "invalid"})
	}
	return n, true, nil
}

// checkVersion refuses a PUT whose If-Match names another version than the
// stored one.
func checkVersion(r *request, what string, stored int) error {
	want, pinned, err := ifMatch(r)
	if err != nil {
		return err
	}
	if pinned && want != stored {
		return httpapi.PreconditionFailed(what + " changed since version " + strconv.Itoa(want) + " (now " + strconv.Itoa(stored) + "); reload and retry")
	}
	return nil
}

// lostRace is the answer to a conditional write that another editor's write
// beat between our read and our write: the same stale precondition.
func lostRace(what string) error {
	return httpapi.PreconditionFailed(what + " changed concurrently; reload and retry")
}

// adminWrite applies change to the stored catalog and stores the result if it
// is valid and nobody changed the catalog meanwhile.
func (h *Handler) adminWrite(ctx context.Context, r *request, what string, change func(s *catalog.Seed) error) (*catalog.Catalog, int, error) {
	if err := requireRole(r, auth.RoleAdmin); err != nil {
		return nil, 0, err
	}
	cur, version, err := catalogconfig.Read(ctx, h.Store)
	if err != nil {
		return nil, 0, err
	}
	if err := checkVersion(r, "the catalog", version); err != nil {
		return nil, 0, err
	}
	seed := cur.Seed()
	if err := change(&seed); err != nil {
		return nil, 0, err
	}
	c, next, err := catalogconfig.Write(ctx, h.Store, seed, version)
	var (
		invalid  *catalog.LoadError
		tooLarge *configcache.TooLargeError
		conflict *ports.ConflictError
	)
	switch {
	case errors.As(err, &invalid):
		return nil, 0, httpapi.BadRequest("the changed catalog is invalid", problemFields(invalid.Problems))
	case errors.As(err, &tooLarge):
		return nil, 0, &httpapi.Error{Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large", Message: tooLarge.Error()}
	case errors.As(err, &conflict):
		r.log.InfoContext(ctx, "catalog write lost a race", "error", err.Error())
		return nil, 0, lostRace("the catalog")
	case err != nil:
		return nil, 0, err
	}
	if inv, ok := h.Catalog.(interface{ Invalidate() }); ok {
		inv.Invalidate() // this function sees its own change at once
	}
	// Admin identities and config ids only: no personal data.
	r.log.InfoContext(ctx, "catalog changed", "what", what, "version", next, "by", r.staff.Subject)
	return c, next, nil
}

// problemFields turns catalog problems ("rule r1: unknown department …")
// into the fields of the API.md error: where → what.
func problemFields(problems []string) map[string]string {
	fields := map[string]string{}
	for _, p := range problems {
		where, what, ok := strings.Cut(p, ": ")
		if !ok {
			where, what = "catalog", p
		}
		if prev, dup := fields[where]; dup {
			what = prev + "; " + what
		}
		fields[where] = what
	}
	return fields
}

// departments lists every department, active or not, to any staff role:
// operators pick one when they dispatch, the console names them, admins
// choose which to edit. The ETag is the catalog's version, the If-Match of
// an edit.
func (h *Handler) departments(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if err := requireRole(r, auth.Roles...); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	c, version, err := catalogconfig.Read(ctx, h.Store)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, map[string]any{"departments": c.Departments()}, version), nil
}

func (h *Handler) adminGetDepartment(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	c, version, err := h.adminRead(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	d, ok := c.Department(r.PathParameters["id"])
	if !ok {
		return events.APIGatewayV2HTTPResponse{}, httpapi.NotFound()
	}
	return withVersion(r, d, version), nil
}

func (h *Handler) adminPutDepartment(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var d catalog.Department
	checked := false
	c, version, err := h.adminWrite(ctx, r, "department", func(s *catalog.Seed) error {
		if err := decodeAdmin(r, &d); err != nil {
			return err
		}
		// An active department must have a queue: dispatch could not reach it.
		if d.Active && !checked {
			if err := h.Queues.Check(ctx, r.PathParameters["id"]); err != nil {
				return err
			}
			checked = true
		}
		d.ID = r.PathParameters["id"] // the path names the department
		if i := slices.IndexFunc(s.Departments, func(x catalog.Department) bool { return x.ID == d.ID }); i >= 0 {
			s.Departments[i] = d
		} else {
			s.Departments = append(s.Departments, d)
		}
		return nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	saved, _ := c.Department(d.ID)
	return withVersion(r, saved, version), nil
}

func (h *Handler) adminGetRoutingRules(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	c, version, err := h.adminRead(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// Stored order (ties between equal priorities go to the earlier rule).
	return withVersion(r, map[string]any{"routingRules": c.Seed().RoutingRules}, version), nil
}

func (h *Handler) adminPutRoutingRules(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	c, version, err := h.adminWrite(ctx, r, "routing-rules", func(s *catalog.Seed) error {
		var body listBody
		if err := decodeAdmin(r, &body); err != nil {
			return err
		}
		if body.RoutingRules == nil || body.Categories != nil {
			return httpapi.BadRequest("the body is {\"routingRules\": [...]}", map[string]string{"routingRules": "required"})
		}
		s.RoutingRules = *body.RoutingRules
		return nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, map[string]any{"routingRules": c.Seed().RoutingRules}, version), nil
}

func (h *Handler) adminGetCategories(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	c, version, err := h.adminRead(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, map[string]any{"categories": c.Categories()}, version), nil
}

func (h *Handler) adminPutCategories(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	c, version, err := h.adminWrite(ctx, r, "categories", func(s *catalog.Seed) error {
		var body listBody
		if err := decodeAdmin(r, &body); err != nil {
			return err
		}
		if body.Categories == nil || body.RoutingRules != nil {
			return httpapi.BadRequest("the body is {\"categories\": [...]}", map[string]string{"categories": "required"})
		}
		s.Categories = *body.Categories
		return nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, map[string]any{"categories": c.Categories()}, version), nil
}

// calendarYear reads the {year} path parameter.
func calendarYear(r *request) (int, error) {
	y, err := strconv.Atoi(r.PathParameters["year"])
	if err != nil || y < 2000 || y > 2100 {
		return 0, httpapi.NotFound()
	}
	return y, nil
}

func (h *Handler) adminGetCalendar(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	c, version, err := h.adminRead(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	year, err := calendarYear(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	for _, f := range c.Seed().Calendars {
		if f.Year == year {
			return withVersion(r, f, version), nil
		}
	}
	return events.APIGatewayV2HTTPResponse{}, httpapi.NotFound()
}

// CalendarLookahead is how far ahead a deadline can reach: thirteen working
// days plus the longest extension, with room for holidays.
const CalendarLookahead = 90 * 24 * time.Hour

// adminCalendarCoverage lists the years whose holiday schedule is loaded and
// the years a deadline set from now could reach without one.
func (h *Handler) adminCalendarCoverage(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	c, version, err := h.adminRead(ctx, r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	years := []int{}
	for _, f := range c.Seed().Calendars {
		years = append(years, f.Year)
	}
	slices.Sort(years)
	now := h.now()
	missing := c.Calendar().Uncovered(now, now.Add(CalendarLookahead))
	if missing == nil {
		missing = []int{}
	}
	return withVersion(r, map[string]any{"years": years, "missing": missing}, version), nil
}

func (h *Handler) adminPutCalendar(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	var f ticket.CalendarFile
	_, version, err := h.adminWrite(ctx, r, "calendar", func(s *catalog.Seed) error {
		year, err := calendarYear(r)
		if err != nil {
			return err
		}
		var body calendarBody
		if err := decodeAdmin(r, &body); err != nil {
			return err
		}
		fields := map[string]string{}
		if body.Year != 0 && body.Year != year {
			fields["year"] = "must be the year in the path"
		}
		if body.Holidays == nil {
			fields["holidays"] = "required (may be empty)"
		}
		if len(fields) > 0 {
			return httpapi.BadRequest("invalid calendar", fields)
		}
		f = ticket.CalendarFile{Year: year, Holidays: *body.Holidays, Workdays: []string{}}
		if body.Workdays != nil {
			f.Workdays = *body.Workdays
		}
		if err := f.Validate(); err != nil {
			var ce *ticket.CalendarError
			if errors.As(err, &ce) {
				return httpapi.BadRequest("invalid calendar", problemFields(ce.Problems))
			}
			return err
		}
		if i := slices.IndexFunc(s.Calendars, func(x ticket.CalendarFile) bool { return x.Year == year }); i >= 0 {
			s.Calendars[i] = f
		} else {
			s.Calendars = append(s.Calendars, f)
		}
		return nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withVersion(r, f, version), nil
}
