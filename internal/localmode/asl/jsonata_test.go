package asl

import (
	"strings"
	"testing"
)

func TestJSONataExpressions(t *testing.T) {
	scope := &varScope{}
	scope.assign(map[string]any{"v": int64(1), "nul": nil, "arr": []any{}})
	ec := &evalCtx{scope: scope}
	states := (&jsonataStates{input: map[string]any{"xs": []any{int64(1), int64(2), int64(3)}, "empty": []any{}, "n": nil}}).value(ec)
	cases := []struct {
		src, want, kind string
	}{
		{"$sum($states.input.xs) + $v", "7", ""},
		{"$states.input.empty", "[]", ""},
		{"$arr", "[]", ""},
		{"$states.input.n", "null", ""},
		{"$nul = null", "true", ""},
		{"$partition([1,2,3], 2)", "[[1,2],[3]]", ""},
		{"$range(0, 10, 3)", "[0,3,6,9]", ""},
		{"$hash('input', 'SHA-256')", `"c96c6d5be8d08a12e7b5cdc1b207fa6b2430974c86803d8891675e76fd992c20"`, ""},
		{"$parse('{\"a\":[1,null]}')", `{"a":[1,null]}`, ""},
		{"$random(7) = $random(7)", "true", ""},
		{"$string(1.5)", `"1.5"`, ""},
		{"$length($uuid())", "36", ""},
		{"$nope", "", "undefined"},
		{"$randomSeeded(1)", "", "error"},
		{"function($x){$x}", "", "unsupported"},
	}
	for _, c := range cases {
		e, err := compileJSONata("{% " + c.src + " %}")
		if err != nil {
			t.Fatalf("%s: compile: %v", c.src, err)
		}
		// Twice: pooled programs must not keep the last evaluation's bindings.
		for range 2 {
			v, err := e.eval(states, ec)
			if c.kind != "" {
				je, ok := err.(*jsonataEvalError)
				if !ok || je.kind != c.kind {
					t.Errorf("%s: got %v, %v; want a %s error", c.src, v, err, c.kind)
				}
				continue
			}
			if err != nil || string(MarshalJSON(v)) != c.want {
				t.Errorf("%s = %s, %v; want %s", c.src, MarshalJSON(v), err, c.want)
			}
		}
	}
	if _, err := compileJSONata("{% $states.input. %}"); err == nil {
		t.Errorf("a syntax error compiled")
	}
	e, _ := compileJSONata("{% $randomSeeded(1) %}")
	_, err := e.eval(states, ec)
	if je, ok := err.(*jsonataEvalError); !ok || !strings.HasPrefix(je.msg, "T1006: ") {
		t.Errorf("non-function call: %v, want T1006", err)
	}
}

func BenchmarkJSONataEval(b *testing.B) {
	scope := &varScope{}
	scope.assign(map[string]any{"v": int64(1)})
	ec := &evalCtx{scope: scope}
	states := (&jsonataStates{input: map[string]any{"xs": []any{int64(1), int64(2), int64(3)}, "s": "abc"}}).value(ec)
	e, err := compileJSONata("{% {'sum': $sum($states.input.xs) + $v, 'up': $uppercase($states.input.s)} %}")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.eval(states, ec); err != nil {
			b.Fatal(err)
		}
	}
}

func TestJSONSizeExceeds(t *testing.T) {
	for _, v := range []any{
		nil, true, false, int64(-12), 1.5, 1e300, "a\"b\\c\n\x01é\xff", []any{}, map[string]any{},
		map[string]any{"k": []any{int64(1), "x", nil, map[string]any{"a\tb": 2.25}}, "": false},
	} {
		n := len(MarshalJSON(v))
		if jsonSizeExceeds(v, n) || !jsonSizeExceeds(v, n-1) {
			t.Errorf("%s: size %d not computed exactly", MarshalJSON(v), n)
		}
	}
}
