// Command double is a test Lambda for `hotline asl run`: it doubles n, or
// fails with a typed error when n is negative.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	N int `json:"n"`
}

// NegativeInput is the error type Step Functions reports as the error name.
type NegativeInput struct{}

func (*NegativeInput) Error() string { return "n must not be negative" }

func handle(_ context.Context, e event) (event, error) {
	if e.N < 0 {
		return event{}, &NegativeInput{}
	}
	return event{N: 2 * e.N}, nil
}

func main() { lambda.Start(handle) }
