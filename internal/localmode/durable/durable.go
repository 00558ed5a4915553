// Package durable keeps local mode's state besides DynamoDB's tables (queues
// and their messages, captured mail and SMS, workflow executions) in an
// ordered key-value store on disk (Pebble, as the DynamoDB engine uses), so
// `hotline serve --data DIR` picks up where it stopped.
//
// A nil *Store is valid and keeps nothing: in-memory runs call the same
// methods and pay nothing for them.
package durable

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Store is a durable key-value store.
type Store struct {
	db *pebble.DB
	// life is held shared by each read and write and taken by Close: work
	// still finishing when the platform stops (an execution's last save)
	// gets ErrClosed rather than a closed store.
	life   sync.RWMutex
	closed bool
	// syncing is set while a background sync of lazy writes is scheduled.
	syncing atomic.Bool
}

// ErrClosed is the error of a write or read after Close.
var ErrClosed = errors.New("the store is closed")

// InUseError says another process holds the data folder.
type InUseError struct{ Dir string }

func (e *InUseError) Error() string {
	return fmt.Sprintf("the data folder %s is in use by another process (is another hotline serve running with it?)", e.Dir)
}

// Open opens (or creates) the store in dir.
func Open(dir string) (*Store, error) {
	db, err := pebble.Open(dir, &pebble.Options{Logger: QuietLogger{}})
	if err != nil {
		return nil, openError(dir, err)
	}
	return &Store{db: db}, nil
}

// openError names a locked folder as such: another process's lock is
// EAGAIN or EACCES from fcntl; Pebble has no error value for its own process's.
func openError(dir string, err error) error {
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) || strings.Contains(err.Error(), "lock held by current process") {
		return &InUseError{Dir: dir}
	}
	return fmt.Errorf("open the store in %s: %w", dir, err)
}

// OpenError is how a Pebble store's open error reads to a user: a folder
// another process holds is an InUseError. The DynamoDB engine's store uses it
// too.
func OpenError(dir string, err error) error { return openError(dir, err) }

// Close closes the store.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close the store: %w", err)
	}
	return nil
}

// Batch collects writes applied together.
type Batch struct{ b *pebble.Batch }

// Put sets key to value.
func (b *Batch) Put(key, value []byte) {
	if b != nil {
		_ = b.b.Set(key, value, nil) // a batch's Set fails only when closed
	}
}

// PutJSON sets key to v's JSON.
func (b *Batch) PutJSON(key []byte, v any) error {
	if b == nil {
		return nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	b.Put(key, j)
	return nil
}

// Delete removes key.
func (b *Batch) Delete(key []byte) {
	if b != nil {
		_ = b.b.Delete(key, nil)
	}
}

// DeletePrefix removes every key that starts with prefix.
func (b *Batch) DeletePrefix(prefix []byte) {
	if b != nil {
		_ = b.b.DeleteRange(prefix, PrefixEnd(prefix), nil)
	}
}

// Write applies what fn writes atomically and returns once it is on disk:
// what a client was told is kept survives a crash. Concurrent writes share
// one disk flush (Pebble's group commit). fn's error aborts the write.
func (s *Store) Write(fn func(*Batch) error) error { return s.write(fn, pebble.Sync) }

// WriteLazy is Write without waiting for the disk: for state whose loss in
// a crash only repeats work (a message's receive count, a visibility
// timeout), never loses a client's data. It reaches the disk with the next
// Write or Sync, and within lazySyncDelay regardless.
func (s *Store) WriteLazy(fn func(*Batch) error) error {
	if err := s.write(fn, pebble.NoSync); err != nil {
		return err
	}
	s.syncSoon()
	return nil
}

// lazySyncDelay bounds how long a lazy write stays off the disk: Pebble
// holds unsynced writes in its own buffer until a sync (an abrupt exit
// loses them all), and a quiet process makes no waiting write to carry
// them.
const lazySyncDelay = 200 * time.Millisecond

// syncSoon schedules one background sync unless one is pending.
func (s *Store) syncSoon() {
	if s == nil || !s.syncing.CompareAndSwap(false, true) {
		return
	}
	time.AfterFunc(lazySyncDelay, func() {
		s.syncing.Store(false)
		// No caller to tell of a failure (or of a store closed meanwhile);
		// the next waiting write reports a failing disk.
		_ = s.Sync()
	})
}

// Sync returns once everything written so far, WriteLazy's too, is on
// disk. A caller whose writes must follow its own lock's order writes them
// with WriteLazy under the lock and calls Sync after releasing it: the store
// keeps the lock's order, and concurrent callers share one disk flush
// instead of taking turns at it under the lock.
func (s *Store) Sync() error {
	if s == nil {
		return nil
	}
	return s.open(func() error {
		// The WAL is one sequence: syncing an empty record syncs all before it.
		if err := s.db.LogData(nil, pebble.Sync); err != nil {
			return fmt.Errorf("sync the store: %w", err)
		}
		return nil
	})
}

// open runs fn while the store is open (Close waits for it), or answers
// ErrClosed.
func (s *Store) open(fn func() error) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return fn()
}

func (s *Store) write(fn func(*Batch) error, o *pebble.WriteOptions) error {
	if s == nil {
		return fn(nil)
	}
	return s.open(func() error {
		b := s.db.NewBatch()
		defer b.Close()
		if err := fn(&Batch{b: b}); err != nil {
			return err
		}
		if err := b.Commit(o); err != nil {
			return fmt.Errorf("write the store: %w", err)
		}
		return nil
	})
}

// Scan calls fn with each key under prefix, in key order, and its value
// (both valid only during the call).
func (s *Store) Scan(prefix []byte, fn func(key, value []byte) error) error {
	if s == nil {
		return nil
	}
	return s.open(func() error {
		it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: PrefixEnd(prefix)})
		if err != nil {
			return fmt.Errorf("read the store: %w", err)
		}
		defer it.Close()
		for it.First(); it.Valid(); it.Next() {
			if err := fn(it.Key(), it.Value()); err != nil {
				return err
			}
		}
		if err := it.Error(); err != nil {
			return fmt.Errorf("read the store: %w", err)
		}
		return nil
	})
}

// ScanJSON decodes each value under prefix into a new T and calls fn.
func ScanJSON[T any](s *Store, prefix []byte, fn func(key []byte, v *T) error) error {
	return s.Scan(prefix, func(k, raw []byte) error {
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("read %s: %w", k, err)
		}
		return fn(k, v)
	})
}

// Key joins parts with 0 bytes (parts must not contain one), so a key's
// parts are its own prefix's.
func Key(parts ...string) []byte {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(p)
	}
	return b.Bytes()
}

// PrefixEnd is the least key greater than every key that starts with
// prefix (nil: none).
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// QuietLogger keeps Pebble's informational lines off the platform's log;
// its errors still reach the caller as errors.
type QuietLogger struct{}

func (QuietLogger) Infof(string, ...any)  {}
func (QuietLogger) Errorf(string, ...any) {}
func (QuietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}
