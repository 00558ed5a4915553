package open311

import (
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/region"
	freetext "github.com/hotline12345/hotline/internal/domain/text"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Limits of a POST requests body.
const (
	// MaxFormBytes bounds the body: 5000 characters of description sent
	// percent-encoded take 45,000 bytes (three bytes of UTF-8, three
	// characters each); the rest is headroom.
	MaxFormBytes = 64 << 10
	// maxAttributeFields bounds the attribute[…] fields: a category asks
	// at most catalog.MaxAttributes questions.
	maxAttributeFields = 2 * catalog.MaxAttributes
	// maxAttributeValues bounds the values of one attribute field.
	maxAttributeValues = catalog.MaxAttributeValues
	// maxCoordinateLen bounds lat and long as typed.
	maxCoordinateLen = 32
)

// idText is what device_id and account_id may be: an app's identifier on
// one line.
var idText = freetext.Field{Max: 100}

// Request is a POST requests body: the spec's fields and the hotline's two
// extension fields that prove the citizen's contact.
type Request struct {
	APIKey      string
	ServiceCode string
	// Lat and Long are both set or both nil.
	Lat, Long     *float64
	AddressString string
	AddressID     string
	Email         string
	Phone         string
	FirstName     string
	LastName      string
	DeviceID      string
	AccountID     string
	Description   string
	MediaURL      string
	// Attributes are attribute[code]=value and attribute[code][]=value,
	// by code in the order sent.
	Attributes map[string][]string
	// VerificationID and VerificationCode are the hotline's extension: the
	// answer of POST /v1/verifications and the code sent to the contact.
	VerificationID   string
	VerificationCode string
}

// single are the fields that take one value, with where each goes.
func (r *Request) single() map[string]*string {
	return map[string]*string{
		"api_key": &r.APIKey, "service_code": &r.ServiceCode, "address_string": &r.AddressString,
		"address_id": &r.AddressID, "email": &r.Email, "phone": &r.Phone, "first_name": &r.FirstName,
		"last_name": &r.LastName, "device_id": &r.DeviceID, "account_id": &r.AccountID,
		"description": &r.Description, "media_url": &r.MediaURL,
		"verification_id": &r.VerificationID, "verification_code": &r.VerificationCode,
	}
}

// ParseRequest decodes a POST requests body: form-encoded UTF-8, at most
// MaxFormBytes, each field once (attribute lists apart). Fields the spec or
// the hotline does not define, jurisdiction_id among them (the hotline is
// one jurisdiction), are ignored, as the spec's optional arguments are by
// servers that do not use them. It checks the form only; Submission checks
// the values. Errors quote field names, never values.
func ParseRequest(body []byte, contentType string) (Request, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return Request{}, BadRequest("send the request as Content-Type: application/x-www-form-urlencoded; charset=utf-8")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return Request{}, BadRequest("the body must be UTF-8 (charset=utf-8)")
	}
	if len(body) > MaxFormBytes {
		return Request{}, BadRequest("the body is larger than %d bytes", MaxFormBytes)
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return Request{}, BadRequest("the body is not form-encoded (field=value&…, percent-encoded)")
	}
	var r Request
	fields := r.single()
	for name, vs := range values {
		if !utf8.ValidString(name) {
			return Request{}, BadRequest("a field name is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return Request{}, BadRequest("%s: not valid UTF-8", clip(name))
			}
		}
		if code, isAttr, ok := attributeField(name); isAttr {
			if !ok {
				return Request{}, BadRequest("%s: an attribute field is attribute[code] or attribute[code][]", clip(name))
			}
			if r.Attributes == nil {
				r.Attributes = map[string][]string{}
			}
			r.Attributes[code] = append(r.Attributes[code], vs...)
			if len(r.Attributes) > maxAttributeFields || len(r.Attributes[code]) > maxAttributeValues {
				return Request{}, BadRequest("too many attribute values")
			}
			continue
		}
		dst, known := fields[name]
		if !known && name != "lat" && name != "long" {
			continue
		}
		if len(vs) > 1 {
			return Request{}, BadRequest("%s: given more than once", name)
		}
		if known {
			*dst = vs[0]
		}
	}
	if err := r.coordinates(values); err != nil {
		return Request{}, err
	}
	return r, nil
}

// attributeField reads "attribute[code]" or "attribute[code][]": isAttr says
// the name is an attribute field, ok that it is well-formed.
func attributeField(name string) (code string, isAttr, ok bool) {
	rest, isAttr := strings.CutPrefix(name, "attribute[")
	if !isAttr {
		return "", false, false
	}
	rest = strings.TrimSuffix(rest, "[]")
	code, ok = strings.CutSuffix(rest, "]")
	if !ok || code == "" || strings.ContainsAny(code, "[]") {
		return "", true, false
	}
	return code, true, true
}

