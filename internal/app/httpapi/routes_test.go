package httpapi

import (
	"maps"
	"slices"
	"testing"
)

// Route selection follows API Gateway: the method's route over ANY, a
// parameter route over the greedy catch-all; the catch-all takes the rest.
func TestFindSelectsAsAPIGateway(t *testing.T) {
	for _, c := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/v1/tickets/T1", "GET /v1/tickets/{id}", map[string]string{"id": "T1"}},
		{"POST", "/v1/tickets/T1/accept", "POST /v1/tickets/{id}/accept", map[string]string{"id": "T1"}},
		{"DELETE", "/v1/tickets/T1", "ANY /v1/{proxy+}", map[string]string{"proxy": "tickets/T1"}},
		{"GET", "/v1/no/such/thing", "ANY /v1/{proxy+}", map[string]string{"proxy": "no/such/thing"}},
		{"GET", "/v1/tickets//accept", "ANY /v1/{proxy+}", map[string]string{"proxy": "tickets//accept"}},
	} {
		r, params, ok := Find(c.method, c.path)
		if !ok || r.Key() != c.want || !maps.Equal(params, c.params) {
			t.Errorf("%s %s → %q %v, want %q %v", c.method, c.path, r.Key(), params, c.want, c.params)
		}
	}
	for _, path := range []string{"/", "/v1", "/v1/", "/v2/tickets", "/openapi"} {
		if r, _, ok := Find("GET", path); ok {
			t.Errorf("GET %s → %s, want no route", path, r.Key())
		}
	}
}

func TestAllowedListsThePathsMethods(t *testing.T) {
	for path, want := range map[string][]string{
		"/v1/tickets":                    {"GET", "POST"},
		"/v1/tickets/T1":                 {"GET"},
		"/v1/admin/routing-rules":        {"GET", "PUT"},
		"/v1/admin/calendar/2027":        {"GET", "PUT"},
		"/v1/nothing":                    nil,
		"/v1/tickets/T1/accept/extra":    nil,
		"/v1/departments/market/tickets": {"GET"},
	} {
		if got := Allowed(path); !slices.Equal(got, want) {
			t.Errorf("Allowed(%s) = %v, want %v", path, got, want)
		}
	}
}
