package open311

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/region"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// specSeed is a catalog with the services of the spec's examples
// (https://wiki.open311.org/GeoReport_v2). Open311 service codes are free
// strings ("001", "DMV66"); the hotline's are leaf category codes, so the
// examples' services get codes of that form and keep everything else.
const specSeed = `{
  "departments": [{"id": "dpw", "name": "Department of Public Works", "active": true}],
  "categories": [
    {"code": "sanitation", "name": "sanitation", "children": [
      {"code": "sanitation.cans", "name": "Cans left out 24x7", "types": ["complaint"],
       "serviceLevel": {"acceptHours": 24, "replyWorkingDays": 3},
       "description": "Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
       "attributes": [{"code": "WHISPAWN", "variable": true, "datatype": "string", "order": 1, "description": "Bin number"}]}
    ]},
    {"code": "street", "name": "street", "children": [
      {"code": "street.plate", "name": "Construction plate shifted", "types": ["report"],
       "serviceLevel": {"acceptHours": 24, "replyHours": 24},
       "description": "Metal construction plate covering the street or sidewalk has been moved."},
      {"code": "street.sidewalk", "name": "Sidewalk and Curb Issues", "types": ["complaint", "report"],
       "serviceLevel": {"acceptHours": 24, "replyWorkingDays": 13},
       "attributes": [
         {"code": "WHISPAWN", "variable": true, "datatype": "string", "order": 2, "description": "Pawn number"},
         {"code": "WHISDORN", "variable": true, "datatype": "singlevaluelist", "required": true, "order": 1,
          "description": "Where is it?", "values": [{"key": "COISL001", "name": "Corner"}, {"key": "MID", "name": "Mid-block"}]}
       ]}
    ]},
    {"code": "dmv", "name": "Motor vehicles", "children": [
      {"code": "dmv.dmv66", "name": "Ticket question", "types": ["consultation"],
       "serviceLevel": {"acceptHours": 24, "replyWorkingDays": 3},
       "attributes": [{"code": "WHISHETN", "variable": true, "datatype": "singlevaluelist", "required": true, "order": 1,
         "description": "What is the ticket/tag/DL number?", "values": [{"key": "123", "name": "Ford"}, {"key": "124", "name": "Chrysler"}]}]}
    ]}
  ],
  "routingRules": [{"id": "default", "default": true, "departmentId": "dpw"}]
}`

func specCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load([]byte(specSeed))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sameJSON compares JSON documents by value.
func sameJSON(t *testing.T, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: answer is not JSON: %v\n%s", what, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: expected is not JSON: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// sameXML compares an XML answer with the expected document, ignoring the
// indentation the spec's examples are written with.
func sameXML(t *testing.T, what, got, want string) {
	t.Helper()
	var compact strings.Builder
	for line := range strings.Lines(want) {
		compact.WriteString(strings.TrimSpace(line))
	}
	w := compact.String()
	w = strings.Replace(w, "?>", "?>\n", 1)
	if got != w {
		t.Errorf("%s:\n got %s\nwant %s", what, got, w)
	}
}

func expectAnswer(t *testing.T, resp events.APIGatewayV2HTTPResponse, status int, f Format) string {
	t.Helper()
	ct := ContentTypeJSON
	if f == XML {
		ct = ContentTypeXML
	}
	if resp.StatusCode != status || resp.Headers["Content-Type"] != ct {
		t.Fatalf("status %d, Content-Type %q; want %d %q\n%s", resp.StatusCode, resp.Headers["Content-Type"], status, ct, resp.Body)
	}
	return resp.Body
}

// GET Service List, the spec's example (service codes as the hotline's;
// keywords are the names of the service and its group).
func TestServiceListAsTheSpecExample(t *testing.T) {
	c := specCatalog(t)
	body := expectAnswer(t, ServicesAnswer(XML, c), 200, XML)
	sameXML(t, "services.xml", body, `<?xml version="1.0" encoding="UTF-8"?>
		<services>
			<service>
				<service_code>sanitation.cans</service_code>
				<service_name>Cans left out 24x7</service_name>
				<description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
				<metadata>true</metadata>
				<type>realtime</type>
				<keywords>sanitation</keywords>
				<group>sanitation</group>
			</service>
			<service>
				<service_code>street.plate</service_code>
				<service_name>Construction plate shifted</service_name>
				<description>Metal construction plate covering the street or sidewalk has been moved.</description>
				<metadata>false</metadata>
				<type>realtime</type>
				<keywords>street</keywords>
				<group>street</group>
			</service>
			<service>
				<service_code>street.sidewalk</service_code>
				<service_name>Sidewalk and Curb Issues</service_name>
				<description></description>
				<metadata>true</metadata>
				<type>realtime</type>
				<keywords>street</keywords>
				<group>street</group>
			</service>
			<service>
				<service_code>dmv.dmv66</service_code>
				<service_name>Ticket question</service_name>
				<description></description>
				<metadata>true</metadata>
				<type>realtime</type>
				<keywords>Motor vehicles</keywords>
				<group>Motor vehicles</group>
			</service>
		</services>`)
	body = expectAnswer(t, ServicesAnswer(JSON, c), 200, JSON)
	sameJSON(t, "services.json", body, `[
		{"service_code": "sanitation.cans", "service_name": "Cans left out 24x7",
		 "description": "Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
		 "metadata": true, "type": "realtime", "keywords": "sanitation", "group": "sanitation"},
		{"service_code": "street.plate", "service_name": "Construction plate shifted",
		 "description": "Metal construction plate covering the street or sidewalk has been moved.",
		 "metadata": false, "type": "realtime", "keywords": "street", "group": "street"},
		{"service_code": "street.sidewalk", "service_name": "Sidewalk and Curb Issues", "description": null,
		 "metadata": true, "type": "realtime", "keywords": "street", "group": "street"},
		{"service_code": "dmv.dmv66", "service_name": "Ticket question", "description": null,
		 "metadata": true, "type": "realtime", "keywords": "Motor vehicles", "group": "Motor vehicles"}
	]`)
}

// The shipped catalog's services name their group and English names as
// keywords.
func TestShippedServices(t *testing.T) {
	c := shippedCatalog(t)
	list := Services(c)
	if len(list) != len(c.Leaves()) {
		t.Fatalf("%d services for %d leaves", len(list), len(c.Leaves()))
	}
	want := Service{Code: "urban.illegal_parking", Name: "违章停车",
		Description: "车辆占用人行道、消防通道、盲道或堵塞出入口 / Vehicles parked on pavements, fire lanes or blind paths, or blocking entrances",
		Metadata:    true, Type: "realtime", Keywords: "Illegal parking, 城市管理, Urban management", Group: "城市管理"}
	for _, s := range list {
		if s.Code == want.Code && !reflect.DeepEqual(s, want) {
			t.Errorf("got %+v\nwant %+v", s, want)
		}
	}
}

// GET Service Definition, the spec's example: DMV66.
func TestServiceDefinitionAsTheSpecExample(t *testing.T) {
	c := specCatalog(t)
	resp, err := DefinitionAnswer(XML, c, "dmv.dmv66")
	if err != nil {
		t.Fatal(err)
	}
	sameXML(t, "dmv.dmv66.xml", expectAnswer(t, resp, 200, XML), `<?xml version="1.0" encoding="UTF-8"?>
		<service_definition>
			<service_code>dmv.dmv66</service_code>
			<attributes>
				<attribute>
					<variable>true</variable>
					<code>WHISHETN</code>
					<datatype>singlevaluelist</datatype>
					<required>true</required>
					<datatype_description></datatype_description>
					<order>1</order>
					<description>What is the ticket/tag/DL number?</description>
					<values>
						<value>
							<key>123</key>
							<name>Ford</name>
						</value>
						<value>
							<key>124</key>
							<name>Chrysler</name>
						</value>
					</values>
				</attribute>
			</attributes>
		</service_definition>`)
	resp, err = DefinitionAnswer(JSON, c, "dmv.dmv66")
	if err != nil {
		t.Fatal(err)
	}
	// The spec writes the keys as numbers; they are strings ("key" is
	// "analogous to the value attribute in an html option tag").
	sameJSON(t, "dmv.dmv66.json", expectAnswer(t, resp, 200, JSON), `{
		"service_code": "dmv.dmv66",
		"attributes": [{
			"variable": true, "code": "WHISHETN", "datatype": "singlevaluelist", "required": true,
			"datatype_description": null, "order": 1, "description": "What is the ticket/tag/DL number?",
			"values": [{"key": "123", "name": "Ford"}, {"key": "124", "name": "Chrysler"}]
		}]
	}`)

	// Attributes come in their order; a service without any has an empty list.
	d, _ := ServiceDefinition(c, "street.sidewalk")
	if len(d.Attributes.Attributes) != 2 || d.Attributes.Attributes[0].Code != "WHISDORN" {
		t.Errorf("street.sidewalk: %+v", d.Attributes)
	}
	resp, _ = DefinitionAnswer(JSON, c, "street.plate")
	sameJSON(t, "street.plate.json", resp.Body, `{"service_code": "street.plate", "attributes": []}`)
	resp, _ = DefinitionAnswer(XML, c, "street.plate")
	sameXML(t, "street.plate.xml", resp.Body, `<?xml version="1.0" encoding="UTF-8"?>
		<service_definition><service_code>street.plate</service_code><attributes></attributes></service_definition>`)

	for _, code := range []string{"dmv", "dmv.nope", ""} {
		if _, err := DefinitionAnswer(JSON, c, code); Classify(err).Status != http.StatusNotFound {
			t.Errorf("%q: %v, want 404", code, err)
		}
	}
}

// The spec's example POST body, sent to the example's service.
const specPost = "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"

func TestSpecExamplePostRequest(t *testing.T) {
	r, err := ParseRequest([]byte(specPost), "application/x-www-form-urlencoded; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	lat, long := 37.76524078, -122.4212043
	want := Request{
		APIKey: "xyz", ServiceCode: "001", Lat: &lat, Long: &long, AddressString: "1234 5th street",
		Email: "smit333@sfgov.edu", DeviceID: "tt222111", AccountID: "123456", FirstName: "john", LastName: "smith",
		Phone: "111111111", Description: "A large sinkhole is destroying the street",
		MediaURL:   "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
		Attributes: map[string][]string{"WHISPAWN": {"123456"}, "WHISDORN": {"COISL001"}},
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("parsed %+v\nwant   %+v", r, want)
	}

	// Service "001" is no code of this hotline: the spec's 404.
	c := specCatalog(t)
	if _, err := r.Submission(c); Classify(err).Status != http.StatusNotFound {
		t.Fatalf("unknown service: %v", err)
	}
	r.ServiceCode = "street.sidewalk"
	s, err := r.Submission(c)
	if err != nil {
		t.Fatal(err)
	}
	wantSub := ticket.Submission{
		Type: ticket.TypeComplaint, Category: "street.sidewalk", Content: "A large sinkhole is destroying the street",
		Channel:  ticket.ChannelOpen311,
		Location: &ticket.Location{Address: "1234 5th street", Lat: &lat, Lng: &long},
		Contact:  &ticket.Contact{Name: "john smith", Phone: "111111111", Email: "smit333@sfgov.edu"},
		Language: ticket.LanguageZH, MediaURL: "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
		Attributes: map[string][]string{"WHISPAWN": {"123456"}, "WHISDORN": {"COISL001"}},
	}
	if !reflect.DeepEqual(s, wantSub) {
		t.Fatalf("submission %+v\nwant       %+v", s, wantSub)
	}
	// The shared intake checks the rest: the example's phone is no Chinese
	// number, and its contact is not verified (intake's Verify).
	if err := s.Validate(false); Classify(err).Problems[0].Description != "phone: must be a mainland mobile number or a landline with area code" {
		t.Fatalf("validation: %+v", Classify(err))
	}
}

// POST Service Request's example answer.
func TestCreatedAsTheSpecExample(t *testing.T) {
	leaf, _ := specCatalog(t).LeafCategory("street.sidewalk")
	c := NewCreated("293944", leaf, Request{})
	notice := "热线审核后派发承办部门，承办部门自派单起13个工作日内答复。The hotline reviews the request and dispatches it; the department replies within 13 working days of dispatch."
	sameXML(t, "POST requests.xml", expectAnswer(t, CreatedAnswer(XML, 201, c), 201, XML), `<?xml version="1.0" encoding="UTF-8"?>
		<service_requests>
			<request>
				<service_request_id>293944</service_request_id>
				<service_notice>`+notice+`</service_notice>
				<account_id></account_id>
			</request>
		</service_requests>`)
	sameJSON(t, "POST requests.json", expectAnswer(t, CreatedAnswer(JSON, 201, c), 201, JSON),
		`[{"service_request_id": "293944", "service_notice": "`+notice+`", "account_id": null}]`)
	c = NewCreated("293944", leaf, Request{AccountID: " 123456 "})
	sameJSON(t, "with account_id", CreatedAnswer(JSON, 200, c).Body,
		`[{"service_request_id": "293944", "service_notice": "`+notice+`", "account_id": "123456"}]`)
	plate, _ := specCatalog(t).LeafCategory("street.plate")
	if n := NewCreated("1", plate, Request{}).ServiceNotice; !strings.Contains(string(n), "within 24 hours") {
		t.Errorf("hours service: %s", n)
	}
}

// GET service_request_id from a token, the spec's example.
func TestTokenAsTheSpecExample(t *testing.T) {
	sameXML(t, "tokens.xml", expectAnswer(t, TokenAnswer(XML, "638344", "12345"), 200, XML), `<?xml version="1.0" encoding="UTF-8"?>
		<service_requests>
			<request>
				<service_request_id>638344</service_request_id>
				<token>12345</token>
			</request>
		</service_requests>`)
	sameJSON(t, "tokens.json", expectAnswer(t, TokenAnswer(JSON, "638344", "12345"), 200, JSON),
		`[{"service_request_id": "638344", "token": "12345"}]`)
}

// The spec's example error.
func TestErrorsAsTheSpecExample(t *testing.T) {
	err := Forbidden("Invalid api_key received -- can't proceed with create_request.")
	resp := Fail(t.Context(), discard(), XML, err)
	sameXML(t, "errors.xml", expectAnswer(t, resp, 403, XML), `<?xml version="1.0" encoding="UTF-8"?>
		<errors>
			<error>
				<code>403</code>
				<description>Invalid api_key received -- can&#39;t proceed with create_request.</description>
			</error>
		</errors>`) // encoding/xml escapes the apostrophe; the text is the same
	resp = Fail(t.Context(), discard(), JSON, err)
	sameJSON(t, "errors.json", expectAnswer(t, resp, 403, JSON),
		`[{"code": 403, "description": "Invalid api_key received -- can't proceed with create_request."}]`)
}

// GET Service Requests: the spec's example fields, but nothing personal.
func TestRequestAsServed(t *testing.T) {
	c := specCatalog(t)
	lat, long := 37.762221815, -122.4651145
	created := time.Date(2026, 4, 14, 6, 37, 38, 0, time.UTC)
	tk := &ticket.Ticket{
		ID: "260414ABCDEF", Type: ticket.TypeComplaint, Category: "street.sidewalk", Channel: ticket.ChannelOpen311,
		Content:  "张三家门口的人行道塌了",
		Location: &ticket.Location{Region: "110105", Address: "8TH AVE and JUDAH ST", Lat: &lat, Lng: &long},
		Contact:  &ticket.Contact{Name: "张三", Phone: "13800138000", Email: "zhang@example.com"},
		MediaURL: "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
		Status:   ticket.StatusClosed, CreatedAt: created, UpdatedAt: created.Add(48 * time.Hour),
		DepartmentID: "dpw", Deadlines: ticket.Deadlines{Reply: created.Add(24 * time.Hour)},
		Reply:      &ticket.Reply{Result: ticket.ResultResolved, Message: "已联系张三，修好了"},
		Attributes: map[string][]string{"WHISPAWN": {"京A12345"}}, App: "city-app",
	}
	v := View(tk, c, region.Names{})
	notice := Notice(mustLeaf(t, c, "street.sidewalk"))
	want := `{
		"service_request_id": "260414ABCDEF", "status": "closed", "status_notes": "closed; result: resolved",
		"service_name": "Sidewalk and Curb Issues", "service_code": "street.sidewalk", "description": null,
		"agency_responsible": "Department of Public Works", "service_notice": "` + notice + `",
		"requested_datetime": "2026-04-14T14:37:38+08:00", "updated_datetime": "2026-04-16T14:37:38+08:00",
		"expected_datetime": "2026-04-15T14:37:38+08:00",
		"address": "北京市朝阳区", "address_id": "110105",
		"media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"
	}`
	body := expectAnswer(t, RequestsAnswer(JSON, []ServiceRequest{v}), 200, JSON)
	sameJSON(t, "requests.json", body, "["+want+"]")
	xmlBody := expectAnswer(t, RequestsAnswer(XML, []ServiceRequest{v}), 200, XML)
	sameXML(t, "requests.xml", xmlBody, `<?xml version="1.0" encoding="UTF-8"?>
		<service_requests>
			<request>
				<service_request_id>260414ABCDEF</service_request_id>
				<status>closed</status>
				<status_notes>closed; result: resolved</status_notes>
				<service_name>Sidewalk and Curb Issues</service_name>
				<service_code>street.sidewalk</service_code>
				<description></description>
				<agency_responsible>Department of Public Works</agency_responsible>
				<service_notice>`+notice+`</service_notice>
				<requested_datetime>2026-04-14T14:37:38+08:00</requested_datetime>
				<updated_datetime>2026-04-16T14:37:38+08:00</updated_datetime>
				<expected_datetime>2026-04-15T14:37:38+08:00</expected_datetime>
				<address>北京市朝阳区</address>
				<address_id>110105</address_id>
				<media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
			</request>
		</service_requests>`)
	for _, personal := range []string{"张三", "13800138000", "zhang@example", "JUDAH", "37.76", "122.46", "京A12345", "修好了", "city-app"} {
		if strings.Contains(body, personal) || strings.Contains(xmlBody, personal) {
			t.Errorf("the answer shows %q", personal)
		}
	}

	// An open request before review: nothing dispatched, no deadline, no place.
	tk = &ticket.Ticket{ID: "260414ABCDEG", Category: "street.plate", Channel: ticket.ChannelOpen311, Status: ticket.StatusInReview, CreatedAt: created, UpdatedAt: created}
	sameJSON(t, "open", RequestsAnswer(JSON, []ServiceRequest{View(tk, c, region.Names{})}).Body, `[{
		"service_request_id": "260414ABCDEG", "status": "open", "status_notes": "under review",
		"service_name": "Construction plate shifted", "service_code": "street.plate", "description": null,
		"agency_responsible": null, "service_notice": "`+Notice(mustLeaf(t, c, "street.plate"))+`",
		"requested_datetime": "2026-04-14T14:37:38+08:00", "updated_datetime": "2026-04-14T14:37:38+08:00",
		"expected_datetime": null, "address": null, "address_id": null, "media_url": null
	}]`)
	sameJSON(t, "no requests", RequestsAnswer(JSON, nil).Body, `[]`)
	sameXML(t, "no requests", RequestsAnswer(XML, nil).Body, `<?xml version="1.0" encoding="UTF-8"?><service_requests></service_requests>`)
}

func TestStatusMapping(t *testing.T) {
	closed := map[ticket.Status]bool{ticket.StatusRejected: true, ticket.StatusMerged: true, ticket.StatusClosed: true, ticket.StatusWithdrawn: true}
	for _, s := range ticket.Statuses {
		want := StatusOpen
		if closed[s] {
			want = StatusClosed
		}
		if got := Status(s); got != want {
			t.Errorf("%s: %s, want %s", s, got, want)
		}
		if statusNotes[s] == "" {
			t.Errorf("%s has no status notes", s)
		}
	}
	replied := &ticket.Ticket{Status: ticket.StatusReplied, Reply: &ticket.Reply{Result: ticket.ResultExplained, Message: "名字"}}
	if n := StatusNotes(replied); n != "replied; result: explained" {
		t.Errorf("replied: %q", n)
	}
	// A reopened ticket's earlier reply is not its result.
	replied.Status = ticket.StatusDispatched
	if n := StatusNotes(replied); n != "dispatched to the responsible department" {
		t.Errorf("reopened: %q", n)
	}
}

// Service Discovery, the spec's example shape for this endpoint.
func TestDiscovery(t *testing.T) {
	req := events.APIGatewayV2HTTPRequest{
		RawPath: "/open311/v2/discovery.xml", Headers: map[string]string{"x-forwarded-proto": "https"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{DomainName: "api.hotline.example"},
	}
	body := expectAnswer(t, DiscoveryAnswer(XML, req, Changeset(12), "api@hotline.example", "Ask us for a key."), 200, XML)
	sameXML(t, "discovery.xml", body, `<?xml version="1.0" encoding="UTF-8"?>
		<discovery>
			<changeset>catalog-00000012</changeset>
			<contact>api@hotline.example</contact>
			<key_service>Ask us for a key.</key_service>
			<endpoints>
				<endpoint>
					<specification>http://wiki.open311.org/GeoReport_v2</specification>
					<url>https://api.hotline.example/open311/v2</url>
					<changeset>catalog-00000012</changeset>
					<type>production</type>
					<formats>
						<format>text/xml</format>
						<format>application/json</format>
					</formats>
				</endpoint>
			</endpoints>
		</discovery>`)
	req.RawPath = "/open311/v2/discovery.json"
	req.Headers["x-forwarded-proto"] = "http"
	req.RequestContext.DomainName = "127.0.0.1:8080"
	sameJSON(t, "discovery.json", DiscoveryAnswer(JSON, req, Changeset(3), "c", "k").Body, `{
		"changeset": "catalog-00000003", "contact": "c", "key_service": "k",
		"endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://127.0.0.1:8080/open311/v2",
			"changeset": "catalog-00000003", "type": "production", "formats": ["text/xml", "application/json"]}]
	}`)
	if Changeset(9) >= Changeset(10) {
		t.Error("changesets do not sort as the catalog grows")
	}
}
