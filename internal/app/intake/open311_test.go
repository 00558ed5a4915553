package intake_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/intake"
	"github.com/hotline12345/hotline/internal/app/open311"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	intakewiring "github.com/hotline12345/hotline/internal/wiring/intake"
)

type open311Env struct {
	e   *localtest.Env
	h   *intake.Handler
	key string
}

func newOpen311Env(t *testing.T) *open311Env {
	t.Helper()
	e := localtest.Start(t)
	h, err := intakewiring.Build(t.Context(), e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	// An admin issues the app its key through the api function.
	out, err := e.API.Handle(t.Context(), events.APIGatewayV2HTTPRequest{
		RouteKey: "PUT /v1/admin/api-keys/{name}", PathParameters: map[string]string{"name": "city-app"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "root", "role": "admin"}}}},
	})
	var issued open311.Issued
	if err != nil || out.StatusCode != 201 || json.Unmarshal([]byte(out.Body), &issued) != nil {
		t.Fatalf("issue key: %v %d %s", err, out.StatusCode, out.Body)
	}
	return &open311Env{e: e, h: h, key: issued.APIKey}
}

// verified proves phone as a citizen's app does (POST /v1/verifications,
// then the code from the SMS) and returns the form's extension fields.
func (o *open311Env) verified(t *testing.T, phone string) (id, code string) {
	t.Helper()
	sub := localtest.Verified(t, o.e.P.EdgeURL, localtest.HandlerPoster(o.h), map[string]any{"channel": "open311", "contact": map[string]any{"phone": phone}})
	v := sub["verification"].(map[string]string)
	return v["id"], v["code"]
}

