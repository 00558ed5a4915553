package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func identityHandler() lambda.Handler {
	return lambda.NewHandler(func(_ context.Context, v json.RawMessage) (json.RawMessage, error) { return v, nil })
}

// The benchmark's machine, run inline by Run, records the full history
// with the payloads Step Functions shows.
func TestRunBenchMachineHistory(t *testing.T) {
	eng, _ := newTestEngine(t, map[string]lambda.Handler{"identity": identityHandler()})
	sm := mustCreate(t, eng, benchDefinition)
	d, err := eng.Run(context.Background(), sm, "b", []byte(`{"id":"T-1","kind":"complaint","tags":["a","b"]}`))
	if err != nil || d.Status != StatusSucceeded {
		t.Fatalf("%v %+v", err, d)
	}
	const out = `{"kind":"complaint","n":2,"route":{"routed":true},"ticket":"T-1"}`
	if d.Output != out || d.Input != `{"id":"T-1","kind":"complaint","tags":["a","b"]}` {
		t.Fatalf("%+v", d)
	}
	hist, err := eng.GetExecutionHistory(d.ExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, e := range hist {
		if e.ID != int64(i+1) || e.PreviousEventID != int64(i) || e.Timestamp.IsZero() {
			t.Fatalf("event %d: id %d prev %d ts %v", i, e.ID, e.PreviousEventID, e.Timestamp)
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	shaped := `{"kind":"complaint","n":2,"ticket":"T-1"}`
	want := []string{
		`{"type":"ExecutionStarted","id":1,"previousEventId":0,"executionStartedEventDetails":{"input":"{\"id\":\"T-1\",\"kind\":\"complaint\",\"tags\":[\"a\",\"b\"]}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/r"}}`,
		`{"type":"PassStateEntered","id":2,"previousEventId":1,"stateEnteredEventDetails":{"name":"Shape","input":"{\"id\":\"T-1\",\"kind\":\"complaint\",\"tags\":[\"a\",\"b\"]}","inputDetails":{"truncated":false}}}`,
		`{"type":"PassStateExited","id":3,"previousEventId":2,"stateExitedEventDetails":{"name":"Shape","output":` + jsonQuote(shaped) + `,"outputDetails":{"truncated":false}}}`,
		`{"type":"ChoiceStateEntered","id":4,"previousEventId":3,"stateEnteredEventDetails":{"name":"Route","input":` + jsonQuote(shaped) + `,"inputDetails":{"truncated":false}}}`,
		`{"type":"ChoiceStateExited","id":5,"previousEventId":4,"stateExitedEventDetails":{"name":"Route","output":` + jsonQuote(shaped) + `,"outputDetails":{"truncated":false}}}`,
		`{"type":"PassStateEntered","id":6,"previousEventId":5,"stateEnteredEventDetails":{"name":"Mark","input":` + jsonQuote(shaped) + `,"inputDetails":{"truncated":false}}}`,
		`{"type":"PassStateExited","id":7,"previousEventId":6,"stateExitedEventDetails":{"name":"Mark","output":` + jsonQuote(out) + `,"outputDetails":{"truncated":false}}}`,
		`{"type":"TaskStateEntered","id":8,"previousEventId":7,"stateEnteredEventDetails":{"name":"Call","input":` + jsonQuote(out) + `,"inputDetails":{"truncated":false}}}`,
		`{"type":"LambdaFunctionScheduled","id":9,"previousEventId":8,"lambdaFunctionScheduledEventDetails":{"resource":"arn:aws:lambda:us-east-1:123456789012:function:identity","input":` + jsonQuote(out) + `,"inputDetails":{"truncated":false}}}`,
		`{"type":"LambdaFunctionStarted","id":10,"previousEventId":9}`,
		`{"type":"LambdaFunctionSucceeded","id":11,"previousEventId":10,"lambdaFunctionSucceededEventDetails":{"output":` + jsonQuote(out) + `,"outputDetails":{"truncated":false}}}`,
		`{"type":"TaskStateExited","id":12,"previousEventId":11,"stateExitedEventDetails":{"name":"Call","output":` + jsonQuote(out) + `,"outputDetails":{"truncated":false}}}`,
		`{"type":"SucceedStateEntered","id":13,"previousEventId":12,"stateEnteredEventDetails":{"name":"Done","input":` + jsonQuote(out) + `,"inputDetails":{"truncated":false}}}`,
		`{"type":"SucceedStateExited","id":14,"previousEventId":13,"stateExitedEventDetails":{"name":"Done","output":` + jsonQuote(out) + `,"outputDetails":{"truncated":false}}}`,
		`{"type":"ExecutionSucceeded","id":15,"previousEventId":14,"executionSucceededEventDetails":{"output":` + jsonQuote(out) + `,"outputDetails":{"truncated":false}}}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("history:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// With a cancellable context Run returns when the context ends; the
// execution goes on.
func TestRunCancellableContext(t *testing.T) {
	eng, clk := newTestEngine(t, nil)
	sm := mustCreate(t, eng, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := eng.Run(ctx, sm, "c", nil)
		errc <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := clk.WaitForTimers(wctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	arn := strings.Replace(sm, ":stateMachine:", ":execution:", 1) + ":c"
	if d, _ := eng.DescribeExecution(arn); d.Status != StatusRunning {
		t.Fatalf("%+v", d)
	}
	clk.Advance(time.Minute)
	if d, err := eng.WaitFor(wctx, arn, Done); err != nil || d.Status != StatusSucceeded {
		t.Fatalf("%v %+v", err, d)
	}
}

// An execution Run drives inline is still visible and stoppable from
// other goroutines.
func TestRunInlineStop(t *testing.T) {
	eng, clk := newTestEngine(t, nil)
	sm := mustCreate(t, eng, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	res := make(chan *ExecutionInfo, 1)
	go func() {
		d, err := eng.Run(context.Background(), sm, "s", nil)
		if err != nil {
			t.Error(err)
		}
		res <- d
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := clk.WaitForTimers(wctx, 1); err != nil {
		t.Fatal(err)
	}
	arn := strings.Replace(sm, ":stateMachine:", ":execution:", 1) + ":s"
	if d, _ := eng.DescribeExecution(arn); d.Status != StatusRunning {
		t.Fatalf("%+v", d)
	}
	if _, err := eng.StopExecution(arn, "Stop", "test"); err != nil {
		t.Fatal(err)
	}
	if d := <-res; d.Status != StatusAborted || d.Error != "Stop" {
		t.Fatalf("%+v", d)
	}
}

func TestFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:lambda:us-east-1:123456789012:function:fn":         "fn",
		"arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST": "fn",
		"arn:aws:lambda:us-east-1:123456789012:function:fn:prod":    "fn",
		"123456789012:function:fn":                                  "fn",
		"fn:prod":                                                   "fn",
		"fn":                                                        "fn",
		"a:b:c":                                                     "a:b:c",
		"x:function":                                                "x",
		"a:b:function":                                              "a:b:function",
		"":                                                          "",
	} {
		if got := FunctionName(in); got != want {
			t.Errorf("FunctionName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetainFinished(t *testing.T) {
	clk := NewFakeClock(testStart())
	eng := New(Options{Clock: clk, RetainFinished: 2})
	sm := mustCreate(t, eng, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	wait, err := eng.CreateStateMachine("w", []byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	running, err := eng.StartExecution(wait.StateMachineArn, "running", nil)
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for i := range 100 {
		d, err := eng.Run(context.Background(), sm, fmt.Sprintf("x%d", i), nil)
		if err != nil || d.Status != StatusSucceeded {
			t.Fatalf("%v %+v", err, d)
		}
		arns = append(arns, d.ExecutionArn)
	}
	for i, arn := range arns {
		_, err := eng.GetExecutionHistory(arn)
		var nf *ExecutionDoesNotExistError
		if kept := i >= len(arns)-2; kept != (err == nil) || (!kept && !errors.As(err, &nf)) {
			t.Fatalf("execution %d: %v", i, err)
		}
	}
	list, err := eng.ListExecutions(sm, "")
	if err != nil || len(list) != 2 || list[0].ExecutionArn != arns[99] || list[1].ExecutionArn != arns[98] {
		t.Fatalf("%v %+v", err, list)
	}
	if d, err := eng.DescribeExecution(running.ExecutionArn); err != nil || d.Status != StatusRunning {
		t.Fatalf("%v %+v", err, d)
	}
	// A forgotten name may be used again.
	if d, err := eng.Run(context.Background(), sm, "x0", nil); err != nil || d.Status != StatusSucceeded {
		t.Fatalf("%v %+v", err, d)
	}
}

// Handlers get the LambdaContext and a context that the execution cancels.
func TestHandlerContext(t *testing.T) {
	var got *lambdacontext.LambdaContext
	h := lambda.NewHandler(func(ctx context.Context, v json.RawMessage) (json.RawMessage, error) {
		lc, ok := lambdacontext.FromContext(ctx)
		if !ok {
			return nil, errors.New("no LambdaContext")
		}
		got = lc
		return v, nil
	})
	eng, _ := newTestEngine(t, map[string]lambda.Handler{"fn": h})
	sm := mustCreate(t, eng, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:fn","End":true}}}`)
	d, err := eng.Run(context.Background(), sm, "c", []byte(`{"a":1}`))
	if err != nil || d.Status != StatusSucceeded || d.Output != `{"a":1}` {
		t.Fatalf("%v %+v", err, d)
	}
	if got == nil || len(got.AwsRequestID) != 36 || got.InvokedFunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:fn" {
		t.Fatalf("%+v", got)
	}
}

type constHandler string

func (h constHandler) Invoke(context.Context, []byte) ([]byte, error) { return []byte(h), nil }

// The execution output is MarshalJSON's text of the result whether or not
// the handler's text was already canonical.
func TestOutputTextFromTaskResult(t *testing.T) {
	for _, tc := range []struct{ ret, def, want string }{
		{`{"b":1, "a":2}`, `"Done":{"Type":"Succeed"}`, `{"a":2,"b":1}`},
		{`{"a":2,"b":1}`, `"Done":{"Type":"Succeed"}`, `{"a":2,"b":1}`},
		{`{"a":2,"b":1}`, `"Done":{"Type":"Pass","Result":3,"ResultPath":"$.c","End":true}`, `{"a":2,"b":1,"c":3}`},
		{`{"a":2,"b":1}`, `"Done":{"Type":"Pass","OutputPath":"$.a","End":true}`, `2`},
		{`[1.50,"\u00e9"]`, `"Done":{"Type":"Succeed"}`, `[1.5,"é"]`},
	} {
		eng, _ := newTestEngine(t, map[string]lambda.Handler{"fn": constHandler(tc.ret)})
		sm := mustCreate(t, eng, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:fn","Next":"Done"},`+tc.def+`}}`)
		d, err := eng.Run(context.Background(), sm, "o", nil)
		if err != nil || d.Status != StatusSucceeded || d.Output != tc.want {
			t.Errorf("%s / %s: %v %+v", tc.ret, tc.def, err, d)
		}
	}
}

func TestFunctionNameEdgeCases(t *testing.T) {
	for in, want := range map[string]string{
		"function:fn":                  "fn",
		"function:function:fn":         "function",
		"a:function:function:b":        "function",
		"function":                     "function",
		"a:function:":                  "",
		"arn:aws:lambda:r:1:function:": "",
	} {
		if got := FunctionName(in); got != want {
			t.Errorf("FunctionName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every test run checks the output sizes the engine works out without
// measuring (see verifySizes).
func init() { verifySizes.Store(true) }

func TestOutputSizeLimitExact(t *testing.T) {
	for _, tc := range []struct{ def, out string }{
		{`"P":{"Type":"Pass","Result":"yy","ResultPath":"$.b","End":true}`, `{"a":"xxxx","b":"yy"}`},
		{`"P":{"Type":"Pass","Result":{"r":[1,2]},"ResultPath":"$.a","End":true}`, `{"a":{"r":[1,2]}}`},
		{`"P":{"Type":"Pass","Result":"é\n","ResultPath":"$.c","Next":"C"},"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"S"}]},"S":{"Type":"Succeed"}`, `{"a":"xxxx","c":"é\n"}`},
	} {
		def := `{"StartAt":"P","States":{` + tc.def + `}}`
		for _, limit := range []int{len(tc.out), len(tc.out) - 1} {
			clk := NewFakeClock(testStart())
			eng := New(Options{Clock: clk, MaxPayloadBytes: limit})
			sm := mustCreate(t, eng, def)
			d, err := eng.Run(context.Background(), sm, "s", []byte(`{"a":"xxxx"}`))
			if err != nil {
				t.Fatal(err)
			}
			if ok := limit == len(tc.out); ok && (d.Status != StatusSucceeded || d.Output != tc.out) || !ok && d.Error != ErrDataLimitExceeded {
				t.Errorf("%s, limit %d: %+v", tc.def, limit, d)
			}
		}
	}
}
