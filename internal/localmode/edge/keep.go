package edge

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/durable"
)

// The edge keeps its SQS, SES and SNS state in a durable.Store when given
// one (Options.Store): every change is written through, and Open loads what
// the store holds. Keys are durable.Key parts; seq is a 20-digit,
// zero-padded decimal, so key order is number order:
//
//	sqs q <queue>        a queue: ARN, attributes, created and modified (keptQueue)
//	sqs m <queue> <seq>  one of its messages, every field (keptMessage). seq
//	                     comes from one counter over all queues, so a queue's
//	                     messages load in the order they joined it; a
//	                     redriven message takes a new seq in its dead-letter
//	                     queue, where it joins at the end
//	ses <seq>            a captured e-mail (SentEmail), in capture order
//	sns sms <seq>        a captured SMS (SMSMessage), in capture order
//	sns topic <arn>      a topic and its publish count (keptTopic)
//	secrets <name>       a Secrets Manager secret, current version (secret)
//	tencent sms <seq>    a captured Tencent Cloud SMS (TencentSMS)
//	s3 b <bucket>        an S3 bucket: created, lifecycle and CORS rules
//	s3 o <bucket> <key>  an S3 object's metadata and the name of the file in
//	                     Options.ObjectsDir holding its body; written by
//	                     package objects (its doc has the put and cleanup
//	                     order), not through keep, whose SQS-era write
//	                     ordering it does not need
//
// A change is written (without waiting for the disk) in the critical
// section of the service's mutex that makes it, so the store sees changes
// in memory's order and holds what memory holds. Calls whose answer says
// the change is kept (CreateQueue, DeleteQueue, SetQueueAttributes,
// PurgeQueue, SendMessage and its batch, CreateTopic, DeleteTopic) then wait
// for the disk (Store.Sync) after releasing the mutex: concurrent callers
// share one flush instead of taking turns at it under the lock. The others
// (receives, visibility changes, message deletes, retention expiry,
// redrive, captured mail and SMS) do not wait; see sqsService.unlock.

// errEdgeClosed answers a write after Close: the store may be closed by
// then.
var errEdgeClosed = errors.New("the edge is closed")

// keep is the edge's handle on its store, shared by SQS, SES and SNS; nil
// when the edge keeps nothing, so the services check before building what
// to write (writeNow, syncNow and close accept nil).
type keep struct {
	store *durable.Store
	// mu is held shared by writes and syncs and exclusively by close, so no
	// write reaches a store its owner closes after closing the edge
	// (http.Server.Close does not wait for running handlers).
	mu     sync.RWMutex
	closed bool
	fault  error // tests: every write and sync fails with it
}

// keptOp is one change to the store: a put of value's JSON, a delete when
// value is nil, or a delete of every key under key when prefix is set.
type keptOp struct {
	key    []byte
	value  any
	prefix bool
}