func (o *open311Env) post(t *testing.T, route string, form url.Values, headers map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	h := map[string]string{"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
	for k, v := range headers {
		h[k] = v
	}
	out, err := o.h.Handle(t.Context(), events.APIGatewayV2HTTPRequest{
		RouteKey: route, Body: form.Encode(), Headers: h,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{SourceIP: "203.0.113.9"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const parking = "一辆白色货车停在盲道上已经三天了，盲人没法通行，请处理。"

func parkingForm(key string) url.Values {
	return url.Values{
		"api_key": {key}, "service_code": {"urban.illegal_parking"}, "lat": {"39.9219"}, "long": {"116.4436"},
		"address_string": {"朝阳区某某路1号"}, "address_id": {"110105"}, "description": {parking},
		"attribute[vehicle]": {"truck"}, "attribute[blocking][]": {"blind_path", "pavement"},
		"media_url": {"https://photos.example/p/1.jpg"}, "account_id": {"u-42"}, "device_id": {"d-7"},
	}
}

func TestOpen311RequestBecomesATicket(t *testing.T) {
	o := newOpen311Env(t)
	form := parkingForm(o.key)
	const phone = "13912345678"
	form.Set("phone", phone)
	form.Set("first_name", "三丰")
	form.Set("last_name", "张")
	form["verification_id"], form["verification_code"] = nil, nil
	id, code := o.verified(t, phone)
	form.Set("verification_id", id)
	form.Set("verification_code", code)

	out := o.post(t, open311.RoutePostJSON, form, map[string]string{"idempotency-key": "app-1"})
	var created []struct {
		ID      string  `json:"service_request_id"`
		Notice  string  `json:"service_notice"`
		Account *string `json:"account_id"`
		Token   *string `json:"token"`
	}
	if out.StatusCode != 201 || out.Headers["Content-Type"] != open311.ContentTypeJSON || json.Unmarshal([]byte(out.Body), &created) != nil ||
		len(created) != 1 || created[0].Account == nil || *created[0].Account != "u-42" || created[0].Token != nil || !strings.Contains(created[0].Notice, "5个工作日") {
		t.Fatalf("POST: %d %s", out.StatusCode, out.Body)
	}
	tk := o.e.Ticket(t, created[0].ID)
	if tk.Channel != ticket.ChannelOpen311 || tk.App != "city-app" || tk.Type != ticket.TypeComplaint || tk.Category != "urban.illegal_parking" ||
		tk.Content != parking || tk.MediaURL != "https://photos.example/p/1.jpg" ||
		tk.Contact == nil || tk.Contact.Name != "张三丰" || !slices.Equal(tk.Reachable, []string{ticket.NoticeSMS}) ||
		tk.Location == nil || tk.Location.Region != "110105" || *tk.Location.Lat != 39.9219 ||
		!slices.Equal(tk.Attributes["blocking"], []string{"pavement", "blind_path"}) || tk.Attributes["vehicle"][0] != "truck" {
		t.Fatalf("ticket %+v", tk)
	}
	// The receipt (id and access code) went to the verified phone, as for
	// every channel: the app is not given the citizen's access code.
	if _, sms := o.e.Sent(t, tk.ID); sms != 1 {
		t.Errorf("%d receipts by SMS", sms)
	}
	// The same Idempotency-Key and form: the same request, 200.
	again := o.post(t, open311.RoutePostJSON, form, map[string]string{"idempotency-key": "app-1"})
	if again.StatusCode != 200 || !strings.Contains(again.Body, created[0].ID) {
		t.Fatalf("replay: %d %s", again.StatusCode, again.Body)
	}
	if logs := o.e.Logs.String(); strings.Contains(logs, phone) || strings.Contains(logs, parking[:20]) || strings.Contains(logs, o.key) {
		t.Error("the logs carry the citizen's data or the API key")
	}
}

func TestOpen311AnonymousRequestAsXML(t *testing.T) {
	o := newOpen311Env(t)
	form := url.Values{
		"api_key": {o.key}, "service_code": {"public_safety.traffic_signal"}, "lat": {"39.9"}, "long": {"116.4"},
		"description": {"路口的信号灯一直在闪烁，车辆通行很混乱。"}, "attribute[fault]": {"flashing"}, "first_name": {"Li"},
	}
	out := o.post(t, open311.RoutePostXML, form, nil)
	if out.StatusCode != 201 || out.Headers["Content-Type"] != open311.ContentTypeXML ||
		!strings.HasPrefix(out.Body, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<service_requests><request><service_request_id>") ||
		!strings.Contains(out.Body, "<account_id></account_id></request></service_requests>") {
		t.Fatalf("POST: %d %s", out.StatusCode, out.Body)
	}
	id := strings.TrimPrefix(out.Body[strings.Index(out.Body, "<service_request_id>"):], "<service_request_id>")
	id = id[:strings.Index(id, "<")]
	tk := o.e.Ticket(t, id)
	if !tk.Anonymous || tk.Contact != nil || tk.Type != ticket.TypeReport {
		t.Fatalf("ticket %+v", tk)
	}
}

func TestOpen311RequestsAreRefusedInTheSpecFormat(t *testing.T) {
	o := newOpen311Env(t)
	type want struct {
		status int
		desc   string
	}
	with := func(changes map[string]string) url.Values {
		f := parkingForm(o.key)
		for k, v := range changes {
			if v == "" {
				f.Del(k)
			} else {
				f.Set(k, v)
			}
		}
		return f
	}
	for name, tc := range map[string]struct {
		form url.Values
		want want
	}{
		"no key":            {with(map[string]string{"api_key": ""}), want{403, "api_key is missing"}},
		"wrong key":         {with(map[string]string{"api_key": "city-app.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}), want{403, "invalid api_key"}},
		"the key is first":  {with(map[string]string{"api_key": "", "service_code": ""}), want{403, "api_key"}},
		"unknown service":   {with(map[string]string{"service_code": "urban.ufo"}), want{404, "service_code urban.ufo not found"}},
		"no location":       {with(map[string]string{"lat": "", "long": "", "address_string": "", "address_id": ""}), want{400, "a location is required"}},
		"short description": {with(map[string]string{"description": "车停这"}), want{400, "description: 10 to 5000 characters"}},
		"attribute":         {with(map[string]string{"attribute[vehicle]": ""}), want{400, "attribute[vehicle]: required"}},
		"media URL":         {with(map[string]string{"media_url": "javascript:alert(1)"}), want{400, "media_url: must be an http or https URL"}},
		"unverified phone":  {with(map[string]string{"phone": "13912345678"}), want{400, "verification_code: verify the citizen's phone or e-mail first"}},
		"wrong code":        {with(map[string]string{"email": "a@example.com", "verification_id": "vnope", "verification_code": "000000"}), want{400, "verification_code"}},
	} {
		t.Run(name, func(t *testing.T) {
			out := o.post(t, open311.RoutePostJSON, tc.form, nil)
			var errs []struct {
				Code        int    `json:"code"`
				Description string `json:"description"`
			}
			if out.StatusCode != tc.want.status || json.Unmarshal([]byte(out.Body), &errs) != nil || len(errs) == 0 ||
				errs[0].Code != tc.want.status || !strings.Contains(errs[0].Description, tc.want.desc) {
				t.Fatalf("%d %s, want %d %q", out.StatusCode, out.Body, tc.want.status, tc.want.desc)
			}
		})
	}
	out := o.post(t, open311.RoutePostXML, with(map[string]string{"api_key": ""}), nil)
	if out.StatusCode != 403 || !strings.Contains(out.Body, "<errors><error><code>403</code><description>api_key is missing") {
		t.Fatalf("XML: %d %s", out.StatusCode, out.Body)
	}
	// A JSON body is no form.
	bad, err := o.h.Handle(t.Context(), events.APIGatewayV2HTTPRequest{RouteKey: open311.RoutePostJSON, Body: `{"api_key":"x"}`, Headers: map[string]string{"content-type": "application/json"}})
	if err != nil || bad.StatusCode != 400 || !strings.Contains(bad.Body, "application/x-www-form-urlencoded") {
		t.Fatalf("JSON body: %d %s", bad.StatusCode, bad.Body)
	}
}

// An app files for many citizens from one server: its key's limit stands in
// for the per-address filing limit, which still holds for web clients.
func TestOpen311AppIsNotHeldToThePerAddressLimit(t *testing.T) {
	o := newOpen311Env(t)
	tight := func(k string) string {
		if k == "HOTLINE_LIMITS" {
			return "file=2/1h"
		}
		return o.e.P.Getenv(k)
	}
	h, err := intakewiring.Build(t.Context(), tight, o.e.Options)
	if err != nil {
		t.Fatal(err)
	}
	o.h = h
	for i := range 3 {
		form := url.Values{"api_key": {o.key}, "service_code": {"public_safety.traffic_signal"}, "lat": {"39.9"}, "long": {"116.4"},
			"description": {"路口的信号灯一直在闪烁，车辆通行很混乱。第" + strconv.Itoa(i+1) + "次反映。"}, "attribute[fault]": {"flashing"}}
		if out := o.post(t, open311.RoutePostJSON, form, nil); out.StatusCode != 201 {
			t.Fatalf("app filing %d: %d %s", i+1, out.StatusCode, out.Body)
		}
	}
	web := `{"type":"suggestion","channel":"web","anonymous":true,"content":"建议在路口增加一个自行车停放点，方便换乘。"}`
	var last int
	for range 3 {
		out, err := h.Handle(t.Context(), events.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/tickets", Body: web,
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{SourceIP: "203.0.113.9"}}})
		if err != nil {
			t.Fatal(err)
		}
		last = out.StatusCode
	}
	if last != 429 {
		t.Fatalf("a web client's third filing in the hour: %d, want 429", last)
	}
}
