// Command review is the review Lambda function. It only wires (internal/wiring/review):
// configuration from the environment, the clients it uses, its handler.
package main

import (
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/review"
)

func main() { wiring.Main(review.Lambda) }
