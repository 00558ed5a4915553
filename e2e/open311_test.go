package e2e

import (
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
)

// get311 reads an Open311 resource; every answer body is kept in seen for
// the personal-data check at the end.
func (tg *target) get311(t *testing.T, path string, seen *strings.Builder) (int, string) {
	t.Helper()
	resp, err := tg.client.Get(tg.api + "/open311/v2/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	seen.Write(b)
	seen.WriteByte('\n')
	return resp.StatusCode, string(b)
}

// openRequest is the part of a GET requests answer the test looks at.
type openRequest struct {
	ID          string  `json:"service_request_id"`
	Status      string  `json:"status"`
	StatusNotes string  `json:"status_notes"`
	ServiceCode string  `json:"service_code"`
	Agency      *string `json:"agency_responsible"`
	Expected    *string `json:"expected_datetime"`
	Address     *string `json:"address"`
	MediaURL    *string `json:"media_url"`
	Description *string `json:"description"`
}

func (tg *target) request311(t *testing.T, id string, seen *strings.Builder) openRequest {
	t.Helper()
	status, body := tg.get311(t, "requests/"+id+".json", seen)
	var list []openRequest
	if status != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("GET requests/%s.json: %d %s", id, status, body)
	}
	return list[0]
}

var accessCodeInMail = regexp.MustCompile(`查询码为 ([0-9A-Z]+)`)

