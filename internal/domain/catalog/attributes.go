package catalog

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/domain/text"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Datatype is the kind of answer an attribute takes; the names are Open311
// GeoReport v2's, so a service definition lists them unchanged.
type Datatype string

// Attribute datatypes (Open311 GeoReport v2, GET Service Definition).
const (
	// DatatypeString is one line of text.
	DatatypeString Datatype = "string"
	// DatatypeNumber is a decimal number.
	DatatypeNumber Datatype = "number"
	// DatatypeDatetime is a W3C date-time (ParseDatetime).
	DatatypeDatetime Datatype = "datetime"
	// DatatypeText is text that may span lines.
	DatatypeText Datatype = "text"
	// DatatypeSingleValueList is one key of Values.
	DatatypeSingleValueList Datatype = "singlevaluelist"
	// DatatypeMultiValueList is one or more keys of Values.
	DatatypeMultiValueList Datatype = "multivaluelist"
)

// Datatypes lists every datatype in the order Open311 names them.
var Datatypes = []Datatype{DatatypeString, DatatypeNumber, DatatypeDatetime, DatatypeText, DatatypeSingleValueList, DatatypeMultiValueList}

// List reports whether the datatype picks from Values.
func (d Datatype) List() bool {
	return d == DatatypeSingleValueList || d == DatatypeMultiValueList
}

// Attribute is a question a leaf category asks beside the content (an Open311
// service definition attribute, e.g. the plate number of an illegally parked
// car). The answers are kept on the ticket for staff; they are never
// published.
type Attribute struct {
	// Code identifies the attribute within its category (attribute[code]=…).
	Code string `json:"code"`
	// Variable attributes take an answer; the others only show Description
	// to the citizen.
	Variable bool     `json:"variable"`
	Datatype Datatype `json:"datatype"`
	Required bool     `json:"required,omitempty"`
	// DatatypeDescription helps the citizen give the answer ("YYYY-MM-DD").
	DatatypeDescription string `json:"datatypeDescription,omitempty"`
	// Order is where the question is shown, 1 first; unique in the category.
	Order       int              `json:"order"`
	Description string           `json:"description"`
	Values      []AttributeValue `json:"values,omitempty"`
}

// AttributeValue is one choice of a list attribute.
type AttributeValue struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Bounds of a category's attributes: a form a citizen fills in on a phone,
// and a stored catalog that stays far below a config item's size.
const (
	MaxAttributes          = 20
	MaxAttributeValues     = 100
	MaxAttributeCodeLen    = 64
	MaxAttributeDescRunes  = 500
	MaxDatatypeDescRunes   = 200
	MaxAttributeValueRunes = 100
	MaxAttributeOrder      = 1000
	// MaxStringAnswerRunes and MaxTextAnswerRunes bound the answers.
	MaxStringAnswerRunes = 200
	MaxTextAnswerRunes   = 2000
	// maxNumberAnswerLen bounds a number as typed: no float needs more.
	maxNumberAnswerLen = 64
	// maxDatetimeLen bounds a W3C date-time as typed (with nanoseconds).
	maxDatetimeLen = 40
	// MaxCategoryDescriptionRunes bounds a category's description.
	MaxCategoryDescriptionRunes = 500
)

var (
	stringAnswer = text.Field{Max: MaxStringAnswerRunes}
	textAnswer   = text.Field{Max: MaxTextAnswerRunes, Multiline: true}
)

