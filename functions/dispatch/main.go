// Command dispatch is the dispatch Lambda function. It only wires (internal/wiring):
// configuration from the environment, clients, handler.
package main

import "github.com/hotline12345/hotline/internal/wiring"

func main() { wiring.Main("dispatch") }
