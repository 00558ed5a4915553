package av

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestNumbersAreCanonicalAndChecked(t *testing.T) {
	for in, want := range map[string]string{
		"1.50": "1.5", "15E-1": "1.5", "-0": "0", "0.000": "0", "007": "7", "1e2": "100",
		"-12.3400": "-12.34", "1E-130": "0." + strings.Repeat("0", 129) + "1",
		"99999999999999999999999999999999999999": "99999999999999999999999999999999999999",
	} {
		v, err := ParseNumber(in)
		if err != nil || v.S != want {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q", in, v.S, err, want)
		}
	}
	for in, want := range map[string]error{
		"": ErrNotANumber, "abc": ErrNotANumber, " 1": ErrNotANumber, "NaN": ErrNotANumber, "Infinity": ErrNotANumber,
		"123456789012345678901234567890123456789": ErrTooManyDigits,
		"1E+126": ErrNumberOverflow, "-1E+126": ErrNumberOverflow, "1E-131": ErrUnderflow,
	} {
		if _, err := ParseNumber(in); !errors.Is(err, want) {
			t.Errorf("ParseNumber(%q) = %v, want %v", in, err, want)
		}
	}
	sum, err := Add(Num("0.1"), Num("0.2"))
	if err != nil || sum.S != "0.3" {
		t.Errorf("0.1 + 0.2 = %q, %v", sum.S, err)
	}
	if _, err := Add(Num("9.9999999999999999999999999999999999999E+125"), Num("1E+125")); !errors.Is(err, ErrNumberOverflow) {
		t.Errorf("overflowing sum: %v", err)
	}
	diff, err := Sub(Num("5"), Num("7.25"))
	if err != nil || diff.S != "-2.25" {
		t.Errorf("5 - 7.25 = %q, %v", diff.S, err)
	}
}

func TestWireFormRoundTripsAndRefusesWhatDynamoDBRefuses(t *testing.T) {
	in := `{"a":{"S":"x<y"},"b":{"N":"1.50"},"c":{"B":"AAEC"},"d":{"BOOL":false},"e":{"NULL":true},` +
		`"f":{"M":{"g":{"L":[{"S":"h"},{"N":"2"}]}}},"i":{"SS":["p","q"]},"j":{"NS":["1","2.0"]},"k":{"BS":["AA==","AQ=="]}}`
	var it Item
	if err := json.Unmarshal([]byte(in), &it); err != nil {
		t.Fatal(err)
	}
	if it["b"].S != "1.5" || it["j"].Strs[1] != "2" || !bytes.Equal(it["c"].B, []byte{0, 1, 2}) {
		t.Fatalf("decoded %+v", it)
	}
	out, _ := json.Marshal(it)
	var again Item
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatal(err)
	}
	for k, v := range it {
		if !Equal(v, again[k]) {
			t.Errorf("%s: %s did not round-trip", k, out)
		}
	}
	for _, bad := range []string{
		`{}`, `{"S":"a","N":"1"}`, `{"NULL":false}`, `{"SS":[]}`, `{"NS":["1","1.0"]}`, `{"SS":["a","a"]}`,
		`{"BS":[]}`, `{"N":"x"}`, `{"N":1}`, `{"X":"1"}`, `{"M":null}`, `[]`,
	} {
		var v Value
		err := json.Unmarshal([]byte(bad), &v)
		var inv *InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("%s: %v, want an InvalidError", bad, err)
		}
	}
}

func TestEqualComparesByValue(t *testing.T) {
	a := Value{Kind: SS, Strs: []string{"x", "y"}}
	b := Value{Kind: SS, Strs: []string{"y", "x"}}
	if !Equal(a, b) || Equal(a, Value{Kind: SS, Strs: []string{"x"}}) || Equal(Str("1"), Num("1")) {
		t.Error("set or kind equality wrong")
	}
	if c, ok := Compare(Num("10"), Num("9")); !ok || c <= 0 {
		t.Error("numbers compare as text")
	}
	if _, ok := Compare(Str("1"), Num("1")); ok {
		t.Error("S and N compared")
	}
}

func TestItemSizeFollowsDynamoDBRules(t *testing.T) {
	it := Item{"id": Str("abc"), "n": Num("12345"), "ok": {Kind: BOOL, Bool: true},
		"m": {Kind: M, M: map[string]Value{"k": Str("vv")}}}
	// id 2+3, n 1+(5+1)/2+1=5, ok 2+1, m 1+3+(1+1+2)
	if got, want := it.Size(), 5+5+3+8; got != want {
		t.Errorf("size %d, want %d", got, want)
	}
}

// Strings are written byte for byte as encoding/json writes them.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abc", "压力测试工单", "a\"b\\c", "<&>", "\u2028\u2029", "\x00\x1f\x7f", "\xff\xfeok", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("appendString(%q) = %s, want x%s", s, got, want)
		}
	})
}

