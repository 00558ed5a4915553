package sfnlocal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hotline12345/hotline/internal/localmode/asl"
)

const callbackDefinition = `{
  "StartAt": "Notify",
  "States": {
    "Notify": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {
        "FunctionName": "notify",
        "Payload": {"ticket.$": "$.ticket", "token.$": "$$.Task.Token"}
      },
      "TimeoutSeconds": 3600,
      "ResultPath": "$.reply",
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"}
  }
}`

type notifyEvent struct {
	Ticket string `json:"ticket"`
	Token  string `json:"token"`
}

func newTestServer(t *testing.T) (*Server, *sfn.Client, *asl.FakeClock, chan notifyEvent) {
	t.Helper()
	clk := asl.NewFakeClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	events := make(chan notifyEvent, 4)
	notify := lambda.NewHandler(func(_ context.Context, ev notifyEvent) (map[string]string, error) {
		events <- ev
		return map[string]string{"queued": ev.Ticket}, nil
	})
	srv := New(asl.Options{
		Clock:    clk,
		Resolver: asl.MapResolver(map[string]lambda.Handler{"notify": notify}),
		Region:   "ap-east-1",
		Account:  "000000000000",
	})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := sfn.New(sfn.Options{
		Region:       "ap-east-1",
		BaseEndpoint: aws.String(hs.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	return srv, client, clk, events
}

func TestCallbackRoundTripWithSDK(t *testing.T) {
	srv, client, _, events := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("ticket"), Definition: aws.String(callbackDefinition), RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn"),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	if want := "arn:aws:states:ap-east-1:000000000000:stateMachine:ticket"; aws.ToString(created.StateMachineArn) != want {
		t.Fatalf("state machine ARN %q, want %q", aws.ToString(created.StateMachineArn), want)
	}
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: created.StateMachineArn, Name: aws.String("T-1"), Input: aws.String(`{"ticket":"T-1"}`),
	})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	if want := "arn:aws:states:ap-east-1:000000000000:execution:ticket:T-1"; aws.ToString(started.ExecutionArn) != want {
		t.Fatalf("execution ARN %q, want %q", aws.ToString(started.ExecutionArn), want)
	}

	// Same name, different input: ExecutionAlreadyExists.
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: created.StateMachineArn, Name: aws.String("T-1"), Input: aws.String(`{"ticket":"other"}`),
	})
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("second StartExecution error = %v, want ExecutionAlreadyExists", err)
	}

	var ev notifyEvent
	select {
	case ev = <-events:
	case <-ctx.Done():
		t.Fatal("notify Lambda was not invoked")
	}
	if ev.Ticket != "T-1" || ev.Token == "" {
		t.Fatalf("notify got %+v", ev)
	}
	if _, err := srv.Engine().WaitFor(ctx, aws.ToString(started.ExecutionArn), asl.WaitingForToken); err != nil {
		t.Fatal(err)
	}
	if _, err := client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(ev.Token)}); err != nil {
		t.Fatalf("SendTaskHeartbeat: %v", err)
	}
	if _, err := client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(ev.Token), Output: aws.String(`{"answer":42}`)}); err != nil {
		t.Fatalf("SendTaskSuccess: %v", err)
	}
	if _, err := srv.Engine().WaitFor(ctx, aws.ToString(started.ExecutionArn), asl.Done); err != nil {
		t.Fatal(err)
	}
	desc, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
	if err != nil {
		t.Fatalf("DescribeExecution: %v", err)
	}
	if desc.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s, want SUCCEEDED", desc.Status)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(desc.Output)), &out); err != nil {
		t.Fatal(err)
	}
	if reply, _ := out["reply"].(map[string]any); reply["answer"] != float64(42) || out["ticket"] != "T-1" {
		t.Fatalf("output %s", aws.ToString(desc.Output))
	}
	if desc.StartDate == nil || desc.StopDate == nil {
		t.Fatalf("dates missing: %+v", desc)
	}

	// The token is spent: a second success is TaskTimedOut; junk is InvalidToken.
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(ev.Token), Output: aws.String(`{}`)})
	var timedOut *types.TaskTimedOut
	if !errors.As(err, &timedOut) {
		t.Fatalf("reused token error = %v, want TaskTimedOut", err)
	}
	_, err = client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("not-a-token")})
	var invalid *types.InvalidToken
	if !errors.As(err, &invalid) {
		t.Fatalf("junk token error = %v, want InvalidToken", err)
	}

	// History: full, paged and reversed.
	hist, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
	if err != nil {
		t.Fatalf("GetExecutionHistory: %v", err)
	}
	var got []types.HistoryEventType
	for _, e := range hist.Events {
		got = append(got, e.Type)
	}
	want := []types.HistoryEventType{
		types.HistoryEventTypeExecutionStarted, types.HistoryEventTypeTaskStateEntered,
		types.HistoryEventTypeTaskScheduled, types.HistoryEventTypeTaskStarted, types.HistoryEventTypeTaskSubmitted,
		types.HistoryEventTypeTaskSucceeded, types.HistoryEventTypeTaskStateExited,
		types.HistoryEventTypeSucceedStateEntered, types.HistoryEventTypeSucceedStateExited,
		types.HistoryEventTypeExecutionSucceeded,
	}
	if len(got) != len(want) {
		t.Fatalf("history %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("history %v, want %v", got, want)
		}
		if hist.Events[i].Id != int64(i+1) || hist.Events[i].PreviousEventId != int64(i) {
			t.Fatalf("event %d: id %d previous %d", i, hist.Events[i].Id, hist.Events[i].PreviousEventId)
		}
	}
	if d := hist.Events[2].TaskScheduledEventDetails; d == nil || aws.ToString(d.Resource) != "invoke.waitForTaskToken" || aws.ToInt64(d.TimeoutInSeconds) != 3600 {
		t.Fatalf("TaskScheduled details %+v", d)
	}
	if d := hist.Events[5].TaskSucceededEventDetails; d == nil || aws.ToString(d.Output) != `{"answer":42}` {
		t.Fatalf("TaskSucceeded details %+v", d)
	}
	p1, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, MaxResults: 4, ReverseOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Events) != 4 || p1.Events[0].Type != types.HistoryEventTypeExecutionSucceeded || p1.NextToken == nil {
		t.Fatalf("first reversed page: %d events, next %v", len(p1.Events), p1.NextToken)
	}
	p2, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, MaxResults: 100, ReverseOrder: true, NextToken: p1.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Events) != len(want)-4 || p2.Events[len(p2.Events)-1].Type != types.HistoryEventTypeExecutionStarted || p2.NextToken != nil {
		t.Fatalf("second reversed page: %d events", len(p2.Events))
	}

	list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: created.StateMachineArn, StatusFilter: types.ExecutionStatusSucceeded})
	if err != nil || len(list.Executions) != 1 || aws.ToString(list.Executions[0].Name) != "T-1" {
		t.Fatalf("ListExecutions: %v %+v", err, list)
	}
	sms, err := client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil || len(sms.StateMachines) != 1 {
		t.Fatalf("ListStateMachines: %v %+v", err, sms)
	}
	dsm, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: created.StateMachineArn})
	if err != nil || aws.ToString(dsm.Definition) != callbackDefinition {
		t.Fatalf("DescribeStateMachine: %v", err)
	}
}

