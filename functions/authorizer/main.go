// Command authorizer is the optional-staff Lambda authorizer of the HTTP API
// (infra/template.yaml). It only wires (internal/wiring).
package main

import "github.com/hotline12345/hotline/internal/wiring"

func main() { wiring.Main("authorizer") }
