package client

import (
	"context"
	"net/http"
	"strconv"
)

// AnyVersion is the If-Match of a write that replaces whatever is stored,
// seen or not. Prefer the ETag of the read the change is based on: then a
// change another admin made meanwhile is a precondition-failed problem
// (IsPreconditionFailed) instead of being overwritten unseen.
const AnyVersion = "*"

// The admin reads (admins and supervisors) return the value with the ETag of
// the configuration's version; the writes (admins) take the ETag the change
// is based on as If-Match and return what is stored with the new ETag. The
// API refuses a write without If-Match (428, IsPreconditionRequired) and one
// whose version is stale (412, IsPreconditionFailed): read again, redo the
// change, write again.

// adminGet reads an admin resource into out and returns its ETag.
func (c *Client) adminGet(ctx context.Context, p string, out any) (string, error) {
	_, h, err := c.do(ctx, &call{method: http.MethodGet, path: p, auth: authToken}, out, http.StatusOK)
	if err != nil {
		return "", err
	}
	return h.Get("ETag"), nil
}

// adminPut writes body with If-Match: etag (none when etag is empty, for the
// API to refuse) and decodes what is stored into out.
func (c *Client) adminPut(ctx context.Context, p string, body any, etag string, out any) (string, error) {
	cl := &call{method: http.MethodPut, path: p, body: body, header: http.Header{}, auth: authToken}
	if etag != "" {
		cl.header.Set("If-Match", etag)
	}
	_, h, err := c.do(ctx, cl, out, http.StatusOK)
	if err != nil {
		return "", err
	}
	return h.Get("ETag"), nil
}

// Departments lists every department of the catalog, active or not (any
// staff role). The ETag is the catalog's version, the If-Match of an edit.
func (c *Client) Departments(ctx context.Context) ([]Department, string, error) {
	var body struct {
		Departments []Department `json:"departments"`
	}
	etag, err := c.adminGet(ctx, "/v1/departments", &body)
	if err != nil {
		return nil, "", err
	}
	return body.Departments, etag, nil
}

// GetDepartment reads a department of the catalog.
func (c *Client) GetDepartment(ctx context.Context, id string) (*Department, string, error) {
	var d Department
	etag, err := c.adminGet(ctx, path("/v1/admin/departments", id), &d)
	if err != nil {
		return nil, "", err
	}
	return &d, etag, nil
}

// PutDepartment creates or replaces a department; Active false stops routing
// to it. Activating a department whose queue does not exist is refused.
func (c *Client) PutDepartment(ctx context.Context, id string, d DepartmentInput, etag string) (*Department, string, error) {
	var out Department
	etag, err := c.adminPut(ctx, path("/v1/admin/departments", id), d, etag, &out)
	if err != nil {
		return nil, "", err
	}
	return &out, etag, nil
}

type routingRules struct {
	RoutingRules []RoutingRule `json:"routingRules"`
}

// GetRoutingRules reads the routing rules in stored order (ties between equal
// priorities go to the earlier rule).
func (c *Client) GetRoutingRules(ctx context.Context) ([]RoutingRule, string, error) {
	var out routingRules
	etag, err := c.adminGet(ctx, "/v1/admin/routing-rules", &out)
	if err != nil {
		return nil, "", err
	}
	return out.RoutingRules, etag, nil
}

// PutRoutingRules replaces the routing rules; exactly one default rule whose
// department is active is needed.
func (c *Client) PutRoutingRules(ctx context.Context, rules []RoutingRule, etag string) ([]RoutingRule, string, error) {
	// nil would go as null, which the API reads as a missing list.
	if rules == nil {
		rules = []RoutingRule{}
	}
	var out routingRules
	etag, err := c.adminPut(ctx, "/v1/admin/routing-rules", routingRules{rules}, etag, &out)
	if err != nil {
		return nil, "", err
	}
	return out.RoutingRules, etag, nil
}

type categoryTree struct {
	Categories []Category `json:"categories"`
}

// GetAdminCategories reads the whole category tree for editing.
func (c *Client) GetAdminCategories(ctx context.Context) ([]Category, string, error) {
	var out categoryTree
	etag, err := c.adminGet(ctx, "/v1/admin/categories", &out)
	if err != nil {
		return nil, "", err
	}
	return out.Categories, etag, nil
}

// PutCategories replaces the category tree; routing rules and tickets name
// its leaf codes.
func (c *Client) PutCategories(ctx context.Context, tree []Category, etag string) ([]Category, string, error) {
	if tree == nil {
		tree = []Category{}
	}
	var out categoryTree
	etag, err := c.adminPut(ctx, "/v1/admin/categories", categoryTree{tree}, etag, &out)
	if err != nil {
		return nil, "", err
	}
	return out.Categories, etag, nil
}

