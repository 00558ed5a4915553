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
	b, err := os.ReadFile("../../bench/asl-peer/definition.json")
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
