package expr

import (
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

var keyValues = Values{":p": av.Str("dept#1"), ":a": av.Str("a"), ":z": av.Str("z"), ":n": av.Num("1"), ":b": av.Bin([]byte{1})}

func TestKeyCondition(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		hash  string
		rng   string // "" for none
		op    KeyOp
		nvals int
	}{
		{"pk = :p", "pk", "", 0, 0},
		{"pk = :p AND sk = :a", "pk", "sk", EQ, 1},
		{"sk = :a AND pk = :p", "pk", "sk", EQ, 1},
		{"pk = :p AND sk < :a", "pk", "sk", LT, 1},
		{"pk = :p AND sk <= :a", "pk", "sk", LE, 1},
		{"pk = :p AND sk > :a", "pk", "sk", GT, 1},
		{"pk = :p AND sk >= :a", "pk", "sk", GE, 1},
		{"pk = :p AND :a > sk", "pk", "sk", LT, 1}, // value first: flipped
		{"pk = :p AND sk BETWEEN :a AND :z", "pk", "sk", BETWEEN, 2},
		{"pk = :p AND begins_with(sk, :a)", "pk", "sk", BEGINS_WITH, 1},
		{"pk = :p AND begins_with(sk, :b)", "pk", "sk", BEGINS_WITH, 1},
		{"(pk = :p) and (sk > :a)", "pk", "sk", GT, 1},
		{"(pk) = :p AND (sk > (:a))", "pk", "sk", GT, 1},
		{"#pk = :p AND #sk > :a", "pk", "sk", GT, 1},
		{":p = pk", "pk", "", 0, 0},
	} {
		k, err := ParseKeyCondition(tc.expr, Names{"#pk": "pk", "#sk": "sk"}, keyValues, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		hash, rng, err := k.Split("pk", "sk")
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if hash.Name != "pk" || hash.Op != EQ || len(hash.Values) != 1 || !av.Equal(hash.Values[0], av.Str("dept#1")) {
			t.Errorf("%q: hash %+v", tc.expr, hash)
		}
		if (rng != nil) != (tc.rng != "") {
			t.Errorf("%q: range %+v", tc.expr, rng)
			continue
		}
		if rng != nil && (rng.Name != tc.rng || rng.Op != tc.op || len(rng.Values) != tc.nvals) {
			t.Errorf("%q: range %+v, want %s %s", tc.expr, rng, tc.rng, tc.op)
		}
	}
}

func TestKeyConditionErrors(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"", "Invalid KeyConditionExpression: The expression can not be empty;"},
		{"pk = :p OR sk = :a", "Invalid operator used in KeyConditionExpression: OR"},
		{"NOT pk = :p", "Invalid operator used in KeyConditionExpression: NOT"},
		{"pk IN (:p)", "Invalid operator used in KeyConditionExpression: IN"},
		{"pk <> :p", "Invalid operator used in KeyConditionExpression: <>"},
		{"pk = :p AND attribute_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_exists"},
		{"pk = :p AND contains(sk, :a)", "Invalid operator used in KeyConditionExpression: contains"},
		{"pk = :p AND size(sk) = :n", "KeyConditionExpressions cannot contain nested operations"},
		{"((pk = :p))", "Invalid KeyConditionExpression: The expression has redundant parentheses;"},
		{"pk = pk", "Invalid KeyConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [pk]"},
		{"pk = :p AND sk = :a AND sk = :z", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"},
		{"pk = :p AND pk = :p", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"},
		{"pk = sk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"pk = :p AND sk BETWEEN :a AND pk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{":p = :a", "Invalid condition in KeyConditionExpression: No key attribute specified"},
		{"pk.x = :p", "KeyConditionExpressions cannot have conditions on nested attributes"},
		{"pk[0] = :p", "KeyConditionExpressions cannot have conditions on nested attributes"},
		{"pk = :p AND begins_with(sk, :n)", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"pk = :p AND sk BETWEEN :z AND :a", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:z}, upper bound operand: AttributeValue: {S:a}"},
		{"pk = :q", "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :q"},
		{"key = :p", "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: key"},
		{"pk = :p AND", `Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"`},
	} {
		_, err := ParseKeyCondition(tc.expr, nil, keyValues, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.expr, err, tc.want)
		}
	}
	for _, tc := range []struct{ expr, hash, rng, want string }{
		{"sk = :a", "pk", "sk", "Query condition missed key schema element: pk"},
		{"pk > :p", "pk", "sk", "Query key condition not supported"},
		{"pk = :p AND dept = :a", "pk", "sk", "Query key condition not supported"},
		{"pk = :p AND sk = :a", "pk", "", "Query key condition not supported"},
		{"pk = :p AND begins_with(pk, :a)", "pk", "sk", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"},
	} {
		k, err := ParseKeyCondition(tc.expr, nil, keyValues, nil)
		if err == nil {
			_, _, err = k.Split(tc.hash, tc.rng)
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.expr, err, tc.want)
		}
	}
}
