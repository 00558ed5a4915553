// Package api is the api function: citizen look-ups, supplements and ratings;
// the department inbox and actions (extensions included); operator review and
// extension decisions; the staff view; statistics; catalog administration. Actions that
// finish a waiting workflow step queue the answer with the change (the outbox)
// and send it with the task token stored on the ticket once the change is saved.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/catalogconfig"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/insight"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/open311"
	"github.com/hotline12345/hotline/internal/app/outbox"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/app/smsreceipt"
	"github.com/hotline12345/hotline/internal/app/verify"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/screening"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Store is what the api reads and changes.
type Store interface {
	lifecycle.Store
	Events(ctx context.Context, id string) ([]ticket.Event, error)
	// GetTicketMeta reads a ticket without unsealing its contact.
	GetTicketMeta(ctx context.Context, id string) (*ticket.Ticket, error)
	DepartmentInbox(ctx context.Context, deptID string, status ticket.Status, limit int, cursor string) ([]ticket.Ticket, string, error)
	ReviewQueue(ctx context.Context, limit int, cursor string) ([]ticket.Ticket, string, error)
	// Counts sums a counter family over days (scope → metric → total).
	Counts(ctx context.Context, family string, from, to time.Time) (map[string]map[string]int, error)
	SearchTickets(ctx context.Context, q ports.TicketQuery) (ports.SearchPage, error)
	StuckTickets(ctx context.Context, limit int, cursor string) ([]ticket.Ticket, string, error)
	EscalatedTickets(ctx context.Context, limit int, cursor string) ([]ticket.Ticket, string, error)
	// The admin routes read and write the catalog config item.
	catalogconfig.Store
	outbox.Deleter
}

// Catalog gives the current configuration.
type Catalog interface {
	Current(ctx context.Context) (*catalog.Catalog, error)
}

// Workflow finishes waiting steps and starts a stuck ticket's repair.
type Workflow interface {
	outbox.Workflow
	Resume(ctx context.Context, ticketID string, attempt int) error
}

// Queues reach the departments: Check says whether a department's queue
// exists (*ports.QueueMissingError when not), before an admin activates the
// department; Publish tells a department of a supplement or an extension
// decision.
type Queues interface {
	Check(ctx context.Context, departmentID string) error
	Publish(ctx context.Context, departmentID string, msg deptmsg.Message) error
}

// RegionNames names the administrative divisions (GB/T 2260).
type RegionNames = insight.RegionNames

// Handler is the api function.
type Handler struct {
	Store    Store
	Catalog  Catalog
	Workflow Workflow
	Queues   Queues
	// Rules are the screening rules: they catch an emergency in a supplement,
	// as review does at intake, and admins edit them.
	Rules interface {
		Current(ctx context.Context) (*screening.Screener, error)
	}
	// Regions validate and name the division codes of searches and hotspots.
	Regions RegionNames
	// ShippedRules serve until an admin first changes the rules.
	ShippedRules []byte
	Now          func() time.Time
	Log          *slog.Logger
	// CodeKey keys the access-code hash (a server secret; see ticket.HashAccessCode).
	CodeKey []byte
	// Guard limits access-code requests per client and locks a ticket id
	// after repeated wrong codes.
	Guard *limits.Guard
	// Open311 serves the GETs of the GeoReport v2 endpoint; its Keys are
	// the API keys admins issue.
	Open311 *open311.Reader
	// Attach issues uploads and attaches files to supplements and replies;
	// nil takes no files. Verify checks the verification an upload for a
	// ticket about to be filed comes with.
	Attach *attach.Service
	Verify *verify.Service
	// SMSReceipts takes Tencent Cloud SMS delivery receipts under
	// smsreceipt.Path; nil when SMS does not go through Tencent.
	SMSReceipts *smsreceipt.Handler
}

// maxBodyBytes bounds the JSON bodies of this function's routes.
const maxBodyBytes = 64 << 10

type request struct {
	events.APIGatewayV2HTTPRequest
	log     *slog.Logger
	staff   auth.Claims
	isStaff bool
}

type route func(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error)

