// Package av is DynamoDB's attribute value as local mode's DynamoDB engine
// holds it: the JSON wire form ({"S": "x"}, {"N": "1"}, ...) decoded and
// checked as DynamoDB checks it, numbers as decimals of DynamoDB's precision,
// item sizes by DynamoDB's rules, and an order-preserving byte form of key
// values for the engine's ordered store.
package av

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Kind is an attribute value's data type, named as on the wire.
type Kind uint8

// The data types.
const (
	S Kind = iota + 1
	N
	B
	BOOL
	NULL
	M
	L
	SS
	NS
	BS
)

var kindNames = [...]string{"", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// KindOf is the Kind a wire name (as attribute_type takes it) names.
func KindOf(name string) (Kind, bool) {
	i := slices.Index(kindNames[1:], name)
	return Kind(i + 1), i >= 0
}

// Value is one attribute value. Exactly the fields of its Kind are set:
// S for S, and for N the number's canonical text; B for B; Bool for BOOL
// (NULL is always true); M, L; Strs for SS and NS (canonical numbers);
// Bins for BS. Sets keep the order they came in, as DynamoDB answers them.
type Value struct {
	Kind Kind
	S    string
	B    []byte
	Bool bool
	M    map[string]Value
	L    []Value
	Strs []string
	Bins [][]byte
}

// Item is an item or a key: attribute names to values.
type Item map[string]Value

// Str, Num and Bin make scalar values; Num panics on text that is not a
// number (for literals in code and tests).
func Str(s string) Value { return Value{Kind: S, S: s} }

// Num is a number value from its text.
func Num(s string) Value {
	c, err := canonicalNumber(s)
	if err != nil {
		panic(err)
	}
	return Value{Kind: N, S: c}
}

// Bin is a binary value.
func Bin(b []byte) Value { return Value{Kind: B, B: b} }

// IsScalar says whether v may be a key attribute's type (S, N or B).
func (v Value) IsScalar() bool { return v.Kind == S || v.Kind == N || v.Kind == B }

// IsSet says whether v is a set (SS, NS or BS).
func (v Value) IsSet() bool { return v.Kind == SS || v.Kind == NS || v.Kind == BS }

// Equal says whether a and b are the same value: numbers by value, sets
// whatever their order, maps and lists deeply.
func Equal(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case S, N:
		return a.S == b.S // numbers are canonical
	case B:
		return bytes.Equal(a.B, b.B)
	case BOOL:
		return a.Bool == b.Bool
	case NULL:
		return true
	case M:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, av := range a.M {
			bv, ok := b.M[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	case L:
		return slices.EqualFunc(a.L, b.L, Equal)
	case SS, NS:
		if len(a.Strs) != len(b.Strs) {
			return false
		}
		for _, s := range a.Strs {
			if !slices.Contains(b.Strs, s) {
				return false
			}
		}
		return true
	case BS:
		if len(a.Bins) != len(b.Bins) {
			return false
		}
		for _, x := range a.Bins {
			if !slices.ContainsFunc(b.Bins, func(y []byte) bool { return bytes.Equal(x, y) }) {
				return false
			}
		}
		return true
	}
	return false
}

// Compare orders two values of one scalar kind as DynamoDB sorts them:
// strings by UTF-8 bytes, numbers by value, binary by unsigned bytes. ok is
// false when they are not both S, both N or both B.
func Compare(a, b Value) (c int, ok bool) {
	if a.Kind != b.Kind {
		return 0, false
	}
	switch a.Kind {
	case S:
		return strings.Compare(a.S, b.S), true
	case N:
		return compareNumbers(a.S, b.S), true
	case B:
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}

// Clone is a deep copy of v: the engine hands out copies, so a caller's
// change never reaches what it stores.
func (v Value) Clone() Value {
	switch v.Kind {
	case B:
		v.B = slices.Clone(v.B)
	case M:
		m := make(map[string]Value, len(v.M))
		for k, x := range v.M {
			m[k] = x.Clone()
		}
		v.M = m
	case L:
		l := make([]Value, len(v.L))
		for i, x := range v.L {
			l[i] = x.Clone()
		}
		v.L = l
	case SS, NS:
		v.Strs = slices.Clone(v.Strs)
	case BS:
		bs := make([][]byte, len(v.Bins))
		for i, x := range v.Bins {
			bs[i] = slices.Clone(x)
		}
		v.Bins = bs
	}
	return v
}

// Clone is a deep copy of the item.
func (it Item) Clone() Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v.Clone()
	}
	return c
}
