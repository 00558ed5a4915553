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
