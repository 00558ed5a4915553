package ddb

import (
	"bytes"
	"fmt"
	"hash/fnv"

	"github.com/cockroachdb/pebble/v2"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
	"github.com/hotline12345/hotline/internal/localmode/ddb/expr"
)

// maxPageBytes is DynamoDB's page size: a Query or Scan stops after reading
// 1 MB and answers LastEvaluatedKey.
const maxPageBytes = 1 << 20

// QueryInput is Query's request.
type QueryInput struct {
	TableName              string
	IndexName              string
	KeyConditionExpression string
	FilterExpression       string
	ProjectionExpression   string
	Select                 string
	Limit                  int
	ExclusiveStartKey      av.Item
	ScanIndexForward       *bool
	ConsistentRead         bool
	ReturnConsumedCapacity string
	KeyConditions          map[string]any
	QueryFilter            map[string]any
	AttributesToGet        []string
	ConditionalOperator    string
	Exprs
}

// ScanInput is Scan's request.
type ScanInput struct {
	TableName              string
	IndexName              string
	FilterExpression       string
	ProjectionExpression   string
	Select                 string
	Limit                  int
	ExclusiveStartKey      av.Item
	Segment                *int
	TotalSegments          *int
	ConsistentRead         bool
	ReturnConsumedCapacity string
	ScanFilter             map[string]any
	AttributesToGet        []string
	ConditionalOperator    string
	Exprs
}

// PageOutput is the answer of Query and Scan.
type PageOutput struct {
	Items            []av.Item `json:",omitzero"` // [] when nothing matched; absent for COUNT
	Count            int
	ScannedCount     int
	LastEvaluatedKey av.Item           `json:",omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:",omitempty"`
}

// reading is one Query's or Scan's plan: where it reads, what it keeps.
type reading struct {
	t          *table
	ix         *index // nil for the table itself
	lower      []byte
	upper      []byte
	forward    bool
	limit      int
	filter     *expr.Condition
	projection *expr.Projection
	count      bool // Select COUNT
	fetch      bool // an LSI read that needs the table's item (Select ALL_ATTRIBUTES)
	segment    func(item av.Item) bool
	consistent bool
	capacity   string
	op         string // Query or Scan, for the meter
}

