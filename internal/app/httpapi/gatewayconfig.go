package httpapi

// What API Gateway is configured with beside the routes (infra/template.yaml,
// HttpApi): the local gateway answers the same, and infra's crosscheck test
// keeps the template in step.

// CORS is the HTTP API's CorsConfiguration (header names lower-case, as
// API Gateway stores them).
var CORS = struct {
	AllowMethods  []string
	AllowHeaders  []string
	ExposeHeaders []string
	MaxAge        int
}{
	AllowMethods: []string{"GET", "POST", "PUT", "OPTIONS"},
	// If-Match and If-None-Match: admin edits and polling; Accept-Language:
	// the language of errors and notes.
	AllowHeaders: []string{"accept-language", "authorization", "content-type", "idempotency-key", "if-match", "if-none-match", "x-access-code"},
	// What a page reads from an answer: the version to send back, when to
	// retry, the export's file name and truncation, the id to quote.
	ExposeHeaders: []string{"apigw-requestid", "content-disposition", "content-language", "etag", "retry-after", "x-export-truncated"},
	MaxAge:        600,
}

// Throttle is API Gateway's token bucket for a route: Burst requests at
// once, refilled at Rate a second.
type Throttle struct {
	Burst int
	Rate  float64
}

// DefaultThrottle is DefaultRouteSettings: each route's own bucket.
var DefaultThrottle = Throttle{Burst: 200, Rate: 100}

// RouteThrottles are RouteSettings, by route key. Filing is the one write
// citizens can do anonymously: a tighter bucket keeps a flood from filling
// the review queue.
var RouteThrottles = map[string]Throttle{
	"POST /v1/tickets": {Burst: 50, Rate: 20},
}

// ThrottleOf is the bucket of a route.
func ThrottleOf(routeKey string) Throttle {
	if t, ok := RouteThrottles[routeKey]; ok {
		return t
	}
	return DefaultThrottle
}