func (h *Handler) routes() map[string]route {
	m := map[string]route{
		"GET /v1/categories":                       h.categories,
		"GET /v1/tickets":                          h.searchTickets,
		"GET /v1/tickets/{id}":                     h.getTicket,
		"POST /v1/tickets/{id}/supplements":        h.supplement,
		"POST /v1/uploads":                         h.upload,
		"POST /v1/uploads/{id}/check":              h.checkUpload,
		"POST /v1/tickets/{id}/rating":             h.rate,
		"POST /v1/tickets/{id}/withdrawal":         h.withdraw,
		"GET /v1/review-queue":                     h.reviewQueue,
		"POST /v1/tickets/{id}/review":             h.review,
		"POST /v1/tickets/{id}/reassign":           h.reassign,
		"POST /v1/tickets/{id}/phone-call":         h.phoneCall,
		"POST /v1/tickets/{id}/notes":              h.staffNote,
		"POST /v1/tickets/{id}/co-opinion":         h.coOpinion,
		"GET /v1/departments":                      h.departments,
		"GET /v1/departments/{deptId}/tickets":     h.inbox,
		"POST /v1/tickets/{id}/accept":             h.accept,
		"POST /v1/tickets/{id}/reply":              h.reply,
		"POST /v1/tickets/{id}/return":             h.returnTicket,
		"POST /v1/tickets/{id}/extension":          h.requestExtension,
		"POST /v1/tickets/{id}/extension-decision": h.decideExtension,
		"GET /v1/stats":                            h.stats,
		"GET /v1/stats/hotspots":                   h.hotspots,
		"GET /v1/admin/departments/{id}":           h.adminGetDepartment,
		"PUT /v1/admin/departments/{id}":           h.adminPutDepartment,
		"GET /v1/admin/routing-rules":              h.adminGetRoutingRules,
		"PUT /v1/admin/routing-rules":              h.adminPutRoutingRules,
		"GET /v1/admin/categories":                 h.adminGetCategories,
		"PUT /v1/admin/categories":                 h.adminPutCategories,
		"GET /v1/admin/calendar":                   h.adminCalendarCoverage,
		"GET /v1/admin/calendar/{year}":            h.adminGetCalendar,
		"PUT /v1/admin/calendar/{year}":            h.adminPutCalendar,
		"GET /v1/admin/stuck-tickets":              h.stuckTickets,
		"GET /v1/admin/screening-rules":            h.adminGetScreeningRules,
		"PUT /v1/admin/screening-rules":            h.adminPutScreeningRules,
		"GET /v1/admin/knowledge-base":             h.adminGetKnowledgeBase,
		"PUT /v1/admin/knowledge-base":             h.adminPutKnowledgeBase,
		"POST /v1/admin/tickets/{id}/repair":       h.repair,
		"GET /openapi.json":                        h.openAPIDocument,
		"ANY /v1/{proxy+}":                         h.unrouted,
		"PUT /v1/admin/api-keys/{name}":            h.adminPutAPIKey,
	}
	for _, key := range open311.ReadRoutes {
		m[key] = h.open311
	}
	return m
}

// open311 serves a GET of the GeoReport v2 endpoint, in the spec's format
// whatever happens.
func (h *Handler) open311(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	return h.Open311.Handle(ctx, r.APIGatewayV2HTTPRequest), nil
}

// unrouted answers what no route of the API serves under /v1: a 405 naming
// the path's methods, or a 404. The SMS delivery-receipt callback comes this
// way too: its path carries a secret, which is no route to declare.
func (h *Handler) unrouted(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if h.SMSReceipts != nil && strings.HasPrefix(r.RawPath, smsreceipt.Path) {
		return h.SMSReceipts.Handle(ctx, r.APIGatewayV2HTTPRequest), nil
	}
	if allow := httpapi.Allowed(r.RawPath); len(allow) > 0 {
		return events.APIGatewayV2HTTPResponse{}, httpapi.MethodNotAllowed(allow)
	}
	return events.APIGatewayV2HTTPResponse{}, httpapi.NotFound()
}

// Routes lists the route keys this function serves.
func (h *Handler) Routes() []string {
	var keys []string
	for k := range h.routes() {
		keys = append(keys, k)
	}
	return keys
}

