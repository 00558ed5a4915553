package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// testStart is when fake clocks in these tests begin.
func testStart() time.Time { return time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC) }

// TransientError and DomainError are handler errors; Step Functions names
// them after the Go type (as the aws-lambda-go runtime reports errorType).
type TransientError struct{ msg string }

func (e TransientError) Error() string { return e.msg }

type DomainError struct{ msg string }

func (e *DomainError) Error() string { return e.msg }

type fakeFunction struct {
	FailTimes int    `json:"failTimes"`
	ErrorType string `json:"errorType"`
}

// countingHandler fails FailTimes times with the configured error type,
// then returns {"calls": n}.
func countingHandler(f fakeFunction) lambda.Handler {
	var mu sync.Mutex
	calls := 0
	return lambda.NewHandler(func(_ context.Context, _ json.RawMessage) (map[string]int, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls <= f.FailTimes {
			msg := fmt.Sprintf("call %d failed", calls)
			switch f.ErrorType {
			case "TransientError":
				return nil, TransientError{msg}
			case "DomainError":
				return nil, &DomainError{msg}
			}
			return nil, errors.New(msg)
		}
		return map[string]int{"calls": calls}, nil
	})
}

// runToEnd drives the fake clock until the execution finishes.
func runToEnd(t testing.TB, eng *Engine, clk *FakeClock, arn string) *ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := eng.AdvanceUntil(ctx, clk, arn, Done)
	if err != nil {
		t.Fatalf("execution %s did not finish: %v", arn, err)
	}
	return d
}

type testCase struct {
	Input      json.RawMessage         `json:"input"`
	Definition json.RawMessage         `json:"definition"`
	Functions  map[string]fakeFunction `json:"functions"`
	Status     string                  `json:"status"`
	Output     json.RawMessage         `json:"output"`
	Error      string                  `json:"error"`
	Cause      *string                 `json:"cause"`
}

func TestExecuteCases(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var tc testCase
			if err := json.Unmarshal(b, &tc); err != nil {
				t.Fatal(err)
			}
			fns := map[string]lambda.Handler{}
			for name, spec := range tc.Functions {
				fns[name] = countingHandler(spec)
			}
			clk := NewFakeClock(testStart())
			eng := New(Options{Clock: clk, Resolver: MapResolver(fns)})
			sm, err := eng.CreateStateMachine("m", tc.Definition, "arn:aws:iam::123456789012:role/r")
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			start, err := eng.StartExecution(sm.StateMachineArn, "case", tc.Input)
			if err != nil {
				t.Fatal(err)
			}
			d := runToEnd(t, eng, clk, start.ExecutionArn)
			if d.Status != tc.Status {
				t.Fatalf("status %s (error %q, cause %q), want %s", d.Status, d.Error, d.Cause, tc.Status)
			}
			if tc.Status == StatusSucceeded {
				got, _ := ParseJSON([]byte(d.Output))
				want, err := ParseJSON(tc.Output)
				if err != nil {
					t.Fatal(err)
				}
				if !DeepEqual(got, want) {
					t.Fatalf("output %s\nwant   %s", d.Output, MarshalJSON(want))
				}
				return
			}
			if d.Error != tc.Error {
				t.Fatalf("error %q (cause %q), want %q", d.Error, d.Cause, tc.Error)
			}
			if tc.Cause != nil && d.Cause != *tc.Cause {
				t.Fatalf("cause %q, want %q", d.Cause, *tc.Cause)
			}
		})
	}
}

func newTestEngine(t testing.TB, fns map[string]lambda.Handler) (*Engine, *FakeClock) {
	t.Helper()
	clk := NewFakeClock(testStart())
	return New(Options{Clock: clk, Resolver: MapResolver(fns)}), clk
}

func mustCreate(t testing.TB, eng *Engine, def string) string {
	t.Helper()
	sm, err := eng.CreateStateMachine("m", []byte(def), "arn:aws:iam::123456789012:role/r")
	if err != nil {
		t.Fatal(err)
	}
	return sm.StateMachineArn
}

