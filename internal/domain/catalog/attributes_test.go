package catalog

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// withAttributes is the shipped seed with attrs on consumer.refund.
func withAttributes(t *testing.T, attrs []Attribute) Seed {
	t.Helper()
	s := loadShipped(t).Seed()
	for i := range s.Categories {
		for j := range s.Categories[i].Children {
			if s.Categories[i].Children[j].Code == "consumer.refund" {
				s.Categories[i].Children[j].Attributes = attrs
				return s
			}
		}
	}
	t.Fatal("consumer.refund is not in the shipped seed")
	return Seed{}
}

func brand() Attribute {
	return Attribute{Code: "BRAND", Variable: true, Datatype: DatatypeSingleValueList, Required: true, Order: 1,
		Description: "Which brand?", Values: []AttributeValue{{Key: "123", Name: "Ford"}, {Key: "124", Name: "Chrysler"}}}
}

func TestAttributesLoadAndAreCopies(t *testing.T) {
	c, err := New(withAttributes(t, []Attribute{brand(), {Code: "note", Datatype: DatatypeString, Order: 2, Description: "Bring the receipt."}}))
	if err != nil {
		t.Fatal(err)
	}
	leaf, ok := c.LeafCategory("consumer.refund")
	if !ok || len(leaf.Attributes) != 2 || leaf.Attributes[0].Values[1].Name != "Chrysler" {
		t.Fatalf("leaf = %+v", leaf)
	}
	leaf.Attributes[0].Values[1].Name = "changed"
	again, _ := c.LeafCategory("consumer.refund")
	if again.Attributes[0].Values[1].Name != "Chrysler" {
		t.Fatal("LeafCategory shares the catalog's attribute values")
	}
	// They survive the stored form (the admin API writes Seed as JSON).
	b, err := json.Marshal(c.Seed())
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := back.LeafCategory("consumer.refund"); !reflect.DeepEqual(got.Attributes, again.Attributes) {
		t.Fatalf("after a round trip: %+v", got.Attributes)
	}
}

func TestInvalidAttributesAreListed(t *testing.T) {
	long := strings.Repeat("x", MaxAttributeDescRunes+1)
	tests := []struct {
		name  string
		attrs []Attribute
		want  string
	}{
		{"bad code", []Attribute{{Code: "a b", Datatype: DatatypeString, Order: 1, Description: "d"}}, "code \"a b\""},
		{"duplicate code", []Attribute{{Code: "A", Datatype: DatatypeString, Order: 1, Description: "d"}, {Code: "A", Datatype: DatatypeString, Order: 2, Description: "d"}}, "code listed twice"},
		{"unknown datatype", []Attribute{{Code: "A", Datatype: "date", Order: 1, Description: "d"}}, "datatype \"date\""},
		{"required but not variable", []Attribute{{Code: "A", Datatype: DatatypeString, Required: true, Order: 1, Description: "d"}}, "cannot be required"},
		{"order zero", []Attribute{{Code: "A", Variable: true, Datatype: DatatypeString, Description: "d"}}, "order must be"},
		{"order twice", []Attribute{{Code: "A", Datatype: DatatypeString, Order: 3, Description: "d"}, {Code: "B", Datatype: DatatypeString, Order: 3, Description: "d"}}, "order 3 is used"},
		{"no description", []Attribute{{Code: "A", Datatype: DatatypeString, Order: 1}}, "description must be"},
		{"long description", []Attribute{{Code: "A", Datatype: DatatypeString, Order: 1, Description: long}}, "description must be"},
		{"line break", []Attribute{{Code: "A", Datatype: DatatypeString, Order: 1, Description: "a\nb"}}, "description must be"},
		{"values on a string", []Attribute{{Code: "A", Datatype: DatatypeString, Order: 1, Description: "d", Values: []AttributeValue{{Key: "k", Name: "n"}}}}, "only singlevaluelist"},
		{"list without values", []Attribute{{Code: "A", Variable: true, Datatype: DatatypeMultiValueList, Order: 1, Description: "d"}}, "a list needs"},
		{"value key twice", []Attribute{{Code: "A", Variable: true, Datatype: DatatypeSingleValueList, Order: 1, Description: "d", Values: []AttributeValue{{Key: "k", Name: "n"}, {Key: "k", Name: "m"}}}}, "value key k listed twice"},
		{"value without name", []Attribute{{Code: "A", Variable: true, Datatype: DatatypeSingleValueList, Order: 1, Description: "d", Values: []AttributeValue{{Key: "k"}}}}, "name must be"},
		{"too many", make([]Attribute, MaxAttributes+1), "at most 20 attributes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(withAttributes(t, tc.attrs))
			var le *LoadError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "category consumer.refund") {
				t.Fatalf("err = %v, want a problem of consumer.refund with %q", err, tc.want)
			}
		})
	}
}

