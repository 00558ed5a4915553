// Package feedback wires the feedback function: the store, SES for e-mail,
// SNS for SMS (when enabled) and the workflow.
package feedback

import (
	"context"
	"fmt"

	"github.com/hotline12345/hotline/internal/adapters/workflow"
	app "github.com/hotline12345/hotline/internal/app/feedback"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
	"github.com/hotline12345/hotline/internal/wiring/notifiers"
)

// Build builds the feedback function from its environment.
func Build(ctx context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	b, err := dataplane.Load(ctx, "feedback", getenv, o)
	if err != nil {
		return nil, err
	}
	h := &app.Handler{Store: b.Store, Catalog: b.Catalog, Workflow: workflow.New(b.AWS, b.Config.StateMachineArn), Now: b.Now, Log: b.Log}
	if h.Mailer, h.Texter, err = notifiers.New(ctx, b); err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	return h, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
