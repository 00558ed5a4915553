// Package dispatch wires the dispatch function: the store, the departments'
// queues and the workflow.
package dispatch

import (
	"context"
	"fmt"

	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/adapters/workflow"
	app "github.com/hotline12345/hotline/internal/app/dispatch"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// Build builds the dispatch function from its environment.
func Build(ctx context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	b, err := dataplane.Load(ctx, "dispatch", getenv, o)
	if err != nil {
		return nil, err
	}
	pub, err := queue.NewDepartmentPublisher(b.AWS, b.Config.QueuePrefix)
	if err != nil {
		return nil, fmt.Errorf("dispatch: queue: %w", err)
	}
	return &app.Handler{Store: b.Store, Catalog: b.Catalog, Queue: pub, Workflow: workflow.New(b.AWS, b.Config.StateMachineArn), Now: b.Now, Log: b.Log}, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
