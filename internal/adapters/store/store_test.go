package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/ddbtest"
)

// fakeClock is a settable clock; tests move it instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	store *Store
	db    *dynamodb.Client
	clock *fakeClock
}

// newEnv starts an in-process DynamoDB-compatible server and a store on a
// fresh table.
func newEnv(t *testing.T) *env {
	t.Helper()
	srv := ddbtest.Server(t)
	db := dynamodb.New(dynamodb.Options{
		Region:       "cn-north-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		// The SDK's default: under a loaded machine the local server's
		// connection now and then drops a long answer mid-read (a read on
		// a closed connection), which production's client retries too.
		RetryMaxAttempts: 3,
	})
	sealer, err := seal.NewLocalSealer(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	blinder, err := seal.NewBlinder(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	s, err := New(db, "hotline-test", sealer, blinder, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTable(ctx); err != nil {
		t.Fatalf("second CreateTable must be a no-op: %v", err)
	}
	return &env{store: s, db: db, clock: clock}
}

// scan returns every raw item of the table.
func (e *env) scan(t *testing.T) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	in := &dynamodb.ScanInput{TableName: aws.String(e.store.Table())}
	for {
		out, err := e.db.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func (e *env) countPrefix(t *testing.T, pkPrefix, sk string) int {
	t.Helper()
	n := 0
	for _, it := range e.scan(t) {
		if strings.HasPrefix(strAttr(it, attrPK), pkPrefix) && (sk == "" || strAttr(it, attrSK) == sk) {
			n++
		}
	}
	return n
}

func newTicket(id string, created time.Time) *ticket.Ticket {
	return &ticket.Ticket{
		ID: id, Type: ticket.TypeComplaint, Category: "consumer.refund", Channel: ticket.ChannelWeb,
		Content: "商店拒绝退货，要求处理", Language: ticket.LanguageZH,
		Contact:        &ticket.Contact{Name: "张三", Phone: "13800138000", Email: "zhangsan@example.com"},
		AccessCodeHash: "hash-of-code",
		Status:         ticket.StatusReceived, CreatedAt: created, UpdatedAt: created,
	}
}

func firstEvent(t *ticket.Ticket) ticket.Event {
	return ticket.Event{At: t.CreatedAt, Kind: "status.received", ActorRole: ticket.ActorCitizen, To: ticket.StatusReceived, Public: true}
}

func TestNewValidates(t *testing.T) {
	sealer, _ := seal.NewLocalSealer(bytes.Repeat([]byte{1}, 32))
	blinder, _ := seal.NewBlinder(bytes.Repeat([]byte{2}, 32))
	db := dynamodb.New(dynamodb.Options{Region: "x"})
	if _, err := New(db, "", sealer, blinder); err == nil {
		t.Fatal("empty table name accepted")
	}
	if _, err := New(db, "t", nil, blinder); err == nil {
		t.Fatal("nil sealer accepted")
	}
	if _, err := New(db, "t", sealer, nil); err == nil {
		t.Fatal("nil blinder accepted")
	}
}

func TestTicketRoundTripSealsContact(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := newTicket("T1", e.clock.Now())
	tk.Location = &ticket.Location{Region: "110105", Address: "朝阳区某路1号"}
	c, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Replayed || c.TicketID != "T1" || tk.Version != 1 {
		t.Fatalf("created %+v version %d", c, tk.Version)
	}
	got, err := e.store.GetTicket(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Contact == nil || *got.Contact != *tk.Contact {
		t.Fatalf("contact %+v", got.Contact)
	}
	if got.AccessCodeHash != "hash-of-code" || got.Version != 1 || got.Status != ticket.StatusReceived ||
		got.Content != tk.Content || !got.CreatedAt.Equal(tk.CreatedAt) || got.Location.Address != tk.Location.Address {
		t.Fatalf("got %+v", got)
	}

	meta, err := e.store.GetTicketMeta(ctx, "T1")
	if err != nil || meta.Contact != nil || meta.Version != 1 {
		t.Fatalf("meta %+v %v", meta, err)
	}

	// No plaintext personal data anywhere in the raw items.
	for _, it := range e.scan(t) {
		raw := fmt.Sprintf("%#v", it)
		for k, v := range it {
			if s, ok := v.(*types.AttributeValueMemberS); ok {
				raw += k + "=" + s.Value + "\n"
			}
			if b, ok := v.(*types.AttributeValueMemberB); ok {
				raw += k + "=" + string(b.Value) + "\n"
			}
		}
		for _, secret := range []string{"13800138000", "zhangsan@example.com", "张三", "zhangsan"} {
			if strings.Contains(raw, secret) {
				t.Fatalf("item %s/%s contains %q", strAttr(it, attrPK), strAttr(it, attrSK), secret)
			}
		}
	}

	evs, err := e.store.Events(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != "status.received" || evs[0].TicketID != "T1" || evs[0].Seq != 100 {
		t.Fatalf("events %+v", evs)
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, id := range []string{"nope", "", "a#b"} {
		_, err := e.store.GetTicket(ctx, id)
		var nf *ports.NotFoundError
		if !errors.As(err, &nf) || !errors.Is(err, &ports.NotFoundError{}) {
			t.Fatalf("GetTicket(%q): %v", id, err)
		}
		if _, err := e.store.Events(ctx, id); !errors.As(err, &nf) {
			t.Fatalf("Events(%q): %v", id, err)
		}
	}
	tk := newTicket("ghost", e.clock.Now())
	tk.Version = 1
	if err := e.store.SaveTicket(ctx, tk, ticket.StatusReceived); !errors.Is(err, &ports.NotFoundError{}) {
		t.Fatalf("SaveTicket of a missing ticket: %v", err)
	}
}

func TestCreateIDCollision(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := newTicket("T1", e.clock.Now())
	if _, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), nil); err != nil {
		t.Fatal(err)
	}
	again := newTicket("T1", e.clock.Now())
	_, err := e.store.CreateTicket(ctx, again, firstEvent(again), &ports.Idempotency{Key: "k", BodyHash: "h", Response: []byte("r")})
	var ce *ports.IDCollisionError
	if !errors.As(err, &ce) || ce.ID != "T1" {
		t.Fatalf("got %v", err)
	}
	// The failed transaction left no idempotency record behind.
	if n := e.countPrefix(t, "IDEM#", ""); n != 0 {
		t.Fatalf("%d idempotency records", n)
	}
}

func TestIdempotentReplay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := newTicket("T1", e.clock.Now())
	resp := []byte(`{"id":"T1","accessCode":"K7Q2X9"}`)
	c, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), &ports.Idempotency{Key: "key-1", BodyHash: "body-A", Response: resp})
	if err != nil || c.Replayed || !bytes.Equal(c.Response, resp) {
		t.Fatalf("%+v %v", c, err)
	}
	before := len(e.scan(t))

	// The retry comes with a new ticket id (the handler draws one per request).
	retry := newTicket("T2", e.clock.Now())
	c, err = e.store.CreateTicket(ctx, retry, firstEvent(retry), &ports.Idempotency{Key: "key-1", BodyHash: "body-A", Response: []byte(`{"id":"T2"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Replayed || c.TicketID != "T1" || !bytes.Equal(c.Response, resp) {
		t.Fatalf("replay %+v", c)
	}
	if after := len(e.scan(t)); after != before {
		t.Fatalf("replay wrote items: %d -> %d", before, after)
	}
	if _, err := e.store.GetTicket(ctx, "T2"); !errors.Is(err, &ports.NotFoundError{}) {
		t.Fatalf("T2 exists: %v", err)
	}
	// The stored response is sealed: the access code is not in the table.
	for _, it := range e.scan(t) {
		if b, ok := it[attrResponse].(*types.AttributeValueMemberB); ok && bytes.Contains(b.Value, []byte("K7Q2X9")) {
			t.Fatal("access code stored in plaintext")
		}
	}

	// Same key, different body: conflict, nothing written.
	other := newTicket("T3", e.clock.Now())
	_, err = e.store.CreateTicket(ctx, other, firstEvent(other), &ports.Idempotency{Key: "key-1", BodyHash: "body-B", Response: []byte("x")})
	var ic *ports.IdempotencyConflictError
	if !errors.As(err, &ic) || ic.TicketID != "T1" || !errors.Is(err, &ports.IdempotencyConflictError{}) {
		t.Fatalf("different body: %v", err)
	}
	if after := len(e.scan(t)); after != before {
		t.Fatalf("conflict wrote items: %d -> %d", before, after)
	}

	// After 24 h the key is free again even though no TTL sweeper ran.
	e.clock.Add(24*time.Hour + time.Second)
	late := newTicket("T4", e.clock.Now())
	c, err = e.store.CreateTicket(ctx, late, firstEvent(late), &ports.Idempotency{Key: "key-1", BodyHash: "body-B", Response: []byte(`{"id":"T4"}`)})
	if err != nil || c.Replayed || c.TicketID != "T4" {
		t.Fatalf("after expiry: %+v %v", c, err)
	}
	if n := e.countPrefix(t, "IDEM#", ""); n != 1 {
		t.Fatalf("%d idempotency records", n)
	}
}

func TestConcurrentCreateSameKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 8
	var (
		wg       sync.WaitGroup
		results  [n]ports.Created
		errs     [n]error
		start    = make(chan struct{})
		replayed atomic.Int32
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("C%d", i)
			tk := newTicket(id, e.clock.Now())
			<-start
			results[i], errs[i] = e.store.CreateTicket(ctx, tk, firstEvent(tk),
				&ports.Idempotency{Key: "same", BodyHash: "body", Response: []byte(`{"id":"` + id + `"}`)})
			if results[i].Replayed {
				replayed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !bytes.Equal(results[i].Response, results[0].Response) || results[i].TicketID != results[0].TicketID {
			t.Fatalf("caller %d got %s/%s, caller 0 got %s/%s", i, results[i].TicketID, results[i].Response, results[0].TicketID, results[0].Response)
		}
	}
	if got := replayed.Load(); got != n-1 {
		t.Fatalf("%d replays, want %d", got, n-1)
	}
	if got := e.countPrefix(t, "TICKET#", skMeta); got != 1 {
		t.Fatalf("%d tickets exist", got)
	}
	if got := e.countPrefix(t, "TICKET#", ""); got != 2 {
		t.Fatalf("%d ticket items (want ticket + first event)", got)
	}
}

func TestSaveTicket(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := newTicket("T1", e.clock.Now())
	if _, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), nil); err != nil {
		t.Fatal(err)
	}
	actor := ticket.Actor{Role: ticket.ActorSystem}
	e.clock.Add(time.Minute)
	ev, err := tk.Transition(ticket.StatusInReview, actor, e.clock.Now(), ticket.Verbatim(""))
	if err != nil {
		t.Fatal(err)
	}
	note := tk.Note("review.auto", actor, e.clock.Now(), ticket.Verbatim("checks passed"), false)
	if err := e.store.SaveTicket(ctx, tk, ticket.StatusReceived, ev, note); err != nil {
		t.Fatal(err)
	}
	if tk.Version != 2 {
		t.Fatalf("version %d", tk.Version)
	}

	// Wrong expected status: conflict, nothing written.
	stale := *tk
	stale.Status = ticket.StatusInReview
	if err := e.store.SaveTicket(ctx, &stale, ticket.StatusDispatched); err == nil {
		t.Fatal("transition dispatched -> in_review accepted")
	}
	copyTk := *tk
	err = e.store.SaveTicket(ctx, &copyTk, ticket.StatusReceived, ticket.Event{At: e.clock.Now(), Kind: "x"})
	if err == nil {
		t.Fatal("saved with wrong expected status")
	}
	var ce *ports.ConflictError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "status") {
		t.Fatalf("wrong status: %v", err)
	}
	// Stale version: conflict.
	old := *tk
	old.Version = 1
	if err := e.store.SaveTicket(ctx, &old, ticket.StatusInReview); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "version") {
		t.Fatalf("stale version: %v", err)
	}

	got, err := e.store.GetTicket(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != ticket.StatusInReview || got.Version != 2 || got.Contact == nil || got.Contact.Phone != "13800138000" {
		t.Fatalf("got %+v", got)
	}
	evs, err := e.store.Events(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[1].Kind != "status.in_review" || evs[2].Kind != "review.auto" || evs[1].Seq != 200 || evs[2].Seq != 201 {
		t.Fatalf("events %+v", evs)
	}

	// Saving a ticket read without its contact keeps the sealed contact.
	meta, err := e.store.GetTicketMeta(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	meta.ReviewReason = "ok"
	if err := e.store.SaveTicket(ctx, meta, ticket.StatusInReview); err != nil {
		t.Fatal(err)
	}
	if got, err := e.store.GetTicket(ctx, "T1"); err != nil || got.Contact == nil || got.Contact.Name != "张三" || got.ReviewReason != "ok" {
		t.Fatalf("after meta save: %+v %v", got, err)
	}
}

func TestRacingSaves(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := newTicket("T1", e.clock.Now())
	if _, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), nil); err != nil {
		t.Fatal(err)
	}
	loaded, err := e.store.GetTicket(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	var (
		wg        sync.WaitGroup
		wins      atomic.Int32
		conflicts atomic.Int32
		winner    atomic.Int32
		start     = make(chan struct{})
		others    = make(chan error, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := *loaded
			// Distinct times give distinct event keys: only the version
			// condition decides the race.
			at := e.clock.Now().Add(time.Duration(i) * time.Millisecond)
			ev, err := mine.Transition(ticket.StatusInReview, ticket.Actor{Role: ticket.ActorOperator, ID: fmt.Sprintf("op%d", i)}, at, ticket.Verbatim(""))
			if err != nil {
				others <- err
				return
			}
			<-start
			err = e.store.SaveTicket(ctx, &mine, ticket.StatusReceived, ev)
			var ce *ports.ConflictError
			switch {
			case err == nil:
				wins.Add(1)
				winner.Store(int32(i))
			case errors.As(err, &ce):
				conflicts.Add(1)
			default:
				others <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(others)
	for err := range others {
		t.Fatal(err)
	}
	if wins.Load() != 1 || conflicts.Load() != n-1 {
		t.Fatalf("%d wins, %d conflicts", wins.Load(), conflicts.Load())
	}
	evs, err := e.store.Events(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[1].ActorID != fmt.Sprintf("op%d", winner.Load()) {
		t.Fatalf("timeline %+v, winner op%d", evs, winner.Load())
	}
	got, _ := e.store.GetTicket(ctx, "T1")
	if got.Version != 2 || got.Status != ticket.StatusInReview {
		t.Fatalf("ticket %+v", got)
	}
}

// hookDB runs a hook before each transaction, to interleave a competing
// writer between SaveTicket's read and its conditional write.
type hookDB struct {
	*dynamodb.Client
	before func()
}

func (h *hookDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if h.before != nil {
		f := h.before
		h.before = nil
		f()
	}
	return h.Client.TransactWriteItems(ctx, in, optFns...)
}

func TestSaveConditionCatchesWriteAfterRead(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := newTicket("T1", e.clock.Now())
	if _, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), nil); err != nil {
		t.Fatal(err)
	}
	hook := &hookDB{Client: e.db}
	racer, err := New(hook, e.store.Table(), e.store.sealer, e.store.blinder, WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	sys := ticket.Actor{Role: ticket.ActorSystem}
	mine := *tk
	ev, _ := mine.Transition(ticket.StatusInReview, sys, e.clock.Now(), ticket.Verbatim("mine"))
	hook.before = func() {
		// Another writer wins after our read, before our write.
		// A later time, so the event keys differ and only the ticket's
		// version condition can stop our write.
		theirs := *tk
		ev, _ := theirs.Transition(ticket.StatusInReview, sys, e.clock.Now().Add(time.Second), ticket.Verbatim("theirs"))
		if err := e.store.SaveTicket(ctx, &theirs, ticket.StatusReceived, ev); err != nil {
			t.Error(err)
		}
	}
	err = racer.SaveTicket(ctx, &mine, ticket.StatusReceived, ev)
	if !errors.Is(err, &ports.ConflictError{}) {
		t.Fatalf("got %v, want ports.ConflictError", err)
	}
	if mine.Version != 1 {
		t.Fatalf("loser's version changed to %d", mine.Version)
	}
	evs, err := e.store.Events(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[1].Note != "theirs" {
		t.Fatalf("timeline %+v", evs)
	}
}
