package api_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/catalogconfig"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/platform"
)

func (r *req) header(k, v string) *req { r.headers[k] = v; return r }

// etag is do that also returns the ETag header.
func (e *env) etag(t *testing.T, r *req) (resp, string) {
	t.Helper()
	out, err := e.api.Handle(t.Context(), r.event())
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: out.StatusCode, body: out.Body}, out.Headers["ETag"]
}

func errorFields(t *testing.T, r resp) map[string]string {
	t.Helper()
	var p httpapi.Problem
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatal(err)
	}
	return p.Fields
}

func TestAdminRoundTripsAndValidation(t *testing.T) {
	e := newEnv(t)
	// These checks are about content, not preconditions: PUTs replace whatever is stored.
	admin := func(key, id string) *req {
		r := route(key, id).as(auth.RoleAdmin, "")
		if strings.HasPrefix(key, "PUT ") {
			r.header("If-Match", "*")
		}
		return r
	}

	// Department: replace one, create one; the path id wins.
	r, tag := e.etag(t, admin("GET /v1/admin/departments/{id}", "market"))
	r.want(t, "get market", 200)
	var d catalog.Department
	if err := json.Unmarshal([]byte(r.body), &d); err != nil || d.ID != "market" || tag == "" {
		t.Fatalf("market %+v %v etag %q", d, err, tag)
	}
	d.Name = "市场监督管理局（新）"
	r, tag2 := e.etag(t, admin("PUT /v1/admin/departments/{id}", "market").json(d))
	r.want(t, "put market", 200)
	if tag2 == tag {
		t.Fatal("version unchanged by a PUT")
	}
	// An active department needs its queue first: dispatch could not reach it.
	newDept := map[string]any{"id": "ignored", "name": "新部门", "active": true}
	if r := e.do(t, admin("PUT /v1/admin/departments/{id}", "new_dept").json(newDept)); r.status != 400 || !strings.Contains(r.body, "hotline-dept-new_dept") {
		t.Fatalf("a department without a queue: %d %s", r.status, r.body)
	}
	if _, err := e.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(platform.QueuePrefix + "new_dept")}); err != nil {
		t.Fatal(err)
	}
	e.do(t, admin("PUT /v1/admin/departments/{id}", "new_dept").json(newDept)).want(t, "create", 200)
	r = e.do(t, route("GET /v1/admin/departments/{id}", "new_dept").as(auth.RoleSupervisor, ""))
	r.want(t, "get created", 200)
	if !strings.Contains(r.body, `"id":"new_dept"`) || !strings.Contains(r.body, "新部门") {
		t.Fatalf("created department %s", r.body)
	}
	if r = e.do(t, admin("GET /v1/admin/departments/{id}", "market")); !strings.Contains(r.body, "（新）") {
		t.Fatalf("replaced department %s", r.body)
	}

	// A routing table that would leave tickets unrouted is refused.
	if r := e.do(t, admin("PUT /v1/admin/routing-rules", "").json(map[string]any{"routingRules": []map[string]any{
		{"id": "only", "priority": 1, "keywords": []string{"噪音"}, "departmentId": "market"},
	}})); r.status != 400 || !strings.Contains(r.body, "no default rule") {
		t.Fatalf("rules without a default: %d %s", r.status, r.body)
	}

	// Validation: the catalog's problems as fields; nothing stored.
	before, tag3 := e.etag(t, admin("GET /v1/admin/routing-rules", ""))
	r = e.do(t, admin("PUT /v1/admin/routing-rules", "").json(map[string]any{"routingRules": []map[string]any{
		{"id": "bad", "priority": 5, "categories": []string{"consumer"}, "departmentId": "nosuch"},
		{"id": "bad", "priority": 5000, "departmentId": "market"},
	}}))
	r.want(t, "invalid rules", 400)
	if f := errorFields(t, r); !strings.Contains(f["rule bad"], "没有承办单位 \"nosuch\"") || len(f) < 2 {
		t.Fatalf("fields %v", f)
	}
	e.do(t, admin("PUT /v1/admin/departments/{id}", "market").json(map[string]any{"name": "x", "region": "12"})).want(t, "bad region", 400)
	e.do(t, admin("PUT /v1/admin/departments/{id}", "Bad#Id").json(map[string]any{"name": "x"})).want(t, "bad id", 400)
	e.do(t, admin("PUT /v1/admin/categories", "").json(map[string]any{"categories": []any{}})).want(t, "no categories", 400)
	e.do(t, admin("PUT /v1/admin/routing-rules", "").json(map[string]any{"rules": []any{}})).want(t, "unknown field", 400)
	after, tag4 := e.etag(t, admin("GET /v1/admin/routing-rules", ""))
	if after.body != before.body || tag4 != tag3 {
		t.Fatal("a refused PUT changed the catalog")
	}

	// Round trips: what GET answers, PUT takes back unchanged.
	for _, key := range []string{"/v1/admin/routing-rules", "/v1/admin/categories"} {
		got := e.do(t, admin("GET "+key, ""))
		got.want(t, "get "+key, 200)
		put := admin("PUT "+key, "")
		put.body = got.body
		e.do(t, put).want(t, "put "+key, 200)
		if again := e.do(t, admin("GET "+key, "")); again.body != got.body {
			t.Fatalf("%s changed by its own round trip", key)
		}
	}

	// Calendar: the file format of config/calendar; the path names the year.
	cal := map[string]any{"year": 2027, "holidays": []string{"2027-01-01", "2027-10-01"}, "workdays": []string{"2027-09-26"}}
	e.do(t, admin("PUT /v1/admin/calendar/{year}", "2027").json(cal)).want(t, "put 2027", 200)
	r = e.do(t, route("GET /v1/admin/calendar/{year}", "2027").as(auth.RoleSupervisor, ""))
	r.want(t, "get 2027", 200)
	var f ticket.CalendarFile
	if err := json.Unmarshal([]byte(r.body), &f); err != nil || f.Year != 2027 || len(f.Holidays) != 2 || len(f.Workdays) != 1 {
		t.Fatalf("2027: %+v %v", f, err)
	}
	e.do(t, admin("PUT /v1/admin/calendar/{year}", "2028").json(cal)).want(t, "year mismatch", 400)
	e.do(t, admin("PUT /v1/admin/calendar/{year}", "2027").json(map[string]any{"year": 2027})).want(t, "no holidays", 400)
	r = e.do(t, admin("PUT /v1/admin/calendar/{year}", "2027").json(map[string]any{"holidays": []string{"2027-13-01"}, "workdays": []string{"2027-09-27"}}))
	r.want(t, "bad dates", 400)
	if len(errorFields(t, r)) == 0 {
		t.Fatalf("calendar problems not listed: %s", r.body)
	}
	e.do(t, admin("GET /v1/admin/calendar/{year}", "2030")).want(t, "unknown year", 404)
	e.do(t, admin("GET /v1/admin/calendar/{year}", "abc")).want(t, "not a year", 404)
}

