// Package ddb is local mode's DynamoDB: an engine of the project's own on an
// ordered key-value store (Pebble), on disk or in memory, serving the
// DynamoDB JSON protocol.
//
// An item is one key of the store, named by its table and its key values in
// an order-preserving form (av.AppendKey); each secondary index entry is
// another key, named by the index's key values and then the item's, holding
// the projected item. So a write touches its item and its index entries
// only, and a Query seeks its key range: costs grow with log n, not n.
// Writes are serialized by one lock, under which a condition is checked and
// the item and its index entries are committed as one atomic batch.
package ddb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
	"github.com/hotline12345/hotline/internal/localmode/durable"
)

// Options configure an engine.
type Options struct {
	// Dir keeps the data; empty keeps it in memory only.
	Dir string
	// Now is the clock of TTL expiry and table creation times.
	Now func() time.Time
	// Region and Account name the tables' ARNs.
	Region, Account string
	// Sync makes every write reach the disk before it is acknowledged, so
	// a crash (even kill -9) loses nothing a client was told is written.
	// Without it Pebble writes its log a moment after the commit returns,
	// and a crash can lose the last writes. Writes commit under the write
	// lock and wait for the disk after it, so concurrent writes share one
	// flush (Pebble's group commit).
	Sync bool
	// Meter, when set, counts every request's cost by DynamoDB's rules.
	Meter *Meter
}

// Engine is a DynamoDB engine.
type Engine struct {
	db    *pebble.DB
	now   func() time.Time
	opts  Options
	write *pebble.WriteOptions

	// mu serializes writes and guards tables; reads take it shared to find
	// their table, then read the store, whose batches commit atomically.
	mu     sync.RWMutex
	tables map[string]*table

	// life is held shared by every request the engine serves and taken by
	// Close, which so waits for requests in flight (a closed store must
	// not be read); closed turns later ones away.
	life   sync.RWMutex
	closed bool

	idem idempotency
}

// Store key prefixes.
const (
	prefixMeta  = 't'
	prefixItem  = 'i'
	prefixIndex = 'x'
)

// Open opens the engine's store (creating it if need be) and its tables.
func Open(o Options) (*Engine, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Account == "" {
		o.Account = "000000000000"
	}
	po := &pebble.Options{Logger: durable.QuietLogger{}}
	dir := o.Dir
	if dir == "" {
		po.FS = vfs.NewMem()
		dir = "ddb"
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("DynamoDB: %w", durable.OpenError(o.Dir, err))
	}
	e := &Engine{db: db, now: o.Now, opts: o, tables: map[string]*table{}, write: pebble.NoSync}
	e.idem.entries = map[string]idemEntry{}
	if err := e.load(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return e, nil
}

// Close closes the store; closing again does nothing.
func (e *Engine) Close() error {
	e.life.Lock()
	defer e.life.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.db.Close(); err != nil {
		return fmt.Errorf("close the DynamoDB store: %w", err)
	}
	return nil
}

// enter admits a request unless the engine is closed; the caller calls
// e.life.RUnlock when it is done.
func (e *Engine) enter() error {
	e.life.RLock()
	if e.closed {
		e.life.RUnlock()
		return &Error{Type: excInternal, Status: http.StatusInternalServerError, Message: "the DynamoDB engine is closed"}
	}
	return nil
}

// load opens the stored tables and counts their items and index entries.
func (e *Engine) load() error {
	it, err := e.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixMeta}, UpperBound: []byte{prefixMeta + 1}})
	if err != nil {
		return fmt.Errorf("read the tables: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		var m tableMeta
		if err := json.Unmarshal(it.Value(), &m); err != nil {
			return fmt.Errorf("read table %s: %w", it.Key()[1:], err)
		}
		t, err := newTable(m)
		if err != nil {
			return fmt.Errorf("open table %s: %w", m.Name, err)
		}
		if err := e.count(t); err != nil {
			return err
		}
		e.tables[m.Name] = t
	}
	return it.Error()
}

// count sets a table's and its indexes' item counts and sizes from the
// store (DescribeTable reports them).
func (e *Engine) count(t *table) error {
	countRange := func(prefix []byte) (n, size int64, err error) {
		it, err := e.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
		if err != nil {
			return 0, 0, err
		}
		defer it.Close()
		for it.First(); it.Valid(); it.Next() {
			item, err := decodeItem(it.Value())
			if err != nil {
				return 0, 0, err
			}
			n++
			size += int64(item.Size())
		}
		return n, size, it.Error()
	}
	var err error
	if t.count, t.bytes, err = countRange(itemPrefix(t.meta.Name)); err != nil {
		return fmt.Errorf("count table %s: %w", t.meta.Name, err)
	}
	for _, ix := range t.indexes {
		if ix.count, ix.bytes, err = countRange(indexPrefix(t.meta.Name, ix.name)); err != nil {
			return fmt.Errorf("count index %s: %w", ix.name, err)
		}
	}
	return nil
}

