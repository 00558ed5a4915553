// Command sla is the scheduled sla function. It only wires (internal/wire):
// configuration from the environment, clients, handler.
package main

import "github.com/hotline12345/hotline/internal/wire"

func main() { wire.Main("sla") }
