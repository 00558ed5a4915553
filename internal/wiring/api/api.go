// Package api wires the api function: the store, the workflow (answers to
// waiting steps, repairs), the departments' queues (checked before an admin
// activates a department; told of supplements and extension decisions), the
// screening rules (an emergency in a supplement), the Open311 reads and
// API keys, and the attachments (package files).
package api

import (
	"context"
	"fmt"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/adapters/secrets"
	"github.com/hotline12345/hotline/internal/adapters/workflow"
	app "github.com/hotline12345/hotline/internal/app/api"
	"github.com/hotline12345/hotline/internal/app/open311"
	"github.com/hotline12345/hotline/internal/app/smsreceipt"
	"github.com/hotline12345/hotline/internal/app/verify"
	"github.com/hotline12345/hotline/internal/domain/region"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/config"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
	"github.com/hotline12345/hotline/internal/wiring/files"
)

// Build builds the api function from its environment.
func Build(ctx context.Context, getenv func(string) string, o wiring.Options) (*app.Handler, error) {
	b, err := dataplane.Load(ctx, "api", getenv, o)
	if err != nil {
		return nil, err
	}
	queues, err := queue.NewDepartmentPublisher(b.AWS, b.Config.QueuePrefix)
	if err != nil {
		return nil, fmt.Errorf("api: queue: %w", err)
	}
	guard := b.Guard()
	receipts, err := smsReceipts(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	attachments, err := files.Service(b)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	// Checks the verification an upload for a ticket about to be filed
	// comes with; it sends no codes (intake does).
	verifier := &verify.Service{Store: b.Store, Guard: guard, Key: b.Blinder.Subkey("verification"), Blind: b.Blind, Now: b.WallNow, Random: b.Random}
	return &app.Handler{Attach: attachments, Verify: verifier, SMSReceipts: receipts, Store: b.Store, Catalog: b.Catalog, Workflow: workflow.New(b.AWS, b.Config.StateMachineArn), Queues: queues,
		Rules: b.Screening, Regions: region.Names{}, ShippedRules: configfiles.Screening, Now: b.Now, Log: b.Log, CodeKey: b.CodeKey(), Guard: guard,
		Open311: &open311.Reader{Files: attachments, Store: b.Store, Catalog: b.Catalog, Regions: region.Names{}, Keys: b.APIKeys(), Guard: guard, Now: b.Now, Log: b.Log}}, nil
}

// Lambda is Build for lambda.Start.
var Lambda = wiring.Handle(Build, func(h *app.Handler) any { return h.Handle })

// smsReceipts builds the delivery-receipt callback when SMS goes through
// Tencent Cloud SMS: its token is in the Tencent secret (callbackToken).
func smsReceipts(ctx context.Context, b *dataplane.Base) (*smsreceipt.Handler, error) {
	if b.Config.SMSChannel != config.SMSTencent {
		return nil, nil
	}
	var key secrets.TencentCredentials
	if err := secrets.ReadJSON(ctx, secrets.Client(b.AWS), b.Config.TencentSMS.SecretArn, &key); err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvTencentSMSSecretArn, err)
	}
	if len(key.CallbackToken) < 16 {
		// Without it anyone could flag tickets as not told: refuse to start.
		return nil, fmt.Errorf("%s: the secret's callbackToken must be at least 16 characters (it guards %s)", config.EnvTencentSMSSecretArn, smsreceipt.Path)
	}
	return &smsreceipt.Handler{Links: b.Store, Store: b.Store, Token: key.CallbackToken, Now: b.Now, Log: b.Log}, nil
}
