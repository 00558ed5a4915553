// Command sweep is the scheduled sweep function (reminders, stalled starts,
// unsent answers). It only wires (internal/wiring/sweep): configuration from
// the environment, the clients it uses, its handler.
package main

import (
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/sweep"
)

func main() { wiring.Main(sweep.Lambda) }
