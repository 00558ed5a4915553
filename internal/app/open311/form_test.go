package open311

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

const formType = "application/x-www-form-urlencoded"

func TestParseRequestRefusesWhatIsNoForm(t *testing.T) {
	tests := []struct {
		name, body, contentType, want string
	}{
		{"JSON", `{"service_code":"x.y"}`, "application/json", "Content-Type: application/x-www-form-urlencoded"},
		{"no type", "service_code=x.y", "", "Content-Type"},
		{"multipart", "service_code=x.y", "multipart/form-data; boundary=x", "Content-Type"},
		{"latin-1", "service_code=x.y", formType + "; charset=iso-8859-1", "UTF-8"},
		{"bad escape", "description=100%", formType, "not form-encoded"},
		{"semicolon", "a=1;b=2", formType, "not form-encoded"},
		{"invalid UTF-8 value", "description=%ff%fe", formType, "description: not valid UTF-8"},
		{"invalid UTF-8 name", "%ff=1", formType, "field name is not valid UTF-8"},
		{"twice", "service_code=a.b&service_code=c.d", formType, "service_code: given more than once"},
		{"lat twice", "lat=1&lat=2&long=3", formType, "lat: given more than once"},
		{"lat alone", "lat=39.9", formType, "send both lat and long"},
		{"long alone", "long=116.4&lat=", formType, "send both lat and long"},
		{"lat not a number", "lat=north&long=116.4", formType, "lat: must be a decimal number"},
		{"long infinite", "lat=1&long=Inf", formType, "long: must be a decimal number"},
		{"malformed attribute", "attribute[x=1", formType, "attribute[code] or attribute[code][]"},
		{"empty attribute code", "attribute[]=1", formType, "attribute[code]"},
		{"nested attribute", "attribute[a][b]=1", formType, "attribute[code]"},
		{"too large", "description=" + strings.Repeat("a", MaxFormBytes), formType, "larger than"},
		{"too many values", "attribute[a][]=" + strings.Repeat("1&attribute[a][]=", maxAttributeValues) + "1", formType, "too many attribute values"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRequest([]byte(tc.body), tc.contentType)
			e := Classify(err)
			if err == nil || e.Status != http.StatusBadRequest || !strings.Contains(e.Problems[0].Description, tc.want) {
				t.Fatalf("err = %v, want 400 with %q", err, tc.want)
			}
		})
	}
}

func TestParseRequestFields(t *testing.T) {
	body := "api_key=k&service_code=urban.illegal_parking&lat=+39.9&long=116.4&attribute%5Bblocking%5D%5B%5D=pavement" +
		"&attribute[blocking][]=fire_lane&attribute[vehicle]=car&verification_id=vabc&verification_code=123456&extensions=true&jurisdiction_id=x"
	r, err := ParseRequest([]byte(body), "Application/X-WWW-Form-Urlencoded; Charset=UTF-8")
	if err != nil {
		t.Fatal(err)
	}
	if r.APIKey != "k" || *r.Lat != 39.9 || *r.Long != 116.4 || r.VerificationID != "vabc" || r.VerificationCode != "123456" ||
		!reflect.DeepEqual(r.Attributes, map[string][]string{"blocking": {"pavement", "fire_lane"}, "vehicle": {"car"}}) {
		t.Fatalf("%+v", r)
	}
	// Blank coordinates are none.
	if r, err := ParseRequest([]byte("lat=&long=+"), formType); err != nil || r.Lat != nil || r.Long != nil {
		t.Fatalf("blank lat/long: %+v %v", r, err)
	}
}

// form is a POST body for the shipped catalog with a verified-looking
// contact; tests change fields of it.
func form(changes map[string]string) Request {
	v := url.Values{
		"api_key": {"k"}, "service_code": {"urban.illegal_parking"}, "address_id": {"110105"},
		"description": {"一辆货车停在盲道上已经三天了，请处理。"}, "attribute[vehicle]": {"truck"},
		"phone": {"13800138000"}, "first_name": {"三"}, "last_name": {"张"},
		"verification_id": {"vabc"}, "verification_code": {"123456"},
	}
	for k, val := range changes {
		if val == "" {
			v.Del(k)
		} else {
			v.Set(k, val)
		}
	}
	r, err := ParseRequest([]byte(v.Encode()), formType)
	if err != nil {
		panic(err)
	}
	return r
}

