package expr

import (
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

func ss(s ...string) av.Value     { return av.Value{Kind: av.SS, Strs: s} }
func ns(s ...string) av.Value     { return av.Value{Kind: av.NS, Strs: s} }
func bs(b ...[]byte) av.Value     { return av.Value{Kind: av.BS, Bins: b} }
func list(v ...av.Value) av.Value { return av.Value{Kind: av.L, L: v} }
func boolean(b bool) av.Value     { return av.Value{Kind: av.BOOL, Bool: b} }

func mp(kv ...any) av.Value {
	m := map[string]av.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(av.Value)
	}
	return av.Value{Kind: av.M, M: m}
}

var null = av.Value{Kind: av.NULL, Bool: true}

func testItem() av.Item {
	return av.Item{
		"id":  av.Str("t1"),
		"n":   av.Num("5"),
		"s":   av.Str("hello"),
		"b":   av.Bin([]byte{1, 2, 3}),
		"ok":  boolean(true),
		"nul": null,
		"ss":  ss("a", "b"),
		"ns":  ns("1", "2.5"),
		"bs":  bs([]byte{1}, []byte{2}),
		"l":   list(av.Str("x"), av.Num("1"), mp("c", av.Str("deep"))),
		"m":   mp("k", av.Str("v"), "kid", mp("z", av.Num("3"))),
		"u":   av.Str("ünï"),
		"e":   av.Str("é𝄞"),
	}
}

var testValues = Values{
	":one":   av.Num("1"),
	":five":  av.Num("5"),
	":ten":   av.Num("10"),
	":hello": av.Str("hello"),
	":he":    av.Str("he"),
	":ell":   av.Str("ell"),
	":a":     av.Str("a"),
	":x":     av.Str("x"),
	":b12":   av.Bin([]byte{1, 2}),
	":true":  boolean(true),
	":null":  null,
	":S":     av.Str("S"),
	":N":     av.Str("N"),
	":SS":    av.Str("SS"),
	":L":     av.Str("L"),
	":M":     av.Str("M"),
	":NULL":  av.Str("NULL"),
	":BOOL":  av.Str("BOOL"),
	":ss":    ss("b", "a"),
	":deep":  av.Str("deep"),
	":lst":   list(av.Str("x")),
	":map":   mp("c", av.Str("deep")),
	":n25":   av.Num("2.50"),
	":three": av.Num("3"),
}

var testNames = Names{"#s": "status", "#n": "n", "#dot": "a.b", "#m": "m", "#k": "k", "#_": "n", "#1": "n"}

