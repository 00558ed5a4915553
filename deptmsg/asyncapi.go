package deptmsg

import (
	_ "embed" // the AsyncAPI document
	"slices"
)

// The document is embedded so that it is versioned with the code: a system
// built against a release of this module gets that release's document, for
// its own schema checks or to show its developers. The linker keeps it only
// in programs that call AsyncAPI.
//
//go:embed asyncapi.yaml
var asyncAPI []byte

// AsyncAPI returns the AsyncAPI 3.0 document of this contract (YAML): the
// department queue, each message type with its JSON Schema, an example, and
// what it asks of the department.
func AsyncAPI() []byte { return slices.Clone(asyncAPI) }
