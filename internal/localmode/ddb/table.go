package ddb

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// KeySchemaElement, AttributeDefinition, Projection and the table and index
// descriptions are DynamoDB's wire shapes.
type KeySchemaElement struct {
	AttributeName string
	KeyType       string // HASH or RANGE
}

// AttributeDefinition names a key attribute's type (S, N or B).
type AttributeDefinition struct {
	AttributeName string
	AttributeType string
}

// Projection is what an index holds of each item.
type Projection struct {
	ProjectionType   string   `json:",omitempty"` // ALL, KEYS_ONLY, INCLUDE
	NonKeyAttributes []string `json:",omitempty"`
}

// Throughput is a provisioned table's or index's capacity. The engine does
// not throttle; it reports what it was given.
type Throughput struct {
	ReadCapacityUnits  int64
	WriteCapacityUnits int64
}

// IndexSpec is a secondary index in CreateTable and UpdateTable.
type IndexSpec struct {
	IndexName             string
	KeySchema             []KeySchemaElement
	Projection            Projection
	ProvisionedThroughput *Throughput `json:",omitempty"`
}

// TTLSpec is a table's time to live setting.
type TTLSpec struct {
	AttributeName string
	Enabled       bool
}

// tableMeta is what the store keeps of a table.
type tableMeta struct {
	Name        string
	KeySchema   []KeySchemaElement
	Attributes  []AttributeDefinition
	GSIs        []IndexSpec `json:",omitempty"`
	LSIs        []IndexSpec `json:",omitempty"`
	BillingMode string
	Throughput  *Throughput `json:",omitempty"`
	Created     time.Time
	ID          string
	TTL         *TTLSpec `json:",omitempty"`
	Deletion    bool     `json:",omitempty"` // deletion protection
}

// keyAttr is one key attribute of a table or index.
type keyAttr struct {
	name string
	kind av.Kind
}

// table is an open table: its meta and what the engine derives from it.
type table struct {
	meta    tableMeta
	hash    keyAttr
	rng     *keyAttr
	indexes []*index
	count   int64 // items
	bytes   int64 // their sizes
}

// index is a secondary index of a table.
type index struct {
	name       string
	global     bool
	hash       keyAttr
	rng        *keyAttr
	projection Projection
	count      int64
	bytes      int64
}

var tableNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func checkName(what, name string) error {
	if !tableNamePattern.MatchString(name) {
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255", name, what)
	}
	return nil
}

