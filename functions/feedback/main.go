// Command feedback is the feedback Lambda function. It only wires (internal/wiring/feedback):
// configuration from the environment, the clients it uses, its handler.
package main

import (
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/feedback"
)

func main() { wiring.Main(feedback.Lambda) }
