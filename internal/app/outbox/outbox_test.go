package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/outbox"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// steps is Step Functions' side of task tokens: a waiting token takes one
// answer; after that, or for an unknown token, the step is gone.
type steps struct {
	mu       sync.Mutex
	waiting  map[string]bool
	answers  map[string][]string
	failNext int // calls that fail as if the service were down
}

func (s *steps) Complete(_ context.Context, token string, output any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return errors.New("ServiceUnavailable")
	}
	if !s.waiting[token] {
		return &ports.StepGoneError{Reason: "finished"}
	}
	s.waiting[token] = false
	b, err := json.Marshal(output)
	if err != nil {
		return err
	}
	s.answers[token] = append(s.answers[token], string(b))
	return nil
}

// Fail records a failing answer as "<name>: <cause>".
func (s *steps) Fail(ctx context.Context, token, name, cause string) error {
	return s.Complete(ctx, token, name+": "+cause)
}

// box is the store's outbox.
type box struct {
	mu         sync.Mutex
	items      map[string]ports.PendingCallback
	failDelete bool
}

func (b *box) PendingCallbacks(_ context.Context, upTo time.Time) ([]ports.PendingCallback, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []ports.PendingCallback
	for _, p := range b.items {
		if !p.At.After(upTo) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (b *box) DeleteCallback(_ context.Context, _, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failDelete {
		return errors.New("throttled")
	}
	delete(b.items, key)
	return nil
}

var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func setup(tokens ...string) (*steps, *box) {
	s := &steps{waiting: map[string]bool{}, answers: map[string][]string{}}
	b := &box{items: map[string]ports.PendingCallback{}}
	for _, tok := range tokens {
		s.waiting[tok] = true
		b.items["k-"+tok] = ports.PendingCallback{TicketID: "T-" + tok, At: t0,
			Callback: ticket.Callback{Key: "k-" + tok, Token: tok, Output: []byte(`{"outcome":"replied"}`)}}
	}
	return s, b
}

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

func TestDeliver(t *testing.T) {
	ctx := context.Background()
	s, b := setup("a")
	cb := b.items["k-a"].Callback

	s.failNext = 1
	if gone, err := outbox.Deliver(ctx, b, s, "T-a", cb); err == nil || gone != nil {
		t.Fatalf("service down: gone %v err %v", gone, err)
	}
	if len(b.items) != 1 {
		t.Fatal("an answer that was not sent left the outbox")
	}
	if gone, err := outbox.Deliver(ctx, b, s, "T-a", cb); err != nil || gone != nil {
		t.Fatalf("delivery: gone %v err %v", gone, err)
	}
	if len(b.items) != 0 || len(s.answers["a"]) != 1 || s.answers["a"][0] != `{"outcome":"replied"}` {
		t.Fatalf("after delivery: outbox %d, answers %v", len(b.items), s.answers)
	}
	// A second send (the sweep after a request that did deliver) is gone, harmlessly.
	if gone, err := outbox.Deliver(ctx, b, s, "T-a", cb); err != nil || gone == nil {
		t.Fatalf("second delivery: gone %v err %v", gone, err)
	}
	if len(s.answers["a"]) != 1 {
		t.Fatalf("answered twice: %v", s.answers)
	}
}

func TestDeliveredButNotClearedIsAnError(t *testing.T) {
	s, b := setup("a")
	b.failDelete = true
	if _, err := outbox.Deliver(context.Background(), b, s, "T-a", b.items["k-a"].Callback); err == nil {
		t.Fatal("a failed delete went unreported")
	}
	if len(s.answers["a"]) != 1 {
		t.Fatal("not delivered")
	}
}

func TestSweepRespectsGraceAndRetries(t *testing.T) {
	ctx := context.Background()
	s, b := setup("a", "b")
	if rep := outbox.Sweep(ctx, b, s, t0.Add(outbox.Grace-time.Millisecond), quiet()); rep != (outbox.Report{}) {
		t.Fatalf("swept answers younger than the grace period: %+v", rep)
	}
	s.failNext = 1
	rep := outbox.Sweep(ctx, b, s, t0.Add(outbox.Grace), quiet())
	if rep.Delivered != 1 || rep.Errors != 1 {
		t.Fatalf("sweep with one failure: %+v", rep)
	}
	rep = outbox.Sweep(ctx, b, s, t0.Add(2*outbox.Grace), quiet())
	if rep.Delivered != 1 || rep.Errors != 0 || len(b.items) != 0 {
		t.Fatalf("next sweep: %+v, %d left", rep, len(b.items))
	}
	if len(s.answers["a"]) != 1 || len(s.answers["b"]) != 1 {
		t.Fatalf("answers %v", s.answers)
	}
}

// Overlapping sweeps (a slow run and the next scheduled one) answer each step
// once.
func TestConcurrentSweepsAnswerOnce(t *testing.T) {
	tokens := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	s, b := setup(tokens...)
	const sweeps = 4
	reps := make([]outbox.Report, sweeps)
	var wg sync.WaitGroup
	for i := range sweeps {
		wg.Go(func() { reps[i] = outbox.Sweep(context.Background(), b, s, t0.Add(outbox.Grace), quiet()) })
	}
	wg.Wait()
	var total outbox.Report
	for _, r := range reps {
		total.Delivered += r.Delivered
		total.Gone += r.Gone
		total.Errors += r.Errors
	}
	if total.Delivered != len(tokens) || total.Errors != 0 || len(b.items) != 0 {
		t.Fatalf("sweeps %+v: %+v, %d left", reps, total, len(b.items))
	}
	for _, tok := range tokens {
		if len(s.answers[tok]) != 1 {
			t.Fatalf("token %s answered %d times", tok, len(s.answers[tok]))
		}
	}
}
