package asl

import (
	"fmt"
	"testing"

	"github.com/ohler55/ojg/oj"
)

// ojgParse is ParseJSON's fallback path on its own.
func ojgParse(b []byte) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("panic %v", p)
		}
	}()
	v, err = oj.Parse(b)
	if err != nil {
		return nil, err
	}
	return normalize(v), nil
}

var fastParseCases = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `-0.0`, `1`, `-1`, `1.0`, `1e0`, `1E+00`, `1e2`, `1.5e0`, `2.5`,
	`9223372036854775807`, `-9223372036854775808`, `9223372036854775808`, `1e400`, `0.1`, `123456789.123456789`,
	`1.7976931348623157e308`, `5e-324`, `""`, `"a"`, `"\u00e9\n\t\"\\\/"`, `"\ud83d\ude00"`, `"é漢😀"`,
	` { "a" : [ 1 , 2 , { "b" : null } ] , "c" : "d" } `, `{"a":1,"a":2}`, `[[[]],[{}]]`,
	`{"id":"T-1","kind":"complaint","tags":["a","b"]}`,
	// malformed: must fall back (and fail) exactly like ojg
	``, ` `, `{`, `[`, `{"a"}`, `{"a":}`, `[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `tru`, `nul`,
	`"abc`, "\"a\x01\"", `"\x"`, `"\u12"`, `1 2`, `{} x`, `NaN`, `Infinity`, "\"\xff\"",
}

func TestFastParseMatchesOjg(t *testing.T) {
	for _, c := range fastParseCases {
		want, werr := ojgParse([]byte(c))
		got, ok := fastParse([]byte(c))
		if !ok {
			continue // ParseJSON falls back to ojg: identical by construction
		}
		if werr != nil {
			t.Errorf("%q: fast parser accepted what ojg rejects (%v)", c, werr)
			continue
		}
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Errorf("%q: fast %#v, ojg %#v", c, got, want)
		}
	}
}

// parseJSONText's text, when given, is exactly MarshalJSON's.
func TestParseJSONTextCanonical(t *testing.T) {
	canonical := 0
	for _, c := range append(fastParseCases, `{"a":1,"b":[true,null,"x"]}`, `{"b":1,"a":2}`, `{"a":1,"a":2}`, `[-0]`, `[1e0]`, `"a\/b"`, `{"é":"ü"}`) {
		v, text, err := parseJSONText([]byte(c))
		if err != nil || text == "" {
			continue
		}
		canonical++
		if got := string(MarshalJSON(v)); got != text || text != c {
			t.Errorf("%q: text %q, renders %q", c, text, got)
		}
	}
	if canonical < 10 {
		t.Fatalf("only %d canonical cases", canonical)
	}
	for _, c := range []string{`{"b":1,"a":2}`, `{"a":1,"a":2}`, `[-0]`, `[1e0]`, `"a\/b"`, ` {}`, `[1.5]`} {
		if _, text, _ := parseJSONText([]byte(c)); text != "" {
			t.Errorf("%q called canonical", c)
		}
	}
}

// The size check trusts that a parsed value renders at most maxJSONGrowth
// times longer than its text.
func TestJSONGrowthBound(t *testing.T) {
	for _, c := range append(fastParseCases, `1e20`, `-1e20`, `1e14`, `[1e20,1e20]`, `{"a":1e19}`, `"\u0001"`, "\"\xff\xfe\"", `1E-7`, `1.5e300`) {
		v, err := ParseJSON([]byte(c))
		if err != nil {
			continue
		}
		if n := len(MarshalJSON(v)); n > renderedBound(len(c)) {
			t.Errorf("%q renders as %d bytes", c, n)
		}
	}
}

func FuzzFastParse(f *testing.F) {
	for _, c := range fastParseCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, text, err := parseJSONText(b); err == nil && text != "" && string(MarshalJSON(v)) != text {
			t.Fatalf("%q: called canonical, renders as %s", b, MarshalJSON(v))
		}
		if v, err := ParseJSON(b); err == nil && len(MarshalJSON(v)) > renderedBound(len(b)) {
			t.Fatalf("%q renders as %d bytes", b, len(MarshalJSON(v)))
		}
		got, ok := fastParse(b)
		if !ok {
			return
		}
		want, err := ojgParse(b)
		if err != nil {
			t.Fatalf("%q: fast parser accepted what ojg rejects (%v)", b, err)
		}
		if !deepEqual(got, want) || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) {
			t.Fatalf("%q: fast %#v, ojg %#v", b, got, want)
		}
	})
}

func BenchmarkParseJSON(b *testing.B) {
	in := []byte(`{"kind":"complaint","n":2,"route":{"routed":true},"ticket":"T-1","tags":["a","b"]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJSON(in); err != nil {
			b.Fatal(err)
		}
	}
}
