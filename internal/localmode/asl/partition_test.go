package asl

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

// The China regions' definitions name the same integrations in the aws-cn
// partition (arn:aws-cn:states:::lambda:invoke…, arn:aws-cn:lambda:…): they
// run as their aws twins do, callback included.
func TestChinaPartitionResourcesRunAsTheirAWSTwins(t *testing.T) {
	const def = `{
  "StartAt": "Call",
  "States": {
    "Call": {"Type": "Task", "Resource": "arn:aws-cn:states:::lambda:invoke",
      "Parameters": {"FunctionName": "arn:aws-cn:lambda:cn-north-1:123456789012:function:notify", "Payload": {"n": 1}},
      "ResultSelector": {"sent.$": "$.Payload.sent"}, "ResultPath": "$.call", "Next": "Direct"},
    "Direct": {"Type": "Task", "Resource": "arn:aws-cn:lambda:cn-north-1:123456789012:function:notify", "ResultPath": "$.direct", "Next": "Await"},
    "Await": {"Type": "Task", "Resource": "arn:aws-cn:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
      "TimeoutSeconds": 60, "ResultPath": "$.answer", "End": true}
  }
}`
	catcher := newTokenCatcher()
	clk := NewFakeClock(testStart())
	eng := New(Options{Clock: clk, Resolver: MapResolver(map[string]lambda.Handler{"notify": catcher.handler()})})
	sm, err := eng.CreateStateMachine("cn", []byte(def), "arn:aws-cn:iam::123456789012:role/r")
	if err != nil {
		t.Fatal(err)
	}
	x, err := eng.StartExecution(sm.StateMachineArn, "", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	waitDesc(t, eng, x.ExecutionArn, WaitingForToken)
	<-catcher.tokens // the invoke's
	<-catcher.tokens // the direct call's
	if err := eng.SendTaskSuccess(<-catcher.tokens, []byte(`{"ok":true}`)); err != nil {
		t.Fatal(err)
	}
	d := waitDesc(t, eng, x.ExecutionArn, Done)
	if d.Status != StatusSucceeded || !strings.Contains(d.Output, `"answer":{"ok":true}`) || !strings.Contains(d.Output, `"call":{"sent":true}`) || !strings.Contains(d.Output, `"direct":{"sent":true}`) {
		t.Fatalf("%s %s", d.Status, d.Output)
	}
	h, _ := eng.GetExecutionHistory(x.ExecutionArn)
	var resources []string
	for _, ev := range h {
		if ev.TaskScheduledEventDetails != nil {
			resources = append(resources, ev.TaskScheduledEventDetails.Resource)
		}
	}
	if strings.Join(resources, ",") != "invoke,invoke.waitForTaskToken" {
		t.Fatalf("scheduled resources %v", resources)
	}
}