func TestConditionEval(t *testing.T) {
	item := testItem()
	item["status"] = av.Str("open")
	item["a.b"] = av.Num("1")
	for _, tc := range []struct {
		expr string
		want bool
	}{
		// comparators
		{"n = :five", true},
		{"n = :one", false},
		{"n <> :one", true},
		{"n <> :five", false},
		{"n < :ten", true},
		{"n <= :five", true},
		{"n > :five", false},
		{"n >= :five", true},
		{"s > :he", true},
		{"s < :he", false},
		{"b > :b12", true},
		{":five = n", true},
		{"ss = :ss", true}, // sets equal whatever the order
		{"ns = ss", false}, // paths on both sides
		{"m.k = l[0]", false},
		{"l[0] = l[1]", false},
		{"(n) = :five", true}, // an operand may stand in parentheses
		{"(size(l)) > (:one)", true},
		{"(n) IN ((:one), :five)", true},
		{"(n BETWEEN :one AND :ten)", true},
		{"(NOT (n = :one))", true},
		{"((n = :five) AND (s = :hello))", true},
		{"l[2] = :map", true}, // maps compare deeply
		{"l[0] = :x", true},
		{"n = :hello", false}, // types differ: false, not an error
		{"n < :hello", false},
		{"s < :five", false},
		{"ok = :true", true},
		{"nul = :null", true},
		// gone attributes
		{"gone = :one", false},
		{"gone < :one", false},
		{"gone <> :one", true},
		{"l[9] = :x", false},
		{"m.nope = :x", false},
		{"n.x = :x", false},
		{"n[0] = :x", false},
		// BETWEEN and IN
		{"n BETWEEN :one AND :ten", true},
		{"n BETWEEN :five AND :five", true},
		{"n between :one and :three", false},
		{"s BETWEEN :a AND :x", true},
		{"s BETWEEN :one AND :ten", false},
		{"gone BETWEEN :one AND :ten", false},
		{"n IN (:one, :five)", true},
		{"n in (:one)", false},
		{"s IN (:five, :hello)", true},
		{"gone IN (:one)", false},
		// functions
		{"attribute_exists(n)", true},
		{"attribute_exists(gone)", false},
		{"attribute_exists(m.kid.z)", true},
		{"attribute_exists(l[2].c)", true},
		{"attribute_exists(l[3])", false},
		{"attribute_not_exists(gone)", true},
		{"attribute_not_exists(n)", false},
		{"attribute_type(n, :N)", true},
		{"attribute_type(n, :S)", false},
		{"attribute_type(ss, :SS)", true},
		{"attribute_type(l, :L)", true},
		{"attribute_type(m, :M)", true},
		{"attribute_type(nul, :NULL)", true},
		{"attribute_type(ok, :BOOL)", true},
		{"attribute_type(gone, :S)", false},
		{"begins_with(s, :he)", true},
		{"begins_with(s, :ell)", false},
		{"begins_with(b, :b12)", true},
		{"begins_with(n, :he)", false},
		{"begins_with(gone, :he)", false},
		{"contains(s, :ell)", true},
		{"contains(s, :x)", false},
		{"contains(ss, :a)", true},
		{"contains(ss, :x)", false},
		{"contains(ns, :n25)", true}, // numbers by value
		{"contains(l, :x)", true},
		{"contains(l, :map)", true},
		{"contains(l, :a)", false},
		{"contains(n, :five)", false},
		{"contains(:hello, :ell)", true}, // a literal first operand
		{"contains(b, :b12)", true},      // binaries hold binaries
		{"contains(b, :he)", false},
		{"contains(l, :lst)", false},
		{"attribute_type(:hello, :S)", true},
		{"attribute_type(size(s), :N)", true},
		{"begins_with(:hello, s)", true},
		{"begins_with(s, s.x)", false},
		{"size(:hello) = :five", true},
		{"size(:ss) = :one", false},
		{"size(s) = :five", true},
		{"size(u) = :three", true}, // UTF-16 code units, as DynamoDB counts
		{"size(e) = :three", true}, // "é𝄞": 1 + a surrogate pair
		{"size(b) = :three", true},
		{"size(ss) < :three", true},
		{"size(l) = :three", true},
		{"size(m) BETWEEN :one AND :three", true},
		{"size(n) = :one", false}, // a number has no size
		{"size(gone) = :one", false},
		{"size(gone) <> :one", true},
		{"size(l[2]) = :one", true},
		// logic and precedence: NOT > AND > OR
		{"n = :five AND s = :hello", true},
		{"n = :five AND s = :x", false},
		{"n = :one OR s = :hello", true},
		{"NOT n = :one", true},
		{"not n = :five", false},
		{"NOT NOT n = :five", true},
		{"n = :one AND s = :x OR n = :five", true}, // (false AND false) OR true
		{"n = :five OR n = :one AND s = :x", true}, // true OR (false AND false)
		{"(n = :five OR n = :one) AND s = :x", false},
		{"NOT n = :one AND n = :one", false}, // (NOT false) AND false
		{"NOT (n = :one AND n = :one)", true},
		{"(n = :five)", true},
		{"attribute_exists(n) AND NOT attribute_exists(gone)", true},
		// names
		{"#s = :hello", false},
		{"#n = :five", true},
		{"#dot = :one", true}, // a name with a dot is one name
		{"#m.#k = :x", false},
		{"#m.kid.z = :three", true},
		{"m.#k = :hello", false},
		{"  n\t=\n:five  ", true},
		{"#_ = :five AND #1 = :five", true}, // after # (and :) a digit or _ may come first
	} {
		c, err := ParseCondition(tc.expr, testNames, testValues, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		got, err := c.Eval(item)
		if err != nil || got != tc.want {
			t.Errorf("%q = %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	vals := Values{":v": av.Num("1"), ":s": av.Str("x"), ":b": boolean(true), ":hi": av.Num("9"), ":t": av.Str("NOPE"), ":l": list()}
	names := Names{"#n": "n"}
	for _, tc := range []struct{ expr, want string }{
		{"", "Invalid ConditionExpression: The expression can not be empty;"},
		{"   ", "Invalid ConditionExpression: The expression can not be empty;"},
		{"a =", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="`},
		{"a = :v AND", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"`},
		{"a == :v", `Invalid ConditionExpression: Syntax error; token: "=", near: "== :v"`},
		{"a = :v b", `Invalid ConditionExpression: Syntax error; token: "b", near: ":v b"`},
		{"a ! :v", `Invalid ConditionExpression: Syntax error; token: "!", near: "a ! :v"`},
		{"(a = :v", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v"`},
		{"a = :v)", `Invalid ConditionExpression: Syntax error; token: ")", near: ":v)"`},
		{"a BETWEEN :v :hi", `Invalid ConditionExpression: Syntax error; token: ":hi", near: ":v :hi"`},
		{"a IN ()", `Invalid ConditionExpression: Syntax error; token: ")", near: "()"`},
		{"a[x] = :v", `Invalid ConditionExpression: Syntax error; token: "x", near: "[x]"`},
		{"a.1 = :v", `Invalid ConditionExpression: Syntax error; token: "1", near: ".1 ="`},
		{"# = :v", `Invalid ConditionExpression: Syntax error; token: "#", near: "# ="`},
		{"status = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"a.Size = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Size"},
		{"#x = :v", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"#n = :w", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :w"},
		{"a < :b", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"},
		{"a BETWEEN :l AND :v", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"},
		{"a BETWEEN :hi AND :v", "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}"},
		{"a BETWEEN :v AND :s", "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"},
		{"begins_with(a, :v)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"attribute_type(a, b)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
		{"begins_with(:v, a)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"size(:v) = :v", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"},
		{"size(:b) = :v", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"},
		{"size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"size(a) AND a = :v", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"size(attribute_exists(a)) = :v", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"a = a", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{"#n <> n", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [n]"},
		{"a.b[1] < a.b[1]", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <, first operand: [a, b, [1]]"},
		{"a BETWEEN :v AND a", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: BETWEEN, first operand: [a]"},
		{"a IN (:v, a)", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: IN, first operand: [a]"},
		{"contains(a, a)", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a]"},
		{"begins_with(#n, n)", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [n]"},
		{"((a = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"(((a = :v)))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"a = :v AND ((b = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"((a)) = :v", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"(a) AND b = :v", `Invalid ConditionExpression: Syntax error; token: ")", near: "a) AND"`},
		// Several refusals: DynamoDB's order of classes, not the text's.
		{"#x = :v AND status = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"status = :v AND foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"},
		{"status = :v AND size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"foo(a) AND ((b = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"attribute_exists(:v)", "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"},
		{"attribute_exists(a, b)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"size(a, b) = :v", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		{"attribute_type(a, :t)", "Invalid ConditionExpression: Invalid attribute type name found; type: NOPE, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{"attribute_type(a, :v)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"frobnicate(a)", "Invalid ConditionExpression: Invalid function name; function: frobnicate"},
		{"Attribute_Exists(a)", "Invalid ConditionExpression: Invalid function name; function: Attribute_Exists"},
		{"if_not_exists(a, :v) = :v", "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"},
		{"list_append(a, :v)", "Invalid ConditionExpression: The function is not allowed in a condition expression; function: list_append"},
		{"attribute_exists(a) = :v", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"attribute_exists(a) =", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="`},
		{"size(a) = contains(a, :v)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: contains"},
		{"a = :v AND status = :w", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"#x = :v AND a =", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="`}, // syntax first
		{"a IN (" + strings.Repeat(":v, ", 100) + ":v)", "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"},
		{strings.Repeat("a.", 32) + "a = :v", "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"},
	} {
		_, err := ParseCondition(tc.expr, names, vals, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.expr, err, tc.want)
		}
		if _, ok := err.(*Error); err != nil && !ok {
			t.Errorf("%q: %T, want *Error", tc.expr, err)
		}
	}
	if _, err := ParseFilter("status = :v", nil, vals, nil); err == nil || !strings.HasPrefix(err.Error(), "Invalid FilterExpression: ") {
		t.Errorf("filter: %v", err)
	}
	if _, err := ParseCondition("a IN ("+strings.Repeat(":v, ", 99)+":v)", nil, vals, nil); err != nil {
		t.Errorf("IN with 100 values: %v", err)
	}
	if _, err := ParseCondition(strings.Repeat("a.", 31)+"a = :v", nil, vals, nil); err != nil {
		t.Errorf("32 levels: %v", err)
	}
}

func TestConditionPaths(t *testing.T) {
	c, err := ParseCondition("a = :v AND (NOT b.c[1] > size(d) OR contains(e, f))", nil, Values{":v": av.Num("1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Paths() {
		got = append(got, p.String())
	}
	if want := "[a] [b, c, [1]] [d] [e] [f]"; strings.Join(got, " ") != want {
		t.Errorf("%v, want %s", got, want)
	}
}

func TestExpressionSize(t *testing.T) {
	vals := Values{":v": av.Num("1")}
	ok := "a = :v" + strings.Repeat(" ", 4096-6)
	if _, err := ParseCondition(ok, nil, vals, nil); err != nil {
		t.Errorf("4096 bytes: %v", err)
	}
	if _, err := ParseFilter(ok+" ", nil, vals, nil); err == nil || err.Error() != "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097" {
		t.Errorf("4097 bytes: %v", err)
	}
}

func TestUsed(t *testing.T) {
	names := Names{"#a": "a", "#b": "b", "#c": "c"}
	vals := Values{":x": av.Num("1"), ":y": av.Num("2"), ":z": av.Num("3")}
	var used Used
	if _, err := ParseCondition("#a = :x", names, vals, &used); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseUpdate("SET #b = :y", names, vals, &used); err != nil {
		t.Fatal(err)
	}
	if err := used.Unused(names, vals); err == nil || err.Error() != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c}" {
		t.Errorf("names: %v", err)
	}
	if _, err := ParseProjection("#c", names, &used); err != nil {
		t.Fatal(err)
	}
	if err := used.Unused(names, vals); err == nil || err.Error() != "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z}" {
		t.Errorf("values: %v", err)
	}
	// An undefined name still counts as used (it is refused on its own).
	vals[":w"] = av.Num("4")
	if err := used.Unused(names, vals); err == nil || err.Error() != "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w, :z}" {
		t.Errorf("values: %v", err)
	}
	var none *Used
	if err := none.Unused(nil, nil); err != nil {
		t.Error(err)
	}
}

func TestReserved(t *testing.T) {
	if len(reservedWords) != 573 {
		t.Errorf("%d reserved words, want the Developer Guide's 573", len(reservedWords))
	}
	for _, w := range []string{"status", "STATUS", "Name", "size", "ttl", "zone", "abort"} {
		if !isReserved(w) {
			t.Errorf("%s not reserved", w)
		}
	}
	for _, w := range []string{"statuses", "tickets", "id", "dept", "a", strings.Repeat("a", 40)} {
		if isReserved(w) {
			t.Errorf("%s reserved", w)
		}
	}
}

func TestCheckNamesValues(t *testing.T) {
	for _, tc := range []struct {
		n    Names
		v    Values
		want string
	}{
		{nil, nil, ""},
		{Names{"#a": "a", "#_1": "b"}, Values{":a": av.Num("1"), ":B_2": av.Str("x")}, ""},
		{Names{}, nil, "ExpressionAttributeNames must not be empty"},
		{nil, Values{}, "ExpressionAttributeValues must not be empty"},
		{Names{"a": "a"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`},
		{Names{"#": "a"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "#"`},
		{Names{"#a-b": "a"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"`},
		{Names{"#a": ""}, nil, "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"},
		{nil, Values{"v": av.Num("1")}, `ExpressionAttributeValues contains invalid key: Syntax error; key: "v"`},
		{nil, Values{":": av.Num("1")}, `ExpressionAttributeValues contains invalid key: Syntax error; key: ":"`},
		{Names{"#" + strings.Repeat("a", 254): "a"}, Values{":" + strings.Repeat("a", 254): av.Num("1")}, ""},
		{Names{"#" + strings.Repeat("a", 255): "a"}, nil, "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256"},
		{nil, Values{":" + strings.Repeat("a", 255): av.Num("1")}, "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long; size of key: 256"},
	} {
		err := CheckNames(tc.n)
		if err == nil {
			err = CheckValues(tc.v)
		}
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%v %v: %q, want %q", tc.n, tc.v, got, tc.want)
		}
	}
}
