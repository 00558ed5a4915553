package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline12345/hotline/client"
)

func TestNewRefusesBaseURLsItCannotJoinPathsTo(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080", "ftp://example.com", "http://", "https://api.example/prod?x=1", "https://api.example/#top", "http://[::1"} {
		if _, err := client.New(u); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080", "https://api.example/prod/"} {
		if _, err := client.New(u); err != nil {
			t.Errorf("New(%q): %v", u, err)
		}
	}
}

// Staff requests carry the token, the language and the user agent; citizen
// requests carry the access code and never the token, which would turn the
// citizen view into the staff view.
func TestRequestsCarryTheRightCredentials(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch {
		case r.URL.Path == "/prod/v1/tickets" && r.Method == "POST":
			answer(w, 201, map[string]any{"id": "261130K7Q2XD", "accessCode": "7KQ2XD9M", "status": "received", "createdAt": "2026-11-30T09:15:00+08:00"})
		case strings.HasSuffix(r.URL.Path, "/supplements"):
			answer(w, 201, map[string]any{"ticketId": "261130K7Q2XD", "at": "2026-12-01T10:02:00+08:00", "status": "dispatched"})
		case strings.HasSuffix(r.URL.Path, "/reply"):
			answer(w, 200, map[string]any{"id": "261130K7Q2XD", "status": "replied"})
		default:
			answer(w, 200, map[string]any{"id": "261130K7Q2XD", "type": "complaint", "status": "dispatched", "statusText": "已派单", "createdAt": "2026-11-30T09:15:00+08:00", "timeline": []any{}})
		}
	})
	tokens := 0
	c, err := client.New(f.srv.URL+"/prod/", client.WithHTTPClient(f.srv.Client()), client.WithLanguage("en"), client.WithUserAgent("hotline-app/2.0"),
		client.WithTokenSource(func(context.Context) (string, error) { tokens++; return "jwt-" + strconv.Itoa(tokens), nil }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	rec, err := c.FileTicket(ctx, client.Submission{Type: client.TypeComplaint, Content: "电饭煲三天就坏了，商家拒绝退货。", Channel: client.ChannelPhone,
		Contact: &client.Contact{Phone: "13912345678"}}, client.IdempotencyKey("key-1"))
	if err != nil || rec.ID != "261130K7Q2XD" || rec.AccessCode != "7KQ2XD9M" || rec.Replayed || rec.Deferred {
		t.Fatalf("FileTicket = %+v, %v", rec, err)
	}
	if _, err := c.GetTicket(ctx, "261130K7Q2XD", "7KQ2XD9M", client.TimelineFrom("100")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddSupplement(ctx, "261130K7Q2XD", "7KQ2XD9M", "补充：发票也在。"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reply(ctx, "261130K7Q2XD", client.ReplyRequest{Result: client.ResultResolved, Message: "已退款。"}); err != nil {
		t.Fatal(err)
	}

	got := f.requests()
	if len(got) != 4 {
		t.Fatalf("%d requests, want 4", len(got))
	}
	for _, x := range got {
		if x.header.Get("Accept-Language") != "en" || x.header.Get("User-Agent") != "hotline-app/2.0" {
			t.Errorf("%s %s: Accept-Language %q, User-Agent %q", x.method, x.path, x.header.Get("Accept-Language"), x.header.Get("User-Agent"))
		}
	}
	file, view, supplement, reply := got[0], got[1], got[2], got[3]
	if file.path != "/prod/v1/tickets" || file.header.Get("Authorization") != "Bearer jwt-1" || file.header.Get("Idempotency-Key") != "key-1" ||
		file.header.Get("Content-Type") != "application/json" {
		t.Errorf("FileTicket sent %s %v", file.path, file.header)
	}
	var sub map[string]any
	if err := json.Unmarshal(file.body, &sub); err != nil {
		t.Fatal(err)
	}
	wantSub := map[string]any{"type": "complaint", "content": "电饭煲三天就坏了，商家拒绝退货。", "channel": "phone", "contact": map[string]any{"phone": "13912345678"}}
	if !reflect.DeepEqual(sub, wantSub) {
		t.Errorf("submission sent = %v, want %v", sub, wantSub)
	}
	if view.path != "/prod/v1/tickets/261130K7Q2XD" || view.header.Get("X-Access-Code") != "7KQ2XD9M" || view.header.Get("Authorization") != "" ||
		view.query["timelineCursor"][0] != "100" {
		t.Errorf("GetTicket sent %s %v %v", view.path, view.query, view.header)
	}
	if supplement.header.Get("Authorization") != "" || supplement.header.Get("X-Access-Code") != "7KQ2XD9M" || string(supplement.body) != `{"content":"补充：发票也在。"}` {
		t.Errorf("AddSupplement sent %v %s", supplement.header, supplement.body)
	}
	if reply.header.Get("Authorization") != "Bearer jwt-2" || reply.header.Get("X-Access-Code") != "" || string(reply.body) != `{"result":"resolved","message":"已退款。"}` {
		t.Errorf("Reply sent %v %s", reply.header, reply.body)
	}
}

// Path segments are escaped: an id cannot reach another route.
func TestPathSegmentsAreEscaped(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		answer(w, 200, map[string]any{"id": "x", "status": "accepted"})
	})
	c := f.client(t)
	if _, err := c.Accept(context.Background(), "../admin/x y"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GetDepartment(context.Background(), "a/b"); err != nil {
		t.Fatal(err)
	}
	got := f.requests()
	if got[0].rawPath != "/v1/tickets/..%2Fadmin%2Fx%20y/accept" || got[1].rawPath != "/v1/admin/departments/a%2Fb" {
		t.Errorf("paths %q, %q", got[0].rawPath, got[1].rawPath)
	}
}

func TestATokenSourceErrorStopsTheRequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { answer(w, 200, map[string]any{}) })
	boom := errors.New("identity provider down")
	c := f.client(t, client.WithTokenSource(func(context.Context) (string, error) { return "", boom }))
	if _, err := c.Accept(context.Background(), "261130K7Q2XD"); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the token source's", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent without a token", n)
	}
}

