// Command echo is a test function: it returns its event, or fails with a
// typed error when the event asks for it.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	N    int    `json:"n"`
	Fail string `json:"fail,omitempty"`
}

// RefundRefused is an error type whose name Step Functions would report.
type RefundRefused struct{ Reason string }

func (e *RefundRefused) Error() string { return "refund refused: " + e.Reason }

func handle(_ context.Context, e event) (event, error) {
	if e.Fail != "" {
		return event{}, &RefundRefused{Reason: e.Fail}
	}
	return e, nil
}

func main() {
	if os.Getenv("ECHO_REQUIRED") == "" {
		os.Stderr.WriteString("missing required environment variable ECHO_REQUIRED\n")
		os.Exit(1)
	}
	lambda.Start(handle)
}
