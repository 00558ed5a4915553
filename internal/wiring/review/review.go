// Package review wires the review function: the store and the screening rules.
package review

import (
	"context"
	"fmt"

	configfiles "github.com/hotline12345/hotline/config"
	app "github.com/hotline12345/hotline/internal/app/review"
	"github.com/hotline12345/hotline/internal/domain/screening"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// Build builds the review function from its environment.
func Build(ctx context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	b, err := dataplane.Load(ctx, "review", getenv, o)
	if err != nil {
		return nil, err
	}
	sc, err := screening.Load(configfiles.Screening)
	if err != nil {
		return nil, fmt.Errorf("review: screening rules: %w", err)
	}
	return &app.Handler{Store: b.Store, Catalog: b.Catalog, Screener: sc, Blinder: b.Blinder, Now: b.Now, Log: b.Log}, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
