package av

import (
	"encoding/json"
	"reflect"
	"testing"
)

// legacyUnmarshal is how Value.UnmarshalJSON decoded the wire form before
// it read it with jsontext: a map of raw messages, each decoded again with
// encoding/json. The new decoder must answer every input as it did.
func legacyUnmarshal(v *Value, b []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		return invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	}
	switch len(fields) {
	case 0:
		return invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	case 1:
	default:
		return invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	for name, raw := range fields {
		k, ok := KindOf(name)
		if !ok {
			return invalid("Supplied AttributeValue has an unknown data type %q", name)
		}
		*v = Value{Kind: k}
		bad := func() error {
			return invalid("One or more parameter values were invalid: the %s value is not of its type", k)
		}
		switch k {
		case S:
			if json.Unmarshal(raw, &v.S) != nil {
				return bad()
			}
			return nil
		case N:
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return bad()
			}
			c, err := canonicalNumber(s)
			if err != nil {
				return &InvalidError{Msg: err.Error()}
			}
			v.S = c
			return nil
		case M:
			if json.Unmarshal(raw, &v.M) != nil || v.M == nil {
				return bad()
			}
			return nil
		case L:
			if json.Unmarshal(raw, &v.L) != nil || v.L == nil {
				return bad()
			}
			return nil
		}
		// The other kinds decode as they did.
		return v.decode(k, raw)
	}
	return nil
}

var wireSamples = []string{
	`{"S":"a"}`, `{"S":"压力\u6d4b试"}`, `{"S":"\ud83d\ude00 \ud800 x"}`, "{\"S\":\"\xff\xfe\"}", `{"S":null}`, `{"S":5}`, `{"S":"a","S":"b"}`,
	`{"S":"a","N":"1"}`, `{}`, `null`, `[]`, `"S"`, `{"X":"1"}`, "{\"\xff\":1}", `{"\u0053":"esc"}`, `{"s":"lower"}`,
	`{"N":"-1.5E3"}`, `{"N":"x"}`, `{"N":null}`, `{"N":1}`, `{"N":"1\u0030"}`,
	`{"M":{"a":{"L":[{"NULL":true}]}}}`, `{"M":{}}`, `{"M":null}`, `{"M":[]}`, `{"M":{"a":null}}`, `{"M":{"a":{"S":"x"},"a":{"N":"2"}}}`,
	`{"M":{"a":{"S":"x"},"a":{"N":"bad"}}}`, `{"M":{"a":{"N":"bad"},"a":{"S":"x"}}}`, `{"M":{"\ud83d\ude00":{"BOOL":true}}}`,
	`{"L":[]}`, `{"L":null}`, `{"L":[{"S":"a"},{"N":"01"}]}`, `{"L":[{"S":"a"},null]}`, `{"L":{}}`, ` { "L" : [ { "S" : "a" } ] } `,
	`{"NS":["1","2"]}`, `{"NS":["1","01"]}`, `{"SS":[]}`, `{"BS":["AA=="]}`, `{"B":"AA=="}`, `{"B":"!"}`, `{"BOOL":true}`, `{"NULL":false}`,
}

func FuzzUnmarshalAsBefore(f *testing.F) {
	for _, s := range wireSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return // encoding/json hands an Unmarshaler valid JSON only
		}
		var got, want Value
		gotErr, wantErr := got.UnmarshalJSON(b), legacyUnmarshal(&want, b)
		if !reflect.DeepEqual(gotErr, wantErr) {
			t.Fatalf("%s: error %v, was %v", b, gotErr, wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %#v, was %#v", b, got, want)
		}
	})
}

func TestUnmarshalAsBefore(t *testing.T) {
	for _, s := range wireSamples {
		var got, want Value
		gotErr, wantErr := got.UnmarshalJSON([]byte(s)), legacyUnmarshal(&want, []byte(s))
		if !reflect.DeepEqual(gotErr, wantErr) || !reflect.DeepEqual(got, want) && wantErr == nil {
			t.Errorf("%s: %#v %v, was %#v %v", s, got, gotErr, want, wantErr)
		}
	}
}
