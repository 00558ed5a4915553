package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline12345/hotline/client"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/testfixtures/contract"
)

// The public Go client against the whole platform: every request of these
// tests goes through package client; the suite's helpers only sign tokens,
// read the verification code the edge captured and poll.

// goClient is a client of the platform under test.
func (tg *target) goClient(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	// Checked against the OpenAPI document like the suite's own requests;
	// an option of the caller's replaces the HTTP client.
	c, err := client.New(tg.api, append([]client.Option{client.WithHTTPClient(tg.client)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// staffClient is a client with a staff member's token.
func (tg *target) staffClient(t *testing.T, role auth.Role, dept string, opts ...client.Option) *client.Client {
	t.Helper()
	return tg.goClient(t, append(opts, client.WithToken(tg.token(t, role, dept)))...)
}

// settle repeats an action the workflow may not be ready for yet (409: it
// has not parked the step) until it is done; a 410 says the change was
// recorded and the workflow picks it up where it parks.
func settle(t *testing.T, what string, act func() error) {
	t.Helper()
	eventually(t, what, func() bool {
		switch err := act(); {
		case err == nil || client.IsGone(err):
			return true
		case client.IsConflict(err):
			return false
		default:
			t.Fatalf("%s: %v", what, err)
			return false
		}
	})
}

// has walks a list for the ticket.
func has(t *testing.T, list func(yield func(client.TicketSummary, error) bool), id string) (client.TicketSummary, bool) {
	t.Helper()
	for s, err := range list {
		if err != nil {
			t.Fatal(err)
		}
		if s.ID == id {
			return s, true
		}
	}
	return client.TicketSummary{}, false
}

// A citizen verifies their e-mail, files, follows the ticket with cheap
// conditional reads, adds a supplement and rates the reply; an operator
// dispatches it, the department accepts, gets more time and replies; a
// supervisor reads the figures and the search.
func TestClientCarriesATicketFromCitizenToDepartmentAndBack(t *testing.T) {
	tg := start(t)
	ctx := context.Background()
	citizenAnswers := &lastAnswer{}
	citizen := tg.goClient(t, client.WithLanguage("zh"), client.WithHTTPClient(contract.Client(t, citizenAnswers)))

	cats, err := citizen.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !hasLeaf(cats, "consumer.refund") {
		t.Fatalf("no leaf consumer.refund in %+v", cats)
	}

	// The code goes to the address; the edge captured it.
	sent, err := citizen.RequestVerification(ctx, client.VerificationRequest{Email: citizenEmail})
	if err != nil {
		t.Fatal(err)
	}
	if sent.VerificationID == "" || !sent.ExpiresAt.After(time.Now()) {
		t.Fatalf("verification = %+v", sent)
	}
	code, err := inbox.CodeSentTo(tg.edge, citizenEmail)
	if err != nil {
		t.Fatal(err)
	}
	const complaintText = "小区门口的早餐店每天把污水倒在人行道上，气味很大，希望有关部门管一管。"
	sub := client.Submission{
		Type: client.TypeComplaint, Channel: client.ChannelWeb, Content: complaintText,
		Location: &client.Location{Region: "110105", Address: "朝阳区某某路1号"},
		Contact:  &client.Contact{Name: citizenName, Email: citizenEmail}, Language: client.LanguageZH,
		Verification: &client.VerificationProof{ID: sent.VerificationID, Code: wrongCode(code)},
	}
	_, err = citizen.FileTicket(ctx, sub)
	var p *client.Problem
	if !errors.As(err, &p) || p.Code != client.CodeVerificationRequired || p.Fields["verification"] == "" || p.RequestID == "" {
		t.Fatalf("a wrong code: %v, want a verification_required problem naming the field", err)
	}
	sub.Verification.Code = code
	rec, err := citizen.FileTicket(ctx, sub, client.IdempotencyKey("client-e2e-1"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != client.StatusReceived || rec.Replayed || rec.Deferred || rec.AccessCode == "" {
		t.Fatalf("receipt = %+v", rec)
	}
	again, err := citizen.FileTicket(ctx, sub, client.IdempotencyKey("client-e2e-1"))
	if err != nil || !again.Replayed || again.ID != rec.ID || again.AccessCode != rec.AccessCode {
		t.Fatalf("replay = %+v, %v; want the first receipt, replayed", again, err)
	}
	if _, err := citizen.GetTicket(ctx, rec.ID, "WRONG-CODE"); !client.IsNotFound(err) {
		t.Fatalf("a wrong access code: %v, want not found", err)
	}

	// Without a category the ticket waits for an operator, who dispatches it.
	op := tg.staffClient(t, auth.RoleOperator, "")
	eventually(t, "the ticket in the review queue", func() bool {
		_, ok := has(t, op.ReviewQueueAll(ctx, client.PageQuery{Limit: 100}), rec.ID)
		return ok
	})
	settle(t, "the review", func() error {
		r, err := op.Review(ctx, rec.ID, client.ReviewRequest{Decision: client.DecisionAccept, Category: "consumer.refund", DepartmentID: "market"})
		if err == nil && (r.ID != rec.ID || r.Decision != client.DecisionAccept) {
			t.Fatalf("review result = %+v", r)
		}
		return err
	})

	// The citizen polls with the view's ETag: a changed view comes whole,
	// an unchanged one is a 304.
	var view *client.CitizenView
	etag := ""
	eventually(t, "the citizen to see the dispatch", func() bool {
		v, tag, err := citizen.GetTicketIfChanged(ctx, rec.ID, rec.AccessCode, etag)
		switch {
		case errors.Is(err, client.ErrNotModified):
			return false
		case err != nil:
			t.Fatal(err)
		}
		view, etag = v, tag
		return v.Status == client.StatusDispatched
	})
	if etag == "" || view.Department == nil || view.Department.ID != "market" || view.Category != "consumer.refund" || view.StatusText == "" {
		t.Fatalf("dispatched view = %+v (ETag %q)", view, etag)
	}
	eventually(t, "a 304 for an unchanged view", func() bool {
		v, tag, err := citizen.GetTicketIfChanged(ctx, rec.ID, rec.AccessCode, etag)
		if errors.Is(err, client.ErrNotModified) {
			return v == nil && tag == etag
		}
		if err != nil {
			t.Fatal(err)
		}
		etag = tag // something public happened meanwhile: try again
		return false
	})
	added, err := citizen.AddSupplement(ctx, rec.ID, rec.AccessCode, "补充：每天早上七点左右最严重。")
	if err != nil || added.TicketID != rec.ID || added.Notice != "" {
		t.Fatalf("supplement = %+v, %v", added, err)
	}

	// The department finds it in its inbox and reads the staff view; another
	// department learns nothing of it.
	deptAnswers := &lastAnswer{}
	dept := tg.staffClient(t, auth.RoleDepartment, "market", client.WithHTTPClient(contract.Client(t, deptAnswers)))
	eventually(t, "the ticket in the department's inbox", func() bool {
		s, ok := has(t, dept.DepartmentInboxAll(ctx, "market", client.InboxQuery{Status: client.InboxDispatched}), rec.ID)
		if ok && (s.Role != "lead" || s.ReplyBy.IsZero() || s.Category != "consumer.refund") {
			t.Fatalf("inbox summary = %+v", s)
		}
		return ok
	})
	sv, err := dept.GetStaffTicket(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if same, mine := sameJSON(t, sv, deptAnswers.last()); !same {
		t.Errorf("the client read the staff view\n%s\nof\n%s", mine, deptAnswers.last())
	}
	if sv.Content != complaintText || !sv.ContactMasked || sv.Contact == nil || sv.Contact.Email == citizenEmail || sv.Supplements != 1 || sv.DepartmentID != "market" {
		t.Fatalf("staff view = %+v", sv)
	}
	other := tg.staffClient(t, auth.RoleDepartment, "housing")
	if _, err := other.GetStaffTicket(ctx, rec.ID); !client.IsNotFound(err) {
		t.Errorf("another department reads the ticket: %v, want not found", err)
	}
	if _, err := other.DepartmentInbox(ctx, "market", client.InboxQuery{}); !client.IsForbidden(err) || !client.HasCode(err, client.CodeForbidden) {
		t.Errorf("another department reads the inbox: %v, want a forbidden problem", err)
	}
	if _, err := dept.Note(ctx, rec.ID, "已联系店主，约定明天上午现场核查。"); err != nil {
		t.Fatal(err)
	}
	if st, err := dept.Accept(ctx, rec.ID); err != nil || st.Status != client.StatusAccepted {
		t.Fatalf("accept = %+v, %v", st, err)
	}
	if _, err := dept.Accept(ctx, rec.ID); !client.IsConflict(err) {
		t.Fatalf("second accept: %v, want a conflict", err)
	}

	// More time, granted by the centre.
	ext, err := dept.RequestExtension(ctx, rec.ID, 5, "需要会同街道现场核查，并约谈店主。")
	if err != nil || ext.Extension.Days != 5 || ext.Extension.RequestedAt.IsZero() {
		t.Fatalf("extension request = %+v, %v", ext, err)
	}
	dec, err := op.DecideExtension(ctx, rec.ID, true, "同意延期。")
	if err != nil || !dec.Approved || !dec.Deadlines.Reply.After(dec.Extension.PreviousReply) {
		t.Fatalf("extension decision = %+v, %v", dec, err)
	}

	const answer = "已责令店主整改，并安排城管每日巡查。"
	settle(t, "the reply", func() error {
		_, err := dept.Reply(ctx, rec.ID, client.ReplyRequest{Result: client.ResultResolved, Message: answer})
		return err
	})
	eventually(t, "the citizen to see the reply", func() bool {
		v, err := citizen.GetTicket(ctx, rec.ID, rec.AccessCode)
		if err != nil {
			t.Fatal(err)
		}
		view = v
		return v.Status == client.StatusReplied
	})
	if view.Reply == nil || view.Reply.Message != answer || view.Reply.Result != client.ResultResolved {
		t.Fatalf("reply in the view = %+v", view.Reply)
	}
	if same, mine := sameJSON(t, view, citizenAnswers.last()); !same {
		t.Errorf("the client read the citizen view\n%s\nof\n%s", mine, citizenAnswers.last())
	}
	settle(t, "the rating", func() error {
		r, err := citizen.Rate(ctx, rec.ID, rec.AccessCode, client.RatingRequest{Satisfied: true, Score: 5, Comment: "处理很及时，谢谢！"})
		if err == nil && (r.Reopened || !r.Satisfied) {
			t.Fatalf("rating = %+v", r)
		}
		return err
	})
	eventually(t, "the ticket to close", func() bool {
		v, err := citizen.GetTicket(ctx, rec.ID, rec.AccessCode)
		if err != nil {
			t.Fatal(err)
		}
		return v.Status == client.StatusClosed
	})

	// An anonymous ticket, taken back.
	anon, err := citizen.FileTicket(ctx, client.Submission{Type: client.TypeSuggestion, Channel: client.ChannelApp, Anonymous: true,
		Content: "建议在地铁站出口增设共享单车停放区，方便市民换乘。"})
	if err != nil {
		t.Fatal(err)
	}
	settle(t, "the withdrawal", func() error {
		st, err := citizen.Withdraw(ctx, anon.ID, anon.AccessCode, "已经有人反映过了。")
		if err == nil && st.Status != client.StatusWithdrawn {
			t.Fatalf("withdrawal = %+v", st)
		}
		return err
	})

	// The supervisor's figures, search and exports, in English.
	sup := tg.staffClient(t, auth.RoleSupervisor, "", client.WithLanguage("en"))
	now := time.Now()
	period := client.StatsQuery{From: client.Day(now.Add(-24 * time.Hour)), To: client.Day(now.Add(24 * time.Hour))}
	var stats *client.Stats
	eventually(t, "the figures", func() bool {
		stats, err = sup.Stats(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		return stats.Total != nil && stats.Total.Rated == 1 && stats.Total.Withdrawn == 1
	})
	market := departmentRow(stats, "market")
	if market == nil || market.Replied != 1 || market.Satisfied != 1 || market.SatisfactionRate == nil || *market.SatisfactionRate != 1 || stats.Total.Received != 2 {
		t.Errorf("stats = %+v, market %+v", stats, market)
	}
	hs, err := sup.Hotspots(ctx, client.HotspotsQuery{From: period.From, To: period.To, By: "category"})
	if err != nil || len(hs.Hotspots) == 0 || hs.Hotspots[0].Key != "consumer.refund" || hs.Hotspots[0].Count != 1 {
		t.Errorf("hotspots = %+v, %v", hs, err)
	}
	if _, ok := has(t, sup.SearchTicketsAll(ctx, client.SearchQuery{DepartmentID: "market", PageQuery: client.PageQuery{Limit: 1}}), rec.ID); !ok {
		t.Error("the search by department does not find the ticket")
	}
	export, err := sup.ExportTickets(ctx, client.SearchQuery{Q: rec.ID}, client.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(export)
	if err != nil {
		t.Fatal(err)
	}
	if err := export.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(body), "\uFEFF") || !strings.Contains(string(body), rec.ID) || !strings.HasSuffix(export.Filename, ".csv") ||
		strings.Contains(string(body), citizenEmail) {
		t.Errorf("export %q (%s): want a CSV with the ticket and no contact", body, export.Filename)
	}
	_, err = sup.GetStaffTicket(ctx, "261127ZZZZZZ")
	if !errors.As(err, &p) || p.Title != "Not found" || p.Status != 404 {
		t.Errorf("a missing ticket in English: %v (%+v)", err, p)
	}
}

// An admin changes a department with the version they read; a write based on
// a stale read or on none is refused. Gateway answers come as such.
func TestClientAdministersWithPreconditions(t *testing.T) {
	tg := start(t)
	ctx := context.Background()
	admin := tg.staffClient(t, auth.RoleAdmin, "")

	d, etag, err := admin.GetDepartment(ctx, "market")
	if err != nil || etag == "" || d.ID != "market" || !d.Active {
		t.Fatalf("department = %+v (ETag %q), %v", d, etag, err)
	}
	in := d.Input()
	in.NameEn = "Market Regulation"
	saved, next, err := admin.PutDepartment(ctx, "market", in, etag)
	if err != nil || next == "" || next == etag || saved.NameEn != "Market Regulation" || saved.Name != d.Name {
		t.Fatalf("PUT = %+v (ETag %q), %v", saved, next, err)
	}
	in.NameEn = "Overwritten unseen"
	_, _, err = admin.PutDepartment(ctx, "market", in, etag)
	var p *client.Problem
	if !client.IsPreconditionFailed(err) || !errors.As(err, &p) || p.Status != 412 {
		t.Errorf("PUT with a stale ETag: %v, want 412 precondition_failed", err)
	}
	if _, _, err := admin.PutDepartment(ctx, "market", in, ""); !client.IsPreconditionRequired(err) {
		t.Errorf("PUT without If-Match: %v, want 428 precondition_required", err)
	}
	d, now, err := admin.GetDepartment(ctx, "market")
	if err != nil || now != next || d.NameEn != "Market Regulation" {
		t.Errorf("after the refused writes: %+v (ETag %q, want %q), %v", d, now, next, err)
	}
	sup := tg.staffClient(t, auth.RoleSupervisor, "")
	if _, _, err := sup.PutDepartment(ctx, "market", in, now); !client.IsForbidden(err) {
		t.Errorf("a supervisor's PUT: %v, want forbidden", err)
	}

	// The department list, which any staff role reads, too.
	op := tg.staffClient(t, auth.RoleOperator, "")
	depts, listTag, err := op.Departments(ctx)
	if err != nil || listTag != now || !slices.ContainsFunc(depts, func(d client.Department) bool { return d.ID == "market" && d.NameEn == "Market Regulation" }) {
		t.Errorf("departments = %+v (ETag %q, want %q), %v", depts, listTag, now, err)
	}

	// The catalog's other documents carry the same version.
	rules, rulesTag, err := admin.GetRoutingRules(ctx)
	if err != nil || rulesTag != now || len(rules) == 0 {
		t.Fatalf("routing rules: %d rules, ETag %q (want %q), %v", len(rules), rulesTag, now, err)
	}
	if _, kbTag, err := admin.GetKnowledgeBase(ctx); err != nil || kbTag == "" {
		t.Errorf("knowledge base: ETag %q, %v", kbTag, err)
	}

	// API Gateway's own answers: a staff route without a token, and a path
	// no route has.
	var g *client.GatewayError
	if _, err := tg.goClient(t).ReviewQueue(ctx, client.PageQuery{}); !errors.As(err, &g) || g.Status != 401 || g.Message != "Unauthorized" || !client.IsUnauthorized(err) {
		t.Errorf("no token: %v, want the gateway's 401", err)
	}
	if _, err := tg.goClient(t).ReviewQueue(ctx, client.PageQuery{}); client.IsNotFound(err) {
		t.Error("a 401 is a not found")
	}
	_, err = tg.goClient(t, client.WithToken("not-a-jwt")).Accept(ctx, "261130K7Q2XD")
	if !errors.As(err, &g) || g.Status != 401 || !strings.Contains(g.WWWAuthenticate, "invalid_token") {
		t.Errorf("a bad token: %v, want the gateway's 401 with WWW-Authenticate", err)
	}
	wrong, err := client.New(tg.api+"/stage", client.WithHTTPClient(tg.client))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Categories(ctx); !errors.As(err, &g) || g.Status != 404 || client.IsNotFound(err) {
		t.Errorf("a wrong base URL: %v, want the gateway's 404, not a not_found problem", err)
	}
}

func hasLeaf(cats []client.Category, code string) bool {
	for _, c := range cats {
		if (c.Code == code && len(c.Children) == 0) || hasLeaf(c.Children, code) {
			return true
		}
	}
	return false
}

func departmentRow(s *client.Stats, id string) *client.DepartmentStats {
	for i := range s.Departments {
		if s.Departments[i].ID == id {
			return &s.Departments[i]
		}
	}
	return nil
}

// wrongCode is a six-digit code that is not code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// lastAnswer is a transport that keeps the body of the last answer, to hold
// what the client decoded against the API's own JSON.
type lastAnswer struct {
	mu   sync.Mutex
	body []byte
}

func (l *lastAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	l.mu.Lock()
	l.body = b
	l.mu.Unlock()
	return resp, nil
}

func (l *lastAnswer) last() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.body
}

// sameJSON reports whether v encodes to the JSON of raw: nothing of the
// answer was lost in the client's structs.
func sameJSON(t *testing.T, v any, raw []byte) (bool, string) {
	t.Helper()
	mine, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(mine, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return reflect.DeepEqual(a, b), string(mine)
}

// Each admin document is read whole (the client's structs hold all the API
// sends) and goes back unchanged with the ETag it came with: the structs are
// what the API takes (it refuses unknown fields), and the write moves the
// version on.
func TestClientRoundTripsTheAdminDocuments(t *testing.T) {
	tg := start(t)
	ctx := context.Background()
	answers := &lastAnswer{}
	admin := tg.staffClient(t, auth.RoleAdmin, "", client.WithHTTPClient(contract.Client(t, answers)))

	// get and put give the document in the API's shape.
	roundTrip := func(what string, get func() (any, string, error), put func(etag string) (any, string, error)) {
		t.Helper()
		before, etag, err := get()
		if err != nil {
			t.Fatalf("%s: GET: %v", what, err)
		}
		if same, mine := sameJSON(t, before, answers.last()); !same {
			t.Errorf("%s: the client read\n%s\nof\n%s", what, mine, answers.last())
		}
		stored, next, err := put(etag)
		if err != nil {
			t.Fatalf("%s: PUT of what GET gave: %v", what, err)
		}
		after, now, err := get()
		if err != nil {
			t.Fatalf("%s: GET after PUT: %v", what, err)
		}
		if next == etag || now != next || !reflect.DeepEqual(stored, before) || !reflect.DeepEqual(after, before) {
			t.Errorf("%s: ETag %s → %s (GET %s); stored %+v, read %+v, want %+v", what, etag, next, now, stored, after, before)
		}
	}

	roundTrip("department", func() (any, string, error) {
		return admin.GetDepartment(ctx, "market")
	}, func(etag string) (any, string, error) {
		d, _, err := admin.GetDepartment(ctx, "market")
		if err != nil {
			return nil, "", err
		}
		return admin.PutDepartment(ctx, "market", d.Input(), etag)
	})

	type routing struct {
		RoutingRules []client.RoutingRule `json:"routingRules"`
	}
	roundTrip("routing rules", func() (any, string, error) {
		r, etag, err := admin.GetRoutingRules(ctx)
		return routing{r}, etag, err
	}, func(etag string) (any, string, error) {
		r, _, err := admin.GetRoutingRules(ctx)
		if err != nil {
			return nil, "", err
		}
		r, next, err := admin.PutRoutingRules(ctx, r, etag)
		return routing{r}, next, err
	})

	type tree struct {
		Categories []client.Category `json:"categories"`
	}
	roundTrip("categories", func() (any, string, error) {
		c, etag, err := admin.GetAdminCategories(ctx)
		return tree{c}, etag, err
	}, func(etag string) (any, string, error) {
		c, _, err := admin.GetAdminCategories(ctx)
		if err != nil {
			return nil, "", err
		}
		c, next, err := admin.PutCategories(ctx, c, etag)
		return tree{c}, next, err
	})

	roundTrip("calendar", func() (any, string, error) {
		return admin.GetCalendar(ctx, 2026)
	}, func(etag string) (any, string, error) {
		c, _, err := admin.GetCalendar(ctx, 2026)
		if err != nil {
			return nil, "", err
		}
		return admin.PutCalendar(ctx, 2026, *c, etag)
	})

	roundTrip("screening rules", func() (any, string, error) {
		return admin.GetScreeningRules(ctx)
	}, func(etag string) (any, string, error) {
		s, _, err := admin.GetScreeningRules(ctx)
		if err != nil {
			return nil, "", err
		}
		return admin.PutScreeningRules(ctx, *s, etag)
	})

	// A changed knowledge base reads back as written.
	kb, etag, err := admin.GetKnowledgeBase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kb = append(kb, client.KnowledgeEntry{ID: "client-e2e-bus", Match: [][]string{{"老年卡", "公交"}},
		Answer: client.KnowledgeAnswer{ZH: "本市65周岁以上老年人持老年卡可免费乘坐公交车。", EN: "Residents aged 65 and over ride buses free with a senior card."}})
	stored, next, err := admin.PutKnowledgeBase(ctx, kb, etag)
	if err != nil || next == etag || !reflect.DeepEqual(stored, kb) {
		t.Fatalf("knowledge base PUT = %+v (ETag %s), %v; want %+v", stored, next, err, kb)
	}
	if got, _, err := admin.GetKnowledgeBase(ctx); err != nil || !reflect.DeepEqual(got, kb) {
		t.Errorf("knowledge base read back = %+v, %v", got, err)
	}

	cov, _, err := admin.GetCalendarCoverage(ctx)
	if err != nil || !slices.Contains(cov.Years, 2026) {
		t.Errorf("calendar coverage = %+v, %v", cov, err)
	}
	if stuck, err := admin.StuckTickets(ctx, client.PageQuery{}); err != nil || len(stuck.Tickets) != 0 {
		t.Errorf("stuck tickets on a healthy platform = %+v, %v", stuck, err)
	}

	// An Open311 app's key: issued, then replaced.
	first, err := admin.IssueAPIKey(ctx, "client-e2e")
	if err != nil || first.Replaced || first.Name != "client-e2e" || !strings.HasPrefix(first.APIKey, "client-e2e.") || first.CreatedAt.IsZero() {
		t.Fatalf("first key = %+v, %v", first, err)
	}
	second, err := admin.IssueAPIKey(ctx, "client-e2e")
	if err != nil || !second.Replaced || second.APIKey == first.APIKey {
		t.Errorf("second key = %+v, %v; want a new key replacing the first", second, err)
	}
}
