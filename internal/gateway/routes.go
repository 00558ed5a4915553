package gateway

// Auth says how a route is authorized.
type Auth int

const (
	// Public routes carry no staff identity (citizens use access codes).
	Public Auth = iota
	// Staff routes require a valid JWT; API Gateway's JWT authorizer in production.
	Staff
	// Optional routes pass staff claims when a valid token is sent and none
	// otherwise; an invalid token is still refused.
	Optional
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
	{"POST", "/v1/tickets", "intake", Optional},
	{"GET", "/v1/categories", "api", Public},
	{"GET", "/v1/tickets/{id}", "api", Optional},
	{"POST", "/v1/tickets/{id}/supplements", "api", Public},
	{"POST", "/v1/tickets/{id}/rating", "api", Public},

	{"GET", "/v1/review-queue", "api", Staff},
	{"POST", "/v1/tickets/{id}/review", "api", Staff},
	{"POST", "/v1/tickets/{id}/reassign", "api", Staff},
	{"GET", "/v1/departments/{deptId}/tickets", "api", Staff},
	{"POST", "/v1/tickets/{id}/accept", "api", Staff},
	{"POST", "/v1/tickets/{id}/reply", "api", Staff},
	{"POST", "/v1/tickets/{id}/return", "api", Staff},
	{"POST", "/v1/tickets/{id}/extension", "api", Staff},
	{"POST", "/v1/tickets/{id}/extension-decision", "api", Staff},

	{"GET", "/v1/stats", "api", Staff},
	{"GET", "/v1/admin/departments/{id}", "api", Staff},
	{"PUT", "/v1/admin/departments/{id}", "api", Staff},
	{"GET", "/v1/admin/routing-rules", "api", Staff},
	{"PUT", "/v1/admin/routing-rules", "api", Staff},
	{"GET", "/v1/admin/categories", "api", Staff},
	{"PUT", "/v1/admin/categories", "api", Staff},
	{"GET", "/v1/admin/calendar/{year}", "api", Staff},
	{"PUT", "/v1/admin/calendar/{year}", "api", Staff},
}
