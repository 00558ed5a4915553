package review_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/hotline12345/hotline/internal/api"
	"github.com/hotline12345/hotline/internal/asl"
	"github.com/hotline12345/hotline/internal/awsconf"
	"github.com/hotline12345/hotline/internal/local"
	"github.com/hotline12345/hotline/internal/store"
	"github.com/hotline12345/hotline/internal/task"
	"github.com/hotline12345/hotline/internal/ticket"
	"github.com/hotline12345/hotline/internal/wire"
)

// env is the local platform on a fake clock with handlers wired to the same
// table. Tickets made with newTicket have no workflow execution: the test
// invokes the steps itself, as Step Functions would.
type env struct {
	p      *local.Platform
	clock  *asl.FakeClock
	store  *store.Store
	sqs    *sqs.Client
	getenv func(string) string
	wo     wire.Options
	api    *api.Handler
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	keys := make([]byte, 64) // local.Env draws the sealing keys first
	if _, err := rand.Read(keys); err != nil {
		t.Fatal(err)
	}
	clock := asl.NewFakeClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)) // Monday 09:00 in Beijing
	p, err := local.Start(ctx, local.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Clock: clock,
		Random: io.MultiReader(bytes.NewReader(keys), rand.Reader)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	vars, err := local.Env(p.EdgeURL, p.StateMachineArn, bytes.NewReader(keys))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{p: p, clock: clock, getenv: func(k string) string { return vars[k] }, wo: wire.Options{Now: clock.Now, Log: io.Discard}}
	base, err := wire.Load(ctx, "api", e.getenv, e.wo)
	if err != nil {
		t.Fatal(err)
	}
	e.store, e.sqs = base.Store, awsconf.SQS(base.AWS)
	if e.api, err = wire.API(ctx, e.getenv, e.wo); err != nil {
		t.Fatal(err)
	}
	return e
}

// newTicket registers a consumer complaint without starting its workflow.
func (e *env) newTicket(t *testing.T) (id, code string) {
	t.Helper()
	now := e.clock.Now().UTC().Truncate(time.Millisecond)
	id, err := ticket.NewID(now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	code, err = ticket.NewAccessCode(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tk := &ticket.Ticket{
		ID: id, Type: ticket.TypeComplaint, Category: "consumer.refund", Channel: ticket.ChannelWeb,
		Content: "我在某某超市购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理。", InvolvedUnit: "某某超市",
		Language: ticket.LanguageZH, AccessCodeHash: ticket.HashAccessCode(e.api.CodeKey, id, code), Status: ticket.StatusReceived,
		CreatedAt: now, UpdatedAt: now,
		Contact: &ticket.Contact{Name: "张三", Phone: "13912345678", Email: "citizen-" + strings.ToLower(id) + "@example.com"},
	}
	first := tk.Note("received", ticket.Actor{Role: ticket.ActorCitizen}, now, "工单已受理", true)
	if _, err := e.store.CreateTicket(context.Background(), tk, first, nil); err != nil {
		t.Fatal(err)
	}
	return id, code
}

func (e *env) ticket(t *testing.T, id string) *ticket.Ticket {
	t.Helper()
	tk, err := e.store.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func in(action, id, token string) task.Input {
	return task.Input{Action: action, TicketID: id, TaskToken: token}
}