// write applies ops atomically without waiting for the disk.
func (k *keep) write(ops []keptOp) error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if err := k.usable(); err != nil {
		return err
	}
	err := k.store.WriteLazy(func(b *durable.Batch) error {
		for _, op := range ops {
			switch {
			case op.prefix:
				b.DeletePrefix(op.key)
			case op.value == nil:
				b.Delete(op.key)
			default:
				if err := b.PutJSON(op.key, op.value); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("edge: keep the change: %w", err)
	}
	return nil
}

// sync returns once every write so far is on disk.
func (k *keep) sync() error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if err := k.usable(); err != nil {
		return err
	}
	if err := k.store.Sync(); err != nil {
		return fmt.Errorf("edge: keep the change: %w", err)
	}
	return nil
}

// usable reports why the store may not be used; k.mu must be held.
func (k *keep) usable() error {
	if k.closed {
		return fmt.Errorf("edge: keep the change: %w", errEdgeClosed)
	}
	if k.fault != nil {
		return fmt.Errorf("edge: keep the change: %w", k.fault)
	}
	return nil
}

// close stops writes, waiting for those under way.
func (k *keep) close() {
	if k == nil {
		return
	}
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
}

// seqPart is a sequence number as a key part that sorts as a number.
func seqPart(n uint64) string { return fmt.Sprintf("%020d", n) }

// keyTail is what follows prefix in key, and the number it ends with when
// it ends in a seqPart.
func keyTail(key, prefix []byte) (tail string, seq uint64) {
	rest, _ := bytes.CutPrefix(key, prefix)
	tail = string(rest)
	if i := bytes.LastIndexByte(rest, 0); i >= 0 {
		rest = rest[i+1:]
	}
	seq, _ = strconv.ParseUint(string(rest), 10, 64)
	return tail, seq
}

// keepIn makes the services write through to st and loads what it holds;
// a nil st keeps nothing.
func (e *Edge) keepIn(st *durable.Store) error {
	if st == nil {
		return nil
	}
	k := &keep{store: st}
	e.keep, e.sqs.keep, e.ses.keep, e.sns.keep, e.sm.keep, e.tsms.keep = k, k, k, k, k, k
	if err := e.sqs.load(st); err != nil {
		return fmt.Errorf("edge: load SQS: %w", err)
	}
	if err := e.ses.load(st); err != nil {
		return fmt.Errorf("edge: load SES: %w", err)
	}
	if err := e.sns.load(st); err != nil {
		return fmt.Errorf("edge: load SNS: %w", err)
	}
	if err := e.sm.load(st); err != nil {
		return fmt.Errorf("edge: load Secrets Manager: %w", err)
	}
	if err := e.tsms.load(st); err != nil {
		return fmt.Errorf("edge: load Tencent SMS: %w", err)
	}
	return nil
}

// SQS

type keptQueue struct {
	ARN      string            `json:"arn"`
	Attrs    map[string]string `json:"attrs"`
	Created  time.Time         `json:"created"`
	Modified time.Time         `json:"modified"`
}

type keptMessage struct {
	ID           string             `json:"id"`
	Body         string             `json:"body"`
	MD5          string             `json:"md5"`
	Attrs        map[string]sqsAttr `json:"attrs,omitempty"`
	Sent         time.Time          `json:"sent"`
	VisibleAt    time.Time          `json:"visibleAt"`
	ReceiveCount int                `json:"receiveCount,omitempty"`
	FirstReceive time.Time          `json:"firstReceive,omitzero"`
	Receipt      string             `json:"receipt,omitempty"`
}

var (
	sqsQueuesKey   = durable.Key("sqs", "q", "")
	sqsMessagesKey = durable.Key("sqs", "m", "")
)

func queueKey(name string) []byte { return durable.Key("sqs", "q", name) }

// queueMessagesKey is the prefix of a queue's messages; the trailing empty
// part keeps queue "a" from covering queue "ab".
func queueMessagesKey(name string) []byte { return durable.Key("sqs", "m", name, "") }

func messageKey(queue string, seq uint64) []byte {
	return durable.Key("sqs", "m", queue, seqPart(seq))
}

// The record methods note a change for unlock to write; s.mu must be held.
// Values are taken now, as the change leaves them.

func (s *sqsService) keepQueue(q *sqsQueue) {
	if s.keep == nil {
		return
	}
	s.pending = append(s.pending, keptOp{key: queueKey(q.name), value: keptQueue{
		ARN: q.arn, Attrs: maps.Clone(q.attrs), Created: q.created, Modified: q.modified,
	}})
}

func (s *sqsService) dropQueue(q *sqsQueue) {
	if s.keep == nil {
		return
	}
	s.pending = append(s.pending,
		keptOp{key: queueKey(q.name)},
		keptOp{key: queueMessagesKey(q.name), prefix: true})
}

func (s *sqsService) dropMessages(q *sqsQueue) {
	if s.keep == nil {
		return
	}
	s.pending = append(s.pending, keptOp{key: queueMessagesKey(q.name), prefix: true})
}

func (s *sqsService) keepMessage(q *sqsQueue, m *sqsMessage) {
	// A long poll that outlived its queue's delete may still receive from
	// it; its keys went with the queue and must not come back (a queue made
	// again with the name would load them).
	if s.keep == nil || q.deleted {
		return
	}
	s.pending = append(s.pending, keptOp{key: messageKey(q.name, m.seq), value: keptMessage{
		ID: m.id, Body: m.body, MD5: m.md5Body, Attrs: m.attrs, Sent: m.sent, VisibleAt: m.visibleAt,
		ReceiveCount: m.receiveCount, FirstReceive: m.firstReceive, Receipt: m.receipt,
	}})
}

func (s *sqsService) dropMessage(q *sqsQueue, m *sqsMessage) {
	if s.keep == nil {
		return
	}
	s.pending = append(s.pending, keptOp{key: messageKey(q.name, m.seq)})
}

// onFailedWrite notes how to take back a change if its write fails; s.mu
// must be held and s.keep set (callers check, so an edge without a store
// does not even build the closure).
func (s *sqsService) onFailedWrite(undo func()) {
	s.undo = append(s.undo, undo)
}

// unlock writes what the call changed and releases s.mu, which must be
// held; wait then waits for the disk. A failed write fails the call and
// takes back what the call noted with onFailedWrite: the calls that wait
// (queue changes, sends) change nothing when they fail, so a client's retry
// finds the state it expects and writes it again. The others keep their
// change in memory, which the edge serves until it restarts from the
// store's earlier state: at worst a message delivered again (below). A
// failed wait for the disk cannot take anything back (others may have seen
// the change); the call fails and its client retries: at-least-once.
//
// Writes that do not wait (receives, visibility changes, deletes, expiry,
// redrive) may be lost in a crash: a lost receive or visibility change
// makes a message visible early, a lost delete delivers a handled message
// again, a lost redrive leaves a message in its queue to be redriven on the
// next receive. SQS promises no more (at-least-once; consumers are
// idempotent), and a flush per consumed message would halve a worker's
// throughput for it. A lazy write reaches the disk within durable's lazySyncDelay.
func (s *sqsService) unlock(wait bool) *sqsError {
	if s.keep == nil {
		s.mu.Unlock()
		return nil
	}
	var err error
	if len(s.pending) > 0 {
		err = s.keep.write(s.pending)
		if err != nil {
			for i := len(s.undo) - 1; i >= 0; i-- {
				s.undo[i]()
			}
		}
		clear(s.pending)
		clear(s.undo)
		s.pending, s.undo = s.pending[:0], s.undo[:0]
	}
	s.mu.Unlock()
	if err == nil && wait {
		err = s.keep.sync()
	}
	if err != nil {
		return errKeep(err)
	}
	return nil
}

// locked runs fn under s.mu and unlocks (writing what fn changed); wait
// waits for the disk when fn succeeds. A failed write fails the call.
func (s *sqsService) locked(wait bool, fn func() (any, *sqsError)) (any, *sqsError) {
	s.mu.Lock()
	done := false
	defer func() {
		if !done { // fn panicked: keep what it changed, release the lock
			_ = s.unlock(false)
		}
	}()
	out, err := fn()
	done = true
	if kerr := s.unlock(wait && err == nil); kerr != nil {
		return nil, kerr
	}
	return out, err
}

// errKeep is a store failure as SQS reports its own: 500, retryable.
func errKeep(err error) *sqsError {
	return &sqsError{500, "InternalError", "InternalError", "The local AWS edge could not keep the change: " + err.Error()}
}

// load fills the service from st; run before the edge serves.
func (s *sqsService) load(st *durable.Store) error {
	if err := durable.ScanJSON(st, sqsQueuesKey, func(k []byte, kq *keptQueue) error {
		name, _ := keyTail(k, sqsQueuesKey)
		s.queues[name] = &sqsQueue{
			name: name, arn: kq.ARN, attrs: kq.Attrs, created: kq.Created, modified: kq.Modified,
			changed: make(chan struct{}),
		}
		return nil
	}); err != nil {
		return err
	}
	return durable.ScanJSON(st, sqsMessagesKey, func(k []byte, km *keptMessage) error {
		tail, seq := keyTail(k, sqsMessagesKey)
		name, _, _ := bytes.Cut([]byte(tail), []byte{0})
		q, ok := s.queues[string(name)]
		if !ok {
			// Cannot happen: a queue's delete removes its messages in the
			// same batch. Skipped rather than failing the start.
			return nil
		}
		s.seq = max(s.seq, seq)
		q.msgs = append(q.msgs, &sqsMessage{
			seq: seq, id: km.ID, body: km.Body, md5Body: km.MD5, attrs: km.Attrs, sent: km.Sent,
			visibleAt: km.VisibleAt, receiveCount: km.ReceiveCount, firstReceive: km.FirstReceive, receipt: km.Receipt,
		})
		return nil
	})
}

// SES

var sesKey = durable.Key("ses", "")

func emailKey(seq uint64) []byte { return durable.Key("ses", seqPart(seq)) }

func (s *sesService) load(st *durable.Store) error {
	return loadCaptured(st, sesKey, &s.sent, &s.seqs, &s.seq)
}

// loadCaptured reads the captured messages kept under prefix, in the order
// they were captured, with their seqs (their keys' numbers) and the last seq.
func loadCaptured[T any](st *durable.Store, prefix []byte, items *[]T, seqs *[]uint64, last *uint64) error {
	return durable.ScanJSON(st, prefix, func(k []byte, m *T) error {
		_, seq := keyTail(k, prefix)
		*items = append(*items, *m)
		*seqs = append(*seqs, seq)
		*last = max(*last, seq)
		return nil
	})
}

// SNS

type keptTopic struct {
	ARN      string `json:"arn"`
	Messages int    `json:"messages"`
}

var (
	smsKey    = durable.Key("sns", "sms", "")
	topicsKey = durable.Key("sns", "topic", "")
)

func smsKeyOf(seq uint64) []byte { return durable.Key("sns", "sms", seqPart(seq)) }
func topicKey(arn string) []byte { return durable.Key("sns", "topic", arn) }
func keptTopicOf(t snsTopic) keptOp {
	return keptOp{key: topicKey(t.arn), value: keptTopic{t.arn, t.messages}}
}

func (s *snsService) load(st *durable.Store) error {
	if err := loadCaptured(st, smsKey, &s.sms, &s.seqs, &s.seq); err != nil {
		return err
	}
	return durable.ScanJSON(st, topicsKey, func(_ []byte, t *keptTopic) error {
		s.topics[t.ARN] = &snsTopic{arn: t.ARN, messages: t.Messages}
		return nil
	})
}

// writeNow writes ops for a service without a pending list (SES, SNS): their
// changes are single writes made before memory changes, so a failure
// leaves memory as it was. A nil k writes nothing.
func (k *keep) writeNow(ops ...keptOp) error {
	if k == nil {
		return nil
	}
	return k.write(ops)
}

// syncNow is sync for an edge that may keep nothing.
func (k *keep) syncNow() error {
	if k == nil {
		return nil
	}
	return k.sync()
}

// forgetCaptured drops the captured messages match selects (every one with
// all) from the store and then from items, whose seqs are their keys'
// numbers; the caller holds the service's lock. A failed write changes
// nothing.
func forgetCaptured[T any](k *keep, items []T, seqs []uint64, all bool, match func(T) bool, prefix []byte, keyOf func(uint64) []byte) ([]T, []uint64, error) {
	var ops []keptOp
	if all {
		ops = append(ops, keptOp{key: prefix, prefix: true})
	} else {
		for i, m := range items {
			if match(m) {
				ops = append(ops, keptOp{key: keyOf(seqs[i])})
			}
		}
	}
	if len(ops) > 0 {
		if err := k.writeNow(ops...); err != nil {
			return items, seqs, err
		}
	}
	keptItems, keptSeqs := items[:0], seqs[:0]
	for i, m := range items {
		if !all && !match(m) {
			keptItems, keptSeqs = append(keptItems, m), append(keptSeqs, seqs[i])
		}
	}
	clear(items[len(keptItems):])
	return keptItems, keptSeqs, nil
}