func TestWaitUsesClock(t *testing.T) {
	eng, clk := newTestEngine(t, nil)
	sm := mustCreate(t, eng, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	x, err := eng.StartExecution(sm, "w", []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Second)
	if d, _ := eng.DescribeExecution(x.ExecutionArn); d.Status != StatusRunning {
		t.Fatalf("finished after 59s: %s", d.Status)
	}
	clk.Advance(time.Second)
	d, err := eng.WaitFor(ctx, x.ExecutionArn, Done)
	if err != nil || d.Status != StatusSucceeded || d.Output != `{"a":1}` {
		t.Fatalf("%v %+v", err, d)
	}
	if got := d.StopDate.Sub(d.StartDate); got != time.Minute {
		t.Fatalf("duration %v, want 1m", got)
	}
}

func TestRetryBackoffTiming(t *testing.T) {
	eng, clk := newTestEngine(t, map[string]lambda.Handler{
		"flaky": countingHandler(fakeFunction{FailTimes: 3, ErrorType: "TransientError"}),
	})
	sm := mustCreate(t, eng, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:flaky",
		"Retry":[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":3,"MaxAttempts":3,"BackoffRate":2,"MaxDelaySeconds":10}],
		"Parameters":{"retry.$":"$$.State.RetryCount"},"End":true}}}`)
	x, err := eng.StartExecution(sm, "r", nil)
	if err != nil {
		t.Fatal(err)
	}
	d := runToEnd(t, eng, clk, x.ExecutionArn)
	if d.Status != StatusSucceeded || d.Output != `{"calls":4}` {
		t.Fatalf("%+v", d)
	}
	// 3s + 6s + min(12s, 10s)
	if got := d.StopDate.Sub(d.StartDate); got != 19*time.Second {
		t.Fatalf("elapsed %v, want 19s", got)
	}
	hist, _ := eng.GetExecutionHistory(x.ExecutionArn)
	var inputs []string
	fails := 0
	for _, e := range hist {
		if e.LambdaFunctionScheduledEventDetails != nil {
			inputs = append(inputs, e.LambdaFunctionScheduledEventDetails.Input)
		}
		if e.Type == "LambdaFunctionFailed" {
			fails++
			if e.LambdaFunctionFailedEventDetails.Error != "TransientError" {
				t.Fatalf("error name %q", e.LambdaFunctionFailedEventDetails.Error)
			}
		}
	}
	if want := []string{`{"retry":0}`, `{"retry":1}`, `{"retry":2}`, `{"retry":3}`}; strings.Join(inputs, " ") != strings.Join(want, " ") {
		t.Fatalf("inputs %v, want %v", inputs, want)
	}
	if fails != 3 {
		t.Fatalf("%d LambdaFunctionFailed events, want 3", fails)
	}
}

func TestLambdaErrorNamesAndCause(t *testing.T) {
	eng, clk := newTestEngine(t, map[string]lambda.Handler{
		"domain": countingHandler(fakeFunction{FailTimes: 1, ErrorType: "DomainError"}),
		"plain":  countingHandler(fakeFunction{FailTimes: 1}),
	})
	for _, tc := range []struct{ fn, wantErr, wantCause string }{
		{"domain", "DomainError", `{"errorMessage":"call 1 failed","errorType":"DomainError"}`},
		{"plain", "errorString", `{"errorMessage":"call 1 failed","errorType":"errorString"}`},
		{"missing", ErrLambdaResourceNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing:$LATEST"},
	} {
		t.Run(tc.fn, func(t *testing.T) {
			sm, err := eng.CreateStateMachine("m-"+tc.fn, []byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"`+tc.fn+`"},"End":true}}}`), "")
			if err != nil {
				t.Fatal(err)
			}
			x, err := eng.StartExecution(sm.StateMachineArn, "e", nil)
			if err != nil {
				t.Fatal(err)
			}
			d := runToEnd(t, eng, clk, x.ExecutionArn)
			if d.Status != StatusFailed || d.Error != tc.wantErr || !strings.HasPrefix(d.Cause, tc.wantCause) {
				t.Fatalf("got %s %q %q, want FAILED %q %q", d.Status, d.Error, d.Cause, tc.wantErr, tc.wantCause)
			}
		})
	}
}

