package asl

import (
	"errors"
	"strings"
	"testing"
)

func TestParseReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		def  string
		want []string // substrings, each must appear in some problem
	}{
		{
			name: "transitions",
			def: `{"StartAt":"A","States":{
				"A":{"Type":"Pass","Next":"Nowhere"},
				"B":{"Type":"Pass","End":true},
				"C":{"Type":"Pass","Next":"B","End":true}}}`,
			want: []string{`state "A": transition to unknown state "Nowhere"`, `state "B": state is not reachable`, `state "C": state has both Next and End`},
		},
		{
			name: "start and fields",
			def:  `{"StartAt":"Missing","States":{"A":{"Type":"Pass","End":true,"Colour":"red"},"B":{"Type":"Sleep","End":true}},"Extra":1}`,
			want: []string{`StartAt "Missing" does not name a state`, `state "A": unknown field Colour`, `unknown field Extra`, `state "B": unknown state type "Sleep"`},
		},
		{
			name: "paths",
			def: `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"foo","ResultPath":"$.a[*]",
				"Parameters":{"x.$":"States.Nope($.a)"},"End":true}}}`,
			want: []string{`field InputPath: JSONPath "foo" must begin with '$'`, `field ResultPath must be a reference path`, `unknown intrinsic function "States.Nope"`},
		},
		{
			name: "retry and catch",
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f",
				"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"],"BackoffRate":0.5,"JitterStrategy":"SOME"}],
				"Catch":[{"ErrorEquals":[],"Next":"Gone"}],"End":true}}}`,
			want: []string{"a retrier with States.ALL must be the last one", "BackoffRate must be >= 1.0", "JitterStrategy must be FULL or NONE",
				"ErrorEquals must be a non-empty array", `transition to unknown state "Gone"`},
		},
		{
			name: "choice and wait",
			def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","StringEquals":1,"Next":"W"},
				{"Variable":"$.b","NumericEquals":1,"BooleanEquals":true,"Next":"W"}]},
				"W":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`,
			want: []string{"StringEquals needs a string operand", "exactly one comparison operator", "Wait needs exactly one of"},
		},
		{
			name: "not json",
			def:  `{"StartAt":`,
			want: []string{"not valid JSON"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.def))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValidationError", err)
			}
			for _, w := range tc.want {
				found := false
				for _, p := range ve.Problems {
					if strings.Contains(p.String(), w) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("no problem mentions %q; got:\n%s", w, strings.ReplaceAll(ve.Error(), "; ", "\n"))
				}
			}
		})
	}
}

func TestParseAcceptsFullDefinition(t *testing.T) {
	def := `{"Comment":"c","TimeoutSeconds":3600,"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","TimeoutSecondsPath":"$.deadline","HeartbeatSeconds":60,
			"Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"ResultSelector":{"a.$":"$.a"},"ResultPath":"$.r",
			"Retry":[{"ErrorEquals":["Transient"],"IntervalSeconds":2,"MaxAttempts":5,"BackoffRate":1.5,"MaxDelaySeconds":30,"JitterStrategy":"FULL"}],
			"Catch":[{"ErrorEquals":["States.Timeout"],"ResultPath":"$.err","Next":"C"},{"ErrorEquals":["States.ALL"],"Next":"F"}],"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Or":[{"Variable":"$.x","IsPresent":false},{"Variable":"$.t","TimestampGreaterThanPath":"$.u"}],"Next":"P"}],"Default":"M"},
		"P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}],"Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"Next":"W"},
		"W":{"Type":"Wait","TimestampPath":"$.when","Next":"S"},
		"S":{"Type":"Succeed"},
		"F":{"Type":"Fail","Error":"E","Cause":"c"}}}`
	sm, err := Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	if sm.StartAt != "T" || len(sm.States) != 7 || sm.States["T"].HeartbeatSeconds != 60 || sm.States["M"].ItemProcessor == nil {
		t.Fatalf("unexpected parse result: %+v", sm)
	}
	if ql := sm.States["T"].QueryLanguage; ql != QueryLanguageJSONPath {
		t.Fatalf("query language %q", ql)
	}
}

