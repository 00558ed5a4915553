package ddb

import (
	"slices"
	"strings"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
	"github.com/hotline12345/hotline/internal/localmode/ddb/expr"
)

// ConsumedCapacity is what a request used, when it asked
// (ReturnConsumedCapacity TOTAL or INDEXES), counted by DynamoDB's rules.
type ConsumedCapacity struct {
	TableName              string
	CapacityUnits          float64
	ReadCapacityUnits      float64             `json:",omitempty"`
	WriteCapacityUnits     float64             `json:",omitempty"`
	Table                  *Capacity           `json:",omitempty"`
	GlobalSecondaryIndexes map[string]Capacity `json:",omitempty"`
	LocalSecondaryIndexes  map[string]Capacity `json:",omitempty"`
}

// Capacity is one table's or index's share of a request's capacity.
type Capacity struct {
	CapacityUnits      float64
	ReadCapacityUnits  float64 `json:",omitempty"`
	WriteCapacityUnits float64 `json:",omitempty"`
}

// Exprs are a request's expression attribute names and values.
type Exprs struct {
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]av.Value
}

// PutItemInput is PutItem's request.
type PutItemInput struct {
	TableName                           string
	Item                                av.Item
	ConditionExpression                 string
	ReturnValues                        string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	ReturnValuesOnConditionCheckFailure string
	Exprs
}

// ItemOutput is the answer of the single-item writes and GetItem.
type ItemOutput struct {
	Item             av.Item           `json:",omitempty"`
	Attributes       av.Item           `json:",omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:",omitempty"`
}

// exprs parses a request's expressions and refuses names and values it
// does not use, as DynamoDB does.
type exprs struct {
	in   Exprs
	used expr.Used
	any  bool
}

func newExprs(in Exprs) *exprs {
	return &exprs{in: in, used: expr.Used{Names: map[string]bool{}, Values: map[string]bool{}}}
}

func (x *exprs) condition(s string) (*expr.Condition, error) {
	if s == "" {
		return nil, nil
	}
	x.any = true
	return expr.ParseCondition(s, x.in.ExpressionAttributeNames, x.in.ExpressionAttributeValues, &x.used)
}

func (x *exprs) filter(s string) (*expr.Condition, error) {
	if s == "" {
		return nil, nil
	}
	x.any = true
	return expr.ParseFilter(s, x.in.ExpressionAttributeNames, x.in.ExpressionAttributeValues, &x.used)
}

func (x *exprs) projection(s string) (*expr.Projection, error) {
	if s == "" {
		return nil, nil
	}
	x.any = true
	return expr.ParseProjection(s, x.in.ExpressionAttributeNames, &x.used)
}

func (x *exprs) update(s string) (*expr.Update, error) {
	x.any = true
	return expr.ParseUpdate(s, x.in.ExpressionAttributeNames, x.in.ExpressionAttributeValues, &x.used)
}

func (x *exprs) keyCondition(s string) (*expr.KeyCondition, error) {
	x.any = true
	return expr.ParseKeyCondition(s, x.in.ExpressionAttributeNames, x.in.ExpressionAttributeValues, &x.used)
}

