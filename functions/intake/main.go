// Command intake is the intake Lambda function. It only wires: configuration from the
// environment, clients, handler; everything else lives in internal/.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/hotline12345/hotline/internal/wire"
)

func main() {
	h, err := wire.Intake(context.Background(), os.Getenv, wire.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