// FileTicket tells a replay (200) and a deferred workflow (202) from a new
// ticket.
func TestFileTicketReportsReplaysAndDeferredStarts(t *testing.T) {
	status := 0
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		answer(w, status, map[string]any{"id": "261130K7Q2XD", "accessCode": "7KQ2XD9M", "status": "received", "createdAt": "2026-11-30T09:15:00+08:00"})
	})
	c := f.client(t)
	for _, want := range []struct {
		status             int
		replayed, deferred bool
	}{{201, false, false}, {200, true, false}, {202, false, true}} {
		status = want.status
		rec, err := c.FileTicket(context.Background(), client.Submission{Type: client.TypeHelp, Content: "路灯坏了很久了，晚上很黑。", Channel: client.ChannelApp, Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Replayed != want.replayed || rec.Deferred != want.deferred || !rec.CreatedAt.Equal(time.Date(2026, 11, 30, 1, 15, 0, 0, time.UTC)) {
			t.Errorf("status %d: %+v", want.status, rec)
		}
	}
}

// The conditional read sends If-None-Match and turns a 304 into
// ErrNotModified with the tag.
func TestGetTicketIfChangedAnswersNotModified(t *testing.T) {
	const tag = `"d7Yk1"`
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		answer(w, 200, map[string]any{"id": "261130K7Q2XD", "type": "complaint", "status": "replied", "statusText": "部门已答复", "createdAt": "2026-11-30T09:15:00+08:00",
			"deadlines": map[string]string{"reply": "2026-12-17T18:00:00+08:00"}, "timeline": []any{}})
	})
	c := f.client(t)
	ctx := context.Background()
	v, etag, err := c.GetTicketIfChanged(ctx, "261130K7Q2XD", "7KQ2XD9M", "")
	if err != nil || etag != tag || v.Status != client.StatusReplied || v.Deadlines == nil || v.Deadlines.Reply.IsZero() {
		t.Fatalf("first read: %+v %q %v", v, etag, err)
	}
	v, etag, err = c.GetTicketIfChanged(ctx, "261130K7Q2XD", "7KQ2XD9M", etag)
	if !errors.Is(err, client.ErrNotModified) || v != nil || etag != tag {
		t.Fatalf("second read: %+v %q %v, want ErrNotModified", v, etag, err)
	}
	v, etag, err = c.GetTicketIfChanged(ctx, "261130K7Q2XD", "7KQ2XD9M", `"older"`)
	if err != nil || v == nil || etag != tag {
		t.Fatalf("read with an old tag: %+v %q %v", v, etag, err)
	}
	got := f.requests()
	if got[0].header.Get("If-None-Match") != "" || got[1].header.Get("If-None-Match") != tag {
		t.Errorf("If-None-Match sent: %q, %q", got[0].header.Get("If-None-Match"), got[1].header.Get("If-None-Match"))
	}
}