// A PUT without If-Match is a 428, one based on a version someone else has
// changed since is a 412; of racing PUTs at one version each either wins or
// is told 412, and the version counts the winners only. A GET naming the
// current version in If-None-Match is a 304.
func TestAdminConcurrentChanges(t *testing.T) {
	e := newEnv(t)
	put := func(name string) *req {
		return route("PUT /v1/admin/departments/{id}", "market").as(auth.RoleAdmin, "").json(map[string]any{"name": name, "active": true})
	}
	_, tag := e.etag(t, route("GET /v1/admin/departments/{id}", "market").as(auth.RoleAdmin, ""))
	e.do(t, put("甲")).want(t, "blind write", 428)
	e.do(t, route("GET /v1/admin/departments/{id}", "market").as(auth.RoleAdmin, "").header("If-None-Match", tag)).want(t, "unchanged read", 304)
	e.do(t, put("甲").header("If-Match", tag)).want(t, "first write at the read version", 200)
	e.do(t, route("GET /v1/admin/departments/{id}", "market").as(auth.RoleAdmin, "").header("If-None-Match", tag)).want(t, "read after a change", 200)
	e.do(t, put("乙").header("If-Match", tag)).want(t, "stale write", 412)
	e.do(t, put("乙").header("If-Match", "nonsense")).want(t, "bad If-Match", 400)
	if r := e.do(t, route("GET /v1/admin/departments/{id}", "market").as(auth.RoleAdmin, "")); !strings.Contains(r.body, "甲") {
		t.Fatalf("stale write applied: %s", r.body)
	}

	_, tag = e.etag(t, route("GET /v1/admin/departments/{id}", "market").as(auth.RoleAdmin, ""))
	v0, _ := strconv.Atoi(strings.Trim(tag, `"`))
	var reqs []*req
	for i := range 6 {
		reqs = append(reqs, put("部门"+strconv.Itoa(i)).header("If-Match", tag))
	}
	got := race(t, e, reqs...)
	wins := 0
	for _, r := range got {
		switch r.status {
		case 200:
			wins++
		case 412:
			r.want(t, "lost race", 412)
		default:
			t.Fatalf("racing PUT: %d %s", r.status, r.body)
		}
	}
	_, tag = e.etag(t, route("GET /v1/admin/departments/{id}", "market").as(auth.RoleAdmin, ""))
	if v, _ := strconv.Atoi(strings.Trim(tag, `"`)); wins != 1 || v != v0+1 {
		t.Fatalf("%d wins moved the version from %d to %d", wins, v0, v)
	}
}