const callbackDef = `{"StartAt":"Await","States":{"Await":{"Type":"Task",
	"Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
	"Parameters":{"FunctionName":"sink","Payload":{"token.$":"$$.Task.Token"}},
	"TimeoutSeconds":300,"HeartbeatSeconds":60,
	"Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"ResultPath":"$.err","Next":"Late"}],
	"End":true},
	"Late":{"Type":"Pass","End":true}}}`

func sinkHandler() lambda.Handler {
	return lambda.NewHandler(func(context.Context, map[string]any) (string, error) { return "ok", nil })
}

func waitToken(t *testing.T, eng *Engine, clk *FakeClock, arn string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := eng.WaitFor(ctx, arn, WaitingForToken)
	if err != nil || len(d.WaitingTokens) != 1 {
		t.Fatalf("not waiting: %v %+v", err, d)
	}
	// Both the task timeout and the heartbeat timer are armed.
	if err := clk.WaitForTimers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	return d.WaitingTokens[0]
}

func TestCallbackTokenOperations(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	eng, clk := newTestEngine(t, map[string]lambda.Handler{"sink": sinkHandler()})
	sm := mustCreate(t, eng, callbackDef)

	t.Run("heartbeat keeps it alive, failure fails it", func(t *testing.T) {
		x, _ := eng.StartExecution(sm, "fail", []byte(`{}`))
		tok := waitToken(t, eng, clk, x.ExecutionArn)
		clk.Advance(50 * time.Second)
		if err := eng.SendTaskHeartbeat(tok); err != nil {
			t.Fatal(err)
		}
		// The renewed heartbeat timer must exist before time moves on.
		for clk.Pending() < 2 {
			if err := clk.WaitForTimers(ctx, 2); err != nil {
				t.Fatal(err)
			}
		}
		if err := eng.SendTaskFailure(tok, "Operator.Rejected", "not ours"); err != nil {
			t.Fatal(err)
		}
		d, _ := eng.WaitFor(ctx, x.ExecutionArn, Done)
		if d.Status != StatusFailed || d.Error != "Operator.Rejected" || d.Cause != "not ours" {
			t.Fatalf("%+v", d)
		}
		var tto *TaskTimedOutError
		if err := eng.SendTaskSuccess(tok, []byte(`{}`)); !errors.As(err, &tto) {
			t.Fatalf("reuse: %v", err)
		}
	})
	t.Run("heartbeat timeout is caught", func(t *testing.T) {
		x, _ := eng.StartExecution(sm, "hb", []byte(`{}`))
		waitToken(t, eng, clk, x.ExecutionArn)
		clk.Advance(61 * time.Second)
		d, _ := eng.WaitFor(ctx, x.ExecutionArn, Done)
		if d.Status != StatusSucceeded || d.Output != `{"err":{"Cause":"","Error":"States.HeartbeatTimeout"}}` {
			t.Fatalf("%+v", d)
		}
	})
	t.Run("stop aborts and releases the token", func(t *testing.T) {
		x, _ := eng.StartExecution(sm, "stop", []byte(`{}`))
		tok := waitToken(t, eng, clk, x.ExecutionArn)
		if _, err := eng.StopExecution(x.ExecutionArn, "Cancelled", "by operator"); err != nil {
			t.Fatal(err)
		}
		d, _ := eng.DescribeExecution(x.ExecutionArn)
		if d.Status != StatusAborted || d.Error != "Cancelled" {
			t.Fatalf("%+v", d)
		}
		var tto *TaskTimedOutError
		if err := eng.SendTaskSuccess(tok, []byte(`{}`)); !errors.As(err, &tto) {
			t.Fatalf("after stop: %v", err)
		}
		hist, _ := eng.GetExecutionHistory(x.ExecutionArn)
		if last := hist[len(hist)-1]; last.Type != "ExecutionAborted" {
			t.Fatalf("last event %s", last.Type)
		}
	})
	t.Run("token errors", func(t *testing.T) {
		var inv *InvalidTokenError
		if err := eng.SendTaskHeartbeat("garbage"); !errors.As(err, &inv) {
			t.Fatalf("garbage: %v", err)
		}
		var tde *TaskDoesNotExistError
		if err := eng.SendTaskSuccess(newToken(), []byte(`{}`)); !errors.As(err, &tde) {
			t.Fatalf("unknown: %v", err)
		}
	})
}

