package ticket

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/domain/contact"
	"github.com/hotline12345/hotline/internal/domain/region"
)

// Limits on a submission (API.md, POST /v1/tickets).
const (
	// MaxSubmissionBytes bounds the request body. 5000 runes of content
	// written as \uXXXX escapes take 30 000 bytes; the rest is headroom.
	MaxSubmissionBytes = 64 << 10
	MinContentRunes    = 10
	MaxContentRunes    = 5000
	MaxNameRunes       = 50
	MaxUnitRunes       = 200
	MaxAddressRunes    = 200
	MaxEmailBytes      = contact.MaxEmailBytes
	MaxCategoryLen     = 100
	// MaxMediaURLBytes bounds a media URL: the length browsers and
	// servers reliably handle.
	MaxMediaURLBytes = 2048
)

// Submission is the body of POST /v1/tickets.
type Submission struct {
	Type         Type      `json:"type"`
	Category     string    `json:"category,omitempty"`
	Content      string    `json:"content"`
	Channel      Channel   `json:"channel"`
	InvolvedUnit string    `json:"involvedUnit,omitempty"`
	Location     *Location `json:"location,omitempty"`
	Contact      *Contact  `json:"contact,omitempty"`
	Anonymous    bool      `json:"anonymous"`
	Language     Language  `json:"language,omitempty"`
	// Verification proves the citizen reads the contact's phone or e-mail
	// (API.md v1.1); operators filing a phone call need none.
	Verification *VerificationProof `json:"verification,omitempty"`
	// Attachments are upload ids (POST /v1/uploads) of photos and
	// documents to attach, at most MaxAttachmentsPerBody.
	Attachments []string `json:"attachments,omitempty"`

	// The fields below come from Open311 requests only (package open311
	// fills them); a JSON body cannot set them.

	// MediaURL is Open311's media_url (ValidMediaURL).
	MediaURL string `json:"-"`
	// Attributes are the answers to the category's attributes, checked
	// against them (catalog.Category.CheckAnswers) by the caller.
	Attributes map[string][]string `json:"-"`
	// App is the name of the API key the request came with.
	App string `json:"-"`
}

// VerificationProof is a verification's id and the code it sent.
type VerificationProof struct {
	ID   string `json:"id"`
	Code string `json:"code"`
}

// ParseError says a request body is not a well-formed submission. Its message
// names fields and byte offsets only, never the values, which may be personal data.
type ParseError struct {
	Msg string
}

func (e *ParseError) Error() string { return "invalid request body: " + e.Msg }

// TooLargeError says a body exceeds its size limit (HTTP 413).
type TooLargeError struct {
	Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("request body larger than %d bytes", e.Limit)
}

// ParseSubmission decodes a POST /v1/tickets body strictly: one JSON object,
// UTF-8, no unknown fields, no trailing data. It trims text fields and fills the
// default language but does not validate; call Validate next.
func ParseSubmission(data []byte) (Submission, error) {
	var s Submission
	if err := decodeStrict(data, MaxSubmissionBytes, &s); err != nil {
		return Submission{}, err
	}
	return s.Normalized(), nil
}

// DecodeStrict is the strict JSON decoder for outside input (request bodies and
// configuration files): at most limit bytes (*TooLargeError), valid UTF-8, one
// JSON object, no unknown fields, no trailing data (*ParseError). Its messages
// name fields and offsets, never values.
func DecodeStrict(data []byte, limit int, v any) error { return decodeStrict(data, limit, v) }

func decodeStrict(data []byte, limit int, v any) error {
	if len(data) > limit {
		return &TooLargeError{Limit: limit}
	}
	// encoding/json would silently turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(data) {
		return &ParseError{Msg: "body is not valid UTF-8"}
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return &ParseError{Msg: "body is empty"}
	}
	if trimmed[0] != '{' {
		return &ParseError{Msg: "body must be a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &ParseError{Msg: describeJSONError(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &ParseError{Msg: "unexpected data after the JSON object"}
	}
	return nil
}