func metaKey(table string) []byte { return append([]byte{prefixMeta}, table...) }

func itemPrefix(table string) []byte {
	b := append([]byte{prefixItem}, table...)
	return append(b, 0)
}

func indexPrefix(table, ix string) []byte {
	b := append([]byte{prefixIndex}, table...)
	b = append(b, 0)
	b = append(b, ix...)
	return append(b, 0)
}

// appendKeyOf appends the key values of attrs in item to dst.
func appendKeyOf(dst []byte, item av.Item, attrs []keyAttr) []byte {
	for _, ka := range attrs {
		dst = av.AppendKey(dst, item[ka.name])
	}
	return dst
}

func (t *table) itemKey(item av.Item) []byte {
	return appendKeyOf(itemPrefix(t.meta.Name), item, t.keyAttrs())
}

func (t *table) indexKey(ix *index, item av.Item) []byte {
	k := appendKeyOf(indexPrefix(t.meta.Name, ix.name), item, ix.keyAttrs())
	return appendKeyOf(k, item, t.keyAttrs())
}

// prefixEnd is the first key after every key that starts with p.
func prefixEnd(p []byte) []byte {
	end := slices.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // no upper bound
}

func encodeItem(item av.Item) []byte { return item.AppendBinary(nil) }

func decodeItem(b []byte) (av.Item, error) {
	item, err := av.DecodeBinary(b)
	if err != nil {
		return nil, fmt.Errorf("decode a stored item: %w", err)
	}
	return item, nil
}

// get reads one item by its store key; nil when there is none.
func (e *Engine) get(key []byte) (av.Item, error) {
	b, closer, err := e.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read an item: %w", err)
	}
	defer closer.Close()
	return decodeItem(b)
}

// table finds a table by name; the caller holds mu.
func (e *Engine) table(name string) (*table, error) {
	t, ok := e.tables[name]
	if !ok {
		return nil, errNoTable
	}
	return t, nil
}

// change is one item's new state in a write: nil after is a delete.
type change struct {
	t      *table
	before av.Item
	after  av.Item
}

// commit writes changes as one atomic batch: items and their index entries,
// and keeps the counts. The caller holds mu.
func (e *Engine) commit(changes []change) error {
	b := e.db.NewBatch()
	defer b.Close()
	for _, c := range changes {
		t := c.t
		if c.after != nil {
			if err := b.Set(t.itemKey(c.after), encodeItem(c.after), nil); err != nil {
				return fmt.Errorf("write an item: %w", err)
			}
		} else if c.before != nil {
			if err := b.Delete(t.itemKey(c.before), nil); err != nil {
				return fmt.Errorf("delete an item: %w", err)
			}
		}
		for _, ix := range t.indexes {
			var oldKey, newKey []byte
			if c.before != nil && ix.holds(c.before) {
				oldKey = t.indexKey(ix, c.before)
			}
			if c.after != nil && ix.holds(c.after) {
				newKey = t.indexKey(ix, c.after)
			}
			if oldKey != nil && !bytes.Equal(oldKey, newKey) {
				if err := b.Delete(oldKey, nil); err != nil {
					return fmt.Errorf("delete an index entry: %w", err)
				}
			}
			if newKey != nil {
				if err := b.Set(newKey, encodeItem(ix.project(t, c.after)), nil); err != nil {
					return fmt.Errorf("write an index entry: %w", err)
				}
			}
		}
	}
	if err := b.Commit(e.write); err != nil {
		return fmt.Errorf("commit a write: %w", err)
	}
	for _, c := range changes {
		c.t.counted(c.before, -1)
		c.t.counted(c.after, +1)
	}
	return nil
}

// counted adds (sign +1) or removes (-1) an item from the counts.
func (t *table) counted(item av.Item, sign int64) {
	if item == nil {
		return
	}
	t.count += sign
	t.bytes += sign * int64(item.Size())
	for _, ix := range t.indexes {
		if ix.holds(item) {
			ix.count += sign
			ix.bytes += sign * int64(ix.project(t, item).Size())
		}
	}
}

var _ io.Closer = (*Engine)(nil)
