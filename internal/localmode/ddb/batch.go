package ddb

import (
	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// BatchWriteItemInput is BatchWriteItem's request: puts and deletes by
// table, 25 at most in all.
type BatchWriteItemInput struct {
	RequestItems                map[string][]WriteRequest
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

// WriteRequest is one put or delete of a batch.
type WriteRequest struct {
	PutRequest    *struct{ Item av.Item }
	DeleteRequest *struct{ Key av.Item }
}

// BatchWriteItemOutput is BatchWriteItem's answer; the engine processes
// every request, so UnprocessedItems is always empty.
type BatchWriteItemOutput struct {
	UnprocessedItems map[string][]WriteRequest
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

// BatchWriteItem puts and deletes items without conditions. Each write is
// atomic on its own; the engine applies them all in one batch.
func (e *Engine) BatchWriteItem(in BatchWriteItemInput) (*BatchWriteItemOutput, error) {
	total := 0
	for _, reqs := range in.RequestItems {
		total += len(reqs)
	}
	if total == 0 || total > 25 {
		return nil, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length less than or equal to 25, Member must have length greater than or equal to 1")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var changes []change
	seen := map[string]bool{}
	for name, reqs := range in.RequestItems {
		t, err := e.table(name)
		if err != nil {
			return nil, err
		}
		for _, r := range reqs {
			var key, item av.Item
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				if err := t.checkItem(r.PutRequest.Item); err != nil {
					return nil, err
				}
				item = r.PutRequest.Item.Clone()
				key = t.keyFrom(item)
			case r.DeleteRequest != nil && r.PutRequest == nil:
				if key, err = t.keyOf(r.DeleteRequest.Key); err != nil {
					return nil, err
				}
			default:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			k := t.itemKey(key)
			if seen[string(k)] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[string(k)] = true
			old, err := e.get(k)
			if err != nil {
				return nil, err
			}
			if item == nil && old == nil {
				continue
			}
			changes = append(changes, change{t: t, before: old, after: item})
		}
	}
	if err := e.commit(changes); err != nil {
		return nil, err
	}
	if e.opts.Meter != nil {
		var total float64
		for _, c := range changes {
			total += writeCapacity("TOTAL", c.t, c.before, c.after).CapacityUnits
		}
		e.opts.Meter.add("BatchWriteItem", 0, total)
	}
	return &BatchWriteItemOutput{UnprocessedItems: map[string][]WriteRequest{}}, nil
}

// BatchGetItemInput is BatchGetItem's request: keys by table, 100 at most.
type BatchGetItemInput struct {
	RequestItems           map[string]KeysAndAttributes
	ReturnConsumedCapacity string
}

// KeysAndAttributes are one table's keys of a BatchGetItem.
type KeysAndAttributes struct {
	Keys                 []av.Item
	ProjectionExpression string
	ConsistentRead       bool
	AttributesToGet      []string
	Exprs
}

// BatchGetItemOutput is BatchGetItem's answer; nothing is left unprocessed.
type BatchGetItemOutput struct {
	Responses       map[string][]av.Item
	UnprocessedKeys map[string]KeysAndAttributes
}

// BatchGetItem reads up to 100 items from one or more tables.
func (e *Engine) BatchGetItem(in BatchGetItemInput) (*BatchGetItemOutput, error) {
	total := 0
	for _, ka := range in.RequestItems {
		total += len(ka.Keys)
	}
	if total == 0 {
		return nil, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if total > 100 {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	out := &BatchGetItemOutput{Responses: map[string][]av.Item{}, UnprocessedKeys: map[string]KeysAndAttributes{}}
	var read float64
	e.mu.RLock()
	defer e.mu.RUnlock()
	for name, ka := range in.RequestItems {
		if ka.AttributesToGet != nil {
			return nil, legacy("AttributesToGet")
		}
		x := newExprs(ka.Exprs)
		proj, err := x.projection(ka.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		if err := x.done(); err != nil {
			return nil, err
		}
		t, err := e.table(name)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		items := []av.Item{}
		for _, k := range ka.Keys {
			key, err := t.keyOf(k)
			if err != nil {
				return nil, err
			}
			sk := t.itemKey(key)
			if seen[string(sk)] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[string(sk)] = true
			item, err := e.get(sk)
			if err != nil {
				return nil, err
			}
			// Each item is its own read, rounded up on its own.
			read += readUnits(itemSize(item), ka.ConsistentRead)
			if item == nil {
				continue
			}
			if proj != nil {
				item = proj.Apply(item)
			}
			items = append(items, item)
		}
		out.Responses[name] = items
	}
	e.opts.Meter.add("BatchGetItem", read, 0)
	return out, nil
}