func TestIntrinsics(t *testing.T) {
	input := map[string]any{"s": "a,b,,c", "n": int64(3), "arr": []any{int64(1), int64(2), int64(2)}, "obj": map[string]any{"k": "v"}}
	tests := []struct{ expr, want string }{
		{`States.Format('{} has {} items \{literal\}', $.s, $.n)`, `"a,b,,c has 3 items {literal}"`},
		{`States.StringSplit($.s, ',')`, `["a","b","c"]`},
		{`States.ArrayUnique($.arr)`, `[1,2]`},
		{`States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)`, `[[1,2],[3,4],[5]]`},
		{`States.ArrayContains($.arr, 2)`, `true`},
		{`States.ArrayGetItem($.arr, 1)`, `2`},
		{`States.JsonToString($.obj)`, `"{\"k\":\"v\"}"`},
		{`States.StringToJson('{"a":[1]}')`, `{"a":[1]}`},
		{`States.JsonMerge($.obj, States.StringToJson('{"x":1}'), false)`, `{"k":"v","x":1}`},
		{`States.Base64Decode(States.Base64Encode('热线12345'))`, `"热线12345"`},
		{`States.Hash('abc', 'SHA-256')`, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{`States.MathAdd($.n, -1.5)`, `2`},
		{`States.Array('it''s', 1, true, null)`, ``},
	}
	for _, tc := range tests {
		e, err := compileValueExpr(tc.expr)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%s: expected a parse error", tc.expr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		v, err := e.eval(input, &evalCtx{})
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := string(MarshalJSON(v)); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
		}
	}
	// Seeded MathRandom is reproducible and in range; UUIDs are v4.
	e, _ := compileValueExpr(`States.MathRandom(10, 20, 7)`)
	a, _ := e.eval(nil, &evalCtx{})
	b, _ := e.eval(nil, &evalCtx{})
	if ai, ok := a.(int64); !ok || a != b || ai < 10 || ai >= 20 {
		t.Errorf("MathRandom seeded: %v %v", a, b)
	}
	e, _ = compileValueExpr(`States.UUID()`)
	u, _ := e.eval(nil, &evalCtx{})
	if s, _ := u.(string); len(s) != 36 || s[14] != '4' {
		t.Errorf("UUID %v", u)
	}
}

func TestPaths(t *testing.T) {
	input := map[string]any{"a-b": map[string]any{"c": []any{int64(1), map[string]any{"d": "x"}}}, "list": []any{int64(1), int64(2), int64(3)}}
	for _, tc := range []struct{ path, want, err string }{
		{`$['a-b'].c[1].d`, `"x"`, ""},
		{`$.a-b.c[-1].d`, `"x"`, ""},
		{`$.list[*]`, `[1,2,3]`, ""},
		{`$.list[0:2]`, `[1,2]`, ""},
		{`$.nope`, "", `No results for path: $['nope']`},
		{`$.nope.deeper`, "", `Missing property in path $['nope']`},
	} {
		p, err := CompilePath(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		v, err := p.Get(input, nil)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: error %v, want %q", tc.path, err, tc.err)
			}
			continue
		}
		if err != nil || string(MarshalJSON(v)) != tc.want {
			t.Errorf("%s = %s (%v), want %s", tc.path, MarshalJSON(v), err, tc.want)
		}
	}
	// Set copies only the containers on the path.
	p, _ := CompilePath("$.a-b.new.leaf")
	out, err := p.Set(input, "v")
	if err != nil {
		t.Fatal(err)
	}
	if _, touched := input["a-b"].(map[string]any)["new"]; touched {
		t.Fatal("Set mutated its input")
	}
	if got := string(MarshalJSON(out.(map[string]any)["a-b"])); got != `{"c":[1,{"d":"x"}],"new":{"leaf":"v"}}` {
		t.Fatalf("Set result %s", got)
	}
}
