package ddb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/cockroachdb/pebble/v2"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

const fiveYears = 5 * 365 * 24 * 3600

// CreateTableInput is CreateTable's request (the members the engine uses;
// stream, SSE, tag and table class settings are accepted and ignored).
type CreateTableInput struct {
	TableName                 string
	KeySchema                 []KeySchemaElement
	AttributeDefinitions      []AttributeDefinition
	GlobalSecondaryIndexes    []IndexSpec
	LocalSecondaryIndexes     []IndexSpec
	BillingMode               string
	ProvisionedThroughput     *Throughput
	DeletionProtectionEnabled bool
	StreamSpecification       json.RawMessage
	SSESpecification          json.RawMessage
	Tags                      json.RawMessage
	TableClass                string
	OnDemandThroughput        json.RawMessage
	WarmThroughput            json.RawMessage
	ResourcePolicy            string
}

// TableDescription is DescribeTable's table, complete as DynamoDB's.
type TableDescription struct {
	TableName                 string
	TableArn                  string
	TableId                   string
	TableStatus               string
	CreationDateTime          float64
	KeySchema                 []KeySchemaElement
	AttributeDefinitions      []AttributeDefinition
	ItemCount                 int64
	TableSizeBytes            int64
	ProvisionedThroughput     ThroughputDescription
	BillingModeSummary        *BillingModeSummary `json:",omitempty"`
	GlobalSecondaryIndexes    []IndexDescription  `json:",omitempty"`
	LocalSecondaryIndexes     []IndexDescription  `json:",omitempty"`
	DeletionProtectionEnabled bool
	TableClassSummary         *TableClassSummary `json:",omitempty"`
}

// ThroughputDescription is a table's or index's capacity as described.
type ThroughputDescription struct {
	NumberOfDecreasesToday int64
	ReadCapacityUnits      int64
	WriteCapacityUnits     int64
}

// BillingModeSummary says how the table is billed.
type BillingModeSummary struct {
	BillingMode                       string
	LastUpdateToPayPerRequestDateTime float64
}

// TableClassSummary is the table's class.
type TableClassSummary struct{ TableClass string }

// IndexDescription is a secondary index as described.
type IndexDescription struct {
	IndexName             string
	IndexArn              string
	KeySchema             []KeySchemaElement
	Projection            Projection
	IndexStatus           string `json:",omitempty"` // global indexes only
	ItemCount             int64
	IndexSizeBytes        int64
	ProvisionedThroughput *ThroughputDescription `json:",omitempty"`
}

// CreateTable creates a table, ready at once (ACTIVE).
func (e *Engine) CreateTable(in CreateTableInput) (*TableDescription, error) {
	billing := in.BillingMode
	switch billing {
	case "":
		billing = "PROVISIONED"
	case "PROVISIONED", "PAY_PER_REQUEST":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", billing)
	}
	if billing == "PROVISIONED" && in.ProvisionedThroughput == nil {
		return nil, validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	if billing == "PAY_PER_REQUEST" && in.ProvisionedThroughput != nil {
		return nil, validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	}
	now := e.now()
	m := tableMeta{
		Name: in.TableName, KeySchema: in.KeySchema, Attributes: in.AttributeDefinitions,
		GSIs: in.GlobalSecondaryIndexes, LSIs: in.LocalSecondaryIndexes,
		BillingMode: billing, Throughput: in.ProvisionedThroughput, Created: now,
		ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(now.Unix()), now.UnixNano()&0xFFFFFFFFFFFF), Deletion: in.DeletionProtectionEnabled,
	}
	t, err := newTable(m)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, exists := e.tables[in.TableName]; exists {
		return nil, &Error{Type: excInUse, Message: "Table already exists: " + in.TableName, Status: http.StatusBadRequest}
	}
	if err := e.saveMeta(t); err != nil {
		return nil, err
	}
	e.tables[in.TableName] = t
	return e.describe(t), nil
}

func (e *Engine) saveMeta(t *table) error {
	b, err := json.Marshal(t.meta)
	if err != nil {
		return fmt.Errorf("encode table %s: %w", t.meta.Name, err)
	}
	if err := e.db.Set(metaKey(t.meta.Name), b, e.write); err != nil {
		return fmt.Errorf("save table %s: %w", t.meta.Name, err)
	}
	return nil
}

// DescribeTable describes a table.
func (e *Engine) DescribeTable(name string) (*TableDescription, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	t, ok := e.tables[name]
	if !ok {
		return nil, notFound("Requested resource not found: Table: " + name + " not found")
	}
	return e.describe(t), nil
}

