// Package intake wires the intake function: the store and the workflow starter.
package intake

import (
	"context"

	"github.com/hotline12345/hotline/internal/adapters/workflow"
	app "github.com/hotline12345/hotline/internal/app/intake"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// Build builds the intake function from its environment.
func Build(ctx context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	b, err := dataplane.Load(ctx, "intake", getenv, o)
	if err != nil {
		return nil, err
	}
	return &app.Handler{Store: b.Store, Workflow: workflow.New(b.AWS, b.Config.StateMachineArn), Catalog: b.Catalog, Now: b.Now, Random: b.Random, Log: b.Log, CodeKey: b.CodeKey()}, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
