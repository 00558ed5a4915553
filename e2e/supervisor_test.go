package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/region"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/contract"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// call is do for worker goroutines: it reports failures as errors.
func (tg *target) call(method, path, token string, headers map[string]string, body any) (response, error) {
	if token != "" {
		headers = maps.Clone(headers)
		if headers == nil {
			headers = map[string]string{}
		}
		headers["Authorization"] = "Bearer " + token
	}
	return send(tg.client, tg.api, method, path, tg.asCitizen(method, path, body), headers)
}

// until repeats an action answered 409 (the workflow has not reached the
// step yet) until it is answered 200 (or 410 with the change recorded).
func (tg *target) until(what, method, path, token string, headers map[string]string, body any) error {
	deadline := time.Now().Add(60 * time.Second)
	for wait := time.Millisecond; ; wait = min(wait*2, 50*time.Millisecond) {
		r, err := tg.call(method, path, token, headers, body)
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", what, err)
		case r.status == http.StatusOK || r.status == http.StatusCreated:
			return nil
		case r.status == http.StatusGone && strings.Contains(string(r.body), `"code":"gone"`):
			// The step it answers was between parks (a deadline passed
			// as it came): the workflow reads the change when it parks.
			return nil
		case r.status != http.StatusConflict:
			return fmt.Errorf("%s: %d %s", what, r.status, r.body)
		case time.Now().After(deadline):
			return fmt.Errorf("%s: still 409 after a minute: %s", what, r.body)
		}
		time.Sleep(wait) // polling the running workflow, not waiting for time to pass
	}
}

// awaitStatus polls the staff view until the ticket has the status.
func (tg *target) awaitStatus(id, status, token string) error {
	deadline := time.Now().Add(60 * time.Second)
	for wait := time.Millisecond; ; wait = min(wait*2, 50*time.Millisecond) {
		r, err := tg.call("GET", "/v1/tickets/"+id, token, nil, nil)
		if err != nil {
			return err
		}
		var v struct{ Status string }
		if err := json.Unmarshal(r.body, &v); err != nil {
			return fmt.Errorf("staff view of %s: %d %s", id, r.status, r.body)
		}
		if v.Status == status {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is %s, not %s, after a minute", id, v.Status, status)
		}
		time.Sleep(wait) // polling the running workflow, not waiting for time to pass
	}
}

// filed is one ticket of the scenario and the group whose path it takes.
type filed struct {
	group string
	n     int
	receipt
}

// group is a set of tickets that take the same path, so the counts they
// cause can be worked out by hand.
type group struct {
	name, category, kind, content string
	size                          int
}

// Contents share little text between groups, so q finds one group.
var groups = []group{
	{"happy", "consumer.refund", "complaint", "电饭煲三天就坏了，商家拒绝退货，请帮助处理。", 60},
	{"reopened", "housing.property_mgmt", "complaint", "物业公司长期不修电梯，老人上下楼很困难。", 30},
	{"late", "environment.air", "complaint", "工厂烟囱晚上排放黑烟，空气里有刺鼻气味。", 30},
	{"returned", "transport.taxi", "complaint", "出租车司机拒载并且绕路多收车费。", 20},
	{"withdrawn", "labour.wage_arrears", "complaint", "公司拖欠我们三个月工资一直不发。", 20},
	{"rejected", "other.general", "complaint", "邻居家装修时把我家的墙面弄裂了，要求赔偿。", 15},
	{"answered", "other.general", "consultation", "请问老年人乘坐公交车有没有优惠政策？", 15},
	{"merged", "other.general", "complaint", "河边公园的路灯坏了好几盏，晚上散步不安全。", 10},
	{"cohandled", "housing.construction_noise", "complaint", "工地夜间打桩施工，噪音吵得整晚睡不着。", 20},
}

// Contents of the tickets filed later, in three places four each: they
// share a category and a place but no matter.
var garbage = []string{
	"小区垃圾桶满了三天没人清运，臭气熏天。",
	"楼下有人乱扔建筑废料，堆在绿化带里影响通行。",
	"菜市场门口的废纸箱堆成小山，希望尽快处理。",
	"夜里环卫车收运时噪声特别大，还把污水洒在路上。",
}

