package sfnlocal

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/hotline12345/hotline/internal/localmode/asl"
)

// includeExecutionData=false leaves inputs, outputs and task parameters out of
// the history, as AWS does; by default they are there.
func TestHistoryWithoutExecutionData(t *testing.T) {
	srv, client, _, _ := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String("data"),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"copy.$":"$.secret"},"End":true}}}`),
		RoleArn:    aws.String("arn:aws:iam::000000000000:role/sfn"),
	})
	if err != nil {
		t.Fatal(err)
	}
	x, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("e1"), Input: aws.String(`{"secret":"13912345678"}`)})
	if err != nil {
		t.Fatal(err)
	}
	history := func(include *bool) string {
		t.Helper()
		if _, err := srv.Engine().WaitFor(ctx, aws.ToString(x.ExecutionArn), asl.Done); err != nil {
			t.Fatal(err)
		}
		h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: x.ExecutionArn, IncludeExecutionData: include})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(h.Events)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Events) < 4 {
			t.Fatalf("history has %d events", len(h.Events))
		}
		return string(b)
	}
	if full := history(nil); !strings.Contains(full, "13912345678") {
		t.Fatalf("default history lacks the execution data: %s", full)
	}
	if bare := history(aws.Bool(false)); strings.Contains(bare, "13912345678") || !strings.Contains(bare, "PassStateEntered") {
		t.Fatalf("history without execution data: %s", bare)
	}
}
