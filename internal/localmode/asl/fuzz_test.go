package asl

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`))
	f.Add([]byte(`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.a","StringMatches":"x*"},"Next":"S"}],"Default":"S"},"S":{"Type":"Succeed"}}}`))
	f.Add([]byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`))
	f.Add([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"a.$":"States.Format('{}',$.x)"},"Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sm, err := Parse(b)
		if err == nil && (sm == nil || sm.States[sm.StartAt] == nil) {
			t.Fatalf("accepted a definition without a valid StartAt: %s", b)
		}
	})
}

func FuzzIntrinsic(f *testing.F) {
	for _, s := range []string{
		`States.Format('{} {}', $.a, $$.Execution.Id)`,
		`States.Array(1, -2.5, 'x\'y', true, null, States.UUID())`,
		`States.StringToJson($['a b'][0])`,
		`$.a[?(@.b > 1)]`,
		`States.JsonMerge($.a, $.b, false)`,
	} {
		f.Add(s)
	}
	input := map[string]any{"a": []any{map[string]any{"b": int64(2)}}, "b": map[string]any{}}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := compileValueExpr(s)
		if err != nil {
			return
		}
		// Evaluation may fail but must not panic.
		_, _ = e.eval(input, &evalCtx{})
	})
}

// FuzzJSONataExpression feeds outside text through the "{% %}" expression
// compiler and evaluator: errors are fine, panics and hangs are not.
func FuzzJSONataExpression(f *testing.F) {
	for _, s := range []string{
		"$states.input.a", "$sum($states.input.xs) + $v", "$partition([1,2,3], 2)", "$range(0, 9, 3)",
		"$hash('x', 'MD5')", "$parse('{\"a\":1}')", "$contains('a$b', /^a\\$/)", "{'k': [1, null, true]}",
		"$fn := function($x){$x * 2}; $fn(3)", "$states.input.xs[$ > 1]", "$randomSeeded(1)", "(",
	} {
		f.Add(s)
	}
	scope := &varScope{}
	scope.assign(map[string]any{"v": int64(1)})
	ec := &evalCtx{scope: scope}
	states := (&jsonataStates{input: map[string]any{"a": "x", "xs": []any{int64(1), int64(2)}}}).value(ec)
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 200 || strings.Contains(src, "..") {
			return // bound the work: ranges can allocate 1e7 items
		}
		e, err := compileJSONata("{%" + src + "%}")
		if err != nil {
			return
		}
		v, err := e.eval(states, ec)
		if err == nil {
			_ = MarshalJSON(v)
		}
	})
}