func TestOnlyLeavesHaveAttributes(t *testing.T) {
	s := loadShipped(t).Seed()
	s.Categories[0].Attributes = []Attribute{brand()}
	if _, err := New(s); err == nil || !strings.Contains(err.Error(), "only leaf categories have types, a service level and attributes") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckAnswers(t *testing.T) {
	cat := Category{Code: "x.y", Attributes: []Attribute{
		brand(),
		{Code: "colors", Variable: true, Datatype: DatatypeMultiValueList, Order: 2, Description: "Colours?", Values: []AttributeValue{{Key: "r", Name: "red"}, {Key: "g", Name: "green"}, {Key: "b", Name: "blue"}}},
		{Code: "count", Variable: true, Datatype: DatatypeNumber, Order: 3, Description: "How many?"},
		{Code: "when", Variable: true, Datatype: DatatypeDatetime, Order: 4, Description: "When?"},
		{Code: "plate", Variable: true, Datatype: DatatypeString, Order: 5, Description: "Plate?"},
		{Code: "story", Variable: true, Datatype: DatatypeText, Order: 6, Description: "What happened?"},
		{Code: "info", Datatype: DatatypeString, Order: 7, Description: "Bring the receipt."},
	}}
	got, err := cat.CheckAnswers(map[string][]string{
		"BRAND": {"124"}, "colors": {"b", "r", "b"}, "count": {" 3.5 "}, "when": {"2026-11-29T08:30:00+08:00"},
		"plate": {"京A12345"}, "story": {"line one\nline two"}, "info": {""},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"BRAND": {"124"}, "colors": {"r", "b"}, "count": {"3.5"}, "when": {"2026-11-29T08:30:00+08:00"},
		"plate": {"京A12345"}, "story": {"line one\nline two"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("kept %v, want %v", got, want)
	}

	bad := []struct {
		answers map[string][]string
		field   string
		msg     string
	}{
		{map[string][]string{}, "attribute[BRAND]", "required"},
		{map[string][]string{"BRAND": {"  "}}, "attribute[BRAND]", "required"},
		{map[string][]string{"BRAND": {"999"}}, "attribute[BRAND]", "one of the keys"},
		{map[string][]string{"BRAND": {"123", "124"}}, "attribute[BRAND]", "one value only"},
		{map[string][]string{"BRAND": {"123"}, "colors": {"r", "x"}}, "attribute[colors]", "one of the keys"},
		{map[string][]string{"BRAND": {"123"}, "count": {"NaN"}}, "attribute[count]", "must be a number"},
		{map[string][]string{"BRAND": {"123"}, "count": {"1e999"}}, "attribute[count]", "must be a number"},
		{map[string][]string{"BRAND": {"123"}, "when": {"yesterday"}}, "attribute[when]", "date-time"},
		{map[string][]string{"BRAND": {"123"}, "plate": {"a\nb"}}, "attribute[plate]", "control"},
		{map[string][]string{"BRAND": {"123"}, "plate": {strings.Repeat("字", MaxStringAnswerRunes+1)}}, "attribute[plate]", "at most"},
		{map[string][]string{"BRAND": {"123"}, "story": {"\u202eevil"}}, "attribute[story]", "U+202E"},
		{map[string][]string{"BRAND": {"123"}, "info": {"answer"}}, "attribute[info]", "takes no answer"},
		{map[string][]string{"BRAND": {"123"}, "nope": {"1"}}, "attribute[nope]", "no such attribute"},
	}
	for _, tc := range bad {
		_, err := cat.CheckAnswers(tc.answers)
		var ve *ticket.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields[tc.field], tc.msg) {
			t.Errorf("%v: err = %v, want %s: %q", tc.answers, err, tc.field, tc.msg)
		}
	}
	if kept, err := (Category{}).CheckAnswers(nil); kept != nil || err != nil {
		t.Fatalf("no attributes, no answers: %v %v", kept, err)
	}
}

func TestParseDatetime(t *testing.T) {
	china := ticket.China
	ok := map[string]time.Time{
		"2010-01-01T00:00:00Z":          time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC),
		"1994-11-05T08:15:30-05:00":     time.Date(1994, 11, 5, 13, 15, 30, 0, time.UTC),
		"1994-11-05T13:15:30Z":          time.Date(1994, 11, 5, 13, 15, 30, 0, time.UTC),
		"1997-07-16T19:20+01:00":        time.Date(1997, 7, 16, 18, 20, 0, 0, time.UTC),
		"1997-07-16T19:20:30.45+01:00":  time.Date(1997, 7, 16, 18, 20, 30, 450_000_000, time.UTC),
		"2026-11-29":                    time.Date(2026, 11, 29, 0, 0, 0, 0, china),
		"2026-11":                       time.Date(2026, 11, 1, 0, 0, 0, 0, china),
		"2026":                          time.Date(2026, 1, 1, 0, 0, 0, 0, china),
		"2026-11-29T08:30:00.123+08:00": time.Date(2026, 11, 29, 0, 30, 0, 123_000_000, time.UTC),
	}
	for s, want := range ok {
		got, err := ParseDatetime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDatetime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "2026-11-29T08:30:00", "2026-11-29 08:30:00Z", "29/11/2026", "2026-13-01", "2026-11-29T25:00Z", strings.Repeat("9", 50)} {
		if _, err := ParseDatetime(s); err == nil {
			t.Errorf("ParseDatetime(%q) accepted", s)
		}
	}
}

func TestLeavesAndParents(t *testing.T) {
	c := loadShipped(t)
	leaves := c.Leaves()
	if len(leaves) == 0 || leaves[0].Code != "consumer.refund" {
		t.Fatalf("leaves = %v", leaves)
	}
	for _, l := range leaves {
		if !l.Leaf() {
			t.Errorf("%s is not a leaf", l.Code)
		}
		p, ok := c.Parent(l.Code)
		if !ok || !strings.HasPrefix(l.Code, p.Code+".") || p.Name == "" {
			t.Errorf("parent of %s = %+v, %v", l.Code, p, ok)
		}
	}
	if _, ok := c.Parent("consumer"); ok {
		t.Error("a top-level category has a parent")
	}
}