func (e *Engine) describe(t *table) *TableDescription {
	arn := t.arn(e.opts.Region, e.opts.Account)
	created := float64(t.meta.Created.UnixMilli()) / 1000
	d := &TableDescription{
		TableName: t.meta.Name, TableArn: arn, TableId: t.meta.ID, TableStatus: "ACTIVE",
		CreationDateTime: created, KeySchema: t.meta.KeySchema, AttributeDefinitions: t.meta.Attributes,
		ItemCount: t.count, TableSizeBytes: t.bytes, DeletionProtectionEnabled: t.meta.Deletion,
		TableClassSummary: &TableClassSummary{TableClass: "STANDARD"},
	}
	if t.meta.Throughput != nil {
		d.ProvisionedThroughput = ThroughputDescription{ReadCapacityUnits: t.meta.Throughput.ReadCapacityUnits, WriteCapacityUnits: t.meta.Throughput.WriteCapacityUnits}
	}
	if t.meta.BillingMode == "PAY_PER_REQUEST" {
		d.BillingModeSummary = &BillingModeSummary{BillingMode: "PAY_PER_REQUEST", LastUpdateToPayPerRequestDateTime: created}
	}
	for i, ix := range t.indexes {
		var spec IndexSpec
		if ix.global {
			spec = t.meta.GSIs[i]
		} else {
			spec = t.meta.LSIs[i-len(t.meta.GSIs)]
		}
		desc := IndexDescription{
			IndexName: ix.name, IndexArn: arn + "/index/" + ix.name, KeySchema: spec.KeySchema,
			Projection: spec.Projection, ItemCount: ix.count, IndexSizeBytes: ix.bytes,
		}
		if ix.global {
			desc.IndexStatus = "ACTIVE"
			desc.ProvisionedThroughput = &ThroughputDescription{}
			if spec.ProvisionedThroughput != nil {
				desc.ProvisionedThroughput.ReadCapacityUnits = spec.ProvisionedThroughput.ReadCapacityUnits
				desc.ProvisionedThroughput.WriteCapacityUnits = spec.ProvisionedThroughput.WriteCapacityUnits
			}
			d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, desc)
		} else {
			d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, desc)
		}
	}
	return d
}