func TestStartExecutionNameSemantics(t *testing.T) {
	eng, clk := newTestEngine(t, nil)
	sm := mustCreate(t, eng, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`)
	first, err := eng.StartExecution(sm, "T-100", []byte(`{"id":"T-100"}`))
	if err != nil {
		t.Fatal(err)
	}
	again, err := eng.StartExecution(sm, "T-100", []byte(`{ "id" : "T-100" }`))
	if err != nil || again.ExecutionArn != first.ExecutionArn {
		t.Fatalf("same input while running should return the execution: %v", err)
	}
	var exists *ExecutionAlreadyExistsError
	if _, err := eng.StartExecution(sm, "T-100", []byte(`{"id":"other"}`)); !errors.As(err, &exists) {
		t.Fatalf("different input: %v", err)
	}
	runToEnd(t, eng, clk, first.ExecutionArn)
	if _, err := eng.StartExecution(sm, "T-100", []byte(`{"id":"T-100"}`)); !errors.As(err, &exists) {
		t.Fatalf("after finish: %v", err)
	}
	var bad *InvalidNameError
	if _, err := eng.StartExecution(sm, "has space", nil); !errors.As(err, &bad) {
		t.Fatalf("bad name: %v", err)
	}
	var noSM *StateMachineDoesNotExistError
	if _, err := eng.StartExecution(sm+"x", "a", nil); !errors.As(err, &noSM) {
		t.Fatalf("unknown machine: %v", err)
	}
}

func TestHistoryShape(t *testing.T) {
	eng, clk := newTestEngine(t, map[string]lambda.Handler{"id": lambda.NewHandler(func(_ context.Context, v map[string]any) (map[string]any, error) { return v, nil })})
	sm := mustCreate(t, eng, `{"StartAt":"P","States":{
		"P":{"Type":"Pass","Result":{"x":1},"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"T"}],"Default":"F"},
		"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:id","Next":"S"},
		"F":{"Type":"Fail","Error":"No"},
		"S":{"Type":"Succeed"}}}`)
	x, _ := eng.StartExecution(sm, "h", nil)
	d := runToEnd(t, eng, clk, x.ExecutionArn)
	if d.Status != StatusSucceeded {
		t.Fatalf("%+v", d)
	}
	hist, _ := eng.GetExecutionHistory(x.ExecutionArn)
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered", "ChoiceStateExited",
		"TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
		"SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"}
	if len(hist) != len(want) {
		t.Fatalf("%d events, want %d", len(hist), len(want))
	}
	for i, e := range hist {
		if e.Type != want[i] || e.ID != int64(i+1) || e.PreviousEventID != int64(i) || e.Timestamp.IsZero() {
			t.Fatalf("event %d = %s id %d prev %d, want %s", i, e.Type, e.ID, e.PreviousEventID, want[i])
		}
	}
	if got := hist[5].StateEnteredEventDetails; got.Name != "T" || got.Input != `{"x":1}` {
		t.Fatalf("TaskStateEntered details %+v", got)
	}
}

func TestExecutionTimeout(t *testing.T) {
	eng, clk := newTestEngine(t, nil)
	sm := mustCreate(t, eng, `{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`)
	x, _ := eng.StartExecution(sm, "to", nil)
	d := runToEnd(t, eng, clk, x.ExecutionArn)
	if d.Status != StatusTimedOut || d.StopDate.Sub(d.StartDate) != 5*time.Second {
		t.Fatalf("%+v", d)
	}
}