// coordinates reads lat and long: both or neither, decimal degrees.
func (r *Request) coordinates(values url.Values) error {
	lat, long := values["lat"], values["long"]
	blank := func(vs []string) bool { return len(vs) == 0 || len(vs) == 1 && strings.TrimSpace(vs[0]) == "" }
	switch {
	case blank(lat) && blank(long):
		return nil
	case blank(lat) || blank(long):
		return BadRequest("lat/long: send both lat and long, or neither")
	}
	parse := func(name, s string) (*float64, error) {
		s = strings.TrimSpace(s)
		f, err := strconv.ParseFloat(s, 64)
		if len(s) > maxCoordinateLen || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, BadRequest("%s: must be a decimal number of degrees (WGS84)", name)
		}
		return &f, nil
	}
	var err error
	if r.Lat, err = parse("lat", lat[0]); err != nil {
		return err
	}
	r.Long, err = parse("long", long[0])
	return err
}

// Submission maps the request to a ticket submission of channel open311
// and checks what only Open311 has: the service, the location the spec
// requires, the attributes against the service definition, device_id and
// account_id. The shared intake validates the rest (content, contact,
// media URL) and proves the contact as for every channel. The ticket's
// type is the service's first: Open311 has no types, the categories list
// their main one first.
func (r Request) Submission(c *catalog.Catalog) (ticket.Submission, error) {
	code := strings.TrimSpace(r.ServiceCode)
	if code == "" {
		return ticket.Submission{}, BadRequest("service_code was not provided")
	}
	leaf, ok := c.LeafCategory(code)
	if !ok {
		return ticket.Submission{}, NotFound("service_code %s not found", clip(code))
	}
	loc, err := r.location()
	if err != nil {
		return ticket.Submission{}, err
	}
	answers, err := leaf.CheckAnswers(r.Attributes)
	if err != nil {
		return ticket.Submission{}, err
	}
	fields := map[string]string{}
	if _, msg := idText.Check(r.DeviceID); msg != "" {
		fields["device_id"] = msg
	}
	if _, msg := idText.Check(r.AccountID); msg != "" {
		fields["account_id"] = msg
	}
	if len(fields) > 0 {
		return ticket.Submission{}, &ticket.ValidationError{Fields: fields}
	}
	s := ticket.Submission{
		Type: leaf.Types[0], Category: leaf.Code, Content: r.Description, Channel: ticket.ChannelOpen311,
		Location: loc, Language: ticket.LanguageZH, MediaURL: r.MediaURL, Attributes: answers,
	}
	if strings.TrimSpace(r.Phone) == "" && strings.TrimSpace(r.Email) == "" {
		// Without a phone or an e-mail nobody can be told anything: the
		// ticket is anonymous, and a name alone is not kept.
		s.Anonymous = true
	} else {
		s.Contact = &ticket.Contact{Name: fullName(r.FirstName, r.LastName), Phone: r.Phone, Email: r.Email}
		if r.VerificationID != "" || r.VerificationCode != "" {
			s.Verification = &ticket.VerificationProof{ID: strings.TrimSpace(r.VerificationID), Code: strings.TrimSpace(r.VerificationCode)}
		}
	}
	return s.Normalized(), nil
}

// location is the ticket's location: lat/long, address_string or
// address_id, one at least (the spec requires a location). The hotline's
// address ids are GB/T 2260 division codes, the only addressing system it
// has.
func (r Request) location() (*ticket.Location, error) {
	l := &ticket.Location{Lat: r.Lat, Lng: r.Long, Address: strings.TrimSpace(r.AddressString)}
	if id := strings.TrimSpace(r.AddressID); id != "" {
		if !region.Valid(id) {
			return nil, BadRequest("address_id: must be a GB/T 2260 division code such as 110105 (this hotline's address ids)")
		}
		l.Region = id
	}
	if l.Lat == nil && l.Address == "" && l.Region == "" {
		return nil, BadRequest("a location is required: lat and long, address_string or address_id")
	}
	return l, nil
}

// fullName joins the given and family names as they are written: family
// name first and no space in Chinese (张 三 → 张三), given name first
// otherwise.
func fullName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	switch {
	case first == "":
		return last
	case last == "":
		return first
	case han(first) && han(last):
		return last + first
	}
	return first + " " + last
}

// han reports whether s is written in Chinese characters only.
func han(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) && r != '·' {
			return false
		}
	}
	return s != ""
}

// StatusFor is the HTTP status of a filing: 201 for a new request, 200 for
// a replayed Idempotency-Key, 202 when it is saved but its workflow did not
// start yet (the sweep starts it).
func StatusFor(replayed, started bool) int {
	switch {
	case !started:
		return http.StatusAccepted
	case replayed:
		return http.StatusOK
	}
	return http.StatusCreated
}