// validKey reports whether s is an attribute code or a value key: 1–64
// ASCII letters, digits, _ and -. Open311 servers use upper-case codes
// ("WHISHETN"), so both cases are allowed; they are sent back unchanged in
// form field names, where anything else would need escaping.
func validKey(s string) bool {
	if s == "" || len(s) > MaxAttributeCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// checkAttributes validates a leaf category's attributes.
func checkAttributes(v *validator, where string, attrs []Attribute) {
	if len(attrs) > MaxAttributes {
		v.addf("%s: at most %d attributes", where, MaxAttributes)
		return
	}
	codes, orders := map[string]bool{}, map[int]bool{}
	for i, a := range attrs {
		at := fmt.Sprintf("%s: attributes[%d]", where, i)
		if !validKey(a.Code) {
			v.addf("%s: code %q must be 1–%d characters of A-Z, a-z, 0-9, _ and -", at, clipped(a.Code), MaxAttributeCodeLen)
		} else {
			at = fmt.Sprintf("%s: attribute %s", where, a.Code)
			if codes[a.Code] {
				v.addf("%s: code listed twice", at)
			}
			codes[a.Code] = true
		}
		if !slices.Contains(Datatypes, a.Datatype) {
			v.addf("%s: datatype %q must be one of string, number, datetime, text, singlevaluelist, multivaluelist", at, clipped(string(a.Datatype)))
		}
		if a.Required && !a.Variable {
			v.addf("%s: an attribute that is not variable takes no answer, so it cannot be required", at)
		}
		switch {
		case a.Order < 1 || a.Order > MaxAttributeOrder:
			v.addf("%s: order must be 1 to %d", at, MaxAttributeOrder)
		case orders[a.Order]:
			v.addf("%s: order %d is used by another attribute", at, a.Order)
		}
		orders[a.Order] = true
		if n := utf8.RuneCountInString(a.Description); n == 0 || n > MaxAttributeDescRunes || !printable(a.Description) {
			v.addf("%s: description must be 1–%d printable characters on one line", at, MaxAttributeDescRunes)
		}
		if utf8.RuneCountInString(a.DatatypeDescription) > MaxDatatypeDescRunes || !printable(a.DatatypeDescription) {
			v.addf("%s: datatypeDescription must be up to %d printable characters on one line", at, MaxDatatypeDescRunes)
		}
		checkValues(v, at, a)
	}
}

func checkValues(v *validator, at string, a Attribute) {
	if !a.Datatype.List() {
		if len(a.Values) > 0 {
			v.addf("%s: only singlevaluelist and multivaluelist attributes have values", at)
		}
		return
	}
	if len(a.Values) == 0 || len(a.Values) > MaxAttributeValues {
		v.addf("%s: a list needs 1 to %d values", at, MaxAttributeValues)
		return
	}
	keys := map[string]bool{}
	for j, val := range a.Values {
		switch {
		case !validKey(val.Key):
			v.addf("%s: values[%d]: key %q must be 1–%d characters of A-Z, a-z, 0-9, _ and -", at, j, clipped(val.Key), MaxAttributeCodeLen)
		case keys[val.Key]:
			v.addf("%s: value key %s listed twice", at, val.Key)
		}
		keys[val.Key] = true
		if n := utf8.RuneCountInString(val.Name); n == 0 || n > MaxAttributeValueRunes || !printable(val.Name) {
			v.addf("%s: values[%d]: name must be 1–%d printable characters on one line", at, j, MaxAttributeValueRunes)
		}
	}
}

// CheckAnswers checks a ticket's answers to the category's attributes
// (code → values as sent; several only for multivaluelist) and returns them
// as kept: trimmed, empty answers dropped, list keys deduplicated in the
// order of the definition. Problems are by attribute code in a
// *ticket.ValidationError whose fields are "attribute[<code>]".
func (c Category) CheckAnswers(answers map[string][]string) (map[string][]string, error) {
	fields := map[string]string{}
	kept := map[string][]string{}
	byCode := map[string]Attribute{}
	for _, a := range c.Attributes {
		byCode[a.Code] = a
	}
	for code, values := range answers {
		a, ok := byCode[code]
		field := "attribute[" + clipped(code) + "]"
		switch {
		case !ok:
			fields[field] = "this service has no such attribute"
			continue
		case !a.Variable && hasAnswer(values):
			fields[field] = "this attribute only informs; it takes no answer"
			continue
		}
		out, msg := a.check(values)
		if msg != "" {
			fields[field] = msg
			continue
		}
		if len(out) > 0 {
			kept[code] = out
		}
	}
	for _, a := range c.Attributes {
		if a.Required && len(kept[a.Code]) == 0 {
			if _, bad := fields["attribute["+a.Code+"]"]; !bad {
				fields["attribute["+a.Code+"]"] = "required"
			}
		}
	}
	if len(fields) > 0 {
		return nil, &ticket.ValidationError{Fields: fields}
	}
	if len(kept) == 0 {
		return nil, nil
	}
	return kept, nil
}

func hasAnswer(values []string) bool {
	return slices.ContainsFunc(values, func(s string) bool { return strings.TrimSpace(s) != "" })
}

// check checks the answer to one attribute; "" when it is fine.
func (a Attribute) check(values []string) ([]string, string) {
	var given []string
	for _, s := range values {
		if s = strings.TrimSpace(s); s != "" {
			given = append(given, s)
		}
	}
	if len(given) == 0 {
		return nil, ""
	}
	if a.Datatype != DatatypeMultiValueList && len(given) > 1 {
		return nil, "one value only"
	}
	switch a.Datatype {
	case DatatypeString, DatatypeText:
		f := stringAnswer
		if a.Datatype == DatatypeText {
			f = textAnswer
		}
		kept, msg := f.Check(given[0])
		return []string{kept}, msg
	case DatatypeNumber:
		n, err := strconv.ParseFloat(given[0], 64)
		if len(given[0]) > maxNumberAnswerLen || err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, "must be a number"
		}
		return given, ""
	case DatatypeDatetime:
		if _, err := ParseDatetime(given[0]); err != nil {
			return nil, "must be a date-time such as 2026-11-29T08:30:00+08:00"
		}
		return given, ""
	}
	// A list: keep the keys chosen, in the definition's order.
	chosen := map[string]bool{}
	for _, s := range given {
		if !slices.ContainsFunc(a.Values, func(v AttributeValue) bool { return v.Key == s }) {
			return nil, "must be one of the keys of this attribute's values"
		}
		chosen[s] = true
	}
	var out []string
	for _, v := range a.Values {
		if chosen[v.Key] {
			out = append(out, v.Key)
		}
	}
	return out, ""
}

// DatetimeError says a text is not a W3C date-time.
type DatetimeError struct{ Len int }

func (e *DatetimeError) Error() string {
	return fmt.Sprintf("a date-time of %d bytes is not in a W3C date-time form (2026-11-29, 2026-11-29T08:30:00+08:00)", e.Len)
}

// ParseDatetime reads the W3C date-time profile of ISO 8601 that Open311
// uses (https://www.w3.org/TR/NOTE-datetime): YYYY, YYYY-MM, YYYY-MM-DD, or
// a date with hh:mm, hh:mm:ss or hh:mm:ss.s and a zone (Z or ±hh:mm). The
// forms without a time have no zone: they are the start of that period in
// China, the hotline's time zone.
func ParseDatetime(s string) (time.Time, error) {
	if len(s) > maxDatetimeLen {
		return time.Time{}, &DatetimeError{Len: len(s)}
	}
	var layouts []string
	switch {
	case len(s) == len("2006"):
		layouts = []string{"2006"}
	case len(s) == len("2006-01"):
		layouts = []string{"2006-01"}
	case len(s) == len("2006-01-02"):
		layouts = []string{"2006-01-02"}
	default:
		// Go's parser takes a fraction after the seconds whether or not
		// the layout has one; the W3C form needs the zone, which Z07:00 does.
		layouts = []string{"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00"}
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, ticket.China); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &DatetimeError{Len: len(s)}
}
