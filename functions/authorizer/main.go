// Command authorizer is the optional-staff Lambda authorizer of the HTTP API.
// configuration from the environment, the clients it uses, its handler.
package main

import (
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/authorizer"
)

func main() { wiring.Main(authorizer.Lambda) }