// DeleteTable deletes a table and everything in it.
func (e *Engine) DeleteTable(name string) (*TableDescription, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tables[name]
	if !ok {
		return nil, notFound("Requested resource not found: Table: " + name + " not found")
	}
	if t.meta.Deletion {
		return nil, validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	b := e.db.NewBatch()
	defer b.Close()
	items := itemPrefix(name)
	ops := []error{b.Delete(metaKey(name), nil), b.DeleteRange(items, prefixEnd(items), nil)}
	for _, ix := range t.indexes {
		p := indexPrefix(name, ix.name)
		ops = append(ops, b.DeleteRange(p, prefixEnd(p), nil))
	}
	for _, err := range ops {
		if err != nil {
			return nil, fmt.Errorf("delete table %s: %w", name, err)
		}
	}
	if err := b.Commit(e.write); err != nil {
		return nil, fmt.Errorf("delete table %s: %w", name, err)
	}
	d := e.describe(t)
	d.TableStatus = "DELETING"
	delete(e.tables, name)
	return d, nil
}

// ListTablesInput pages the table names.
type ListTablesInput struct {
	ExclusiveStartTableName string
	Limit                   int
}

// ListTablesOutput is a page of table names.
type ListTablesOutput struct {
	TableNames             []string
	LastEvaluatedTableName string `json:",omitempty"`
}

// ListTables lists the table names in order, 100 at most a page.
func (e *Engine) ListTables(in ListTablesInput) (*ListTablesOutput, error) {
	if in.Limit < 0 || in.Limit > 100 {
		return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", in.Limit)
	}
	limit := in.Limit
	if limit == 0 {
		limit = 100
	}
	e.mu.RLock()
	names := make([]string, 0, len(e.tables))
	for n := range e.tables {
		if n > in.ExclusiveStartTableName {
			names = append(names, n)
		}
	}
	e.mu.RUnlock()
	slices.Sort(names)
	out := &ListTablesOutput{TableNames: names}
	if len(names) > limit {
		out.TableNames = names[:limit]
		out.LastEvaluatedTableName = names[limit-1]
	}
	return out, nil
}

// TimeToLiveDescription is a table's TTL setting as described.
type TimeToLiveDescription struct {
	TimeToLiveStatus string
	AttributeName    string `json:",omitempty"`
}

// UpdateTimeToLive turns expiry on or off for a table.
func (e *Engine) UpdateTimeToLive(name string, spec TTLSpec) (*TTLSpec, error) {
	if spec.AttributeName == "" {
		return nil, validation("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.table(name)
	if err != nil {
		return nil, err
	}
	cur := t.meta.TTL
	switch {
	case spec.Enabled && cur != nil && cur.Enabled:
		return nil, validation("TimeToLive is already enabled")
	case !spec.Enabled && (cur == nil || !cur.Enabled):
		return nil, validation("TimeToLive is already disabled")
	case !spec.Enabled && cur.AttributeName != spec.AttributeName:
		return nil, validation("TimeToLive is active on a different AttributeName: current AttributeName is %s", cur.AttributeName)
	}
	prev := t.meta.TTL
	t.meta.TTL = &spec
	if err := e.saveMeta(t); err != nil {
		t.meta.TTL = prev
		return nil, err
	}
	return &spec, nil
}

// DescribeTimeToLive describes a table's TTL setting.
func (e *Engine) DescribeTimeToLive(name string) (*TimeToLiveDescription, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	t, err := e.table(name)
	if err != nil {
		return nil, err
	}
	if t.meta.TTL == nil || !t.meta.TTL.Enabled {
		return &TimeToLiveDescription{TimeToLiveStatus: "DISABLED"}, nil
	}
	return &TimeToLiveDescription{TimeToLiveStatus: "ENABLED", AttributeName: t.meta.TTL.AttributeName}, nil
}

// ExpireItems deletes the items whose TTL attribute (a number of epoch
// seconds) is before now, in every table with TTL enabled, and says how
// many it deleted. DynamoDB does this in the background within days; local
// mode runs it on its clock, so expired items go as soon as a sweep runs.
// The scan for them runs beside writes; each deletion checks its item again
// under the write lock, as one written meanwhile may no longer be expired.
func (e *Engine) ExpireItems() (int, error) {
	if err := e.enter(); err != nil {
		return 0, err
	}
	defer e.life.RUnlock()
	now := e.now().Unix()
	e.mu.RLock()
	var tables []*table
	for _, t := range e.tables {
		if t.meta.TTL != nil && t.meta.TTL.Enabled {
			tables = append(tables, t)
		}
	}
	e.mu.RUnlock()
	deleted := 0
	for _, t := range tables {
		attr := t.meta.TTL.AttributeName
		expired := func(item av.Item) bool {
			v, ok := item[attr]
			if !ok || v.Kind != av.N {
				return false
			}
			// Epoch seconds; DynamoDB skips other types and times more than
			// five years past (they are taken for other units).
			secs, err := strconv.ParseFloat(v.S, 64)
			return err == nil && secs < float64(now) && secs >= float64(now-fiveYears)
		}
		var keys [][]byte
		p := itemPrefix(t.meta.Name)
		it, err := e.db.NewIter(&pebble.IterOptions{LowerBound: p, UpperBound: prefixEnd(p)})
		if err != nil {
			return deleted, fmt.Errorf("expire items of %s: %w", t.meta.Name, err)
		}
		for it.First(); it.Valid(); it.Next() {
			item, err := decodeItem(it.Value())
			if err != nil {
				_ = it.Close()
				return deleted, err
			}
			if expired(item) {
				keys = append(keys, bytes.Clone(it.Key()))
			}
		}
		if err := it.Close(); err != nil {
			return deleted, fmt.Errorf("expire items of %s: %w", t.meta.Name, err)
		}
		n, err := e.deleteIfExpired(t, keys, expired)
		deleted += n
		if err != nil {
			return deleted, fmt.Errorf("expire items of %s: %w", t.meta.Name, err)
		}
	}
	return deleted, nil
}

// deleteIfExpired deletes the items at keys that are still expired, in
// batches so writers wait for one batch at a time.
func (e *Engine) deleteIfExpired(t *table, keys [][]byte, expired func(av.Item) bool) (int, error) {
	const batch = 256
	deleted := 0
	for len(keys) > 0 {
		n := min(batch, len(keys))
		err := func() error {
			e.mu.Lock()
			defer e.mu.Unlock()
			if e.tables[t.meta.Name] != t {
				return nil // deleted meanwhile
			}
			var changes []change
			for _, k := range keys[:n] {
				item, err := e.get(k)
				if err != nil {
					return err
				}
				if item != nil && expired(item) {
					changes = append(changes, change{t: t, before: item})
				}
			}
			if len(changes) == 0 {
				return nil
			}
			if err := e.commit(changes); err != nil {
				return err
			}
			deleted += len(changes)
			return nil
		}()
		if err != nil {
			return deleted, err
		}
		keys = keys[n:]
	}
	if deleted > 0 && e.opts.Sync {
		if err := e.db.LogData(nil, pebble.Sync); err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}
