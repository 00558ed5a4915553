package api

import (
	"slices"
	"testing"

	"github.com/hotline12345/hotline/internal/app/httpapi"
)

// The gateway (and the SAM template) must route exactly what this function serves.
func TestGatewayRoutesMatchHandler(t *testing.T) {
	served := (&Handler{}).Routes()
	var routed []string
	for _, r := range httpapi.Routes {
		if r.Function == "api" {
			routed = append(routed, r.Key())
		}
	}
	slices.Sort(served)
	slices.Sort(routed)
	if !slices.Equal(served, routed) {
		t.Fatalf("api serves %v\ngateway routes %v", served, routed)
	}
}
