// Package intake wires the intake function: the store, the workflow starter,
// the mailer and texter (package notifiers) for the citizen's receipt, and
// the attachments (package files).
package intake

import (
	"context"
	"fmt"

	"github.com/hotline12345/hotline/internal/adapters/workflow"
	app "github.com/hotline12345/hotline/internal/app/intake"
	"github.com/hotline12345/hotline/internal/app/verify"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
	"github.com/hotline12345/hotline/internal/wiring/files"
	"github.com/hotline12345/hotline/internal/wiring/notifiers"
)

// Build builds the intake function from its environment.
func Build(ctx context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	b, err := dataplane.Load(ctx, "intake", getenv, o)
	if err != nil {
		return nil, err
	}
	h := &app.Handler{Store: b.Store, Workflow: workflow.New(b.AWS, b.Config.StateMachineArn), Catalog: b.Catalog, Now: b.Now, Random: b.Random, Log: b.Log, CodeKey: b.CodeKey()}
	if h.Mailer, h.Texter, err = notifiers.New(ctx, b); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	if h.Attach, err = files.Service(b); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	h.Guard = b.Guard()
	h.Keys = b.APIKeys()
	h.Verify = &verify.Service{
		Store: b.Store, Guard: h.Guard, Mailer: h.Mailer, Texter: h.Texter,
		// A code lasts its minutes in real time: a person types it.
		Key: b.Blinder.Subkey("verification"), Blind: b.Blind, Now: b.WallNow, Random: b.Random,
	}
	return h, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })
