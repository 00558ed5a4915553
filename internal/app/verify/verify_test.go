package verify

import (
	"testing"

	"github.com/hotline12345/hotline/internal/domain/contact"
)

// Whatever the body, ParseRequest either refuses it or gives exactly one
// recipient a code can go to: a mainland mobile number or an e-mail address.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{`{"phone":"13800138000"}`, `{"email":"a@example.com","language":"en"}`,
		`{"phone":"010-62345678"}`, `{"phone":"13800138000","email":"a@example.com"}`, `{}`, `[]`, `{"phone":1}`, `{"x":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseRequest(body)
		if err != nil {
			return
		}
		_, emailOK := contact.Email(r.Email)
		switch {
		case r.Phone != "" && r.Email != "":
			t.Fatalf("two recipients: %+v", r)
		case r.Phone != "" && contact.MobileE164(r.Phone) == "":
			t.Fatalf("not a mobile number: %q", r.Phone)
		case r.Phone == "" && !emailOK:
			t.Fatalf("not an address: %q", r.Email)
		case !r.Language.Valid():
			t.Fatalf("language %q", r.Language)
		}
	})
}
