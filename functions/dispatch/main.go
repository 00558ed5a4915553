// Command dispatch is the dispatch Lambda function. It only wires (internal/wiring/dispatch):
// configuration from the environment, the clients it uses, its handler.
package main

import (
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dispatch"
)

func main() { wiring.Main(dispatch.Lambda) }
