package httpapi

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

	{"GET", "/v1/review-queue", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/review", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/reassign", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/phone-call", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/notes", "api", AuthStaff},
	{"POST", "/v1/tickets/{id}/co-opinion", "api", AuthStaff},
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
}