// describeJSONError rewrites decoder errors without quoting input values.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("expected %s", typ.Type)
		}
		return fmt.Sprintf("field %s: expected %s", clip(typ.Field, 64), jsonKind(typ.Type.Kind().String()))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "truncated JSON"
	}
	msg := err.Error()
	// "json: unknown field \"x\"" names a key the client sent, not a value.
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + clip(rest, 66)
	}
	return "malformed JSON"
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "float64", "float32", "int", "int64", "int32":
		return "a number"
	case "ptr", "struct", "map":
		return "an object"
	case "slice":
		return "an array"
	}
	return k
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Normalized returns a copy with text fields trimmed and the language defaulted
// to zh. An empty contact or location becomes nil.
func (s Submission) Normalized() Submission {
	s.Category = strings.TrimSpace(s.Category)
	s.Content = strings.TrimSpace(s.Content)
	s.InvolvedUnit = strings.TrimSpace(s.InvolvedUnit)
	s.MediaURL = strings.TrimSpace(s.MediaURL)
	if s.Language == "" {
		s.Language = LanguageZH
	}
	if s.Contact != nil {
		c := Contact{
			Name:  strings.TrimSpace(s.Contact.Name),
			Phone: strings.TrimSpace(s.Contact.Phone),
			Email: strings.TrimSpace(s.Contact.Email),
		}
		s.Contact = &c
		if c == (Contact{}) {
			s.Contact = nil
		}
	}
	if s.Location != nil {
		l := *s.Location
		l.Region = strings.TrimSpace(l.Region)
		l.Address = strings.TrimSpace(l.Address)
		s.Location = &l
		if l.Region == "" && l.Address == "" && l.Lat == nil && l.Lng == nil {
			s.Location = nil
		}
	}
	return s
}

// ValidationError lists what is wrong with a submission, field by field
// (HTTP 400 validation_failed). Keys are JSON paths such as "contact.phone".
type ValidationError struct {
	// Message, when set, is the error's text; the fields say the rest.
	Message string
	Fields  map[string]string
}

