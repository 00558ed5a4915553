// Package open311 is the hotline's Open311 GeoReport v2 interface for
// third-party apps (https://wiki.open311.org/GeoReport_v2): services are the
// leaf categories, a POSTed service request becomes a ticket of channel
// open311 through the same intake as any other, and the GETs list Open311
// requests without any personal data. It parses the spec's form and query
// fields, maps them to and from the domain, and writes the spec's JSON and
// XML; the intake and api functions route to it.
//
// The API Gateway HTTP API takes path parameters only as whole segments, so
// "services/{file}" carries "consumer.refund.json" and the handlers split
// the format off (SplitFile).
package open311

import (
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Format is an answer's format: the resource's extension.
type Format string

// The formats of the spec: XML is required, JSON optional; both are served.
const (
	JSON Format = "json"
	XML  Format = "xml"
)

// Base is the path the GeoReport v2 endpoint is served under.
const Base = "/open311/v2"

// Routes of the GeoReport v2 endpoint, as API Gateway route keys. The
// fixed resources are literal paths; the ones named by an id take the
// whole last segment ({file}, e.g. "261129K7Q2XM.json").
const (
	RouteDiscoveryJSON = "GET " + Base + "/discovery.json"
	RouteDiscoveryXML  = "GET " + Base + "/discovery.xml"
	RouteServicesJSON  = "GET " + Base + "/services.json"
	RouteServicesXML   = "GET " + Base + "/services.xml"
	RouteService       = "GET " + Base + "/services/{file}"
	RouteRequestsJSON  = "GET " + Base + "/requests.json"
	RouteRequestsXML   = "GET " + Base + "/requests.xml"
	RouteRequest       = "GET " + Base + "/requests/{file}"
	RouteToken         = "GET " + Base + "/tokens/{file}"
	RoutePostJSON      = "POST " + Base + "/requests.json"
	RoutePostXML       = "POST " + Base + "/requests.xml"
	// RouteOther takes every other method and path under the endpoint,
	// so that they too are answered in the spec's format (API Gateway's
	// own answer is {"message":"Not Found"}).
	RouteOther = "ANY " + Base + "/{proxy+}"
)

// ReadRoutes are the GETs (the api function serves them); PostRoutes the
// POSTs (intake, which starts workflows).
var (
	ReadRoutes = []string{
		RouteDiscoveryJSON, RouteDiscoveryXML, RouteServicesJSON, RouteServicesXML, RouteService,
		RouteRequestsJSON, RouteRequestsXML, RouteRequest, RouteToken, RouteOther,
	}
	PostRoutes = []string{RoutePostJSON, RoutePostXML}
)

// SplitFile splits a path segment such as "consumer.refund.json" into the
// name and its format; false when it ends in neither .json nor .xml.
func SplitFile(file string) (string, Format, bool) {
	for _, f := range []Format{JSON, XML} {
		if name, ok := strings.CutSuffix(file, "."+string(f)); ok && name != "" {
			return name, f, true
		}
	}
	return "", "", false
}

// RouteFormat is the format of a route key's literal path, or of a request
// path; XML, the format every GeoReport server has, for one that names
// none (its {file} decides, or the route is unknown).
func RouteFormat(routeKeyOrPath string) Format {
	if strings.HasSuffix(routeKeyOrPath, ".json") {
		return JSON
	}
	return XML
}

// datetime writes a time as the spec asks (W3C, with the zone): RFC 3339
// in China time, the hotline's, as its other answers.
func datetime(t time.Time) string { return t.In(ticket.China).Format(time.RFC3339) }
