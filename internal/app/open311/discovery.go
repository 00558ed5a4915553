package open311

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/httpapi"
)

// Specification is the token of the spec the endpoint serves.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Discovery is the Service Discovery document (discovery.json|xml).
type Discovery struct {
	XMLName xml.Name `json:"-" xml:"discovery"`
	// Changeset changes whenever the services or their definitions do.
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// Endpoint is the one GeoReport v2 endpoint.
type Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

// Default texts of the discovery document.
const (
	DefaultContact    = "12345政务服务便民热线管理员 / the administrators of the 12345 hotline"
	DefaultKeyService = "API keys are issued by the hotline's administrators (PUT /v1/admin/api-keys/{name}); ask them for one. API密钥由热线管理员发放。"
)

// Changeset spells a catalog version so that it sorts as it grows.
func Changeset(catalogVersion int) string { return fmt.Sprintf("catalog-%08d", catalogVersion) }

// endpointURL is the endpoint's absolute URL as the client reached it: the
// host API Gateway saw, the scheme it forwarded (https unless it says
// otherwise), and the request's path less the resource.
func endpointURL(req events.APIGatewayV2HTTPRequest) string {
	scheme := strings.ToLower(strings.TrimSpace(httpapi.Header(req, "X-Forwarded-Proto")))
	if scheme != "http" {
		scheme = "https"
	}
	host := req.RequestContext.DomainName
	if host == "" {
		host = httpapi.Header(req, "Host")
	}
	path := req.RawPath
	if i := strings.LastIndex(path, "/discovery."); i >= 0 {
		path = path[:i]
	} else {
		path = Base
	}
	return scheme + "://" + host + path
}

// DiscoveryAnswer is GET discovery.json|xml.
func DiscoveryAnswer(f Format, req events.APIGatewayV2HTTPRequest, changeset, contact, keyService string) events.APIGatewayV2HTTPResponse {
	d := Discovery{
		Changeset: changeset, Contact: contact, KeyService: keyService,
		Endpoints: []Endpoint{{
			Specification: Specification, URL: endpointURL(req), Changeset: changeset,
			Type: "production", Formats: []string{"text/xml", "application/json"},
		}},
	}
	return answer(f, http.StatusOK, d, d)
}