// versioned is a fake admin resource: GET answers its version as ETag, PUT
// wants If-Match naming it (428 without, 412 when stale).
type versioned struct {
	version int
	stored  json.RawMessage
}

func (v *versioned) handle(w http.ResponseWriter, r *http.Request, body []byte) {
	etag := strconv.Quote(strconv.Itoa(v.version))
	if r.Method == http.MethodPut {
		switch m := r.Header.Get("If-Match"); {
		case m == "":
			problem(w, 428, "precondition_required", "send If-Match")
			return
		case m != "*" && m != etag:
			problem(w, 412, "precondition_failed", "the catalog changed since version "+m)
			return
		}
		v.version++
		v.stored = body
		etag = strconv.Quote(strconv.Itoa(v.version))
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(v.stored)
}

func TestAdminWritesNameTheVersionTheyChange(t *testing.T) {
	res := &versioned{version: 7, stored: json.RawMessage(`{"id":"market","name":"市市场监督管理局","active":true}`)}
	f := newFake(t, res.handle)
	c := f.client(t, client.WithToken("admin"))
	ctx := context.Background()

	d, etag, err := c.GetDepartment(ctx, "market")
	if err != nil || etag != `"7"` || d.Name != "市市场监督管理局" || !d.Active {
		t.Fatalf("GetDepartment = %+v %q %v", d, etag, err)
	}
	in := d.Input()
	in.NameEn = "Market Regulation"
	saved, next, err := c.PutDepartment(ctx, "market", in, etag)
	if err != nil || next != `"8"` || saved.NameEn != "Market Regulation" {
		t.Fatalf("PutDepartment = %+v %q %v", saved, next, err)
	}
	// The read the change was based on is stale now.
	if _, _, err := c.PutDepartment(ctx, "market", in, etag); !client.IsPreconditionFailed(err) {
		t.Errorf("stale If-Match: %v, want precondition_failed", err)
	}
	if _, _, err := c.PutDepartment(ctx, "market", in, ""); !client.IsPreconditionRequired(err) {
		t.Errorf("no If-Match: %v, want precondition_required", err)
	}
	if _, next, err := c.PutDepartment(ctx, "market", in, client.AnyVersion); err != nil || next != `"9"` {
		t.Errorf("If-Match *: %q %v", next, err)
	}
	got := f.requests()
	var ifMatch []string
	for _, x := range got[1:] {
		ifMatch = append(ifMatch, x.header.Get("If-Match"))
	}
	if want := []string{`"7"`, `"7"`, "", "*"}; !reflect.DeepEqual(ifMatch, want) {
		t.Errorf("If-Match sent %q, want %q", ifMatch, want)
	}
	if string(got[1].body) != `{"name":"市市场监督管理局","nameEn":"Market Regulation","active":true}` || got[1].header.Get("Authorization") != "Bearer admin" {
		t.Errorf("PUT body %s, headers %v", got[1].body, got[1].header)
	}
}

// Lists the API needs, even when empty, go as [] and never as null.
func TestAdminWritesSendEmptyListsNotNull(t *testing.T) {
	res := &versioned{version: 1}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		res.stored = body
		res.version = 1
		res.handle(w, r, body)
	})
	c := f.client(t)
	ctx := context.Background()
	if _, _, err := c.PutCalendar(ctx, 2027, client.Calendar{}, `"1"`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PutRoutingRules(ctx, nil, `"1"`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PutKnowledgeBase(ctx, nil, `"1"`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PutCategories(ctx, nil, `"1"`); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, x := range f.requests() {
		bodies = append(bodies, x.path+" "+string(x.body))
	}
	want := []string{
		`/v1/admin/calendar/2027 {"year":2027,"holidays":[],"workdays":[]}`,
		`/v1/admin/routing-rules {"routingRules":[]}`,
		`/v1/admin/knowledge-base {"knowledgeBase":[]}`,
		`/v1/admin/categories {"categories":[]}`,
	}
	if !reflect.DeepEqual(bodies, want) {
		t.Errorf("bodies\n%s\nwant\n%s", strings.Join(bodies, "\n"), strings.Join(want, "\n"))
	}
}

// pagedList serves a list in pages keyed by cursor.
func pagedList(pages map[string]client.TicketList) func(w http.ResponseWriter, r *http.Request, _ []byte) {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		p, ok := pages[r.URL.Query().Get("cursor")]
		if !ok {
			problem(w, 500, "internal", "internal error")
			return
		}
		answer(w, 200, p)
	}
}

func summary(id string) client.TicketSummary {
	return client.TicketSummary{Summary: client.Summary{ID: id, Type: client.TypeComplaint, Status: client.StatusDispatched}}
}

func TestListsAreWalkedPageByPage(t *testing.T) {
	f := newFake(t, pagedList(map[string]client.TicketList{
		"":   {Tickets: []client.TicketSummary{summary("A"), summary("B")}, NextCursor: "c1"},
		"c1": {Tickets: []client.TicketSummary{}, NextCursor: "c2"}, // an empty page that goes on
		"c2": {Tickets: []client.TicketSummary{summary("C")}},
	}))
	c := f.client(t, client.WithToken("dept"))
	var ids []string
	for s, err := range c.DepartmentInboxAll(context.Background(), "market", client.InboxQuery{Status: client.InboxAccepted, PageQuery: client.PageQuery{Limit: 2}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, ",") != "A,B,C" {
		t.Errorf("walked %v, want A, B, C", ids)
	}
	var queries []string
	for _, x := range f.requests() {
		queries = append(queries, x.path+"?"+url.Values(x.query).Encode())
	}
	want := []string{
		"/v1/departments/market/tickets?limit=2&status=accepted",
		"/v1/departments/market/tickets?cursor=c1&limit=2&status=accepted",
		"/v1/departments/market/tickets?cursor=c2&limit=2&status=accepted",
	}
	if !reflect.DeepEqual(queries, want) {
		t.Errorf("requests %v, want %v", queries, want)
	}
}

func TestAWalkStopsWhenTheCallerStops(t *testing.T) {
	f := newFake(t, pagedList(map[string]client.TicketList{
		"":   {Tickets: []client.TicketSummary{summary("A"), summary("B")}, NextCursor: "c1"},
		"c1": {Tickets: []client.TicketSummary{summary("C")}},
	}))
	for range f.client(t).ReviewQueueAll(context.Background(), client.PageQuery{}) {
		break
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests after the caller stopped at the first item, want 1", n)
	}
}

func TestAWalkEndsWithAnError(t *testing.T) {
	f := newFake(t, pagedList(map[string]client.TicketList{
		"": {Tickets: []client.TicketSummary{summary("A")}, NextCursor: "missing"},
	}))
	var ids []string
	var errs []error
	for s, err := range f.client(t).SearchTicketsAll(context.Background(), client.SearchQuery{Q: "退货"}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, s.ID)
	}
	if len(ids) != 1 || len(errs) != 1 || !client.HasCode(errs[0], client.CodeInternal) {
		t.Errorf("items %v, errors %v; want A, then the page's error once", ids, errs)
	}
}

// A list whose cursor comes back would be walked for ever.
func TestAWalkRefusesACursorLoop(t *testing.T) {
	f := newFake(t, pagedList(map[string]client.TicketList{
		"":   {Tickets: []client.TicketSummary{summary("A")}, NextCursor: "c1"},
		"c1": {Tickets: []client.TicketSummary{summary("B")}, NextCursor: "c1"},
	}))
	var items, errs int
	for _, err := range f.client(t).ReviewQueueAll(context.Background(), client.PageQuery{}) {
		if err != nil {
			errs++
		} else {
			items++
		}
	}
	if items != 2 || errs != 1 || len(f.requests()) != 2 {
		t.Errorf("%d items, %d errors, %d requests; want 2, 1, 2", items, errs, len(f.requests()))
	}
}

func TestSearchSendsOnlyTheFiltersSet(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		answer(w, 200, client.TicketList{Tickets: []client.TicketSummary{}})
	})
	c := f.client(t)
	if _, err := c.SearchTickets(context.Background(), client.SearchQuery{}); err != nil {
		t.Fatal(err)
	}
	q := client.SearchQuery{Status: client.StatusReplied, DepartmentID: "market", Category: "consumer.refund", Region: "110105", From: "2026-11-01", To: "2026-11-30",
		Overdue: true, Escalated: true, Q: "退货", PageQuery: client.PageQuery{Cursor: "x", Limit: 50}}
	if _, err := c.SearchTickets(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	got := f.requests()
	if len(got[0].query) != 0 {
		t.Errorf("an empty search sent %v", got[0].query)
	}
	want := "category=consumer.refund&cursor=x&departmentId=market&escalated=true&from=2026-11-01&limit=50&overdue=true&q=%E9%80%80%E8%B4%A7&region=110105&status=replied&to=2026-11-30"
	if e := url.Values(got[1].query).Encode(); e != want {
		t.Errorf("query %s\nwant  %s", e, want)
	}
}

