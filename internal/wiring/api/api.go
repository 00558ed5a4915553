// Package api wires the api function: the store and the workflow (answers to
// waiting steps).
package api

import (
	"context"

	"github.com/hotline12345/hotline/internal/adapters/workflow"
	app "github.com/hotline12345/hotline/internal/app/api"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// Build builds the api function from its environment.
func Build(ctx context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	b, err := dataplane.Load(ctx, "api", getenv, o)
	if err != nil {
		return nil, err
	}
	return &app.Handler{Store: b.Store, Catalog: b.Catalog, Workflow: workflow.New(b.AWS, b.Config.StateMachineArn), Now: b.Now, Log: b.Log, CodeKey: b.CodeKey()}, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