// numberSize counts a number's significant digits: zeros at either end,
// the sign and the point are free.
func FuzzNumberSize(f *testing.F) {
	for _, s := range []string{"0", "-0.000", "12345", "100", "0.001", "-120.0340", "1e5", "00100200", "", "9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The definition, spelt out.
		sig := strings.Trim(strings.NewReplacer("-", "", ".", "").Replace(s), "0")
		want := 1
		if len(sig) > 0 {
			want = (len(sig)+1)/2 + 1
		}
		if got := numberSize(s); got != want {
			t.Fatalf("numberSize(%q) = %d, want %d", s, got, want)
		}
	})
}

// Key forms sort as their values and read back as the values, whatever
// follows them in a composite key.
func TestKeyFormsSortAsValues(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func(k Kind) Value {
		switch k {
		case S:
			b := make([]byte, r.IntN(4))
			for i := range b {
				b[i] = []byte{0x00, 0x01, 'a', 'b', 0xFF, 0xC3}[r.IntN(6)]
			}
			return Str(string(b))
		case B:
			b := make([]byte, r.IntN(4))
			for i := range b {
				b[i] = []byte{0x00, 0x01, 0x02, 0xFE, 0xFF}[r.IntN(5)]
			}
			return Bin(b)
		default:
			digits := strconv.Itoa(r.IntN(100000))
			exp := r.IntN(260) - 130
			s := digits + "E" + strconv.Itoa(exp)
			if r.IntN(2) == 0 {
				s = "-" + s
			}
			v, err := ParseNumber(s)
			if err != nil {
				return Num("0")
			}
			return v
		}
	}
	for _, k := range []Kind{S, N, B} {
		for range 3000 {
			a, b := gen(k), gen(k)
			ka, kb := AppendKey(nil, a), AppendKey(nil, b)
			want, _ := Compare(a, b)
			if got := bytes.Compare(ka, kb); sign(got) != sign(want) {
				t.Fatalf("%s: %q vs %q: bytes %d, values %d", k, a.S+string(a.B), b.S+string(b.B), got, want)
			}
			// A trailing part must not change the order or the reading.
			back, rest, err := ReadKey(append(ka, 0x00, 0x07), k)
			if err != nil || !Equal(back, a) || !bytes.Equal(rest, []byte{0x00, 0x07}) {
				t.Fatalf("%s: read back %+v rest %v err %v, want %+v", k, back, rest, err, a)
			}
		}
	}
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

func FuzzValueJSON(f *testing.F) {
	for _, s := range []string{`{"S":"a"}`, `{"N":"-1.5E3"}`, `{"M":{"a":{"L":[{"NULL":true}]}}}`, `{"NS":["1","2"]}`, `{"BS":["AA=="]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v Value
		if err := json.Unmarshal(b, &v); err != nil {
			return
		}
		out, _ := json.Marshal(v)
		var again Value
		if err := json.Unmarshal(out, &again); err != nil || !Equal(v, again) {
			t.Fatalf("%s -> %s did not round-trip: %v", b, out, err)
		}
		item := Item{"a": v, "": {Kind: NULL}}
		back, err := DecodeBinary(item.AppendBinary(nil))
		if err != nil || len(back) != 2 || !Equal(back["a"], v) {
			t.Fatalf("binary form of %s: %+v %v", out, back, err)
		}
		if v.IsScalar() && v.Kind != B {
			back, rest, err := ReadKey(AppendKey(nil, v), v.Kind)
			if err != nil || len(rest) != 0 || !Equal(back, v) {
				t.Fatalf("key form of %s: %+v %v", out, back, err)
			}
		}
	})
}

func TestNumberErrorsAreInvalid(t *testing.T) {
	_, err := Add(Num("9.9999999999999999999999999999999999999E+125"), Num("1E+125"))
	var inv *InvalidError
	if !errors.As(err, &inv) || inv.Msg != ErrNumberOverflow.Error() {
		t.Errorf("%v, want the overflow as an InvalidError", err)
	}
}

// Damaged bytes are refused, never a panic or a huge allocation.
func FuzzDecodeBinary(f *testing.F) {
	f.Add(Item{"a": Str("x"), "m": {Kind: M, M: map[string]Value{"n": Num("1")}}}.AppendBinary(nil))
	f.Add([]byte{0x05, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		it, err := DecodeBinary(b)
		if err != nil {
			return
		}
		enc := it.AppendBinary(nil)
		if again, err := DecodeBinary(enc); err != nil || len(again) != len(it) {
			t.Fatalf("%x decoded to %+v, which does not round-trip: %v", b, it, err)
		}
		if len(enc) != mapBinarySize(it) {
			t.Fatalf("%+v: binary form of %d bytes, sized %d", it, len(enc), mapBinarySize(it))
		}
	})
}
