// Package dataplane builds what every function that touches tickets shares:
// its configuration, the AWS config, the sealer and blind index, the DynamoDB
// store, and the cached catalog and screening rules.
package dataplane

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/metrics"
	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/adapters/tracing"
	"github.com/hotline12345/hotline/internal/app/catalogconfig"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/open311"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/app/screeningconfig"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/wiring"
	"github.com/hotline12345/hotline/internal/wiring/config"
)

// Base is what every data-plane function shares.
type Base struct {
	Config  config.Config
	AWS     aws.Config
	Store   *Store
	Blinder *seal.Blinder
	Catalog *catalogconfig.Source
	// Screening serves the screening rules an admin manages (the shipped
	// config/screening.json until the first change).
	Screening *screeningconfig.Source
	Log       *slog.Logger
	Now       func() time.Time
	// WallNow is wiring.Options.WallNow: real time even when Now runs fast.
	WallNow func() time.Time
	Random  io.Reader
	// Metrics takes the function's metrics (wiring.Options.MetricsRecorder).
	Metrics metrics.Recorder
}

// Store is the ticket store counting, as metrics, the timeline events it
// saves (metrics.FromEvent): one place sees every filed, dispatched, overdue
// and escalated ticket, whichever handler changed it.
type Store struct {
	*store.Store
	Metrics metrics.Recorder
}

// CreateTicket implements intake.Store; a replay files nothing new.
func (s *Store) CreateTicket(ctx context.Context, t *ticket.Ticket, first ticket.Event, idem *ports.Idempotency) (ports.Created, error) {
	created, err := s.Store.CreateTicket(ctx, t, first, idem)
	if err == nil {
		tracing.SetTicketID(ctx, created.TicketID) // intake learns its ticket's id here
	}
	if err == nil && !created.Replayed {
		s.count(ctx, t, first)
	}
	return created, err
}

// SaveTicket implements lifecycle.Store.
func (s *Store) SaveTicket(ctx context.Context, t *ticket.Ticket, expected ticket.Status, events ...ticket.Event) error {
	if err := s.Store.SaveTicket(ctx, t, expected, events...); err != nil {
		return err
	}
	s.count(ctx, t, events...)
	return nil
}

func (s *Store) count(ctx context.Context, t *ticket.Ticket, events ...ticket.Event) {
	for _, e := range events {
		if sample, ok := metrics.FromEvent(t, e); ok {
			s.Metrics.Add(ctx, sample)
		}
	}
}

// Load reads a function's configuration and builds what all functions share.
func Load(ctx context.Context, function string, getenv func(string) string, o wiring.Options) (*Base, error) {
	cfg, err := config.Load(function, getenv)
	if err != nil {
		return nil, err
	}
	o = o.WithDefaults()
	awsCfg, err := awsconf.Load(ctx, awsconf.Settings{Region: cfg.Region, EndpointURL: cfg.EndpointURL, HTTPClient: o.HTTPClient, Unsigned: o.UnsignedAWS, APIOptions: o.TracingOrOff().APIOptions()})
	if err != nil {
		return nil, fmt.Errorf("%s: aws config: %w", function, err)
	}
	sealer, err := newSealer(cfg, awsCfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", function, err)
	}
	blinder, err := seal.NewBlinderBase64(cfg.BlindKey)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", function, config.EnvBlindKey, err)
	}
	st, err := store.New(store.DynamoDBClient(awsCfg), cfg.Table, sealer, blinder, store.WithClock(o.Now))
	if err != nil {
		return nil, fmt.Errorf("%s: store: %w", function, err)
	}
	rec := o.MetricsRecorder(cfg.MetricsNamespace)
	return &Base{
		Config: cfg, AWS: awsCfg, Store: &Store{Store: st, Metrics: rec}, Metrics: rec, Blinder: blinder, Now: o.Now, WallNow: o.WallNow, Random: o.Random,
		Log:       o.Logger(function, cfg.LogLevel),
		Catalog:   catalogconfig.NewSource(st, o.Now),
		Screening: screeningconfig.NewSource(st, o.Now, configfiles.Screening),
	}, nil
}

// newSealer seals with KMS data keys when HOTLINE_KMS_KEY_ID is set (the local
// key, if also set, only opens values sealed before the switch) and with the
// local key otherwise.
func newSealer(cfg config.Config, awsCfg aws.Config) (seal.Sealer, error) {
	var local *seal.LocalSealer
	if cfg.SealKey != "" {
		l, err := seal.NewLocalSealerBase64(cfg.SealKey)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", config.EnvSealKey, err)
		}
		local = l
	}
	if cfg.KMSKeyID == "" {
		return local, nil
	}
	kc := seal.KMSSealerConfig{KeyID: cfg.KMSKeyID}
	if local != nil {
		kc.Legacy = local
	}
	s, err := seal.NewKMSSealer(seal.KMSClient(awsCfg), kc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvKMSKeyID, err)
	}
	return s, nil
}

// Guard applies the abuse limits with counters in the table.
func (b *Base) Guard() *limits.Guard {
	return &limits.Guard{Limiter: b.Store, Rules: b.Config.Limits, Key: b.Blinder.Subkey("limits"), Now: b.Now}
}

// Blind gives the blind index of a phone number (channel "sms") or an e-mail
// address ("email").
func (b *Base) Blind(channel, value string) string {
	if channel == ticket.NoticeSMS {
		return b.Blinder.Phone(value)
	}
	return b.Blinder.Email(value)
}

// APIKeys issues and checks Open311 API keys, hashed with a key derived
// from the blinding key.
func (b *Base) APIKeys() *open311.Keys {
	return &open311.Keys{Store: b.Store, Secret: b.Blinder.Subkey("api-key"), Now: b.Now, Random: b.Random}
}

// CodeKey is the key of access-code hashes, derived from the blinding key.
func (b *Base) CodeKey() []byte { return b.Blinder.Subkey("access-code") }
