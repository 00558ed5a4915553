// Command intake is the intake Lambda function. It only wires (internal/wiring/intake):
// configuration from the environment, the clients it uses, its handler.
package main

import (
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/intake"
)

func main() { wiring.Main(intake.Lambda) }
