package ticket

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/domain/contact"
)

const validBody = `{
  "type": "complaint",
  "category": "consumer.refund",
  "content": "在某某商店买的电饭煲三天就坏了，商家拒绝退货。",
  "channel": "web",
  "involvedUnit": "某某商店",
  "location": {"region": "110105", "address": "朝阳区某路1号", "lat": 39.9, "lng": 116.4},
  "contact": {"name": "张三", "phone": "13800138000", "email": "a@example.com"},
  "anonymous": false,
  "language": "zh"
}`

func TestParseSubmission(t *testing.T) {
	s, err := ParseSubmission([]byte(validBody))
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != TypeComplaint || s.Category != "consumer.refund" || s.Channel != ChannelWeb ||
		s.Contact == nil || s.Contact.Phone != "13800138000" || s.Location == nil || *s.Location.Lat != 39.9 {
		t.Errorf("decoded %+v", s)
	}
	if err := s.Validate(false); err != nil {
		t.Errorf("valid body: %v", err)
	}

	s, err = ParseSubmission([]byte(`{"type":"consultation","content":"  社保卡丢了怎么补办呢？请告知  ","channel":"app","anonymous":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Language != LanguageZH || s.Content != "社保卡丢了怎么补办呢？请告知" {
		t.Errorf("not normalised: %+v", s)
	}
}

func TestParseSubmissionErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty", ``, "empty"},
		{"array", `[]`, "JSON object"},
		{"null", `null`, "JSON object"},
		{"unknown field", `{"type":"complaint","secret":1}`, `unknown field "secret"`},
		{"wrong type", `{"content": 12}`, "field content: expected a string"},
		{"nested wrong type", `{"location": {"lat": "north"}}`, "field location.lat: expected a number"},
		{"trailing", `{"type":"complaint"} {}`, "after the JSON object"},
		{"syntax", `{"type":}`, "malformed JSON"},
		{"truncated", `{"type":"complaint"`, "JSON"},
		{"bad utf8", "{\"content\":\"\xff\xfe\"}", "UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSubmission([]byte(tc.body))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to mention %q", err, tc.want)
			}
		})
	}

	big := `{"content":"` + strings.Repeat("a", MaxSubmissionBytes) + `"}`
	var tl *TooLargeError
	if _, err := ParseSubmission([]byte(big)); !errors.As(err, &tl) {
		t.Errorf("oversized body: %v", err)
	}
}

func TestParseErrorHidesValues(t *testing.T) {
	_, err := ParseSubmission([]byte(`{"contact":{"phone":13800138000}}`))
	if err == nil || strings.Contains(err.Error(), "13800138000") {
		t.Errorf("error leaks the value: %v", err)
	}
}

func valid() Submission {
	return Submission{
		Type: TypeComplaint, Category: "consumer.refund", Channel: ChannelWeb,
		Content: "在某某商店买的电饭煲三天就坏了，商家拒绝退货。",
		Contact: &Contact{Name: "张三", Phone: "13800138000"},
	}
}

func f64(v float64) *float64 { return &v }

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*Submission)
		operator bool
		fields   []string // empty: valid
	}{
		{"valid", func(*Submission) {}, false, nil},
		{"missing type", func(s *Submission) { s.Type = "" }, false, []string{"type"}},
		{"unknown type", func(s *Submission) { s.Type = "rant" }, false, []string{"type"}},
		{"missing channel", func(s *Submission) { s.Channel = "" }, false, []string{"channel"}},
		{"unknown channel", func(s *Submission) { s.Channel = "fax" }, false, []string{"channel"}},
		{"phone channel by citizen", func(s *Submission) { s.Channel = ChannelPhone }, false, []string{"channel"}},
		{"phone channel by operator", func(s *Submission) { s.Channel = ChannelPhone }, true, nil},
		{"language default", func(s *Submission) { s.Language = "" }, false, nil},
		{"english", func(s *Submission) { s.Language = LanguageEN }, false, nil},
		{"bad language", func(s *Submission) { s.Language = "fr" }, false, []string{"language"}},
		{"no category ok", func(s *Submission) { s.Category = "" }, false, nil},
		{"category upper", func(s *Submission) { s.Category = "Consumer.Refund" }, false, []string{"category"}},
		{"category top level", func(s *Submission) { s.Category = "consumer" }, false, []string{"category"}},
		{"category junk", func(s *Submission) { s.Category = "consumer..refund" }, false, []string{"category"}},
		{"category digit start", func(s *Submission) { s.Category = "consumer.1x" }, false, []string{"category"}},
		{"category three levels", func(s *Submission) { s.Category = "a.b_2.c" }, false, nil},
		{"content missing", func(s *Submission) { s.Content = "   " }, false, []string{"content"}},
		{"content 9 runes", func(s *Submission) { s.Content = "一二三四五六七八九" }, false, []string{"content"}},
		{"content 10 runes", func(s *Submission) { s.Content = " 一二三四五六七八九十 " }, false, nil},
		{"content 5000 runes", func(s *Submission) { s.Content = strings.Repeat("字", 5000) }, false, nil},
		{"content 5001 runes", func(s *Submission) { s.Content = strings.Repeat("字", 5001) }, false, []string{"content"}},
		{"content control char", func(s *Submission) { s.Content = "abcdefghij\x00k" }, false, []string{"content"}},
		{"content newlines ok", func(s *Submission) { s.Content = "第一行内容\n第二行内容\t完" }, false, nil},
		{"unit 200", func(s *Submission) { s.InvolvedUnit = strings.Repeat("店", 200) }, false, nil},
		{"unit 201", func(s *Submission) { s.InvolvedUnit = strings.Repeat("店", 201) }, false, []string{"involvedUnit"}},
		{"anonymous without contact", func(s *Submission) { s.Contact, s.Anonymous = nil, true }, false, nil},
		{"no contact", func(s *Submission) { s.Contact = nil }, false, []string{"contact"}},
		{"name only", func(s *Submission) { s.Contact = &Contact{Name: "张三"} }, false, []string{"contact"}},
		{"email only", func(s *Submission) { s.Contact = &Contact{Email: "a@example.com"} }, false, nil},
		{"bad email", func(s *Submission) { s.Contact.Email = "not-an-email" }, false, []string{"contact.email"}},
		{"email with name", func(s *Submission) { s.Contact.Email = "Zhang <a@example.com>" }, false, []string{"contact.email"}},
		{"email no dot", func(s *Submission) { s.Contact.Email = "a@localhost" }, false, []string{"contact.email"}},
		{"bad phone", func(s *Submission) { s.Contact.Phone = "12345" }, false, []string{"contact.phone"}},
		{"bad phone anonymous still checked", func(s *Submission) { s.Anonymous = true; s.Contact.Phone = "12345" }, false, []string{"contact.phone"}},
		{"name 50", func(s *Submission) { s.Contact.Name = strings.Repeat("名", 50) }, false, nil},
		{"name 51", func(s *Submission) { s.Contact.Name = strings.Repeat("名", 51) }, false, []string{"contact.name"}},
		{"location ok", func(s *Submission) {
			s.Location = &Location{Region: "440305", Lat: f64(22.5), Lng: f64(113.9)}
		}, false, nil},
		{"region 5 digits", func(s *Submission) { s.Location = &Location{Region: "11010"} }, false, []string{"location.region"}},
		{"region letters", func(s *Submission) { s.Location = &Location{Region: "11010a"} }, false, []string{"location.region"}},
		{"region leading 0", func(s *Submission) { s.Location = &Location{Region: "010105"} }, false, []string{"location.region"}},
		{"lat range", func(s *Submission) { s.Location = &Location{Lat: f64(91), Lng: f64(0)} }, false, []string{"location.lat"}},
		{"lng range", func(s *Submission) { s.Location = &Location{Lat: f64(0), Lng: f64(-180.5)} }, false, []string{"location.lng"}},
		{"lat without lng", func(s *Submission) { s.Location = &Location{Lat: f64(30)} }, false, []string{"location"}},
		{"address 201", func(s *Submission) { s.Location = &Location{Address: strings.Repeat("路", 201)} }, false, []string{"location.address"}},
		{"many at once", func(s *Submission) { s.Type, s.Content, s.Contact = "", "", nil }, false, []string{"type", "content", "contact"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			c := *s.Contact
			s.Contact = &c
			tc.edit(&s)
			err := s.Validate(tc.operator)
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *ValidationError, got %v", err)
			}
			if len(ve.Fields) != len(tc.fields) {
				t.Errorf("fields %v, want %v", ve.Fields, tc.fields)
			}
			for _, f := range tc.fields {
				if ve.Fields[f] == "" {
					t.Errorf("no message for %s in %v", f, ve.Fields)
				}
			}
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	e := &ValidationError{Fields: map[string]string{"content": "required", "contact.phone": "bad"}}
	if got, want := e.Error(), "validation failed: contact.phone: bad; content: required"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	s := valid()
	s.Contact.Phone = "13800"
	err := s.Validate(false)
	if err == nil || strings.Contains(err.Error(), "13800") {
		t.Errorf("error leaks the value: %v", err)
	}
}

func TestNewTicket(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, China)
	s := valid()
	s.Contact.Phone = "+86 138 0013 8000"
	tk := s.NewTicket("260302ABCDEF", now)
	if tk.Status != StatusReceived || tk.Language != LanguageZH || tk.Contact == nil ||
		tk.Contact.Phone != "13800138000" || !tk.CreatedAt.Equal(now) || tk.Type != TypeComplaint {
		t.Errorf("ticket %+v contact %+v", tk, tk.Contact)
	}
	s.Anonymous = true
	if tk := s.NewTicket("260302ABCDEF", now); tk.Contact != nil {
		t.Errorf("anonymous ticket keeps contact")
	}
}

func FuzzParseSubmission(f *testing.F) {
	f.Add([]byte(validBody))
	f.Add([]byte(`{"type":"consultation","content":"社保卡丢了怎么补办呢？","channel":"app","anonymous":true}`))
	f.Add([]byte(`{"location":{"lat":1e400}}`))
	f.Add([]byte(`{"contact":{"phone":"+86 (010) 1234-5678","email":"x@y.cn"}}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSubmission(data)
		if err != nil {
			var pe *ParseError
			var tl *TooLargeError
			if !errors.As(err, &pe) && !errors.As(err, &tl) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		// Normalisation is idempotent and validation never panics.
		if n := s.Normalized(); n.Content != s.Content || n.Language != s.Language {
			t.Fatalf("Normalized not idempotent")
		}
		err = s.Validate(true)
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("untyped validation error %T", err)
		}
		if err == nil {
			tk := s.NewTicket("260302ABCDEF", time.Unix(0, 0))
			if tk.Content != s.Content || tk.Status != StatusReceived {
				t.Fatalf("NewTicket lost data")
			}
			if p := tk.Contact; p != nil && p.Phone != "" {
				if q, ok := contact.Phone(p.Phone); !ok || q != p.Phone {
					t.Fatalf("stored phone not canonical")
				}
			}
		}
	})
}

func TestMediaURL(t *testing.T) {
	for _, ok := range []string{
		"http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
		"https://example.com/a%20b.png?size=large#top",
		"https://[2001:db8::1]:8443/p.jpg",
		"https://x.example/" + strings.Repeat("a", MaxMediaURLBytes-len("https://x.example/")),
	} {
		if !ValidMediaURL(ok) {
			t.Errorf("%.60q refused", ok)
		}
	}
	for _, bad := range []string{
		"", "ftp://example.com/a.jpg", "javascript:alert(1)", "data:image/png;base64,AAAA", "//example.com/a.jpg",
		"https:///a.jpg", "https://user:secret@example.com/a.jpg", "https://example.com/a b.jpg",
		"https://例子.测试/a.jpg", "https://example.com/\x00", "mailto:a@example.com",
		"https://x.example/" + strings.Repeat("a", MaxMediaURLBytes),
	} {
		if ValidMediaURL(bad) {
			t.Errorf("%.60q accepted", bad)
		}
	}
}

// Open311's extra fields are set by the Open311 parser, never by a JSON body,
// and the ticket keeps them.
func TestOpen311FieldsOfASubmission(t *testing.T) {
	if _, err := ParseSubmission([]byte(`{"type":"complaint","content":"内容足够长的一段投诉文字","channel":"web","anonymous":true,"mediaUrl":"https://e.example/a.jpg"}`)); err == nil {
		t.Fatal("a JSON body set mediaUrl")
	}
	s := Submission{Type: TypeReport, Content: "路口信号灯一直不亮，很危险", Channel: ChannelOpen311, Anonymous: true,
		MediaURL: " https://e.example/a.jpg ", Attributes: map[string][]string{"fault": {"dark"}}, App: "city-app"}
	if err := s.Validate(false); err != nil {
		t.Fatal(err)
	}
	tk := s.NewTicket("261129ABCDEF", time.Now())
	s.Attributes["fault"][0] = "changed"
	if tk.MediaURL != "https://e.example/a.jpg" || tk.App != "city-app" || tk.Attributes["fault"][0] != "dark" {
		t.Fatalf("ticket = %+v", tk)
	}
	s.MediaURL = "ftp://e.example/a.jpg"
	var ve *ValidationError
	if err := s.Validate(false); !errors.As(err, &ve) || ve.Fields["mediaUrl"] == "" {
		t.Fatalf("bad media URL: %v", err)
	}
}
