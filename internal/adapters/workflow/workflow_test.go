package workflow

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hotline12345/hotline/internal/app/ports"
)

type fakeAPI struct {
	startErr, sendErr error
	started           []string
}

func (f *fakeAPI) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.started = append(f.started, aws.ToString(in.Name)+" "+aws.ToString(in.Input))
	return &sfn.StartExecutionOutput{}, f.startErr
}

func (f *fakeAPI) SendTaskSuccess(context.Context, *sfn.SendTaskSuccessInput, ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	return &sfn.SendTaskSuccessOutput{}, f.sendErr
}

func (f *fakeAPI) SendTaskFailure(context.Context, *sfn.SendTaskFailureInput, ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	return &sfn.SendTaskFailureOutput{}, f.sendErr
}

// A start is named by the ticket; a name that already ran and ended (Step
// Functions' ExecutionAlreadyExists) is told apart, so the sweep does not
// count a failed workflow as restarted; a repair runs as <id>-r<n>.
func TestStartNamesExecutionByTicketAndReportsAnEndedOne(t *testing.T) {
	f := &fakeAPI{}
	c := &Client{API: f, StateMachineArn: "arn"}
	if err := c.Start(context.Background(), "261127ABCDEF"); err != nil {
		t.Fatal(err)
	}
	if f.started[0] != `261127ABCDEF {"ticketId":"261127ABCDEF"}` {
		t.Fatalf("started %q", f.started[0])
	}
	f.startErr = &types.ExecutionAlreadyExists{}
	var ended *ports.WorkflowEndedError
	if err := c.Start(context.Background(), "261127ABCDEF"); !errors.As(err, &ended) || ended.Execution != "261127ABCDEF" {
		t.Fatalf("start of an ended execution: %v", err)
	}
	f.startErr = nil
	if err := c.Resume(context.Background(), "261127ABCDEF", 2); err != nil || f.started[len(f.started)-1] != `261127ABCDEF-r2 {"ticketId":"261127ABCDEF","resume":true}` {
		t.Fatalf("resume: %v %q", err, f.started)
	}
	f.startErr = errors.New("boom")
	if err := c.Start(context.Background(), "261127ABCDEF"); err == nil {
		t.Fatal("start error swallowed")
	}
}

func TestCompleteMapsGoneSteps(t *testing.T) {
	for _, e := range []error{&types.TaskTimedOut{}, &types.TaskDoesNotExist{}, &types.InvalidToken{}} {
		c := &Client{API: &fakeAPI{sendErr: e}}
		var gone *ports.StepGoneError
		if err := c.Complete(context.Background(), "tok", map[string]string{"outcome": "replied"}); !errors.As(err, &gone) {
			t.Errorf("%T: got %v", e, err)
		}
		if err := c.Fail(context.Background(), "tok", "X", "y"); !errors.As(err, &gone) {
			t.Errorf("%T: got %v", e, err)
		}
	}
	c := &Client{API: &fakeAPI{sendErr: errors.New("throttled")}}
	var gone *ports.StepGoneError
	if err := c.Complete(context.Background(), "tok", nil); err == nil || errors.As(err, &gone) {
		t.Fatalf("transient error mapped to %v", err)
	}
}