// Handle serves one API Gateway request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	r := &request{APIGatewayV2HTTPRequest: req, log: httpapi.Logger(h.Log, req)}
	// Admin routes name a department by {id}, not a ticket.
	if id := req.PathParameters["id"]; id != "" && strings.Contains(req.RouteKey, " /v1/tickets/{id}") {
		r.log = r.log.With("ticket_id", id)
	}
	fn, ok := h.routes()[req.RouteKey]
	if !ok {
		return httpapi.Fail(ctx, r.log, req, httpapi.NotFound()), nil
	}
	claims, isStaff, err := httpapi.Staff(req)
	if err != nil {
		return httpapi.Fail(ctx, r.log, req, err), nil
	}
	r.staff, r.isStaff = claims, isStaff
	if isStaff {
		r.log = r.log.With("staff_role", string(claims.Role))
	}
	resp, err := fn(ctx, r)
	if err != nil {
		return httpapi.Fail(ctx, r.log, req, err), nil
	}
	return resp, nil
}

// decode reads the request body strictly into v.
func decode(r *request, v any) error {
	body, err := httpapi.Body(r.APIGatewayV2HTTPRequest)
	if err != nil {
		return err
	}
	return ticket.DecodeStrict(body, maxBodyBytes, v)
}

// ticketID returns the path's ticket id, refusing junk early with a 404.
func ticketID(r *request) (string, error) {
	id := ticket.NormalizeID(r.PathParameters["id"])
	if !ticket.ValidID(id) {
		return "", httpapi.NotFound()
	}
	return id, nil
}

// staffCommand is the prelude of a staff action on one ticket: the caller
// has one of the roles (any staff role when none is named), the path names a
// ticket, and the body decodes into body. It returns the ticket id.
func staffCommand(r *request, body any, roles ...auth.Role) (string, error) {
	if len(roles) == 0 {
		roles = auth.Roles
	}
	if err := requireRole(r, roles...); err != nil {
		return "", err
	}
	id, err := ticketID(r)
	if err != nil {
		return "", err
	}
	if err := decode(r, body); err != nil {
		return "", err
	}
	return id, nil
}

// requireRole refuses callers without one of the roles.
func requireRole(r *request, roles ...auth.Role) error {
	if !r.isStaff {
		return httpapi.Unauthorized("a staff token is required")
	}
	for _, role := range roles {
		if r.staff.Role == role {
			return nil
		}
	}
	return httpapi.Forbidden(fmt.Sprintf("role %s may not do this", r.staff.Role))
}

// tellDepartments publishes msg to the ticket's lead (and, with co, its
// co-handlers) after the change is saved. A message that cannot go out does
// not undo the change: it is logged for the department's liaison to follow up.
func (h *Handler) tellDepartments(ctx context.Context, r *request, t *ticket.Ticket, msg deptmsg.Message, co bool) {
	if t.DepartmentID == "" {
		return
	}
	msg.TicketID, msg.DepartmentID, msg.Role, msg.Category = t.ID, t.DepartmentID, deptmsg.RoleLead, t.Category
	if msg.Deadline.IsZero() {
		msg.Deadline = t.Deadlines.Reply
	}
	targets := []string{t.DepartmentID}
	if co {
		targets = append(targets, t.CoHandlers...)
	}
	for i, dept := range targets {
		if i > 0 {
			msg.DepartmentID, msg.Role = dept, deptmsg.RoleCo
		}
		if err := h.Queues.Publish(ctx, dept, msg); err != nil {
			r.log.ErrorContext(ctx, "department not told", "department_id", dept, "message_type", string(msg.Type), "error", err.Error())
		}
	}
}

// deliver sends the answers the saved change queued and reports whether a
// step no longer waited. An answer that could not be sent stays in the
// outbox for the sweep, so the change still counts as done.
func (h *Handler) deliver(ctx context.Context, r *request, t *ticket.Ticket) (stepGone bool) {
	for _, cb := range t.Outbox {
		gone, err := outbox.Deliver(ctx, h.Store, h.Workflow, t.ID, cb)
		if err != nil {
			r.log.ErrorContext(ctx, "workflow step not answered yet; the sweep will answer it", "error", err.Error())
		}
		stepGone = stepGone || gone != nil
	}
	return stepGone
}

// stepGone answers an action whose change stands but whose workflow step had
// already ended.
func stepGone() error {
	return httpapi.Gone("the change was recorded, but the workflow step it answers had already finished or timed out")
}

func (h *Handler) now() time.Time { return ticket.Stamp(h.Now()) }
