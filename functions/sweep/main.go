// Command sweep is the scheduled sweep function (reminders, stalled starts, unsent answers). It only wires (internal/wiring):
// configuration from the environment, clients, handler.
package main

import "github.com/hotline12345/hotline/internal/wiring"

func main() { wiring.Main("sweep") }
