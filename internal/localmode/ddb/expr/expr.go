// Package expr is DynamoDB's expression languages as local mode's DynamoDB
// engine needs them: condition and filter expressions, key condition
// expressions, update expressions and projection expressions, with
// expression attribute names (#n) and values (:v), parsed and evaluated as
// the DynamoDB Developer Guide specifies, and refused with DynamoDB's
// ValidationException words.
//
// Parsing is per request, so it is a hand-written lexer and a
// recursive-descent parser over the expression text, with no regexp.
package expr

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// Names is a request's ExpressionAttributeNames: "#n" to an attribute name.
type Names map[string]string

// Values is a request's ExpressionAttributeValues: ":v" to a value.
type Values map[string]av.Value

// Used records which #names and :values a request's expressions used:
// DynamoDB refuses a request that defines one its expressions do not use.
type Used struct{ Names, Values map[string]bool }

func (u *Used) name(n string) {
	if u == nil {
		return
	}
	if u.Names == nil {
		u.Names = map[string]bool{}
	}
	u.Names[n] = true
}

func (u *Used) value(v string) {
	if u == nil {
		return
	}
	if u.Values == nil {
		u.Values = map[string]bool{}
	}
	u.Values[v] = true
}

// Unused is DynamoDB's refusal of names or values a request defined but
// none of its expressions used, or nil. Call it after parsing every
// expression of the request with the same Used.
func (u *Used) Unused(n Names, v Values) error {
	var used Used
	if u != nil {
		used = *u
	}
	if keys := unusedKeys(n, used.Names); keys != "" {
		return &Error{Msg: "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys + "}"}
	}
	if keys := unusedKeys(v, used.Values); keys != "" {
		return &Error{Msg: "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys + "}"}
	}
	return nil
}

func unusedKeys[M ~map[string]V, V any](m M, used map[string]bool) string {
	var keys []string
	for k := range m {
		if !used[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // a stable message, whatever the map order
	return strings.Join(keys, ", ")
}

// Error is an expression DynamoDB would refuse, or an update it cannot
// apply, in DynamoDB's words; the engine answers it as a
// ValidationException.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// PathElem is one step of a document path: a map key (or top-level
// attribute name), or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path such as a.b[2].c, names already resolved from
// expression attribute names.
type Path []PathElem

// String renders the path as DynamoDB's messages do: [a, b, [2]].
func (p Path) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.IsIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
		} else {
			b.WriteString(e.Name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// maxDepth is how deeply a document path may nest (DynamoDB: 32 levels).
const maxDepth = 32

// get is the value at path p in item, if there is one.
func get(item av.Item, p Path) (av.Value, bool) {
	v, ok := item[p[0].Name]
	if !ok {
		return av.Value{}, false
	}
	for _, e := range p[1:] {
		if e.IsIndex {
			if v.Kind != av.L || e.Index >= len(v.L) {
				return av.Value{}, false
			}
			v = v.L[e.Index]
		} else {
			if v.Kind != av.M {
				return av.Value{}, false
			}
			if v, ok = v.M[e.Name]; !ok {
				return av.Value{}, false
			}
		}
	}
	return v, true
}

// relation is how two document paths of one expression relate: DynamoDB
// refuses paths that overlap (one is the other or inside it) and paths
// that conflict (one takes a name where the other takes an index).
type relation int

const (
	apart relation = iota
	overlap
	conflict
)

func relate(a, b Path) relation {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x.IsIndex != y.IsIndex {
			return conflict
		}
		if x.IsIndex && x.Index != y.Index || !x.IsIndex && x.Name != y.Name {
			return apart
		}
	}
	return overlap
}

// checkPaths refuses overlapping or conflicting paths as DynamoDB does.
func checkPaths(kind string, paths []Path) error {
	for i := range paths {
		for j := 0; j < i; j++ {
			switch relate(paths[j], paths[i]) {
			case overlap:
				return errorf(kind, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", paths[j], paths[i])
			case conflict:
				return errorf(kind, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", paths[j], paths[i])
			}
		}
	}
	return nil
}

// errorf is an Error about an expression of a kind ("ConditionExpression",
// "UpdateExpression", ...), worded "Invalid <kind>: ..." as DynamoDB does.
func errorf(kind, format string, args ...any) *Error {
	return &Error{Msg: "Invalid " + kind + ": " + fmt.Sprintf(format, args...)}
}

// typeName is a value type's name in DynamoDB's ADD and DELETE messages.
func typeName(k av.Kind) string {
	switch k {
	case av.S:
		return "STRING"
	case av.N:
		return "NUMBER"
	case av.B:
		return "BINARY"
	case av.BOOL:
		return "BOOLEAN"
	case av.NULL:
		return "NULL"
	case av.M:
		return "MAP"
	case av.L:
		return "LIST"
	case av.SS:
		return "STRING_SET"
	case av.NS:
		return "NUMBER_SET"
	case av.BS:
		return "BINARY_SET"
	}
	return k.String()
}

// maxRefSize is the longest #name or :value key DynamoDB takes, in bytes.
const maxRefSize = 255

// CheckNames refuses ExpressionAttributeNames as DynamoDB does before it
// reads any expression: present but empty, a key longer than 255 bytes or
// not # and letters, digits or _, an empty name. A nil map is no map: no refusal.
func CheckNames(n Names) error {
	if n == nil {
		return nil
	}
	if len(n) == 0 {
		return &Error{Msg: "ExpressionAttributeNames must not be empty"}
	}
	for _, k := range slices.Sorted(maps.Keys(n)) {
		if len(k) > maxRefSize {
			return &Error{Msg: fmt.Sprintf("ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: %d", len(k))}
		}
		if !validRef(k, '#') {
			return &Error{Msg: fmt.Sprintf("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)}
		}
		if n[k] == "" {
			return &Error{Msg: "ExpressionAttributeNames contains invalid value: Empty attribute name for key " + k}
		}
	}
	return nil
}

// CheckValues refuses ExpressionAttributeValues as CheckNames does names.
func CheckValues(v Values) error {
	if v == nil {
		return nil
	}
	if len(v) == 0 {
		return &Error{Msg: "ExpressionAttributeValues must not be empty"}
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if len(k) > maxRefSize {
			return &Error{Msg: fmt.Sprintf("ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long; size of key: %d", len(k))}
		}
		if !validRef(k, ':') {
			return &Error{Msg: fmt.Sprintf("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)}
		}
	}
	return nil
}

// validRef says whether k is the lead character and then one or more
// letters, digits or _: what the lexer reads as a #name or :value.
func validRef(k string, lead byte) bool {
	if len(k) < 2 || k[0] != lead {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isIdentChar(k[i]) {
			return false
		}
	}
	return true
}
