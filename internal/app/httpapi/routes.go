package httpapi

import (
	"slices"
	"strings"
)

// Auth says how a route is authorized.
type Auth int

const (
	// AuthPublic routes carry no staff identity (citizens use access codes).
	AuthPublic Auth = iota
	// AuthStaff routes require a valid JWT; API Gateway's JWT authorizer in production.
	AuthStaff
	// AuthOptional routes pass staff claims when a valid token is sent and none
	// otherwise; an invalid token is still refused.
	AuthOptional
)

// Route is one HTTP API route and the function that serves it.
type Route struct {
	Method   string
	Path     string // API Gateway route path, with {name} parameters
	Function string // directory name under functions/
	Auth     Auth
}

// Key is the API Gateway route key, e.g. "POST /v1/tickets/{id}/accept".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes is API.md's HTTP API. The SAM template declares the same routes.
var Routes = []Route{
	{"POST", "/v1/tickets", "intake", AuthOptional},
	{"POST", "/v1/verifications", "intake", AuthPublic},
	{"GET", "/v1/categories", "api", AuthPublic},
	{"GET", "/v1/tickets", "api", AuthStaff},
	{"GET", "/v1/tickets/{id}", "api", AuthOptional},
	{"POST", "/v1/tickets/{id}/supplements", "api", AuthPublic},
	{"POST", "/v1/tickets/{id}/rating", "api", AuthOptional}, // citizens online; operators for a citizen reached by phone
	{"POST", "/v1/tickets/{id}/withdrawal", "api", AuthPublic},
	{"POST", "/v1/uploads", "api", AuthOptional}, // citizens filing or adding; operators filing; departments replying
	{"POST", "/v1/uploads/{id}/check", "api", AuthPublic},

	{"GET", "/v1/review-queue", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/review", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/reassign", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/phone-call", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/notes", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/co-opinion", "api", AuthStaff},
	{"GET", "/v1/departments", "api", AuthStaff},
	{"GET", "/v1/departments/{deptId}/tickets", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/accept", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/reply", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/return", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/extension", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/extension-decision", "api", AuthStaff},

	{"GET", "/v1/stats", "api", AuthStaff},
	{"GET", "/v1/stats/hotspots", "api", AuthStaff},
	{"GET", "/v1/admin/departments/{id}", "api", AuthStaff},
	{"PUT", "/v1/admin/departments/{id}", "api", AuthStaff},
	{"GET", "/v1/admin/routing-rules", "api", AuthStaff},
	{"PUT", "/v1/admin/routing-rules", "api", AuthStaff},
	{"GET", "/v1/admin/categories", "api", AuthStaff},
	{"PUT", "/v1/admin/categories", "api", AuthStaff},
	{"GET", "/v1/admin/calendar", "api", AuthStaff},
	{"GET", "/v1/admin/calendar/{year}", "api", AuthStaff},
	{"PUT", "/v1/admin/calendar/{year}", "api", AuthStaff},

	{"GET", "/v1/admin/stuck-tickets", "api", AuthStaff},
	{"GET", "/v1/admin/screening-rules", "api", AuthStaff},
	{"PUT", "/v1/admin/screening-rules", "api", AuthStaff},
	{"GET", "/v1/admin/knowledge-base", "api", AuthStaff},
	{"PUT", "/v1/admin/knowledge-base", "api", AuthStaff},
	{"POST", "/v1/admin/tickets/{id}/repair", "api", AuthStaff},

	{"PUT", "/v1/admin/api-keys/{name}", "api", AuthStaff},

	// Open311 GeoReport v2 for third-party apps (package open311): public
	// routes; a POST's api_key is checked by the code, as the spec has it.
	// HTTP API path parameters are whole segments, so the resources named
	// by an id take the segment with its extension ({file}).
	{"GET", "/open311/v2/discovery.json", "api", AuthPublic},
	{"GET", "/open311/v2/discovery.xml", "api", AuthPublic},
	{"GET", "/open311/v2/services.json", "api", AuthPublic},
	{"GET", "/open311/v2/services.xml", "api", AuthPublic},
	{"GET", "/open311/v2/services/{file}", "api", AuthPublic},
	{"GET", "/open311/v2/requests.json", "api", AuthPublic},
	{"GET", "/open311/v2/requests.xml", "api", AuthPublic},
	{"GET", "/open311/v2/requests/{file}", "api", AuthPublic},
	{"GET", "/open311/v2/tokens/{file}", "api", AuthPublic},
	// Filing starts a workflow: intake's.
	{"POST", "/open311/v2/requests.json", "intake", AuthPublic},
	{"POST", "/open311/v2/requests.xml", "intake", AuthPublic},
	// Anything else under the endpoint is answered in the spec's format
	// (404, or 405 with Allow).
	{"ANY", "/open311/v2/{proxy+}", "api", AuthPublic},

	{"GET", "/openapi.json", "api", AuthPublic}, // the API's OpenAPI document (package openapi)

	// Any other method or path under /v1 reaches the api function, which
	// answers 405 with Allow for a known path and a 404 problem otherwise:
	// API Gateway itself knows only "Not Found". Greedy routes lose to every
	// other route (API Gateway's route selection).
	{"ANY", "/v1/{proxy+}", "api", AuthPublic},
}

// Find selects the route of a request as API Gateway's HTTP API does: a
// route of the method over ANY, a path without a greedy {name+} over one
// with it. params are the path parameters.
func Find(method, path string) (route Route, params map[string]string, ok bool) {
	best := -1
	for _, r := range Routes {
		if r.Method != method && r.Method != "ANY" {
			continue
		}
		p, matched := Match(r.Path, path)
		if !matched {
			continue
		}
		rank := 0
		if r.Method == method {
			rank++
		}
		if !strings.HasSuffix(r.Path, "+}") {
			rank += 2
		}
		if rank > best {
			best, route, params, ok = rank, r, p, true
		}
	}
	return route, params, ok
}

// Allowed lists the methods the routes of path serve, greedy routes aside.
func Allowed(path string) []string {
	var methods []string
	for _, r := range Routes {
		if strings.HasSuffix(r.Path, "+}") {
			continue
		}
		if _, ok := Match(r.Path, path); ok && !slices.Contains(methods, r.Method) {
			methods = append(methods, r.Method)
		}
	}
	slices.Sort(methods)
	return methods
}

// Match matches a request path against a route path: {name} takes one
// non-empty segment, a final {name+} the rest of the path (one segment at
// least).
func Match(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	var params map[string]string
	set := func(k, v string) {
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
	}
	for i, p := range ps {
		if i >= len(xs) {
			return nil, false
		}
		name, isParam := strings.CutPrefix(p, "{")
		name, _ = strings.CutSuffix(name, "}")
		switch {
		case isParam && strings.HasSuffix(name, "+") && i == len(ps)-1:
			rest := strings.Join(xs[i:], "/")
			if rest == "" {
				return nil, false
			}
			set(strings.TrimSuffix(name, "+"), rest)
			return params, true
		case isParam:
			if xs[i] == "" {
				return nil, false
			}
			set(name, xs[i])
		case p != xs[i]:
			return nil, false
		}
	}
	if len(xs) != len(ps) {
		return nil, false
	}
	return params, true
}
