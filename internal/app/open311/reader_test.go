package open311

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/region"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// fixedCatalog serves one catalog at a version, as the cached source does.
type fixedCatalog struct {
	c       *catalog.Catalog
	version int
}

func (f fixedCatalog) Current(context.Context) (*catalog.Catalog, error) { return f.c, nil }
func (f fixedCatalog) Version() int                                      { return f.version }

type readerEnv struct {
	rd    *Reader
	st    *store.Store
	clk   *clock
	rules limits.Rules
}

func newReader(t *testing.T) *readerEnv {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)}
	st := newStore(t, clk.Now)
	rules := limits.Defaults()
	guard := &limits.Guard{Limiter: st, Rules: rules, Key: bytes.Repeat([]byte{3}, 32), Now: clk.Now}
	keys := &Keys{Store: st, Secret: bytes.Repeat([]byte{7}, 32), Now: clk.Now, Random: rand.Reader}
	rd := &Reader{Store: st, Catalog: fixedCatalog{shippedCatalog(t), 4}, Regions: region.Names{}, Keys: keys, Guard: guard, Now: clk.Now, Log: discard()}
	return &readerEnv{rd: rd, st: st, clk: clk, rules: rules}
}

// file stores a ticket as intake would, filed at the clock's time.
func (e *readerEnv) file(t *testing.T, id string, ch ticket.Channel, category string, status ticket.Status) {
	t.Helper()
	now := e.clk.Now()
	tk := &ticket.Ticket{
		ID: id, Type: ticket.TypeComplaint, Category: category, Channel: ch, Content: "张三家门口堆满了垃圾，一直没人清运",
		Location: &ticket.Location{Region: "110108", Address: "海淀区某某路1号"},
		Contact:  &ticket.Contact{Name: "张三", Phone: "13800138000"}, Language: ticket.LanguageZH,
		Status: ticket.StatusReceived, CreatedAt: now, UpdatedAt: now,
	}
	first := ticket.Event{At: now, Kind: "status.received", ActorRole: ticket.ActorCitizen, To: ticket.StatusReceived, Public: true}
	if _, err := e.st.CreateTicket(t.Context(), tk, first, nil); err != nil {
		t.Fatal(err)
	}
	if status != ticket.StatusReceived {
		ev := ticket.Event{At: now, Kind: "status." + string(status), ActorRole: ticket.ActorSystem, From: tk.Status, To: status}
		from := tk.Status
		tk.Status = status
		if err := e.st.SaveTicket(t.Context(), tk, from, ev); err != nil {
			t.Fatal(err)
		}
	}
	e.clk.Add(time.Minute)
}

func (e *readerEnv) get(t *testing.T, route string, file string, query map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	req := events.APIGatewayV2HTTPRequest{
		RouteKey: route, RawPath: strings.TrimPrefix(route, "GET "), QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{DomainName: "api.example", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{SourceIP: "198.51.100.7"}},
	}
	if file != "" {
		req.PathParameters = map[string]string{"file": file}
	}
	return e.rd.Handle(t.Context(), req)
}