func TestTypedErrorsWithSDK(t *testing.T) {
	srv, client, clk, _ := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("bad"), Definition: aws.String(`{"StartAt":"Nope","States":{"A":{"Type":"Pass","Next":"Missing"}}}`),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn"),
	})
	var invalidDef *types.InvalidDefinition
	if !errors.As(err, &invalidDef) {
		t.Fatalf("CreateStateMachine error = %v, want InvalidDefinition", err)
	}

	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:ap-east-1:000000000000:execution:x:y")})
	var noExec *types.ExecutionDoesNotExist
	if !errors.As(err, &noExec) {
		t.Fatalf("DescribeExecution error = %v, want ExecutionDoesNotExist", err)
	}
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:ap-east-1:000000000000:stateMachine:none")})
	var noSM *types.StateMachineDoesNotExist
	if !errors.As(err, &noSM) {
		t.Fatalf("StartExecution error = %v, want StateMachineDoesNotExist", err)
	}
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{
		TaskToken: aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), Output: aws.String("{}"),
	})
	var noTask *types.TaskDoesNotExist
	if !errors.As(err, &noTask) {
		t.Fatalf("SendTaskSuccess error = %v, want TaskDoesNotExist", err)
	}

	// A callback that times out: the token then reports TaskTimedOut.
	info, err := srv.CreateStateMachine("timeout", []byte(`{"StartAt":"W","States":{"W":{"Type":"Task",
		"Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","TimeoutSeconds":60,
		"Parameters":{"FunctionName":"notify","Payload":{"ticket":"T-2","token.$":"$$.Task.Token"}},"End":true}}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	start, err := srv.Engine().StartExecution(info.StateMachineArn, "t2", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := srv.Engine().WaitFor(ctx, start.ExecutionArn, asl.WaitingForToken)
	if err != nil || len(d.WaitingTokens) != 1 {
		t.Fatalf("waiting: %v %+v", err, d)
	}
	tok := d.WaitingTokens[0]
	if err := clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(61 * time.Second)
	d, err = srv.Engine().WaitFor(ctx, start.ExecutionArn, asl.Done)
	if err != nil || d.Status != asl.StatusFailed || d.Error != asl.ErrTimeout {
		t.Fatalf("after timeout: %v %+v", err, d)
	}
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String("{}")})
	var timedOut *types.TaskTimedOut
	if !errors.As(err, &timedOut) {
		t.Fatalf("SendTaskSuccess after timeout error = %v, want TaskTimedOut", err)
	}

	// StopExecution through the API aborts a waiting execution.
	start3, err := srv.Engine().StartExecution(info.StateMachineArn, "t3", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Engine().WaitFor(ctx, start3.ExecutionArn, asl.WaitingForToken); err != nil {
		t.Fatal(err)
	}
	if _, err := client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(start3.ExecutionArn), Error: aws.String("Withdrawn")}); err != nil {
		t.Fatalf("StopExecution: %v", err)
	}
	desc, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(start3.ExecutionArn)})
	if err != nil || desc.Status != types.ExecutionStatusAborted || aws.ToString(desc.Error) != "Withdrawn" {
		t.Fatalf("after stop: %v %+v", err, desc)
	}
	list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(info.StateMachineArn)})
	if err != nil || len(list.Executions) != 2 || aws.ToString(list.Executions[0].Name) != "t3" {
		t.Fatalf("ListExecutions: %v %+v", err, list)
	}
}