// Query reads one partition of a table or index, by its sort key range.
func (e *Engine) Query(in QueryInput) (*PageOutput, error) {
	switch {
	case in.KeyConditions != nil:
		return nil, legacy("KeyConditions")
	case in.QueryFilter != nil:
		return nil, legacy("QueryFilter")
	case in.AttributesToGet != nil:
		return nil, legacy("AttributesToGet")
	case in.ConditionalOperator != "":
		return nil, legacy("ConditionalOperator")
	case in.KeyConditionExpression == "":
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	x := newExprs(in.Exprs)
	kc, err := x.keyCondition(in.KeyConditionExpression)
	if err != nil {
		return nil, err
	}
	r, err := e.plan(x, in.TableName, in.IndexName, in.FilterExpression, in.ProjectionExpression, in.Select, in.Limit, in.ConsistentRead)
	if err != nil {
		return nil, err
	}
	r.capacity, r.op = in.ReturnConsumedCapacity, "Query"
	r.forward = in.ScanIndexForward == nil || *in.ScanIndexForward
	hash, rng := r.t.hash, r.t.rng
	prefix := itemPrefix(r.t.meta.Name)
	if r.ix != nil {
		hash, rng = r.ix.hash, r.ix.rng
		prefix = indexPrefix(r.t.meta.Name, r.ix.name)
	}
	rangeName := ""
	if rng != nil {
		rangeName = rng.name
	}
	hc, rc, err := kc.Split(hash.name, rangeName)
	if err != nil {
		return nil, err
	}
	if hc.Values[0].Kind != hash.kind {
		return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	p := av.AppendKey(prefix, hc.Values[0])
	r.lower, r.upper = p, prefixEnd(p)
	if rc != nil {
		for _, v := range rc.Values {
			if v.Kind != rng.kind {
				return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
		if r.lower, r.upper, err = rangeBounds(p, rc); err != nil {
			return nil, err
		}
	}
	return e.read(r, in.ExclusiveStartKey)
}

// rangeBounds are the store bounds of a sort key condition within the
// partition whose key prefix is p.
func rangeBounds(p []byte, rc *expr.KeyCond) (lower, upper []byte, err error) {
	at := func(v av.Value) []byte { return av.AppendKey(bytes.Clone(p), v) }
	switch rc.Op {
	case expr.EQ:
		k := at(rc.Values[0])
		return k, prefixEnd(k), nil
	case expr.LT:
		return p, at(rc.Values[0]), nil
	case expr.LE:
		return p, prefixEnd(at(rc.Values[0])), nil
	case expr.GT:
		return prefixEnd(at(rc.Values[0])), prefixEnd(p), nil
	case expr.GE:
		return at(rc.Values[0]), prefixEnd(p), nil
	case expr.BETWEEN:
		if c, _ := av.Compare(rc.Values[0], rc.Values[1]); c > 0 {
			return nil, nil, validation("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {%s}, upper bound operand: AttributeValue: {%s}", rc.Values[0].Kind, rc.Values[1].Kind)
		}
		return at(rc.Values[0]), prefixEnd(at(rc.Values[1])), nil
	case expr.BEGINS_WITH:
		v := rc.Values[0]
		if v.Kind == av.N {
			return nil, nil, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
		}
		// The value's form without its terminator: every key that starts
		// with the value starts with these bytes.
		k := at(v)
		k = k[:len(k)-2]
		return k, prefixEnd(k), nil
	}
	return nil, nil, fmt.Errorf("key condition operator %v", rc.Op)
}

// Scan reads a whole table or index (or one segment of it).
func (e *Engine) Scan(in ScanInput) (*PageOutput, error) {
	switch {
	case in.ScanFilter != nil:
		return nil, legacy("ScanFilter")
	case in.AttributesToGet != nil:
		return nil, legacy("AttributesToGet")
	case in.ConditionalOperator != "":
		return nil, legacy("ConditionalOperator")
	}
	x := newExprs(in.Exprs)
	r, err := e.plan(x, in.TableName, in.IndexName, in.FilterExpression, in.ProjectionExpression, in.Select, in.Limit, in.ConsistentRead)
	if err != nil {
		return nil, err
	}
	r.capacity, r.op = in.ReturnConsumedCapacity, "Scan"
	r.forward = true
	if r.ix != nil {
		r.lower = indexPrefix(r.t.meta.Name, r.ix.name)
	} else {
		r.lower = itemPrefix(r.t.meta.Name)
	}
	r.upper = prefixEnd(r.lower)
	if (in.Segment == nil) != (in.TotalSegments == nil) {
		return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	}
	if in.TotalSegments != nil {
		seg, total := *in.Segment, *in.TotalSegments
		if total < 1 || total > 1000000 {
			return nil, validation("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000", total)
		}
		if seg < 0 || seg >= total {
			return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", seg, total)
		}
		t := r.t
		r.segment = func(item av.Item) bool {
			h := fnv.New32a()
			h.Write(av.AppendKey(nil, item[t.hash.name]))
			return int(h.Sum32()%uint32(total)) == seg
		}
	}
	return e.read(r, in.ExclusiveStartKey)
}

// plan checks what Query and Scan share: the table or index, the filter,
// the projection and Select, the limit.
func (e *Engine) plan(x *exprs, tableName, indexName, filter, projection, sel string, limit int, consistent bool) (*reading, error) {
	f, err := x.filter(filter)
	if err != nil {
		return nil, err
	}
	p, err := x.projection(projection)
	if err != nil {
		return nil, err
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", limit)
	}
	e.mu.RLock()
	t, err := e.table(tableName)
	e.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	r := &reading{t: t, limit: limit, filter: f, projection: p, consistent: consistent}
	if indexName != "" {
		if r.ix, err = t.index(indexName); err != nil {
			return nil, err
		}
		if consistent && r.ix.global {
			return nil, validation("Consistent reads are not supported on global secondary indexes")
		}
	}
	switch sel {
	case "", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES":
		if sel != "" && p != nil {
			return nil, validation("Cannot specify the ProjectionExpression when choosing to get %s", sel)
		}
		if sel == "ALL_PROJECTED_ATTRIBUTES" && r.ix == nil {
			return nil, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
		if r.ix != nil && r.ix.projection.ProjectionType != "ALL" && (sel == "ALL_ATTRIBUTES" || sel == "") && p == nil {
			if r.ix.global && sel == "ALL_ATTRIBUTES" {
				return nil, validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", r.ix.name)
			}
			// A local index reads the table for what it lacks.
			r.fetch = !r.ix.global && sel == "ALL_ATTRIBUTES"
		}
	case "SPECIFIC_ATTRIBUTES":
		if p == nil {
			return nil, validation("Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression")
		}
	case "COUNT":
		if p != nil {
			return nil, validation("Cannot specify the ProjectionExpression when choosing to get COUNT")
		}
		r.count = true
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	return r, nil
}

// read runs a plan: it walks the key range from the start key, up to the
// limit or a page's worth of bytes, filters, projects and counts.
func (e *Engine) read(r *reading, start av.Item) (*PageOutput, error) {
	if start != nil {
		k, err := r.startKey(start)
		if err != nil {
			return nil, err
		}
		if r.forward {
			if bytes.Compare(k, r.lower) >= 0 {
				r.lower = append(k, 0) // the first key after it
			}
		} else if bytes.Compare(k, r.upper) < 0 {
			r.upper = k
		}
		if bytes.Compare(r.lower, r.upper) >= 0 {
			return &PageOutput{}, nil
		}
	}
	it, err := e.db.NewIter(&pebble.IterOptions{LowerBound: r.lower, UpperBound: r.upper})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", r.t.meta.Name, err)
	}
	defer it.Close()
	out := &PageOutput{}
	size := 0
	var last av.Item
	valid := it.First()
	if !r.forward {
		valid = it.Last()
	}
	for ; valid; valid = next(it, r.forward) {
		item, err := decodeItem(it.Value())
		if err != nil {
			return nil, err
		}
		if r.segment != nil && !r.segment(item) {
			continue
		}
		out.ScannedCount++
		size += item.Size()
		last = item
		if r.fetch {
			if full, err := e.get(r.t.itemKey(item)); err != nil {
				return nil, err
			} else if full != nil {
				item = full
			}
		}
		keep := true
		if r.filter != nil {
			if keep, err = r.filter.Eval(item); err != nil {
				return nil, err
			}
		}
		if keep {
			out.Count++
			if !r.count {
				if r.projection != nil {
					item = r.projection.Apply(item)
				}
				out.Items = append(out.Items, item)
			}
		}
		if (r.limit > 0 && out.ScannedCount >= r.limit) || size >= maxPageBytes {
			out.LastEvaluatedKey = r.keyOf(last)
			break
		}
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("read %s: %w", r.t.meta.Name, err)
	}
	if !r.count && out.Items == nil {
		out.Items = []av.Item{}
	}
	indexName, global := "", false
	if r.ix != nil {
		indexName, global = r.ix.name, r.ix.global
	}
	used := readCapacity(e.capacityMode(r.capacity), r.t.meta.Name, indexName, global, size, r.consistent)
	e.opts.Meter.add(r.op, unitsOf(used), 0)
	out.ConsumedCapacity = reported(r.capacity, used)
	return out, nil
}

func next(it *pebble.Iterator, forward bool) bool {
	if forward {
		return it.Next()
	}
	return it.Prev()
}

// keyOf is an item's LastEvaluatedKey: the table's key, and the index's.
func (r *reading) keyOf(item av.Item) av.Item {
	k := r.t.keyFrom(item)
	if r.ix != nil {
		for _, ka := range r.ix.keyAttrs() {
			k[ka.name] = item[ka.name]
		}
	}
	return k.Clone()
}

// startKey is the store key of an ExclusiveStartKey, checked against the
// schema of what is read.
func (r *reading) startKey(k av.Item) ([]byte, error) {
	attrs := r.t.keyAttrs()
	if r.ix != nil {
		attrs = append(r.ix.keyAttrs(), attrs...)
	}
	want := map[string]av.Kind{}
	for _, ka := range attrs {
		want[ka.name] = ka.kind
	}
	if len(k) != len(want) {
		return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
	}
	for name, kind := range want {
		if v, ok := k[name]; !ok || v.Kind != kind {
			return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
	}
	if r.ix != nil {
		return r.t.indexKey(r.ix, k), nil
	}
	return r.t.itemKey(k), nil
}