func listed(t *testing.T, resp events.APIGatewayV2HTTPResponse) []string {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	var list []struct {
		ID     string `json:"service_request_id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range list {
		out = append(out, r.ID+":"+r.Status)
	}
	return out
}

func TestReaderListsOpen311RequestsOnly(t *testing.T) {
	e := newReader(t)
	e.file(t, "261129AAAAA1", ticket.ChannelOpen311, "urban.garbage", ticket.StatusReceived)
	e.file(t, "261129BBBBB1", ticket.ChannelWeb, "urban.garbage", ticket.StatusReceived)
	e.file(t, "261129AAAAA2", ticket.ChannelOpen311, "urban.illegal_parking", ticket.StatusInReview)
	e.file(t, "261129AAAAA3", ticket.ChannelOpen311, "urban.garbage", ticket.StatusWithdrawn)

	got := listed(t, e.get(t, RouteRequestsJSON, "", nil))
	want := []string{"261129AAAAA3:closed", "261129AAAAA2:open", "261129AAAAA1:open"}
	if !slices.Equal(got, want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	for _, tc := range []struct {
		query map[string]string
		want  []string
	}{
		{map[string]string{"status": "open"}, want[1:]},
		{map[string]string{"status": "closed", "service_code": "urban.garbage"}, want[:1]},
		{map[string]string{"service_code": "urban.illegal_parking,urban.rubbish"}, want[1:2]},
		// A range before the requests, and the ids (a web ticket is none).
		{map[string]string{"end_date": "2026-11-28"}, nil},
		{map[string]string{"service_request_id": "261129AAAAA1,261129BBBBB1,261129aaaaa1,nonsense", "status": "closed"}, want[2:]},
	} {
		if got := listed(t, e.get(t, RouteRequestsJSON, "", tc.query)); !slices.Equal(got, tc.want) {
			t.Errorf("%v: %v, want %v", tc.query, got, tc.want)
		}
	}
	// A bad filter is the spec's 400, in the format asked for.
	resp := e.get(t, RouteRequestsXML, "", map[string]string{"status": "pending"})
	if resp.StatusCode != 400 || !strings.Contains(resp.Body, "<errors><error><code>400</code><description>status: open or closed</description>") {
		t.Fatalf("bad status: %d %s", resp.StatusCode, resp.Body)
	}

	resp = e.get(t, RouteRequest, "261129AAAAA2.xml", nil)
	if resp.StatusCode != 200 || resp.Headers["Content-Type"] != ContentTypeXML ||
		!strings.Contains(resp.Body, "<service_request_id>261129AAAAA2</service_request_id><status>open</status>") ||
		!strings.Contains(resp.Body, "<address>北京市海淀区</address>") {
		t.Fatalf("one request: %d %s", resp.StatusCode, resp.Body)
	}
	body := resp.Body + e.get(t, RouteRequestsXML, "", nil).Body + e.get(t, RouteRequestsJSON, "", nil).Body
	for _, personal := range []string{"张三", "13800138000", "某某路", "堆满了"} {
		if strings.Contains(body, personal) {
			t.Errorf("a GET shows %q", personal)
		}
	}
	// Tickets of other channels are not Open311 requests; junk ids are none.
	for _, file := range []string{"261129BBBBB1.json", "261129ZZZZZZ.json", "nonsense.json", "261129AAAAA2", "261129AAAAA2.html"} {
		if resp := e.get(t, RouteRequest, file, nil); resp.StatusCode != 404 {
			t.Errorf("%s: %d %s", file, resp.StatusCode, resp.Body)
		}
	}
	// A request's id is its token.
	resp = e.get(t, RouteToken, "261129AAAAA1.json", nil)
	sameJSON(t, "token", resp.Body, `[{"service_request_id": "261129AAAAA1", "token": "261129AAAAA1"}]`)
	if resp := e.get(t, RouteToken, "261129BBBBB1.xml", nil); resp.StatusCode != 404 || !strings.Contains(resp.Body, "token 261129BBBBB1 not found") {
		t.Errorf("token of a web ticket: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestReaderServicesAndDiscovery(t *testing.T) {
	e := newReader(t)
	resp := e.get(t, RouteServicesXML, "", nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "<service><service_code>consumer.refund</service_code>") {
		t.Fatalf("services.xml: %d %s", resp.StatusCode, resp.Body)
	}
	resp = e.get(t, RouteService, "urban.illegal_parking.json", nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"code":"vehicle"`) {
		t.Fatalf("definition: %d %s", resp.StatusCode, resp.Body)
	}
	resp = e.get(t, RouteService, "urban.nope.json", nil)
	sameJSON(t, "unknown service", resp.Body, `[{"code": 404, "description": "service_code urban.nope not found"}]`)
	resp = e.get(t, RouteDiscoveryJSON, "", nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"changeset":"catalog-00000004"`) || !strings.Contains(resp.Body, `"url":"https://api.example/open311/v2"`) {
		t.Fatalf("discovery: %d %s", resp.StatusCode, resp.Body)
	}
}

// Reads count per client, or per API key when one is given, which must be
// valid.
func TestReaderLimits(t *testing.T) {
	e := newReader(t)
	e.rules[limits.RuleOpen311Read] = ports.LimitRule{Name: limits.RuleOpen311Read, Limit: 2, Window: time.Hour}
	e.rules[limits.RuleOpen311Key] = ports.LimitRule{Name: limits.RuleOpen311Key, Limit: 3, Window: time.Hour}
	for i := range 2 {
		if resp := e.get(t, RouteRequestsJSON, "", nil); resp.StatusCode != 200 {
			t.Fatalf("read %d: %d", i, resp.StatusCode)
		}
	}
	resp := e.get(t, RouteRequestsJSON, "", nil)
	if resp.StatusCode != 429 || resp.Headers["Retry-After"] == "" || !strings.Contains(resp.Body, `"code":429`) {
		t.Fatalf("third read: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	// Services and discovery come from the cached catalog: not counted.
	if resp := e.get(t, RouteServicesJSON, "", nil); resp.StatusCode != 200 {
		t.Fatalf("services past the read limit: %d", resp.StatusCode)
	}
	issued, _, err := e.rd.Keys.Issue(t.Context(), "city-app")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if resp := e.get(t, RouteRequest, "261129AAAAA1.json", map[string]string{"api_key": issued.APIKey}); resp.StatusCode != 404 {
			t.Fatalf("keyed read %d: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	if resp := e.get(t, RouteRequestsJSON, "", map[string]string{"api_key": issued.APIKey}); resp.StatusCode != 429 {
		t.Fatalf("past the key's limit: %d", resp.StatusCode)
	}
	resp = e.get(t, RouteRequestsJSON, "", map[string]string{"api_key": "city-app.wrong"})
	if resp.StatusCode != 403 {
		t.Fatalf("wrong key: %d %s", resp.StatusCode, resp.Body)
	}
	e.clk.Add(time.Hour)
	if resp := e.get(t, RouteRequestsJSON, "", nil); resp.StatusCode != 200 {
		t.Fatalf("an hour later: %d", resp.StatusCode)
	}
}

// The newest requests up to the cap, however many the range holds.
func TestReaderCapsTheList(t *testing.T) {
	e := newReader(t)
	e.rd.maxResults = 3
	for i := range 5 {
		e.file(t, fmt.Sprintf("261129C0000%d", i), ticket.ChannelOpen311, "urban.garbage", ticket.StatusReceived)
	}
	got := listed(t, e.get(t, RouteRequestsJSON, "", nil))
	want := []string{"261129C00004:open", "261129C00003:open", "261129C00002:open"}
	if !slices.Equal(got, want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
}

// What the endpoint does not serve is answered in the spec's format too.
func TestReaderAnswersTheRestInTheSpecFormat(t *testing.T) {
	e := newReader(t)
	other := func(method, path string) events.APIGatewayV2HTTPResponse {
		return e.rd.Handle(t.Context(), events.APIGatewayV2HTTPRequest{RouteKey: RouteOther, RawPath: path,
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path}}})
	}
	resp := other("DELETE", "/open311/v2/requests.json")
	if resp.StatusCode != 405 || resp.Headers["Allow"] != "GET, POST" {
		t.Fatalf("DELETE requests.json: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	sameJSON(t, "405", resp.Body, `[{"code": 405, "description": "this resource serves GET, POST"}]`)
	resp = other("GET", "/open311/v2/services")
	if resp.StatusCode != 404 || resp.Headers["Content-Type"] != ContentTypeXML || !strings.Contains(resp.Body, "<code>404</code>") {
		t.Fatalf("services without a format: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := other("POST", "/open311/v2/services/a/b.json"); resp.StatusCode != 404 || resp.Headers["Content-Type"] != ContentTypeJSON {
		t.Fatalf("deeper path: %d %s", resp.StatusCode, resp.Body)
	}
}

// links signs fake links to attachments.
type links struct{}

func (links) Links(_ context.Context, atts []ticket.Attachment) ([]attach.Link, error) {
	out := make([]attach.Link, len(atts))
	for i, a := range atts {
		out[i] = attach.Link{ID: a.ID, URL: "https://media.example/" + a.ID + "?signed"}
	}
	return out, nil
}

// A request's photos show, as media_url, only to the app that filed it: a
// photo may show people, and GeoReport's lists are public.
func TestMediaURLShowsPhotosToTheFilingAppOnly(t *testing.T) {
	e := newReader(t)
	e.rd.Files = links{}
	e.file(t, "261129MEDXA2", ticket.ChannelOpen311, "environment.noise", ticket.StatusReceived)
	tk, err := e.st.GetTicket(t.Context(), "261129MEDXA2")
	if err != nil {
		t.Fatal(err)
	}
	tk.App = "city-app"
	tk.MediaURL = "https://city-app.example/p/1.jpg"
	tk.Attachments = []ticket.Attachment{
		{ID: strings.Repeat("a", 32), ContentType: "image/jpeg", Purpose: ticket.PurposeTicket, By: ticket.ActorCitizen},
		{ID: strings.Repeat("b", 32), ContentType: "application/pdf", Purpose: ticket.PurposeReply, By: ticket.ActorDepartment},
	}
	for _, a := range tk.Attachments {
		if err := e.st.PutUpload(t.Context(), ports.Upload{ID: a.ID, Purpose: a.Purpose, ExpiresAt: e.clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.SaveTicket(t.Context(), tk, tk.Status); err != nil {
		t.Fatal(err)
	}
	mine, _, err := e.rd.Keys.Issue(t.Context(), "city-app")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := e.rd.Keys.Issue(t.Context(), "other-app")
	if err != nil {
		t.Fatal(err)
	}
	mediaURL := func(query map[string]string) string {
		resp := e.get(t, RouteRequest, "261129MEDXA2.json", query)
		var list []struct {
			MediaURL string `json:"media_url"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &list); err != nil || len(list) != 1 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		return list[0].MediaURL
	}
	if got := mediaURL(map[string]string{"api_key": mine.APIKey}); got != "https://media.example/"+strings.Repeat("a", 32)+"?signed" {
		t.Errorf("the filing app sees media_url %q, want a link to the newest photo", got)
	}
	for name, q := range map[string]map[string]string{"public": nil, "another app": {"api_key": other.APIKey}} {
		if got := mediaURL(q); got != "https://city-app.example/p/1.jpg" {
			t.Errorf("%s sees media_url %q, want the app's own link", name, got)
		}
	}
}
