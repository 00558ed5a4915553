// Command authorizer is the optional-staff Lambda authorizer of the HTTP API
// (infra/template.yaml). It only wires (internal/wire).
package main

import "github.com/hotline12345/hotline/internal/wire"

func main() { wire.Main("authorizer") }
