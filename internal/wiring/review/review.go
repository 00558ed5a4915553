// Package review wires the review function: the store, the catalog and the
// screening rules.
package review

import (
	"context"

	app "github.com/hotline12345/hotline/internal/app/review"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// Build builds the review function from its environment.
func Build(ctx context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	b, err := dataplane.Load(ctx, "review", getenv, o)
	if err != nil {
		return nil, err
	}
	return &app.Handler{Store: b.Store, Catalog: b.Catalog, Rules: b.Screening, Blinder: b.Blinder, Now: b.Now, Log: b.Log}, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
