package asl

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// A reduced version of the ticket workflow (DESIGN §3): a department reply
// is awaited with a deadline from the input; on States.Timeout the ticket is
// marked overdue and awaited again; a reply then closes it.
const dispatchDef = `{
  "StartAt": "Dispatch",
  "States": {
    "Dispatch": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "dispatch", "Payload": {"ticketId.$": "$.ticketId", "taskToken.$": "$$.Task.Token"}},
      "TimeoutSecondsPath": "$.replyDeadlineSeconds",
      "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 1, "MaxAttempts": 2, "JitterStrategy": "FULL"}],
      "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "MarkOverdue"}],
      "ResultPath": "$.reply",
      "Next": "Close"
    },
    "MarkOverdue": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:overdue",
      "ResultPath": "$.overdue",
      "Next": "Dispatch"
    },
    "Close": {"Type": "Succeed"}
  }
}`

func TestDispatchTimeoutLoop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tokens := make(chan string, 4)
	overdue := 0
	eng, clk := newTestEngine(t, map[string]lambda.Handler{
		"dispatch": lambda.NewHandler(func(_ context.Context, in struct {
			TicketID  string `json:"ticketId"`
			TaskToken string `json:"taskToken"`
		}) error {
			tokens <- in.TaskToken
			return nil
		}),
		"overdue": lambda.NewHandler(func(context.Context, json.RawMessage) (int, error) {
			overdue++
			return overdue, nil
		}),
	})
	sm := mustCreate(t, eng, dispatchDef)
	x, err := eng.StartExecution(sm, "T-42", []byte(`{"ticketId":"T-42","replyDeadlineSeconds":86400}`))
	if err != nil {
		t.Fatal(err)
	}
	first := <-tokens
	// Move time only once the task waits for its callback.
	if _, err := eng.WaitFor(ctx, x.ExecutionArn, WaitingForToken); err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	second := <-tokens
	if second == first {
		t.Fatal("a new attempt must get a new token")
	}
	if err := eng.SendTaskSuccess(second, []byte(`{"status":"replied"}`)); err != nil {
		t.Fatal(err)
	}
	d, err := eng.WaitFor(ctx, x.ExecutionArn, Done)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != StatusSucceeded {
		t.Fatalf("%+v", d)
	}
	out, _ := ParseJSON([]byte(d.Output))
	want, _ := ParseJSON([]byte(`{"ticketId":"T-42","replyDeadlineSeconds":86400,"overdue":1,
		"timeout":{"Error":"States.Timeout","Cause":""},"reply":{"status":"replied"}}`))
	if !DeepEqual(out, want) {
		t.Fatalf("output %s", d.Output)
	}
	hist, _ := eng.GetExecutionHistory(x.ExecutionArn)
	var types []string
	for _, e := range hist {
		if strings.HasPrefix(e.Type, "Task") && !strings.HasSuffix(e.Type, "StateEntered") && !strings.HasSuffix(e.Type, "StateExited") {
			types = append(types, e.Type)
		}
	}
	if got := strings.Join(types, ","); got != "TaskScheduled,TaskStarted,TaskSubmitted,TaskTimedOut,TaskScheduled,TaskStarted,TaskSubmitted,TaskSucceeded" {
		t.Fatalf("task events %s", got)
	}
}

func TestRealClockSpeed(t *testing.T) {
	c := &RealClock{Speed: 3600}
	start := c.Now()
	timer := c.NewTimer(time.Second) // ~0.3 ms of wall time
	select {
	case <-timer.C():
	case <-time.After(5 * time.Second):
		t.Fatal("accelerated timer did not fire")
	}
	if elapsed := c.Now().Sub(start); elapsed < time.Second {
		t.Fatalf("accelerated clock advanced only %v", elapsed)
	}
}