// GetCalendarCoverage reads which years have a holiday calendar and which a
// deadline set now (within 90 days) would reach without one.
func (c *Client) GetCalendarCoverage(ctx context.Context) (*CalendarCoverage, string, error) {
	var out CalendarCoverage
	etag, err := c.adminGet(ctx, "/v1/admin/calendar", &out)
	if err != nil {
		return nil, "", err
	}
	return &out, etag, nil
}

// GetCalendar reads a year's holidays and make-up working days; a year not
// loaded is a not-found problem.
func (c *Client) GetCalendar(ctx context.Context, year int) (*Calendar, string, error) {
	var out Calendar
	etag, err := c.adminGet(ctx, path("/v1/admin/calendar", strconv.Itoa(year)), &out)
	if err != nil {
		return nil, "", err
	}
	return &out, etag, nil
}

// PutCalendar loads a year's calendar; cal.Year is year when left 0 (another
// year is refused).
func (c *Client) PutCalendar(ctx context.Context, year int, cal Calendar, etag string) (*Calendar, string, error) {
	// The API needs the holidays list, empty or not: a forgotten list must
	// not clear a year's holidays, so null is refused.
	if cal.Holidays == nil {
		cal.Holidays = []string{}
	}
	if cal.Workdays == nil {
		cal.Workdays = []string{}
	}
	// The path names the year; the body's, when sent, must match it.
	if cal.Year == 0 {
		cal.Year = year
	}
	var out Calendar
	etag, err := c.adminPut(ctx, path("/v1/admin/calendar", strconv.Itoa(year)), cal, etag, &out)
	if err != nil {
		return nil, "", err
	}
	return &out, etag, nil
}

// GetScreeningRules reads the rules review screens tickets with; version
// "0" is the shipped rules before the first change.
func (c *Client) GetScreeningRules(ctx context.Context) (*ScreeningRules, string, error) {
	var out ScreeningRules
	etag, err := c.adminGet(ctx, "/v1/admin/screening-rules", &out)
	if err != nil {
		return nil, "", err
	}
	return &out, etag, nil
}

// PutScreeningRules replaces the whole rules document.
func (c *Client) PutScreeningRules(ctx context.Context, rules ScreeningRules, etag string) (*ScreeningRules, string, error) {
	// Sent as [] rather than left out: the API stores a list left out as
	// none and then answers it as null where its document promises a list.
	if rules.BlockedWords == nil {
		rules.BlockedWords = []string{}
	}
	if rules.BlockedSenders == nil {
		rules.BlockedSenders = []string{}
	}
	var out ScreeningRules
	etag, err := c.adminPut(ctx, "/v1/admin/screening-rules", rules, etag, &out)
	if err != nil {
		return nil, "", err
	}
	return &out, etag, nil
}

type knowledgeBase struct {
	KnowledgeBase []KnowledgeEntry `json:"knowledgeBase"`
}

// GetKnowledgeBase reads the knowledge base; its ETag is the screening
// rules' version (they are one document).
func (c *Client) GetKnowledgeBase(ctx context.Context) ([]KnowledgeEntry, string, error) {
	var out knowledgeBase
	etag, err := c.adminGet(ctx, "/v1/admin/knowledge-base", &out)
	if err != nil {
		return nil, "", err
	}
	return out.KnowledgeBase, etag, nil
}

// PutKnowledgeBase replaces the knowledge base; the rest of the screening
// rules stay.
func (c *Client) PutKnowledgeBase(ctx context.Context, kb []KnowledgeEntry, etag string) ([]KnowledgeEntry, string, error) {
	if kb == nil {
		kb = []KnowledgeEntry{}
	}
	var out knowledgeBase
	etag, err := c.adminPut(ctx, "/v1/admin/knowledge-base", knowledgeBase{kb}, etag, &out)
	if err != nil {
		return nil, "", err
	}
	return out.KnowledgeBase, etag, nil
}

// IssueAPIKey issues an Open311 API key for an app under name (1–64
// characters of a-z, 0-9, _ and -); a name that had a key gets a new one and
// the old one stops working at once. Keep the key: it is shown only here.
func (c *Client) IssueAPIKey(ctx context.Context, name string) (*APIKey, error) {
	var out APIKey
	cl := &call{method: http.MethodPut, path: path("/v1/admin/api-keys", name), auth: authToken}
	status, _, err := c.do(ctx, cl, &out, http.StatusOK, http.StatusCreated)
	if err != nil {
		return nil, err
	}
	out.Replaced = status == http.StatusOK
	return &out, nil
}