func TestExportsStreamTheFile(t *testing.T) {
	const csv = "\uFEFF编号 id,状态 status\r\n261130K7Q2XD,dispatched\r\n"
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Query().Get("format") == "xlsx" {
			answer(w, 200, map[string]any{"tickets": []any{}}) // not what was asked for
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="tickets.csv"`)
		w.Header().Set("X-Export-Truncated", "5000")
		_, _ = io.WriteString(w, csv)
	})
	c := f.client(t, client.WithToken("supervisor"))
	e, err := c.ExportTickets(context.Background(), client.SearchQuery{Category: "consumer.refund", PageQuery: client.PageQuery{Cursor: "ignored"}}, client.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if string(b) != csv || e.Filename != "tickets.csv" || e.TruncatedAt != 5000 {
		t.Errorf("export %q %q %d", b, e.Filename, e.TruncatedAt)
	}
	x := f.requests()[0]
	if e := url.Values(x.query).Encode(); e != "category=consumer.refund&format=csv" || x.header.Get("Accept") != "text/csv" {
		t.Errorf("export sent %s, Accept %q", e, x.header.Get("Accept"))
	}
	var u *client.UnexpectedResponseError
	if _, err := c.ExportStats(context.Background(), client.StatsQuery{From: "2026-11-01", To: "2026-11-30"}, client.FormatXLSX); !errors.As(err, &u) {
		t.Errorf("JSON for an XLSX export: %v, want unexpected", err)
	}
	if _, err := c.ExportHotspots(context.Background(), client.HotspotsQuery{}, "pdf"); err == nil {
		t.Error("a pdf export was accepted")
	}
}

func TestDayIsTheChinaCalendarDay(t *testing.T) {
	// 17:00 in New York on 30 November is 06:00 on 1 December in Beijing.
	ny := time.FixedZone("EST", -5*60*60)
	if d := client.Day(time.Date(2026, 11, 30, 17, 0, 0, 0, ny)); d != "2026-12-01" {
		t.Errorf("Day = %s, want 2026-12-01", d)
	}
}

// retryTimer records the waits a client asks for and ends each at once.
type retryTimer struct{ waits []time.Duration }

func (r *retryTimer) after(d time.Duration) <-chan time.Time {
	r.waits = append(r.waits, d)
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

// rateLimited answers 429 the first n times, then the categories.
func rateLimited(n int, retryAfter string, calls *atomic.Int32) func(w http.ResponseWriter, r *http.Request, _ []byte) {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if int(calls.Add(1)) <= n {
			if retryAfter == "" {
				gateway(w, 429, "Too Many Requests")
				return
			}
			w.Header().Set("Retry-After", retryAfter)
			problem(w, 429, "rate_limited", "too many requests")
			return
		}
		answer(w, 200, map[string]any{"categories": []any{}, "id": "261130K7Q2XD", "status": "accepted"})
	}
}

func TestRateLimitedGETsAreRetriedOnlyWhenAsked(t *testing.T) {
	ctx := context.Background()
	t.Run("opted in", func(t *testing.T) {
		var calls atomic.Int32
		var timer retryTimer
		c := newFake(t, rateLimited(2, "7", &calls)).client(t, client.WithRateLimitRetry(3, 10*time.Second), client.WithAfter(timer.after))
		if _, err := c.Categories(ctx); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 3 || !reflect.DeepEqual(timer.waits, []time.Duration{7 * time.Second, 7 * time.Second}) {
			t.Errorf("%d calls, waits %v; want 3 calls after two waits of 7s", calls.Load(), timer.waits)
		}
	})
	t.Run("the gateway's 429 names no wait", func(t *testing.T) {
		var calls atomic.Int32
		var timer retryTimer
		c := newFake(t, rateLimited(1, "", &calls)).client(t, client.WithRateLimitRetry(1, 10*time.Second), client.WithAfter(timer.after))
		if _, err := c.Categories(ctx); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(timer.waits, []time.Duration{time.Second}) {
			t.Errorf("waits %v, want one second", timer.waits)
		}
	})
	t.Run("not opted in", func(t *testing.T) {
		var calls atomic.Int32
		var timer retryTimer
		c := newFake(t, rateLimited(1, "7", &calls)).client(t, client.WithAfter(timer.after))
		_, err := c.Categories(ctx)
		var p *client.Problem
		if !errors.As(err, &p) || p.RetryAfter != 7*time.Second || calls.Load() != 1 || len(timer.waits) != 0 {
			t.Errorf("%v after %d calls and waits %v; want the 429 at once", err, calls.Load(), timer.waits)
		}
	})
	t.Run("never a POST", func(t *testing.T) {
		var calls atomic.Int32
		var timer retryTimer
		c := newFake(t, rateLimited(1, "7", &calls)).client(t, client.WithRateLimitRetry(3, time.Minute), client.WithAfter(timer.after))
		if _, err := c.Accept(ctx, "261130K7Q2XD"); !client.IsRateLimited(err) || calls.Load() != 1 {
			t.Errorf("%v after %d calls; want the 429 at once", err, calls.Load())
		}
	})
	t.Run("not longer than the caller allows", func(t *testing.T) {
		var calls atomic.Int32
		var timer retryTimer
		c := newFake(t, rateLimited(1, "3600", &calls)).client(t, client.WithRateLimitRetry(3, time.Minute), client.WithAfter(timer.after))
		if _, err := c.Categories(ctx); !client.IsRateLimited(err) || len(timer.waits) != 0 {
			t.Errorf("%v after waits %v; want the 429 at once", err, timer.waits)
		}
	})
	t.Run("not more often than the caller allows", func(t *testing.T) {
		var calls atomic.Int32
		var timer retryTimer
		c := newFake(t, rateLimited(10, "1", &calls)).client(t, client.WithRateLimitRetry(2, time.Minute), client.WithAfter(timer.after))
		if _, err := c.Categories(ctx); !client.IsRateLimited(err) || calls.Load() != 3 {
			t.Errorf("%v after %d calls; want the third 429", err, calls.Load())
		}
	})
	t.Run("the context ends the wait", func(t *testing.T) {
		var calls atomic.Int32
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		forever := func(time.Duration) <-chan time.Time { cancel(); return nil } // the caller gives up while waiting
		c := newFake(t, rateLimited(1, "7", &calls)).client(t, client.WithRateLimitRetry(3, time.Minute), client.WithAfter(forever))
		_, err := c.Categories(ctx)
		if !errors.Is(err, context.Canceled) || !client.IsRateLimited(err) || calls.Load() != 1 {
			t.Errorf("%v after %d calls; want the cancellation and the 429", err, calls.Load())
		}
	})
}