// done checks the names and values against what the expressions used.
func (x *exprs) done() error {
	names, values := x.in.ExpressionAttributeNames, x.in.ExpressionAttributeValues
	if !x.any {
		if names != nil {
			return validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if values != nil {
			return validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		return nil
	}
	if names != nil && len(names) == 0 {
		return validation("ExpressionAttributeNames must not be empty")
	}
	if values != nil && len(values) == 0 {
		return validation("ExpressionAttributeValues must not be empty")
	}
	if unused := unusedKeys(names, x.used.Names); unused != "" {
		return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", unused)
	}
	if unused := unusedKeys(values, x.used.Values); unused != "" {
		return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", unused)
	}
	return nil
}

func unusedKeys[V any](m map[string]V, used map[string]bool) string {
	var out []string
	for k := range m {
		if !used[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func checkReturnValues(rv string, allowed ...string) error {
	if rv == "" || rv == "NONE" || slices.Contains(allowed, rv) {
		return nil
	}
	return validation("ReturnValues can only be ALL_OLD or NONE")
}

// conditionHolds evaluates a write's condition on the item as it is (nil
// when there is none: every attribute is missing).
func conditionHolds(c *expr.Condition, current av.Item, returnOnFailure string) error {
	if c == nil {
		return nil
	}
	ok, err := c.Eval(current)
	if err != nil {
		return err
	}
	if !ok {
		var item av.Item
		if returnOnFailure == "ALL_OLD" && current != nil {
			item = current.Clone()
		}
		return conditionFailed(item)
	}
	return nil
}

// PutItem writes a whole item, if its condition holds.
func (e *Engine) PutItem(in PutItemInput) (*ItemOutput, error) {
	if err := checkReturnValues(in.ReturnValues, "ALL_OLD"); err != nil {
		return nil, err
	}
	return e.writeOne(TransactWriteItem{Put: &in}, in.ReturnValues, in.ReturnConsumedCapacity)
}

// writeOne runs a single-item write as a transaction of one action, so
// both check, make and commit an item one way; and answers ReturnValues.
func (e *Engine) writeOne(ti TransactWriteItem, returnValues, capacity string) (*ItemOutput, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, err := e.parseAction(ti, true)
	if err != nil {
		return nil, err
	}
	old, err := e.get(a.t.itemKey(a.key))
	if err != nil {
		return nil, err
	}
	after, write, err := a.resolve(old)
	if err != nil {
		// A write whose condition fails still costs its item's size (at
		// least one unit): DynamoDB read the item to check it.
		e.opts.Meter.add(ti.operation(), 0, units(max(itemSize(old), 1), 1024))
		return nil, err
	}
	if write {
		if err := e.commit([]change{{t: a.t, before: old, after: after}}); err != nil {
			return nil, err
		}
	}
	used := writeCapacity(e.capacityMode(capacity), a.t, old, after)
	e.opts.Meter.add(ti.operation(), 0, unitsOf(used))
	out := &ItemOutput{ConsumedCapacity: reported(capacity, used)}
	switch returnValues {
	case "ALL_OLD":
		out.Attributes = old
	case "ALL_NEW":
		out.Attributes = after
	case "UPDATED_OLD":
		out.Attributes = updated(a.update, old)
	case "UPDATED_NEW":
		out.Attributes = updated(a.update, after)
	}
	return out, nil
}

// GetItemInput is GetItem's request.
type GetItemInput struct {
	TableName              string
	Key                    av.Item
	ConsistentRead         bool
	ProjectionExpression   string
	ReturnConsumedCapacity string
	AttributesToGet        []string
	Exprs
}

// GetItem reads one item.
func (e *Engine) GetItem(in GetItemInput) (*ItemOutput, error) {
	if in.AttributesToGet != nil {
		return nil, legacy("AttributesToGet")
	}
	x := newExprs(in.Exprs)
	proj, err := x.projection(in.ProjectionExpression)
	if err != nil {
		return nil, err
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	e.mu.RLock()
	t, err := e.table(in.TableName)
	e.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	key, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	item, err := e.get(t.itemKey(key))
	if err != nil {
		return nil, err
	}
	used := readCapacity(e.capacityMode(in.ReturnConsumedCapacity), t.meta.Name, "", false, itemSize(item), in.ConsistentRead)
	e.opts.Meter.add("GetItem", unitsOf(used), 0)
	out := &ItemOutput{ConsumedCapacity: reported(in.ReturnConsumedCapacity, used)}
	if item != nil && proj != nil {
		item = proj.Apply(item)
	}
	out.Item = item
	return out, nil
}

// DeleteItemInput is DeleteItem's request.
type DeleteItemInput struct {
	TableName                           string
	Key                                 av.Item
	ConditionExpression                 string
	ReturnValues                        string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	ReturnValuesOnConditionCheckFailure string
	Exprs
}

// DeleteItem deletes one item, if its condition holds.
func (e *Engine) DeleteItem(in DeleteItemInput) (*ItemOutput, error) {
	if err := checkReturnValues(in.ReturnValues, "ALL_OLD"); err != nil {
		return nil, err
	}
	return e.writeOne(TransactWriteItem{Delete: &in}, in.ReturnValues, in.ReturnConsumedCapacity)
}

// UpdateItemInput is UpdateItem's request.
type UpdateItemInput struct {
	TableName                           string
	Key                                 av.Item
	UpdateExpression                    string
	ConditionExpression                 string
	ReturnValues                        string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	ReturnValuesOnConditionCheckFailure string
	AttributeUpdates                    map[string]any
	Exprs
}

// UpdateItem changes one item (creating it when it does not exist), if its
// condition holds.
func (e *Engine) UpdateItem(in UpdateItemInput) (*ItemOutput, error) {
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", in.ReturnValues)
	}
	return e.writeOne(TransactWriteItem{Update: &in}, in.ReturnValues, in.ReturnConsumedCapacity)
}

// updated is what an update changed, as it is in item.
func updated(u *expr.Update, item av.Item) av.Item {
	if u == nil || item == nil {
		return nil
	}
	out := expr.ProjectionOf(u.Paths()).Apply(item)
	if len(out) == 0 {
		return nil
	}
	return out
}

func legacy(param string) error {
	return validation("The local DynamoDB engine does not support the legacy parameter %s; use expressions", param)
}

func itemSize(item av.Item) int {
	if item == nil {
		return 0
	}
	return item.Size()
}

// units rounds a size up to whole units of unit bytes; at least one.
func units(size, unit int) float64 {
	if size <= 0 {
		return 1
	}
	return float64((size + unit - 1) / unit)
}

// writeCapacity is a single-item write's capacity: the larger of the item's
// sizes before and after, in 1 KB units, for the table; for each index,
// one write for an entry added or removed, two for one whose key changed.
func writeCapacity(mode string, t *table, before, after av.Item) *ConsumedCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	size := max(itemSize(before), itemSize(after))
	c := &ConsumedCapacity{TableName: t.meta.Name}
	tableUnits := units(size, 1024)
	total := tableUnits
	indexes := map[string]Capacity{}
	locals := map[string]Capacity{}
	for _, ix := range t.indexes {
		var u float64
		had := before != nil && ix.holds(before)
		has := after != nil && ix.holds(after)
		switch {
		case had && has:
			if slices.Equal(t.indexKey(ix, before), t.indexKey(ix, after)) {
				was, is := ix.project(t, before), ix.project(t, after)
				if sameItem(was, is) {
					// Nothing the index holds changed: DynamoDB does not
					// write the index (a KEYS_ONLY index of write-once keys
					// costs nothing on later updates).
					continue
				}
				u = units(max(was.Size(), is.Size()), 1024)
			} else {
				u = units(ix.project(t, before).Size(), 1024) + units(ix.project(t, after).Size(), 1024)
			}
		case had:
			u = units(ix.project(t, before).Size(), 1024)
		case has:
			u = units(ix.project(t, after).Size(), 1024)
		default:
			continue
		}
		total += u
		if ix.global {
			indexes[ix.name] = Capacity{CapacityUnits: u, WriteCapacityUnits: u}
		} else {
			locals[ix.name] = Capacity{CapacityUnits: u, WriteCapacityUnits: u}
		}
	}
	c.CapacityUnits = total
	c.WriteCapacityUnits = total
	if mode == "INDEXES" {
		c.Table = &Capacity{CapacityUnits: tableUnits, WriteCapacityUnits: tableUnits}
		if len(indexes) > 0 {
			c.GlobalSecondaryIndexes = indexes
		}
		if len(locals) > 0 {
			c.LocalSecondaryIndexes = locals
		}
	}
	return c
}

// readCapacity is a read's capacity: its size in 4 KB units, half for an
// eventually consistent read.
func readCapacity(mode, tableName, indexName string, global bool, size int, consistent bool) *ConsumedCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	u := readUnits(size, consistent)
	c := &ConsumedCapacity{TableName: tableName, CapacityUnits: u, ReadCapacityUnits: u}
	if mode == "INDEXES" {
		share := Capacity{CapacityUnits: u, ReadCapacityUnits: u}
		switch {
		case indexName == "":
			c.Table = &share
		case global:
			c.Table = &Capacity{}
			c.GlobalSecondaryIndexes = map[string]Capacity{indexName: share}
		default:
			c.Table = &Capacity{}
			c.LocalSecondaryIndexes = map[string]Capacity{indexName: share}
		}
	}
	return c
}

// operation names the single-item request ti stands for.
func (ti TransactWriteItem) operation() string {
	switch {
	case ti.Put != nil:
		return "PutItem"
	case ti.Update != nil:
		return "UpdateItem"
	case ti.Delete != nil:
		return "DeleteItem"
	}
	return "ConditionCheck"
}

// readUnits is a read's cost: 4 KB units, half for an eventually consistent read.
func readUnits(size int, consistent bool) float64 {
	u := units(size, 4096)
	if !consistent {
		u /= 2
	}
	return u
}

// sameItem says whether a and b hold the same attributes and values.
func sameItem(a, b av.Item) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !av.Equal(v, w) {
			return false
		}
	}
	return true
}