// A third-party app with an API key files a request for a citizen whose
// e-mail it had verified; it goes through review and dispatch like any
// ticket, the citizen rates the answer, and the public GETs show it open,
// then closed, without anything personal.
func TestOpen311RequestTravelsLikeAnyTicket(t *testing.T) {
	tg := start(t)
	var seen strings.Builder // every Open311 GET answer

	// An admin issues the app its key.
	admin := tg.token(t, auth.RoleAdmin, "")
	r := tg.do(t, "PUT", "/v1/admin/api-keys/city-app", nil, bearer(admin))
	var key struct{ APIKey string }
	r.decode(t, &key)
	if r.status != 201 || !strings.HasPrefix(key.APIKey, "city-app.") {
		t.Fatalf("issue key: %d %s", r.status, r.body)
	}

	// The app reads the endpoint and the services as any Open311 client.
	if status, body := tg.get311(t, "discovery.json", &seen); status != 200 || !strings.Contains(body, `"url":"http`) || !strings.Contains(body, `/open311/v2"`) {
		t.Fatalf("discovery: %d %s", status, body)
	}
	if status, body := tg.get311(t, "services.xml", &seen); status != 200 || !strings.Contains(body, "<service_code>other.general</service_code>") {
		t.Fatalf("services: %d %s", status, body)
	}
	if status, body := tg.get311(t, "services/urban.illegal_parking.json", &seen); status != 200 || !strings.Contains(body, `"code":"vehicle"`) {
		t.Fatalf("service definition: %d %s", status, body)
	}

	// The citizen proves the e-mail in the app (the hotline's verification).
	v := tg.do(t, "POST", "/v1/verifications", map[string]string{"email": citizenEmail}, nil)
	var sent struct{ VerificationID string }
	v.decode(t, &sent)
	code, err := inbox.CodeSentTo(tg.edge, citizenEmail)
	if v.status != 202 || err != nil {
		t.Fatalf("verification: %d %s %v", v.status, v.body, err)
	}
	const mediaURL = "https://photos.example/p/4711.jpg"
	form := url.Values{
		"api_key": {key.APIKey}, "service_code": {"other.general"},
		"lat": {"39.9219"}, "long": {"116.4436"}, "address_string": {"朝阳区某某路1号"}, "address_id": {"110105"},
		"email": {citizenEmail}, "phone": {citizenPhone}, "first_name": {"三丰"}, "last_name": {"张"},
		"description": {content}, "media_url": {mediaURL}, "device_id": {"device-7f3a"}, "account_id": {"acct-9001"},
		"verification_id": {sent.VerificationID}, "verification_code": {code},
	}
	resp, err := tg.client.Post(tg.api+"/open311/v2/requests.json", "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var created []struct {
		ID        string `json:"service_request_id"`
		AccountID string `json:"account_id"`
	}
	if resp.StatusCode != 201 || json.Unmarshal(body, &created) != nil || len(created) != 1 || created[0].AccountID != "acct-9001" {
		t.Fatalf("POST requests.json: %d %s", resp.StatusCode, body)
	}
	id := created[0].ID

	// The receipt went to the verified e-mail, with the access code.
	var accessCode string
	eventually(t, "the receipt e-mail", func() bool {
		mail, ok := findMail(t, tg.edge, citizenEmail, id)
		if m := accessCodeInMail.FindStringSubmatch(mail.Body.TextPart); ok && m != nil {
			accessCode = m[1]
		}
		return accessCode != ""
	})

	// A ticket filed on the web is no Open311 request: not listed, not found.
	web := tg.file(t, tg.verified(t, complaint()))
	if status, _ := tg.get311(t, "requests/"+web.ID+".json", &seen); status != 404 {
		t.Errorf("a web ticket through Open311: %d", status)
	}

	if got := tg.request311(t, id, &seen); got.Status != "open" || got.ServiceCode != "other.general" || got.MediaURL == nil || *got.MediaURL != mediaURL ||
		got.Address == nil || *got.Address != "北京市朝阳区" || got.Description != nil {
		t.Fatalf("filed: %+v", got)
	}

	// "Other matters" is reviewed by an operator, who sees everything the app
	// sent, files it as illegal parking and sends it to the traffic police.
	op := tg.token(t, auth.RoleOperator, "")
	eventually(t, "the manual review", func() bool { return tg.inReviewQueue(t, op, id) })
	var staff struct {
		Channel  string `json:"channel"`
		App      string `json:"app"`
		MediaURL string `json:"mediaUrl"`
		Content  string `json:"content"`
		Contact  struct {
			Name  string `json:"name"`
			Email string `json:"email"`
		} `json:"contact"`
		Location struct {
			Address string `json:"address"`
		} `json:"location"`
	}
	sv := tg.do(t, "GET", "/v1/tickets/"+id, nil, bearer(op))
	sv.decode(t, &staff)
	if staff.Channel != "open311" || staff.App != "city-app" || staff.MediaURL != mediaURL || staff.Content != content ||
		staff.Contact.Name != citizenName || staff.Contact.Email != citizenEmail || staff.Location.Address != "朝阳区某某路1号" {
		t.Fatalf("staff view: %d %s", sv.status, sv.body)
	}
	if err := tg.until("review", "POST", "/v1/tickets/"+id+"/review", op, nil,
		map[string]any{"decision": "accept", "category": "urban.illegal_parking", "departmentId": "traffic_police"}); err != nil {
		t.Fatal(err)
	}
	if msg := tg.queueFor(t, "traffic_police")(id); msg.Category != "urban.illegal_parking" {
		t.Fatalf("department message %+v", msg)
	}
	got := tg.request311(t, id, &seen)
	if got.Status != "open" || got.ServiceCode != "urban.illegal_parking" || got.Agency == nil || *got.Agency != "市公安局公安交通管理局" ||
		got.Expected == nil || !strings.HasSuffix(*got.Expected, "+08:00") {
		t.Fatalf("dispatched: %+v", got)
	}

	// The department accepts and replies; the citizen, satisfied, closes it.
	dept := tg.token(t, auth.RoleDepartment, "traffic_police")
	if err := tg.until("accept", "POST", "/v1/tickets/"+id+"/accept", dept, nil, nil); err != nil {
		t.Fatal(err)
	}
	const answer = "已对违停车辆张贴违停告知单并拖离，盲道已恢复通行。"
	if err := tg.until("reply", "POST", "/v1/tickets/"+id+"/reply", dept, nil, map[string]any{"result": "resolved", "message": answer}); err != nil {
		t.Fatal(err)
	}
	if got := tg.request311(t, id, &seen); got.Status != "open" || got.StatusNotes != "replied; result: resolved" {
		t.Fatalf("replied: %+v", got)
	}
	if err := tg.until("rating", "POST", "/v1/tickets/"+id+"/rating", "", map[string]string{"X-Access-Code": accessCode}, map[string]any{"satisfied": true, "score": 5}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the request to close", func() bool { return tg.request311(t, id, &seen).Status == "closed" })

	// The lists: closed and filtered by service, in both formats; the token.
	status, list := tg.get311(t, "requests.json?status=closed&service_code=urban.illegal_parking", &seen)
	var closed []openRequest
	if status != 200 || json.Unmarshal([]byte(list), &closed) != nil || !slices.ContainsFunc(closed, func(x openRequest) bool { return x.ID == id && x.Status == "closed" }) {
		t.Fatalf("closed list: %d %s", status, list)
	}
	if status, list := tg.get311(t, "requests.json?status=open", &seen); status != 200 || strings.Contains(list, id) {
		t.Fatalf("open list: %d %s", status, list)
	}
	status, list = tg.get311(t, "requests.xml", &seen)
	if status != 200 || !strings.Contains(list, "<service_request_id>"+id+"</service_request_id><status>closed</status>") || strings.Contains(list, web.ID) {
		t.Fatalf("XML list: %d %s", status, list)
	}
	if status, tok := tg.get311(t, "tokens/"+id+".xml", &seen); status != 200 || !strings.Contains(tok, "<token>"+id+"</token>") {
		t.Fatalf("token: %d %s", status, tok)
	}

	// Nothing personal in any GET: not the citizen's name, phone, e-mail,
	// words, address, coordinates or app identifiers, nor the reply.
	all := seen.String()
	assertNoPersonalData(t, "Open311 GET answers", all)
	for _, pd := range []string{"三丰", "39.9219", "116.4436", "device-7f3a", "acct-9001", answer[:30], "city-app"} {
		if strings.Contains(all, pd) {
			t.Errorf("an Open311 GET answer shows %q", pd)
		}
	}
}
