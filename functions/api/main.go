// Command api is the api Lambda function. It only wires (internal/wiring/api):
// configuration from the environment, the clients it uses, its handler.
package main

import (
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/api"
)

func main() { wiring.Main(api.Lambda) }
