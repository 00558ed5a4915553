// Package workflow is the Step Functions adapter: it starts one execution per
// ticket and completes the steps that wait for a person.
package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// API is the part of the Step Functions client the adapter uses.
type API interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, opts ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, opts ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// Input is the execution input: ids only, never the ticket itself.
type Input struct {
	TicketID string `json:"ticketId"`
	// Resume starts a repaired ticket at the step its saved state names.
	Resume bool `json:"resume,omitempty"`
}

// Client starts executions of the ticket workflow and completes waiting steps.
type Client struct {
	API             API
	StateMachineArn string
}

// Start starts the ticket's execution, named by the ticket id so a second start
// (an intake retry) is refused by Step Functions and harmless here.
func (c *Client) Start(ctx context.Context, ticketID string) error {
	return c.start(ctx, ticketID, Input{TicketID: ticketID})
}

// Resume starts the n-th repair of a ticket whose workflow stopped: a new
// execution, <ticket id>-r<n>, that picks up at the step the ticket's saved
// state names. Starting the same repair twice is harmless while it runs.
func (c *Client) Resume(ctx context.Context, ticketID string, attempt int) error {
	return c.start(ctx, fmt.Sprintf("%s-r%d", ticketID, attempt), Input{TicketID: ticketID, Resume: true})
}

// start runs the named execution. Step Functions answers a repeated start
// of a running execution with the same input with that execution; a name
// that already ran and ended is *ports.WorkflowEndedError.
func (c *Client) start(ctx context.Context, name string, input Input) error {
	in, err := json.Marshal(input)
	if err != nil {
		return fmt.Errorf("encode workflow input: %w", err)
	}
	_, err = c.API.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(c.StateMachineArn),
		Name:            aws.String(name),
		Input:           aws.String(string(in)),
	})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return &ports.WorkflowEndedError{Execution: name}
	}
	if err != nil {
		return fmt.Errorf("start workflow execution %s: %w", name, err)
	}
	return nil
}

// Complete answers a waiting step with output. An answer that leaves the
// happy path (ticket.StepFailure) fails the step with its name instead, the
// answer as the cause, for the state machine's Catch.
func (c *Client) Complete(ctx context.Context, token string, output any) error {
	b, err := json.Marshal(output)
	if err != nil {
		return fmt.Errorf("encode step output: %w", err)
	}
	if f, ok := output.(ticket.StepFailure); ok && f.StepFailure() != "" {
		return c.Fail(ctx, token, f.StepFailure(), string(b))
	}
	_, err = c.API.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(string(b))})
	return stepError("complete workflow step", err)
}

// Fail finishes a waiting step with an error the workflow catches by name.
func (c *Client) Fail(ctx context.Context, token, errorName, cause string) error {
	_, err := c.API.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String(errorName), Cause: aws.String(cause)})
	return stepError("fail workflow step", err)
}

func stepError(op string, err error) error {
	if err == nil {
		return nil
	}
	var timedOut *types.TaskTimedOut
	var missing *types.TaskDoesNotExist
	var invalid *types.InvalidToken
	switch {
	case errors.As(err, &timedOut):
		return &ports.StepGoneError{Reason: "timed out"}
	case errors.As(err, &missing):
		return &ports.StepGoneError{Reason: "finished"}
	case errors.As(err, &invalid):
		return &ports.StepGoneError{Reason: "invalid token"}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// SFNClient builds a Step Functions client.
func SFNClient(cfg aws.Config, optFns ...func(*sfn.Options)) *sfn.Client {
	return sfn.NewFromConfig(cfg, optFns...)
}

// New is the workflow client of the state machine arn.
func New(cfg aws.Config, stateMachineArn string) *Client {
	return &Client{API: SFNClient(cfg), StateMachineArn: stateMachineArn}
}