func (e *ValidationError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

func (e *ValidationError) add(field, msg string) {
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Validate checks a (normalised) submission and returns a *ValidationError
// listing every bad field, or nil. operator says the caller is an authenticated
// operator: only operators enter phone-channel tickets. Whether the category
// exists is the catalog's business, not checked here.
func (s Submission) Validate(operator bool) error {
	s = s.Normalized()
	v := &ValidationError{Fields: map[string]string{}}

	switch {
	case s.Type == "":
		v.add("type", "required")
	case !s.Type.Valid():
		v.add("type", "must be one of "+joinTypes(Types))
	}
	switch {
	case s.Channel == "":
		v.add("channel", "required")
	case !s.Channel.Valid():
		v.add("channel", "must be one of web, app, wechat, phone, open311")
	case s.Channel == ChannelPhone && !operator:
		v.add("channel", "phone tickets are entered by operators")
	}
	if !s.Language.Valid() {
		v.add("language", "must be zh or en")
	}
	if s.Category != "" && !ValidLeafCode(s.Category) {
		v.add("category", "must be a category code such as consumer.refund")
	}

	checkText(v.Fields, "content", s.Content, contentText)
	if s.MediaURL != "" && !ValidMediaURL(s.MediaURL) {
		v.add("mediaUrl", fmt.Sprintf("must be an http or https URL of at most %d bytes", MaxMediaURLBytes))
	}
	checkText(v.Fields, "involvedUnit", s.InvolvedUnit, unitText)

	if l := s.Location; l != nil {
		if l.Region != "" && !ValidRegion(l.Region) {
			v.add("location.region", "must be a GB/T 2260 administrative division code (list of "+region.Revision+")")
		}
		checkText(v.Fields, "location.address", l.Address, addressText)
		if (l.Lat == nil) != (l.Lng == nil) {
			v.add("location", "lat and lng go together")
		}
		if l.Lat != nil && !(*l.Lat >= -90 && *l.Lat <= 90) {
			v.add("location.lat", "must be between -90 and 90")
		}
		if l.Lng != nil && !(*l.Lng >= -180 && *l.Lng <= 180) {
			v.add("location.lng", "must be between -180 and 180")
		}
	}

	var c Contact
	if s.Contact != nil {
		c = *s.Contact
	}
	checkText(v.Fields, "contact.name", c.Name, nameText)
	if c.Phone != "" {
		if _, ok := contact.Phone(c.Phone); !ok {
			v.add("contact.phone", "must be a mainland mobile number or a landline with area code")
		}
	}
	if c.Email != "" {
		if _, ok := contact.Email(c.Email); !ok {
			v.add("contact.email", "must be an e-mail address")
		}
	}
	if !s.Anonymous && c.Phone == "" && c.Email == "" {
		v.add("contact", "phone or e-mail required unless anonymous")
	}
	var bad *ValidationError
	if err := CheckAttachmentIDs(s.Attachments); errors.As(err, &bad) {
		maps.Copy(v.Fields, bad.Fields)
	}

	if len(v.Fields) > 0 {
		return v
	}
	return nil
}

// NewTicket builds the received ticket for a valid submission. Anonymous tickets
// keep no contact (Ticket.Contact). Phone and e-mail are stored normalised so
// blind indexes of the same contact match.
func (s Submission) NewTicket(id string, now time.Time) *Ticket {
	s = s.Normalized()
	t := &Ticket{
		ID:           id,
		Type:         s.Type,
		Category:     s.Category,
		Channel:      s.Channel,
		Content:      s.Content,
		InvolvedUnit: s.InvolvedUnit,
		MediaURL:     s.MediaURL,
		App:          s.App,
		Language:     s.Language,
		Anonymous:    s.Anonymous,
		Status:       StatusReceived,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	if s.Location != nil {
		l := *s.Location
		t.Location = &l
	}
	if len(s.Attributes) > 0 {
		t.Attributes = make(map[string][]string, len(s.Attributes))
		for k, v := range s.Attributes {
			t.Attributes[k] = slices.Clone(v)
		}
	}
	if s.Contact != nil && !s.Anonymous {
		c := *s.Contact
		if p, ok := contact.Phone(c.Phone); ok {
			c.Phone = p
		}
		if e, ok := contact.Email(c.Email); ok {
			c.Email = e
		}
		t.Contact = &c
	}
	return t
}

func joinTypes(ts []Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// Valid reports whether t is a known ticket type.
func (t Type) Valid() bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if k == c {
			return true
		}
	}
	return false
}

// Valid reports whether l is a supported language.
func (l Language) Valid() bool { return l == LanguageZH || l == LanguageEN }

// ValidCategoryCode reports whether s is a syntactically valid category code:
// dot-separated lowercase segments [a-z][a-z0-9_]*, at most 4 levels.
func ValidCategoryCode(s string) bool { return codeLevels(s) > 0 }

// ValidLeafCode reports whether s can name a leaf category: a valid code with
// at least two levels (top-level codes are groups).
func ValidLeafCode(s string) bool { return codeLevels(s) >= 2 }

func codeLevels(s string) int {
	if s == "" || len(s) > MaxCategoryLen {
		return 0
	}
	segs := strings.Split(s, ".")
	if len(segs) > 4 {
		return 0
	}
	for _, seg := range segs {
		if seg == "" || seg[0] < 'a' || seg[0] > 'z' {
			return 0
		}
		for i := 1; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return 0
			}
		}
	}
	return len(segs)
}

// ValidMediaURL reports whether s may be kept as a media link: an absolute
// http or https URL with a host, no user name or password (a link must not
// carry someone's credentials), at most MaxMediaURLBytes, printable ASCII
// (browsers and clients send non-ASCII percent-encoded).
func ValidMediaURL(s string) bool {
	if s == "" || len(s) > MaxMediaURLBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.Hostname() == "" {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// ValidRegion reports whether s is a division code on the GB/T 2260 list.
func ValidRegion(s string) bool { return region.Valid(s) }
