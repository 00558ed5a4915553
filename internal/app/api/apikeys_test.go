package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/open311"
)

func TestAdminIssuesAndRotatesOpen311Keys(t *testing.T) {
	e := newEnv(t)
	put := func(name string) *req {
		r := route("PUT /v1/admin/api-keys/{name}", "")
		r.params["name"] = name
		return r
	}
	issue := func(status int) open311.Issued {
		t.Helper()
		r := e.do(t, put("city-app").as(auth.RoleAdmin, ""))
		r.want(t, "issue", status)
		var is open311.Issued
		if err := json.Unmarshal([]byte(r.body), &is); err != nil || is.Name != "city-app" || !strings.HasPrefix(is.APIKey, "city-app.") || !strings.HasSuffix(is.CreatedAt, "+08:00") {
			t.Fatalf("issued %s (%v)", r.body, err)
		}
		return is
	}
	first := issue(201)
	second := issue(200)
	keys := e.api.Open311.Keys
	if _, err := keys.Check(t.Context(), first.APIKey); err == nil {
		t.Error("the rotated key still works")
	}
	if name, err := keys.Check(t.Context(), second.APIKey); err != nil || name != "city-app" {
		t.Errorf("the new key: %q %v", name, err)
	}
	if strings.Contains(e.logs.String(), second.APIKey) {
		t.Error("the key is in the logs")
	}

	e.do(t, put("city-app")).want(t, "no token", 401)
	for _, role := range []auth.Role{auth.RoleSupervisor, auth.RoleOperator} {
		e.do(t, put("city-app").as(role, "")).want(t, string(role), 403)
	}
	e.do(t, put("City App").as(auth.RoleAdmin, "")).want(t, "bad name", 400)
	e.do(t, put("city-app").as(auth.RoleAdmin, "").json(map[string]string{"apiKey": "mine"})).want(t, "a chosen key", 400)
	if r := e.do(t, put("city-app").as(auth.RoleAdmin, "").json(map[string]string{})); r.status != 200 {
		t.Errorf("{} body: %d %s", r.status, r.body)
	}
}