// Supervisors see the whole hotline: 232 tickets filed through the real
// intake take nine paths whose counts are worked out by hand, then the
// three rates, the hotline totals, the hotspots, the search and the exports
// are checked against them over HTTP.
func TestSupervisorSeesTheWholeHotline(t *testing.T) {
	if os.Getenv("HOTLINE_E2E_API_URL") != "" {
		t.Skip("moves the platform's clock: local platform only")
	}
	env := localtest.Start(t)
	tg := &target{api: env.P.APIURL, edge: env.P.EdgeURL, issuer: env.P.Issuer, logs: env.Logs, sfnArn: env.P.StateMachineArn, client: contract.Client(t, nil)}
	op := tg.token(t, auth.RoleOperator, "")
	dept := map[string]string{}
	for _, d := range []string{"market", "housing", "ecology", "transport", "urban_enforcement", "hrss"} {
		dept[d] = tg.token(t, auth.RoleDepartment, d)
	}
	counties := region.Counties()
	day1 := env.Clock.Now().In(ticket.China)

	// Every ticket in a place of its own, from a citizen of its own: review
	// sees neither a duplicate nor the same matter nearby.
	var tickets []filed
	var mu sync.Mutex
	serial := 0
	file := func(g group, n int, content, place string) error {
		mu.Lock()
		serial++
		phone := fmt.Sprintf("139%08d", serial)
		mu.Unlock()
		sub := map[string]any{
			"type": g.kind, "category": g.category, "channel": "web", "language": "zh",
			"content":  fmt.Sprintf("%s（第%d号）", content, n),
			"location": map[string]any{"region": place, "address": fmt.Sprintf("某街道%d号", n)},
			"contact":  map[string]any{"name": "市民", "phone": phone},
		}
		r, err := tg.call("POST", "/v1/tickets", "", nil, sub)
		if err != nil || r.status != http.StatusCreated {
			return fmt.Errorf("file %s %d: %v %d %s", g.name, n, err, r.status, r.body)
		}
		var rec receipt
		if err := json.Unmarshal(r.body, &rec); err != nil {
			return err
		}
		mu.Lock()
		tickets = append(tickets, filed{group: g.name, n: n, receipt: rec})
		mu.Unlock()
		return nil
	}
	var jobs []func() error
	for gi, g := range groups {
		for n := range g.size {
			// Away from Beijing, where the later tickets are filed; distinct for
			// every gi < 13.
			place := counties[(500+gi*97+n*13)%len(counties)]
			jobs = append(jobs, func() error { return file(g, n, g.content, place) })
		}
	}
	began := time.Now()
	parallel(t, jobs)
	t.Logf("filed 220 in %v", time.Since(began))
	if len(tickets) != 220 {
		t.Fatalf("%d tickets filed", len(tickets))
	}
	of := func(name string) []filed {
		var out []filed
		for _, f := range tickets {
			if f.group == name {
				out = append(out, f)
			}
		}
		slices.SortFunc(out, func(a, b filed) int { return a.n - b.n })
		return out
	}
	master := of("late")[0].ID // the open ticket the merged ones join

	rate := func(f filed, body map[string]any) error {
		return tg.until("rate "+f.ID, "POST", "/v1/tickets/"+f.ID+"/rating", "", map[string]string{"X-Access-Code": f.AccessCode}, body)
	}
	post := func(f filed, action, token string, body any) error {
		return tg.until(action+" "+f.ID, "POST", "/v1/tickets/"+f.ID+"/"+action, token, nil, body)
	}
	resolved := map[string]any{"result": "resolved", "message": "已协调处理完毕，问题已解决。"}
	explained := map[string]any{"result": "explained", "message": "已向当事人了解情况并作出说明。"}
	paths := map[string]func(f filed) error{
		// Accepted and replied at once, rated satisfied and resolved.
		"happy": func(f filed) error {
			return first(tg.awaitStatus(f.ID, "dispatched", op), post(f, "accept", dept["market"], nil),
				post(f, "reply", dept["market"], resolved),
				rate(f, map[string]any{"satisfied": true, "resolved": true, "score": 5}))
		},
		// Unsatisfied, reopened at housing, replied again, then satisfied.
		"reopened": func(f filed) error {
			return first(tg.awaitStatus(f.ID, "dispatched", op), post(f, "accept", dept["housing"], nil),
				post(f, "reply", dept["housing"], explained),
				rate(f, map[string]any{"satisfied": false, "resolved": false, "score": 2}),
				tg.awaitStatus(f.ID, "dispatched", op),
				post(f, "reply", dept["housing"], resolved),
				rate(f, map[string]any{"satisfied": true, "score": 4}))
		},
		// Left until the deadline passes (below).
		"late": func(f filed) error { return tg.awaitStatus(f.ID, "dispatched", op) },
		// Returned by transport, given to market, replied, never rated.
		"returned": func(f filed) error {
			return first(tg.awaitStatus(f.ID, "dispatched", op),
				post(f, "return", dept["transport"], map[string]any{"reason": "属于商家纠纷，应由市场监管处理"}),
				post(f, "reassign", op, map[string]any{"departmentId": "market", "reason": "改派市场监管局"}),
				tg.awaitStatus(f.ID, "dispatched", op), post(f, "accept", dept["market"], nil),
				post(f, "reply", dept["market"], resolved))
		},
		"withdrawn": func(f filed) error {
			return first(tg.awaitStatus(f.ID, "dispatched", op),
				tg.until("withdraw "+f.ID, "POST", "/v1/tickets/"+f.ID+"/withdrawal", "", map[string]string{"X-Access-Code": f.AccessCode}, map[string]any{"reason": "已自行解决"}))
		},
		"rejected": func(f filed) error {
			return post(f, "review", op, map[string]any{"decision": "reject", "reason": "属于民事纠纷，请通过法院解决。"})
		},
		// Answered by the operator; two in three citizens rate the answer.
		"answered": func(f filed) error {
			err := post(f, "review", op, map[string]any{"decision": "answer", "answer": "请携带身份证、租房合同到派出所办理。"})
			if err != nil || f.n%3 == 2 {
				return err
			}
			return rate(f, map[string]any{"satisfied": true, "score": 5})
		},
		"merged": func(f filed) error {
			return post(f, "review", op, map[string]any{"decision": "merge", "mergeInto": master})
		},
		// Led by urban enforcement with housing; housing gives an opinion on 12.
		"cohandled": func(f filed) error {
			steps := []error{tg.awaitStatus(f.ID, "dispatched", op)}
			if f.n < 12 {
				steps = append(steps, post(f, "co-opinion", dept["housing"], map[string]any{"message": "已核实施工许可，夜间施工未经审批。"}))
			}
			steps = append(steps, post(f, "accept", dept["urban_enforcement"], nil), post(f, "reply", dept["urban_enforcement"], resolved),
				rate(f, map[string]any{"satisfied": true, "score": 5}))
			return first(steps...)
		},
	}
	jobs = jobs[:0]
	for _, f := range tickets {
		if f.group == "merged" {
			continue // after the master is dispatched
		}
		jobs = append(jobs, func() error { return paths[f.group](f) })
	}
	began = time.Now()
	parallel(t, jobs)
	t.Logf("paths in %v", time.Since(began))
	jobs = jobs[:0]
	for _, f := range of("merged") {
		jobs = append(jobs, func() error { return paths["merged"](f) })
	}
	parallel(t, jobs)

	// Three weeks on: the late tickets pass their deadline (13 working
	// days), and are then replied and rated satisfied with an explanation.
	env.Clock.Advance(21 * 24 * time.Hour)
	// Tokens are checked against the platform's clock: sign new ones.
	op = tg.token(t, auth.RoleOperator, "")
	sup := tg.token(t, auth.RoleSupervisor, "")
	for d := range dept {
		dept[d] = tg.token(t, auth.RoleDepartment, d)
	}
	late := of("late")
	jobs = jobs[:0]
	for _, f := range late {
		jobs = append(jobs, func() error {
			deadline := time.Now().Add(60 * time.Second)
			for !env.Ticket(t, f.ID).Overdue {
				if time.Now().After(deadline) {
					return fmt.Errorf("%s never overdue", f.ID)
				}
				time.Sleep(10 * time.Millisecond) // polling the running workflow, not waiting for time to pass
			}
			return first(post(f, "reply", dept["ecology"], explained), rate(f, map[string]any{"satisfied": true, "score": 3}))
		})
	}
	parallel(t, jobs)
	day22 := env.Clock.Now().In(ticket.China)
	// Twelve garbage complaints that day, four in each of three places.
	places := []string{"110101", "110102", "110106"}
	jobs = jobs[:0]
	for n := range 12 {
		g := group{name: "garbage", category: "urban.garbage", kind: "complaint"}
		jobs = append(jobs, func() error { return file(g, n, garbage[n%4], places[n/4]) })
	}
	parallel(t, jobs)
	jobs = jobs[:0]
	for _, f := range of("garbage") {
		jobs = append(jobs, func() error { return tg.awaitStatus(f.ID, "dispatched", op) })
	}
	parallel(t, jobs)

	// The three rates, counted by hand from the paths above.
	d1, d22 := day1.Format(time.DateOnly), day22.Format(time.DateOnly)
	full := statsOf(t, tg, sup, d1, d22)
	wantTotal := map[string]int{
		"received": 232, "answeredDirectly": 15, "rejected": 15, "merged": 10, "withdrawn": 20, "dispatched": 192,
		"due": 160, "repliedOnTime": 130, "replied": 160, "overdue": 30, "rated": 150, "resolved": 120, "satisfied": 150,
	}
	expectRow(t, "total", full.Total, wantTotal)
	expectRate(t, "total on time", full.Total["onTimeRate"], 130.0/160)
	expectRate(t, "total resolution", full.Total["resolutionRate"], 120.0/150)
	expectRate(t, "total satisfaction", full.Total["satisfactionRate"], 1)
	wantDept := map[string]map[string]int{
		"market": {"received": 80, "accepted": 80, "acceptedOnTime": 80, "due": 80, "repliedOnTime": 80, "replied": 80, "rated": 60, "resolved": 60, "satisfied": 60},
		"housing": {"received": 30, "accepted": 30, "acceptedOnTime": 30, "due": 30, "repliedOnTime": 30, "replied": 30, "rated": 30, "resolved": 30, "satisfied": 30,
			"coHandled": 20, "coOpinions": 12},
		"ecology":           {"received": 30, "due": 30, "replied": 30, "overdue": 30, "rated": 30, "satisfied": 30},
		"transport":         {"received": 20},
		"hrss":              {"received": 20},
		"urban_enforcement": {"received": 20, "accepted": 20, "acceptedOnTime": 20, "due": 20, "repliedOnTime": 20, "replied": 20, "rated": 20, "resolved": 20, "satisfied": 20},
		"urban_mgmt":        {"received": 12},
	}
	for _, row := range full.Departments {
		expectRow(t, row["id"].(string), row, wantDept[row["id"].(string)])
	}
	if len(full.Departments) != 10 {
		t.Fatalf("%d department rows", len(full.Departments))
	}
	expectRate(t, "ecology on time", rowOf(t, full, "ecology")["onTimeRate"], 0)
	expectRate(t, "ecology resolution", rowOf(t, full, "ecology")["resolutionRate"], 0)
	if r := rowOf(t, full, "transport")["onTimeRate"]; r != nil {
		t.Fatalf("transport has no due ticket but an on-time rate %v", r)
	}
	// The first day alone: the late tickets' deadline and reply, and the
	// garbage complaints, fall outside it.
	first := statsOf(t, tg, sup, d1, d1)
	expectRow(t, "first day total", first.Total, map[string]int{
		"received": 220, "answeredDirectly": 15, "rejected": 15, "merged": 10, "withdrawn": 20, "dispatched": 180,
		"due": 130, "repliedOnTime": 130, "replied": 130, "rated": 120, "resolved": 120, "satisfied": 120,
	})
	// A department reads its own row only.
	r := tg.do(t, "GET", "/v1/stats?from="+d1+"&to="+d22, nil, bearer(dept["ecology"]))
	var own statsPage
	r.decode(t, &own)
	if r.status != 200 || len(own.Departments) != 1 || own.Total != nil {
		t.Fatalf("ecology's own stats: %d %s", r.status, r.body)
	}
	expectRow(t, "ecology's own", own.Departments[0], wantDept["ecology"])

	checkHotspots(t, tg, sup, day1, day22, places)
	checkSearch(t, tg, env, op, tickets, d22)
	checkExports(t, tg, sup, d1, d22)
}

