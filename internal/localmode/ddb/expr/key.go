package expr

import (
	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// KeyOp is a key condition's operator.
type KeyOp uint8

// The operators a KeyConditionExpression allows: = on the partition key,
// these on the sort key.
const (
	EQ KeyOp = iota
	LT
	LE
	GT
	GE
	BETWEEN
	BEGINS_WITH
)

var keyOpNames = [...]string{"EQ", "LT", "LE", "GT", "GE", "BETWEEN", "BEGINS_WITH"}

func (o KeyOp) String() string { return keyOpNames[o] }

// KeyCond is one condition of a key condition: an attribute, an operator,
// and its value (two for BETWEEN).
type KeyCond struct {
	Name   string
	Op     KeyOp
	Values []av.Value
}

// KeyCondition is a parsed KeyConditionExpression: one or two conditions
// joined by AND, in the order written. Which is the partition key's is
// for the table's key schema to say (Split).
type KeyCondition struct {
	Conds []KeyCond
}

// ParseKeyCondition parses a KeyConditionExpression: the condition grammar,
// limited as DynamoDB limits it (AND only, no NOT or OR, comparisons other
// than <>, BETWEEN and begins_with, each between a top-level attribute and
// values, at most one condition per attribute).
func ParseKeyCondition(s string, n Names, v Values, used *Used) (*KeyCondition, error) {
	p := newParser(s, "KeyConditionExpression", keyMode, n, v, used)
	defer p.release()
	var c *cond
	if err := p.run(func() { c = p.or() }); err != nil {
		return nil, err
	}
	k := &KeyCondition{}
	if err := k.collect(c); err != nil {
		return nil, err
	}
	if len(k.Conds) == 2 && k.Conds[0].Name == k.Conds[1].Name || len(k.Conds) > 2 {
		return nil, errorf(p.kind, "KeyConditionExpressions must only contain one condition per key")
	}
	return k, nil
}

var keyOpOfCmp = [...]KeyOp{opEq: EQ, opLt: LT, opLe: LE, opGt: GT, opGe: GE}

// flipped is the operator with its operands swapped (:v < k is k > :v).
var flipped = [...]KeyOp{EQ: EQ, LT: GT, LE: GE, GT: LT, GE: LE}

func (k *KeyCondition) collect(c *cond) error {
	bad := func(op string) error {
		return &Error{Msg: "Invalid operator used in KeyConditionExpression: " + op}
	}
	switch c.kind {
	case cAnd:
		if err := k.collect(c.l); err != nil {
			return err
		}
		return k.collect(c.r)
	case cOr:
		return bad("OR")
	case cNot:
		return bad("NOT")
	case cIn:
		return bad("IN")
	case cExists:
		return bad("attribute_exists")
	case cNotExists:
		return bad("attribute_not_exists")
	case cType:
		return bad("attribute_type")
	case cContains:
		return bad("contains")
	case cCmp:
		if c.cmp == opNe {
			return bad("<>")
		}
		op := keyOpOfCmp[c.cmp]
		a, b := c.ops[0], c.ops[1]
		if a.kind == oValue && b.kind != oValue {
			a, b, op = b, a, flipped[op]
		}
		return k.add(op, a, b)
	case cBetween:
		return k.add(BETWEEN, c.ops[0], c.ops[1], c.ops[2])
	case cBeginsWith:
		return k.add(BEGINS_WITH, c.ops[0], c.ops[1])
	}
	return bad("?")
}

// add records a condition on attribute a with the given values, refusing
// what a key condition cannot take: sizes, nested paths, two attributes.
func (k *KeyCondition) add(op KeyOp, a operand, vals ...operand) error {
	for _, o := range append([]operand{a}, vals...) {
		if o.kind == oSize {
			return &Error{Msg: "KeyConditionExpressions cannot contain nested operations"}
		}
	}
	if a.kind != oPath {
		return &Error{Msg: "Invalid condition in KeyConditionExpression: No key attribute specified"}
	}
	if len(a.path) > 1 {
		return &Error{Msg: "KeyConditionExpressions cannot have conditions on nested attributes"}
	}
	kc := KeyCond{Name: a.path[0].Name, Op: op}
	for _, o := range vals {
		if o.kind != oValue {
			return &Error{Msg: "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"}
		}
		kc.Values = append(kc.Values, *o.val)
	}
	k.Conds = append(k.Conds, kc)
	return nil
}

// Split sorts the conditions to the table's (or index's) key schema: the
// partition key's, which must be =, and the sort key's, if there is one.
// rangeKey is "" for a table without a sort key.
func (k *KeyCondition) Split(hashKey, rangeKey string) (hash KeyCond, rng *KeyCond, err error) {
	found := false
	for i := range k.Conds {
		c := &k.Conds[i]
		switch {
		case c.Name == hashKey && c.Op == EQ && !found:
			hash, found = *c, true
		case c.Name == rangeKey && rangeKey != "" && rng == nil:
			rng = c
		default:
			return KeyCond{}, nil, &Error{Msg: "Query key condition not supported"}
		}
	}
	if !found {
		return KeyCond{}, nil, &Error{Msg: "Query condition missed key schema element: " + hashKey}
	}
	return hash, rng, nil
}