// A routing rule changed through the admin API routes new tickets once the
// dispatch function's cached catalog expires (catalogconfig.DefaultTTL).
func TestRoutingUsesAdminChangeAfterCacheExpiry(t *testing.T) {
	e := newEnv(t)
	e.dispatched(t) // market; the dispatch function has cached the catalog

	r := e.do(t, route("GET /v1/admin/routing-rules", "").as(auth.RoleAdmin, ""))
	var body struct {
		RoutingRules []map[string]any `json:"routingRules"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatal(err)
	}
	body.RoutingRules = append(body.RoutingRules, map[string]any{
		"id": "refunds-to-housing", "priority": 1000, "categories": []string{"consumer.refund"}, "departmentId": "housing",
	})
	e.do(t, route("PUT /v1/admin/routing-rules", "").as(auth.RoleAdmin, "").json(body).header("If-Match", "*")).want(t, "put rules", 200)

	n := 0
	routed := func() *ticket.Ticket {
		// Another citizen in another place each time: the same one twice is a
		// possible duplicate, and the same matter in one place goes to an operator.
		n++
		sub := complaint()
		sub["contact"] = map[string]any{"phone": "1390000000" + strconv.Itoa(n)}
		sub["location"] = map[string]any{"region": county(n)}
		id, _ := e.file(t, sub)
		e.parked(t, id, "AwaitReply")
		return e.ticket(t, id)
	}
	// Within the TTL the warm dispatch function still routes by its copy.
	if tk := routed(); tk.DepartmentID != "market" {
		t.Fatalf("routed to %s before the cache expired", tk.DepartmentID)
	}
	e.clock.Advance(catalogconfig.DefaultTTL + time.Second)
	if tk := routed(); tk.DepartmentID != "housing" || tk.RuleID != "refunds-to-housing" {
		t.Fatalf("routed to %s by %s after the cache expired", tk.DepartmentID, tk.RuleID)
	}
}

// Every staff role reads the departments, inactive ones too; the list's ETag
// is the catalog version an admin's edit names in If-Match, and a department
// an admin adds is in the next read.
func TestDepartmentsListedForStaff(t *testing.T) {
	e := newEnv(t)
	list := func(r *req) []catalog.Department {
		t.Helper()
		got := e.do(t, r)
		got.want(t, "list", 200)
		var body struct{ Departments []catalog.Department }
		if err := json.Unmarshal([]byte(got.body), &body); err != nil {
			t.Fatal(err)
		}
		return body.Departments
	}
	before := list(route("GET /v1/departments", "").as(auth.RoleOperator, ""))
	if !slices.ContainsFunc(before, func(d catalog.Department) bool { return d.ID == "market" && d.Name != "" }) {
		t.Fatalf("market missing from %+v", before)
	}
	_, tag := e.etag(t, route("GET /v1/departments", "").as(auth.RoleAdmin, ""))
	e.do(t, route("PUT /v1/admin/departments/{id}", "archive").as(auth.RoleAdmin, "").header("If-Match", tag).
		json(map[string]any{"name": "档案馆", "active": false})).want(t, "add at the list's version", 200)
	e.do(t, route("GET /v1/departments", "").as(auth.RoleAdmin, "").header("If-None-Match", tag)).want(t, "read after the change", 200)
	after := list(route("GET /v1/departments", "").as(auth.RoleDepartment, "market"))
	if len(after) != len(before)+1 || !slices.ContainsFunc(after, func(d catalog.Department) bool { return d.ID == "archive" && !d.Active }) {
		t.Fatalf("after adding an inactive department: %+v", after)
	}
}