// first returns the first error of steps. Go evaluates the arguments left
// to right, so the steps run in order; a failed one fails the test anyway.
func first(steps ...error) error {
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	return nil
}

// parallel runs the jobs on eight workers and fails the test on any error.
func parallel(t *testing.T, jobs []func() error) {
	t.Helper()
	work := make(chan func() error)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range 8 {
		wg.Go(func() {
			for job := range work {
				if err := job(); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

type statsPage struct {
	Departments []map[string]any `json:"departments"`
	Total       map[string]any   `json:"total"`
}

func statsOf(t *testing.T, tg *target, token, from, to string) statsPage {
	t.Helper()
	r := tg.do(t, "GET", "/v1/stats?from="+from+"&to="+to, nil, bearer(token))
	if r.status != 200 {
		t.Fatalf("stats: %d %s", r.status, r.body)
	}
	var p statsPage
	r.decode(t, &p)
	return p
}

func rowOf(t *testing.T, p statsPage, id string) map[string]any {
	t.Helper()
	for _, row := range p.Departments {
		if row["id"] == id {
			return row
		}
	}
	t.Fatalf("no row for %s", id)
	return nil
}

// expectRow checks every count of a row; counts not named must be 0.
func expectRow(t *testing.T, what string, row map[string]any, want map[string]int) {
	t.Helper()
	for k, v := range row {
		n, isCount := v.(float64)
		if !isCount || strings.HasSuffix(k, "Rate") {
			continue
		}
		if int(n) != want[k] {
			t.Errorf("%s %s = %v, want %d", what, k, n, want[k])
		}
	}
	for k := range want {
		if _, ok := row[k]; !ok {
			t.Errorf("%s has no %s", what, k)
		}
	}
}

func expectRate(t *testing.T, what string, got any, want float64) {
	t.Helper()
	r, ok := got.(float64)
	if !ok || r < want-1e-9 || r > want+1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

type hotspotPage struct {
	PreviousFrom string `json:"previousFrom"`
	Hotspots     []struct {
		Key, Name                    string
		Count, PreviousCount, Change int
	} `json:"hotspots"`
}

// checkHotspots: the eleven days up to day 22 against the eleven before
// (which hold the first day's 220): the garbage complaints are the one rise.
func checkHotspots(t *testing.T, tg *target, token string, day1, day22 time.Time, places []string) {
	t.Helper()
	from := day22.AddDate(0, 0, -10).Format(time.DateOnly)
	get := func(by string, limit int) hotspotPage {
		r := tg.do(t, "GET", fmt.Sprintf("/v1/stats/hotspots?from=%s&to=%s&by=%s&limit=%d", from, day22.Format(time.DateOnly), by, limit), nil, bearer(token))
		if r.status != 200 {
			t.Fatalf("hotspots: %d %s", r.status, r.body)
		}
		var p hotspotPage
		r.decode(t, &p)
		return p
	}
	cats := get("category", 100)
	if cats.PreviousFrom != day1.Format(time.DateOnly) {
		t.Fatalf("previous period from %s", cats.PreviousFrom)
	}
	top := cats.Hotspots[0]
	if top.Key != "urban.garbage" || top.Name == "" || top.Count != 12 || top.PreviousCount != 0 || top.Change != 12 {
		t.Fatalf("top category %+v", top)
	}
	// Then the falls, smallest first: 10 merged, 15 rejected … 60 refunds.
	prev := map[string]int{}
	for _, g := range groups {
		prev[g.category] += g.size
	}
	if len(cats.Hotspots) != len(prev)+1 {
		t.Fatalf("%d categories: %+v", len(cats.Hotspots), cats.Hotspots)
	}
	for i, h := range cats.Hotspots[1:] {
		if h.Count != 0 || h.PreviousCount != prev[h.Key] || h.Change != -prev[h.Key] {
			t.Fatalf("category %+v, previous %d", h, prev[h.Key])
		}
		if i > 0 && h.Change > cats.Hotspots[i].Change {
			t.Fatalf("not rising first: %+v", cats.Hotspots)
		}
	}
	regions := get("region", 3)
	if len(regions.Hotspots) != 3 {
		t.Fatalf("regions %+v", regions.Hotspots)
	}
	for i, h := range regions.Hotspots {
		if h.Key != places[i] || h.Count != 4 || h.Change != 4 || !strings.HasPrefix(h.Name, "北京市") {
			t.Fatalf("region %d: %+v", i, h)
		}
	}
	// A provincial hotline sees the provinces: Beijing's three districts add up.
	provinces := get("region&level=province", 100)
	if top := provinces.Hotspots[0]; top.Key != "110000" || top.Name != "北京市" || top.Count != 12 || top.Change != 12 {
		t.Fatalf("top province %+v", top)
	}
	previous := 0
	for _, h := range provinces.Hotspots {
		if len(h.Key) != 6 || h.Key[2:] != "0000" {
			t.Fatalf("not a province: %+v", h)
		}
		previous += h.PreviousCount
	}
	if previous != 220 {
		t.Fatalf("provinces hold %d of the first day's 220", previous)
	}
	r := tg.do(t, "GET", "/v1/stats/hotspots?from="+from+"&to="+day22.Format(time.DateOnly)+"&by=street", nil, bearer(token))
	if r.status != 400 {
		t.Fatalf("by=street: %d", r.status)
	}
}

// searchIDs pages through a search and returns the ids, sorted.
func searchIDs(t *testing.T, tg *target, token string, query url.Values) []string {
	t.Helper()
	var ids []string
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatalf("search %s does not end", query.Encode())
		}
		r := tg.do(t, "GET", "/v1/tickets?"+query.Encode(), nil, bearer(token))
		if r.status != 200 {
			t.Fatalf("search %s: %d %s", query.Encode(), r.status, r.body)
		}
		var p struct {
			Tickets []struct {
				ID string `json:"id"`
			} `json:"tickets"`
			NextCursor string `json:"nextCursor"`
		}
		r.decode(t, &p)
		for _, s := range p.Tickets {
			ids = append(ids, s.ID)
		}
		if p.NextCursor == "" {
			break
		}
		query.Set("cursor", p.NextCursor)
	}
	slices.Sort(ids)
	return ids
}

// checkSearch compares searches with the tickets as stored.
func checkSearch(t *testing.T, tg *target, env *localtest.Env, token string, tickets []filed, day22 string) {
	t.Helper()
	var stored []*ticket.Ticket
	for _, f := range tickets {
		stored = append(stored, env.Ticket(t, f.ID))
	}
	cases := []struct {
		query url.Values
		keep  func(*ticket.Ticket) bool
	}{
		{url.Values{"status": {"withdrawn"}}, func(k *ticket.Ticket) bool { return k.Status == ticket.StatusWithdrawn }},
		{url.Values{"status": {"rejected"}, "limit": {"7"}}, func(k *ticket.Ticket) bool { return k.Status == ticket.StatusRejected }},
		{url.Values{"departmentId": {"market"}, "limit": {"50"}}, func(k *ticket.Ticket) bool { return k.DepartmentID == "market" }},
		{url.Values{"departmentId": {"ecology"}, "overdue": {"true"}}, func(k *ticket.Ticket) bool { return k.DepartmentID == "ecology" && k.Overdue }},
		{url.Values{"overdue": {"true"}, "from": {day22[:8] + "01"}}, func(k *ticket.Ticket) bool { return k.Overdue }},
		{url.Values{"q": {"电饭煲"}, "limit": {"100"}}, func(k *ticket.Ticket) bool { return strings.Contains(k.Content, "电饭煲") }},
		{url.Values{"region": {"110000"}, "limit": {"100"}}, func(k *ticket.Ticket) bool { return strings.HasPrefix(k.Location.Region, "11") }},
		{url.Values{"category": {"urban.garbage"}, "region": {"110101"}}, func(k *ticket.Ticket) bool {
			return k.Category == "urban.garbage" && k.Location.Region == "110101"
		}},
		{url.Values{"from": {day22}, "to": {day22}}, func(k *ticket.Ticket) bool { return k.Category == "urban.garbage" }},
		{url.Values{"escalated": {"true"}}, func(k *ticket.Ticket) bool {
			return k.Escalated && (!k.Status.Final() || k.Status == ticket.StatusClosed && k.Rating != nil && !k.Rating.Satisfied)
		}},
	}
	for _, c := range cases {
		var want []string
		for _, k := range stored {
			if c.keep(k) {
				want = append(want, k.ID)
			}
		}
		slices.Sort(want)
		if got := searchIDs(t, tg, token, c.query); !slices.Equal(got, want) {
			t.Errorf("search %s: %d found, want %d", c.query.Encode(), len(got), len(want))
		}
	}
	if n := len(searchIDs(t, tg, token, url.Values{"departmentId": {"market"}})); n != 80 {
		t.Errorf("market holds %d tickets, want 80", n)
	}
	for _, bad := range []string{"status=lost", "region=999999", "category=consumer", "from=2026-13-01", "overdue=yes", "q=%00x", "limit=0", "sort=id", "format=pdf"} {
		if r := tg.do(t, "GET", "/v1/tickets?"+bad, nil, bearer(token)); r.status != 400 {
			t.Errorf("search %s: %d", bad, r.status)
		}
	}
}

// checkExports opens the CSV and XLSX files as an office would.
func checkExports(t *testing.T, tg *target, token, from, to string) {
	t.Helper()
	get := func(path string, headers map[string]string) response {
		r, err := tg.call("GET", path, token, headers, nil)
		if err != nil || r.status != 200 {
			t.Fatalf("%s: %v %d %s", path, err, r.status, r.body)
		}
		return r
	}
	r := get("/v1/tickets?departmentId=market", map[string]string{"Accept": "text/csv"})
	if !bytes.HasPrefix(r.body, []byte("\xEF\xBB\xBF")) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv export: %q %q", r.header.Get("Content-Type"), r.body[:min(20, len(r.body))])
	}
	recs, err := csv.NewReader(bytes.NewReader(r.body[3:])).ReadAll()
	if err != nil || len(recs) != 81 {
		t.Fatalf("csv: %d records, %v", len(recs), err)
	}
	// No contact leaves in an export.
	if phone := regexp.MustCompile(`139\d{8}`).Find(r.body); phone != nil || bytes.Contains(r.body, []byte("市民")) {
		t.Fatalf("the export carries a contact: %s", phone)
	}
	x := get("/v1/tickets?departmentId=market&format=xlsx", nil)
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != 81 || !strings.Contains(rows[0][0], "工单编号") {
		t.Fatalf("xlsx: %d rows %v", len(rows), err)
	}
	s := get("/v1/stats?from="+from+"&to="+to+"&format=csv", nil)
	recs, err = csv.NewReader(bytes.NewReader(s.body[3:])).ReadAll()
	if err != nil || len(recs) != 12 || recs[11][0] != "hotline" || recs[11][2] != "232" {
		t.Fatalf("stats csv: %v %q", err, recs)
	}
	h := get("/v1/stats/hotspots?from="+to+"&to="+to+"&format=xlsx", nil)
	if _, err := excelize.OpenReader(bytes.NewReader(h.body)); err != nil {
		t.Fatalf("hotspots xlsx: %v", err)
	}
}