func TestSubmissionOfTheShippedServices(t *testing.T) {
	c := shippedCatalog(t)
	s, err := form(nil).Submission(c)
	if err != nil {
		t.Fatal(err)
	}
	want := ticket.Submission{
		Type: ticket.TypeComplaint, Category: "urban.illegal_parking", Content: "一辆货车停在盲道上已经三天了，请处理。",
		Channel: ticket.ChannelOpen311, Location: &ticket.Location{Region: "110105"},
		Contact:      &ticket.Contact{Name: "张三", Phone: "13800138000"},
		Verification: &ticket.VerificationProof{ID: "vabc", Code: "123456"},
		Language:     ticket.LanguageZH, Attributes: map[string][]string{"vehicle": {"truck"}},
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("submission %+v\nwant       %+v", s, want)
	}
	if err := s.Validate(false); err != nil {
		t.Fatalf("a valid request does not validate: %v", err)
	}

	// Without a phone or an e-mail the ticket is anonymous and keeps no name.
	s, err = form(map[string]string{"phone": "", "verification_id": "", "verification_code": ""}).Submission(c)
	if err != nil || !s.Anonymous || s.Contact != nil || s.Verification != nil {
		t.Fatalf("anonymous: %+v %v", s, err)
	}
	if err := s.Validate(false); err != nil {
		t.Fatal(err)
	}
	// An e-mail without a proof goes on: the intake asks for it, as for
	// every channel.
	s, err = form(map[string]string{"phone": "", "email": "a@example.com", "verification_id": "", "verification_code": ""}).Submission(c)
	if err != nil || s.Contact == nil || s.Contact.Email != "a@example.com" || s.Verification != nil {
		t.Fatalf("unverified e-mail: %+v %v", s, err)
	}

	refused := []struct {
		name    string
		changes map[string]string
		status  int
		want    string
	}{
		{"no service", map[string]string{"service_code": ""}, 400, "service_code was not provided"},
		{"unknown service", map[string]string{"service_code": "urban.nope"}, 404, "service_code urban.nope not found"},
		{"a group", map[string]string{"service_code": "urban"}, 404, "not found"},
		{"no location", map[string]string{"address_id": ""}, 400, "a location is required"},
		{"address id", map[string]string{"address_id": "999999"}, 400, "address_id: must be a GB/T 2260 division code"},
		{"required attribute", map[string]string{"attribute[vehicle]": ""}, 400, "attribute[vehicle]: required"},
		{"attribute value", map[string]string{"attribute[vehicle]": "tank"}, 400, "attribute[vehicle]: must be one of the keys"},
		{"unknown attribute", map[string]string{"attribute[colour]": "red"}, 400, "attribute[colour]: this service has no such attribute"},
		{"device id", map[string]string{"device_id": strings.Repeat("d", 101)}, 400, "device_id: at most 100 characters"},
		{"account id", map[string]string{"account_id": "a\nb"}, 400, "account_id: must not contain control"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := form(tc.changes).Submission(c)
			e := Classify(err)
			if e.Status != tc.status || !strings.Contains(e.Problems[0].Description, tc.want) {
				t.Fatalf("%+v, want %d %q", e, tc.status, tc.want)
			}
		})
	}

	// The shared validation names the fields as the app sent them.
	for changes, want := range map[string]string{
		"description=":                         "description: required",
		"description=太短":                       "description: 10 to 5000 characters",
		"media_url=ftp://x.example/a.jpg":      "media_url: must be an http or https URL",
		"email=not-an-address":                 "email: must be an e-mail address",
		"last_name=" + strings.Repeat("张", 60): "first_name/last_name: at most 50 characters",
		"address_string=a\tb":                  "address_string: must not contain control",
	} {
		name, value, _ := strings.Cut(changes, "=")
		s, err := form(map[string]string{name: value}).Submission(c)
		if err == nil {
			err = s.Validate(false)
		}
		e := Classify(err)
		if e.Status != 400 || !strings.Contains(e.Problems[0].Description, want) {
			t.Errorf("%s: %+v, want %q", changes, e, want)
		}
	}
}

func TestFullName(t *testing.T) {
	for _, tc := range []struct{ first, last, want string }{
		{"三", "张", "张三"}, {"三丰", "张", "张三丰"}, {"john", "smith", "john smith"}, {"John", "", "John"},
		{"", "Smith", "Smith"}, {"", "", ""}, {"Li", "王", "Li 王"}, {" 小明 ", " 王 ", "王小明"},
	} {
		if got := fullName(tc.first, tc.last); got != tc.want {
			t.Errorf("fullName(%q, %q) = %q, want %q", tc.first, tc.last, got, tc.want)
		}
	}
}

// Whatever the body, the parser refuses it with the spec's 400 or gives a
// request whose text is UTF-8 and whose coordinates come in pairs; the
// request then maps to a ticket submission of channel open311 or to a
// client error, never a panic or a 5xx.
func FuzzParseRequest(f *testing.F) {
	for _, seed := range []string{
		specPost, "", "=", "&&", "lat=1&long=2", "attribute[a][]=1&attribute[a][]=2", "attribute[=1",
		"service_code=urban.illegal_parking&address_id=110105&description=" + url.QueryEscape("一辆货车停在盲道上已经三天了") + "&attribute[vehicle]=car",
		"service_code=public_safety.traffic_signal&lat=39.9&long=116.4&attribute[fault]=dark&attribute[seen_at]=2026-11-29T08:30%2B08:00&description=" + url.QueryEscape("路口信号灯一直不亮，很危险"),
		"service_code=other.general&address_string=%E2%80%AE&phone=13800138000&verification_id=v&verification_code=1",
	} {
		f.Add(seed)
	}
	c := shippedCatalog(f)
	f.Fuzz(func(t *testing.T, body string) {
		r, err := ParseRequest([]byte(body), formType)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest || len(e.Problems) == 0 {
				t.Fatalf("form error %#v", err)
			}
			return
		}
		if (r.Lat == nil) != (r.Long == nil) {
			t.Fatal("lat without long")
		}
		for _, s := range []string{r.APIKey, r.ServiceCode, r.Description, r.Phone, r.Email, r.FirstName, r.MediaURL} {
			if !utf8.ValidString(s) {
				t.Fatal("invalid UTF-8 passed")
			}
		}
		s, err := r.Submission(c)
		if err != nil {
			if st := Classify(err).Status; st != 400 && st != 404 {
				t.Fatalf("submission error %d: %v", st, err)
			}
			return
		}
		if s.Channel != ticket.ChannelOpen311 || s.Location == nil || s.Type == "" {
			t.Fatalf("submission %+v", s)
		}
		if _, ok := c.LeafCategory(s.Category); !ok {
			t.Fatalf("category %q is no leaf", s.Category)
		}
		if s.Anonymous == (s.Contact != nil) {
			t.Fatalf("anonymous %v with contact %v", s.Anonymous, s.Contact)
		}
		if err := s.Validate(false); err != nil {
			if st := Classify(err).Status; st != 400 {
				t.Fatalf("validation error %d: %v", st, err)
			}
		}
	})
}