// At 10,000× speed a task's TimeoutSeconds and HeartbeatSeconds are still
// real seconds, while Wait states and a callback's deadline pass at the
// sped-up rate. Real time is a FakeClock the test moves; the workflow clock
// is it scaled 10,000×.
func TestSpeedShortensWaitsAndDeadlinesNotTaskTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const speed = 10000
	real := NewFakeClock(testStart())
	workflow := &ScaledClock{Base: real, Speed: speed}
	// Each call takes 10 ms of real time: 100 s of workflow time, more than
	// the tasks' 60 s timeout, and more than 60 s / 10,000 of real time.
	slow := func(context.Context, json.RawMessage) (string, error) {
		real.Advance(10 * time.Millisecond)
		return "done", nil
	}
	park := func(context.Context, json.RawMessage) error { return nil }
	eng := New(Options{Clock: workflow, TaskClock: real, Resolver: MapResolver(map[string]lambda.Handler{
		"slow": lambda.NewHandler(slow),
		"park": lambda.NewHandler(park),
	})})
	sm := mustCreate(t, eng, `{
	  "StartAt": "Hour",
	  "States": {
	    "Hour": {"Type": "Wait", "Seconds": 3600, "Next": "Function"},
	    "Function": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
	      "TimeoutSeconds": 60, "ResultPath": "$.function", "Next": "Service"},
	    "Service": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
	      "Parameters": {"FunctionName": "slow"}, "TimeoutSeconds": 60,
	      "ResultSelector": {"p.$": "$.Payload"}, "ResultPath": "$.service", "Next": "Reply"},
	    "Reply": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
	      "Parameters": {"FunctionName": "park", "Payload": {"token.$": "$$.Task.Token"}},
	      "TimeoutSeconds": 86400, "HeartbeatSeconds": 3600, "ResultPath": "$.reply",
	      "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.overdue", "Next": "Done"}],
	      "Next": "Done"},
	    "Done": {"Type": "Succeed"}
	  }
	}`)
	start := real.Now()
	x, err := eng.StartExecution(sm, "fast", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	// The hour's Wait is the only timer at first: 0.36 s of real time.
	if err := real.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	real.AdvanceToNext()
	// The two slow tasks run on their own; the reply task then parks. Its
	// earliest timer is the day's deadline on the workflow clock (8.64 s of
	// real time), before the heartbeat (an hour) and the task clock's day.
	if _, err := eng.WaitFor(ctx, x.ExecutionArn, WaitingForToken); err != nil {
		t.Fatal(err)
	}
	real.AdvanceToNext()
	d, err := eng.WaitFor(ctx, x.ExecutionArn, Done)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := ParseJSON([]byte(d.Output))
	want, _ := ParseJSON([]byte(`{"function":"done","service":{"p":"done"},"overdue":{"Error":"States.Timeout","Cause":""}}`))
	if d.Status != StatusSucceeded || !DeepEqual(out, want) {
		t.Fatalf("status %s, output %s", d.Status, d.Output)
	}
	if got, want := real.Now().Sub(start), 360*time.Millisecond+20*time.Millisecond+8640*time.Millisecond; got != want {
		t.Errorf("real time passed: %v, want %v", got, want)
	}
	if got, want := d.StopDate.Sub(d.StartDate), 3600*time.Second+200*time.Second+86400*time.Second; got != want {
		t.Errorf("workflow time passed: %v, want %v", got, want)
	}
}

// A sped-up clock continued from a later time starts there; one continued
// from the past is the real time (it never goes back).
func TestRealClockContinuesFromALaterTime(t *testing.T) {
	later := time.Now().Add(48 * time.Hour)
	c := &RealClock{Speed: 60}
	c.ContinueFrom(later)
	if got := c.Now(); got.Before(later) || got.After(later.Add(time.Hour)) {
		t.Fatalf("continued clock reads %v, want from %v", got, later)
	}
	past := &RealClock{Speed: 60}
	past.ContinueFrom(time.Now().Add(-48 * time.Hour))
	if got := past.Now(); got.Before(time.Now().Add(-time.Minute)) {
		t.Fatalf("a clock continued from the past reads %v", got)
	}
}
