// Package review wires the review function: the store, the catalog, the
// screening rules and the workflow (its step answers itself).
package review

import (
	"context"

	"github.com/hotline12345/hotline/internal/adapters/workflow"
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
	// The review step answers itself; SendTask* needs no state machine ARN.
	return &app.Handler{Store: b.Store, Catalog: b.Catalog, Rules: b.Screening, Blinder: b.Blinder,
		Workflow: workflow.New(b.AWS, ""), Now: b.Now, Log: b.Log}, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
