package asl

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

const benchDefinition = `{"StartAt":"Shape","States":{
	"Shape":{"Type":"Pass","Parameters":{"ticket.$":"$.id","kind.$":"$.kind","n.$":"States.ArrayLength($.tags)"},"Next":"Route"},
	"Route":{"Type":"Choice","Choices":[{"Variable":"$.kind","StringEquals":"complaint","Next":"Mark"}],"Default":"Mark"},
	"Mark":{"Type":"Pass","Result":{"routed":true},"ResultPath":"$.route","Next":"Call"},
	"Call":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:identity","Next":"Done"},
	"Done":{"Type":"Succeed"}}}`

func BenchmarkExecute(b *testing.B) {
	verifySizes.Store(false) // a test-only check
	identity := lambda.NewHandler(func(_ context.Context, v json.RawMessage) (json.RawMessage, error) { return v, nil })
	eng := New(Options{Clock: NewFakeClock(time.Unix(0, 0)), Resolver: MapResolver(map[string]lambda.Handler{"identity": identity})})
	sm, err := eng.CreateStateMachine("bench", []byte(benchDefinition), "")
	if err != nil {
		b.Fatal(err)
	}
	input := []byte(`{"id":"T-1","kind":"complaint","tags":["a","b"]}`)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d, err := eng.Run(ctx, sm.StateMachineArn, "", input)
		if err != nil || d.Status != StatusSucceeded {
			b.Fatalf("%v %+v", err, d)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
}

// The peer benchmark (make bench-asl) must run the very same machine.
func TestBenchDefinitionMatchesPeer(t *testing.T) {
	b, err := os.ReadFile("../../../bench/asl-peer/definition.json")
	if err != nil {
		t.Fatal(err)
	}
	peer, err := ParseJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := ParseJSON([]byte(benchDefinition))
	if err != nil {
		t.Fatal(err)
	}
	if !deepEqual(peer, ours) {
		t.Fatalf("bench/asl-peer/definition.json differs from benchDefinition")
	}
}

// benchState parses benchDefinition and returns the named state with a
// stateRun ready to evaluate it outside an execution.
func benchState(b *testing.B, name string) (*State, *stateRun) {
	sm, err := Parse([]byte(benchDefinition))
	if err != nil {
		b.Fatal(err)
	}
	st := sm.States[name]
	sc := &stateRun{st: st}
	sc.ecv = evalCtx{state: st}
	sc.ec = &sc.ecv
	return st, sc
}

var benchInput = map[string]any{"id": "T-1", "kind": "complaint", "tags": []any{"a", "b"}}

func BenchmarkParametersTemplate(b *testing.B) {
	st, sc := benchState(b, "Shape")
	b.ReportAllocs()
	for b.Loop() {
		if _, serr := sc.template(st.Parameters, benchInput, "Parameters"); serr != nil {
			b.Fatal(serr)
		}
	}
}

func BenchmarkChoice(b *testing.B) {
	_, sc := benchState(b, "Route")
	b.ReportAllocs()
	for b.Loop() {
		if _, next, serr := sc.choice(benchInput); serr != nil || next != "Mark" {
			b.Fatal(serr, next)
		}
	}
}

func BenchmarkResultPath(b *testing.B) {
	st, sc := benchState(b, "Mark")
	b.ReportAllocs()
	for b.Loop() {
		if _, serr := sc.resultPath(benchInput, st.Result, st.ResultPath, false); serr != nil {
			b.Fatal(serr)
		}
	}
}

func BenchmarkMarshalJSON(b *testing.B) {
	v := map[string]any{"kind": "complaint", "n": int64(2), "route": map[string]any{"routed": true}, "ticket": "T-1"}
	b.ReportAllocs()
	for b.Loop() {
		_ = MarshalJSON(v)
	}
}

func BenchmarkLambdaInvoke(b *testing.B) {
	// The floor under BenchmarkExecute's Task: aws-lambda-go's own work.
	identity := lambda.NewHandler(func(_ context.Context, v json.RawMessage) (json.RawMessage, error) { return v, nil })
	p := []byte(`{"kind":"complaint","n":2,"route":{"routed":true},"ticket":"T-1"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := identity.Invoke(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}