// newTable checks a CreateTable's schema as DynamoDB does and opens it.
func newTable(m tableMeta) (*table, error) {
	if err := checkName("tableName", m.Name); err != nil {
		return nil, err
	}
	types := map[string]av.Kind{}
	for _, d := range m.Attributes {
		k, ok := av.KindOf(d.AttributeType)
		if !ok || !(k == av.S || k == av.N || k == av.B) {
			return nil, validation("1 validation error detected: Value '%s' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType)
		}
		if _, dup := types[d.AttributeName]; dup {
			return nil, validation("Cannot have two attributes with the same name")
		}
		types[d.AttributeName] = k
	}
	used := map[string]bool{}
	keys := func(where string, ks []KeySchemaElement) (keyAttr, *keyAttr, error) {
		if len(ks) == 0 || len(ks) > 2 {
			return keyAttr{}, nil, validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 2 and greater than or equal to 1", where)
		}
		var h keyAttr
		var r *keyAttr
		for i, e := range ks {
			k, ok := types[e.AttributeName]
			if !ok {
				return keyAttr{}, nil, validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", e.AttributeName, definedNames(m.Attributes))
			}
			used[e.AttributeName] = true
			switch {
			case i == 0 && e.KeyType == "HASH":
				h = keyAttr{e.AttributeName, k}
			case i == 1 && e.KeyType == "RANGE":
				if e.AttributeName == h.name {
					return keyAttr{}, nil, validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
				}
				r = &keyAttr{e.AttributeName, k}
			default:
				return keyAttr{}, nil, validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
			}
		}
		return h, r, nil
	}
	t := &table{meta: m}
	var err error
	if t.hash, t.rng, err = keys("keySchema", m.KeySchema); err != nil {
		return nil, err
	}
	names := map[string]bool{}
	add := func(spec IndexSpec, global bool) error {
		if err := checkName("indexName", spec.IndexName); err != nil {
			return err
		}
		if names[spec.IndexName] {
			return validation("One or more parameter values were invalid: Duplicate index name: %s", spec.IndexName)
		}
		names[spec.IndexName] = true
		h, r, err := keys("index.keySchema", spec.KeySchema)
		if err != nil {
			return err
		}
		if !global && (h.name != t.hash.name || r == nil) {
			return validation("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", spec.IndexName)
		}
		switch spec.Projection.ProjectionType {
		case "ALL", "KEYS_ONLY":
			if len(spec.Projection.NonKeyAttributes) > 0 {
				return validation("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", spec.Projection.ProjectionType)
			}
		case "INCLUDE":
			if len(spec.Projection.NonKeyAttributes) == 0 {
				return validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
			}
		case "":
			return validation("One or more parameter values were invalid: Unknown ProjectionType: null")
		default:
			return validation("1 validation error detected: Value '%s' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", spec.Projection.ProjectionType)
		}
		t.indexes = append(t.indexes, &index{name: spec.IndexName, global: global, hash: h, rng: r, projection: spec.Projection})
		return nil
	}
	for _, s := range m.GSIs {
		if err := add(s, true); err != nil {
			return nil, err
		}
	}
	if t.rng == nil && len(m.LSIs) > 0 {
		return nil, validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
	}
	for _, s := range m.LSIs {
		if err := add(s, false); err != nil {
			return nil, err
		}
	}
	for name := range types {
		if !used[name] {
			return nil, validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
		}
	}
	return t, nil
}

func definedNames(ds []AttributeDefinition) string {
	var names []string
	for _, d := range ds {
		names = append(names, d.AttributeName)
	}
	return strings.Join(names, ", ")
}

// keyOf checks that key holds exactly the table's key attributes, of their
// types, and gives them back.
func (t *table) keyOf(key av.Item) (av.Item, error) {
	want := 1
	if t.rng != nil {
		want = 2
	}
	if len(key) != want {
		return nil, validation("The provided key element does not match the schema")
	}
	for _, ka := range t.keyAttrs() {
		v, ok := key[ka.name]
		if !ok || v.Kind != ka.kind {
			return nil, validation("The provided key element does not match the schema")
		}
		if err := checkKeyValue(ka.name, v); err != nil {
			return nil, err
		}
	}
	return key, nil
}

func checkKeyValue(name string, v av.Value) error {
	if (v.Kind == av.S && v.S == "") || (v.Kind == av.B && len(v.B) == 0) {
		return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", map[av.Kind]string{av.S: "string", av.B: "binary"}[v.Kind], name)
	}
	if v.Kind == av.S && len(v.S) > 2048 || v.Kind == av.B && len(v.B) > 2048 {
		return validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes")
	}
	return nil
}

func (t *table) keyAttrs() []keyAttr {
	if t.rng == nil {
		return []keyAttr{t.hash}
	}
	return []keyAttr{t.hash, *t.rng}
}

// keyFrom is the table key of an item.
func (t *table) keyFrom(item av.Item) av.Item {
	k := av.Item{t.hash.name: item[t.hash.name]}
	if t.rng != nil {
		k[t.rng.name] = item[t.rng.name]
	}
	return k
}

// checkItem checks a whole item before it is written: its key, the types
// of index keys it carries, and its size.
func (t *table) checkItem(item av.Item) error {
	for _, ka := range t.keyAttrs() {
		v, ok := item[ka.name]
		if !ok {
			return validation("One or more parameter values were invalid: Missing the key %s in the item", ka.name)
		}
		if v.Kind != ka.kind {
			return validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", ka.name, ka.kind, v.Kind)
		}
		if err := checkKeyValue(ka.name, v); err != nil {
			return err
		}
	}
	for _, ix := range t.indexes {
		for _, ka := range ix.keyAttrs() {
			v, ok := item[ka.name]
			if !ok {
				continue
			}
			if v.Kind != ka.kind {
				return validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", ka.name, ka.kind, v.Kind, ix.name)
			}
			if err := checkKeyValue(ka.name, v); err != nil {
				return err
			}
		}
	}
	if item.Size() > maxItemBytes {
		return validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

const maxItemBytes = 400 * 1024

func (ix *index) keyAttrs() []keyAttr {
	if ix.rng == nil {
		return []keyAttr{ix.hash}
	}
	return []keyAttr{ix.hash, *ix.rng}
}

// holds says whether the index has an entry for the item: it carries every
// index key attribute (a sparse index skips the others).
func (ix *index) holds(item av.Item) bool {
	for _, ka := range ix.keyAttrs() {
		if _, ok := item[ka.name]; !ok {
			return false
		}
	}
	return true
}

// project is what the index keeps of an item.
func (ix *index) project(t *table, item av.Item) av.Item {
	if ix.projection.ProjectionType == "ALL" {
		return item
	}
	out := t.keyFrom(item)
	for _, ka := range ix.keyAttrs() {
		out[ka.name] = item[ka.name]
	}
	for _, name := range ix.projection.NonKeyAttributes {
		if v, ok := item[name]; ok {
			out[name] = v
		}
	}
	return out
}

func (t *table) index(name string) (*index, error) {
	for _, ix := range t.indexes {
		if ix.name == name {
			return ix, nil
		}
	}
	return nil, validation("The table does not have the specified index: %s", name)
}

func (t *table) arn(region, account string) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, account, t.meta.Name)
}
