package expr

import (
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

func updItem() av.Item {
	return av.Item{
		"id": av.Str("t1"),
		"n":  av.Num("5"),
		"s":  av.Str("hello"),
		"l":  list(av.Str("a"), av.Str("b"), av.Str("c"), av.Str("d")),
		"m":  mp("k", av.Str("v"), "kid", mp("z", av.Num("3")), "l", list(av.Num("1"))),
		"ss": ss("a", "b"),
		"ns": ns("1", "2"),
		"bs": bs([]byte{1}, []byte{2}),
	}
}

var updValues = Values{
	":one":   av.Num("1"),
	":x":     av.Str("x"),
	":lx":    list(av.Str("x")),
	":empty": list(),
	":ssbc":  ss("b", "c"),
	":ssab":  ss("a", "b"),
	":nsn":   ns("2", "3"),
	":bs2":   bs([]byte{2}, []byte{3}),
	":m":     mp("q", av.Num("1")),
	":big":   av.Num("9.9999999999999999999999999999999999999E+125"),
	":neg":   av.Num("-0.5"),
}

func TestUpdateApply(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want av.Item // the attributes that differ from updItem; a zero Value: removed
	}{
		{"SET n = :one", av.Item{"n": av.Num("1")}},
		{"SET fresh = :x", av.Item{"fresh": av.Str("x")}},
		{"set n = n + :one", av.Item{"n": av.Num("6")}},
		{"SET n = (n + :one)", av.Item{"n": av.Num("6")}},
		{"SET n = (:one), s = (s)", av.Item{"n": av.Num("1")}},
		{"SET n = n - :one", av.Item{"n": av.Num("4")}},
		{"SET n = :one - n", av.Item{"n": av.Num("-4")}},
		{"SET n = n + :neg", av.Item{"n": av.Num("4.5")}},
		{"SET c = n + n", av.Item{"c": av.Num("10")}},
		{"SET c = if_not_exists(c, :one)", av.Item{"c": av.Num("1")}},
		{"SET n = if_not_exists(n, :one)", nil},
		{"SET c = if_not_exists(c, :one) + :one", av.Item{"c": av.Num("2")}},
		{"SET l = list_append(l, :lx)", av.Item{"l": list(av.Str("a"), av.Str("b"), av.Str("c"), av.Str("d"), av.Str("x"))}},
		{"SET l = list_append(:lx, l)", av.Item{"l": list(av.Str("x"), av.Str("a"), av.Str("b"), av.Str("c"), av.Str("d"))}},
		{"SET c = list_append(if_not_exists(c, :empty), :lx)", av.Item{"c": list(av.Str("x"))}},
		{"SET s = n, n = s", av.Item{"s": av.Num("5"), "n": av.Str("hello")}}, // values from the item as it was
		{"SET m.k = :x", av.Item{"m": mp("k", av.Str("x"), "kid", mp("z", av.Num("3")), "l", list(av.Num("1")))}},
		{"SET m.kid.y = :x", av.Item{"m": mp("k", av.Str("v"), "kid", mp("z", av.Num("3"), "y", av.Str("x")), "l", list(av.Num("1")))}},
		{"SET m.l[0] = :x", av.Item{"m": mp("k", av.Str("v"), "kid", mp("z", av.Num("3")), "l", list(av.Str("x")))}},
		{"SET l[1] = :x", av.Item{"l": list(av.Str("a"), av.Str("x"), av.Str("c"), av.Str("d"))}},
		{"SET l[10] = :x", av.Item{"l": list(av.Str("a"), av.Str("b"), av.Str("c"), av.Str("d"), av.Str("x"))}}, // past the end: appended
		{"SET l[10] = :x, l[11] = :one", av.Item{"l": list(av.Str("a"), av.Str("b"), av.Str("c"), av.Str("d"), av.Str("x"), av.Num("1"))}},
		{"SET m = :m", av.Item{"m": mp("q", av.Num("1"))}},
		{"REMOVE s", av.Item{"s": {}}},
		{"REMOVE s, n", av.Item{"s": {}, "n": {}}},
		{"REMOVE gone", nil},
		{"REMOVE m.gone", nil},
		{"REMOVE l[9]", nil},
		{"REMOVE m.kid.z", av.Item{"m": mp("k", av.Str("v"), "kid", mp(), "l", list(av.Num("1")))}},
		{"REMOVE l[1]", av.Item{"l": list(av.Str("a"), av.Str("c"), av.Str("d"))}},
		{"REMOVE l[1], l[2]", av.Item{"l": list(av.Str("a"), av.Str("d"))}}, // indexes of the list as it was
		{"REMOVE l[2], l[0]", av.Item{"l": list(av.Str("b"), av.Str("d"))}},
		{"REMOVE l[0], l[1], l[2], l[3]", av.Item{"l": list()}},
		{"ADD n :one", av.Item{"n": av.Num("6")}},
		{"ADD c :one", av.Item{"c": av.Num("1")}},
		{"ADD ss :ssbc", av.Item{"ss": ss("a", "b", "c")}},
		{"ADD ns :nsn", av.Item{"ns": ns("1", "2", "3")}},
		{"ADD bs :bs2", av.Item{"bs": bs([]byte{1}, []byte{2}, []byte{3})}},
		{"ADD newset :ssab", av.Item{"newset": ss("a", "b")}},
		{"ADD m.kid.z :one", av.Item{"m": mp("k", av.Str("v"), "kid", mp("z", av.Num("4")), "l", list(av.Num("1")))}},
		{"DELETE ss :ssbc", av.Item{"ss": ss("a")}},
		{"DELETE ss :ssab", av.Item{"ss": {}}}, // the last element: the attribute goes
		{"DELETE ns :nsn", av.Item{"ns": ns("1")}},
		{"DELETE bs :bs2", av.Item{"bs": bs([]byte{1})}},
		{"DELETE gone :ssab", nil},
		{"SET a = :one REMOVE s ADD c :one DELETE ss :ssab", av.Item{"a": av.Num("1"), "s": {}, "c": av.Num("1"), "ss": {}}},
		{"DELETE ss :ssab ADD c :one REMOVE s SET a = :one", av.Item{"a": av.Num("1"), "s": {}, "c": av.Num("1"), "ss": {}}},
		{"SET l[5] = :x REMOVE l[0]", av.Item{"l": list(av.Str("b"), av.Str("c"), av.Str("d"), av.Str("x"))}},
		{"SET l[84] = :one, l[37] = :x, l[17] = :m", av.Item{"l": list(av.Str("a"), av.Str("b"), av.Str("c"), av.Str("d"), mp("q", av.Num("1")), av.Str("x"), av.Num("1"))}}, // appended in index order
		{"REMOVE l[1] SET l[3] = :x", av.Item{"l": list(av.Str("a"), av.Str("c"), av.Str("x"))}},                                                                             // both by the list as it was
		{"SET #n = :one", av.Item{"n": av.Num("1")}},
		{"SET #dot = :one", av.Item{"a.b": av.Num("1")}},
		{"  SET\tn=:one  ,s=:x  ", av.Item{"n": av.Num("1"), "s": av.Str("x")}},
	} {
		u, err := ParseUpdate(tc.expr, testNames, updValues, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		in := updItem()
		got, err := u.Apply(in)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		want := updItem()
		for k, v := range tc.want {
			if v.Kind == 0 {
				delete(want, k)
			} else {
				want[k] = v
			}
		}
		if !itemsEqual(got, want) {
			t.Errorf("%q:\n got %v\nwant %v", tc.expr, got, want)
		}
		if !itemsEqual(in, updItem()) {
			t.Errorf("%q changed its input: %v", tc.expr, in)
		}
	}
}

func itemsEqual(a, b av.Item) bool {
	return av.Equal(av.Value{Kind: av.M, M: a}, av.Value{Kind: av.M, M: b})
}

func TestUpdateMissingItem(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want av.Item
		err  string
	}{
		{"SET a = :one", av.Item{"a": av.Num("1")}, ""},
		{"ADD a :one, s :ssab", av.Item{"a": av.Num("1"), "s": ss("a", "b")}, ""},
		{"DELETE s :ssab", av.Item{}, ""},
		{"REMOVE a, x.y, z[0]", av.Item{}, ""}, // DynamoDB ignores nested REMOVEs on no item
		{"SET x.y = :one", nil, "The document path provided in the update expression is invalid for update"},
		{"SET a = b", nil, "The provided expression refers to an attribute that does not exist in the item"},
	} {
		u, err := ParseUpdate(tc.expr, nil, updValues, nil)
		if err != nil {
			t.Fatalf("%q: %v", tc.expr, err)
		}
		got, err := u.Apply(nil)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: %v, want %s", tc.expr, err, tc.err)
			}
			continue
		}
		if err != nil || !itemsEqual(got, tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
}

func TestUpdateApplyErrors(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"SET a = gone + :one", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET a = gone", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET a = list_append(gone, :lx)", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET a = s + :one", "An operand in the update expression has an incorrect data type"},
		{"SET a = list_append(s, :lx)", "An operand in the update expression has an incorrect data type"},
		{"SET a = list_append(l, n)", "An operand in the update expression has an incorrect data type"},
		{"SET n = :big + :big", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"ADD s :one", "An operand in the update expression has an incorrect data type"},
		{"ADD ss :nsn", "An operand in the update expression has an incorrect data type"},
		{"ADD n :ssab", "An operand in the update expression has an incorrect data type"},
		{"DELETE ss :nsn", "An operand in the update expression has an incorrect data type"},
		{"DELETE s :ssab", "An operand in the update expression has an incorrect data type"},
		{"SET gone.a = :x", "The document path provided in the update expression is invalid for update"},
		{"SET gone[0] = :x", "The document path provided in the update expression is invalid for update"},
		{"SET s.a = :x", "The document path provided in the update expression is invalid for update"},
		{"SET s[0] = :x", "The document path provided in the update expression is invalid for update"},
		{"SET m[0] = :x", "The document path provided in the update expression is invalid for update"},
		{"SET l.a = :x", "The document path provided in the update expression is invalid for update"},
		{"SET l[7].a = :x", "The document path provided in the update expression is invalid for update"},
		{"REMOVE gone.a", "The document path provided in the update expression is invalid for update"},
		{"REMOVE s[0]", "The document path provided in the update expression is invalid for update"},
		{"ADD gone.a :one", "The document path provided in the update expression is invalid for update"},
	} {
		u, err := ParseUpdate(tc.expr, nil, updValues, nil)
		if err != nil {
			t.Errorf("%q: parse: %v", tc.expr, err)
			continue
		}
		in := updItem()
		_, err = u.Apply(in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.expr, err, tc.want)
		}
		if !itemsEqual(in, updItem()) {
			t.Errorf("%q changed its input: %v", tc.expr, in)
		}
	}
}

func TestUpdateParseErrors(t *testing.T) {
	vals := Values{":v": av.Num("1"), ":s": av.Str("x"), ":ss": ss("a"), ":m": mp(), ":l": list()}
	for _, tc := range []struct{ expr, want string }{
		{"", "Invalid UpdateExpression: The expression can not be empty;"},
		{"a = :v", `Invalid UpdateExpression: Syntax error; token: "a", near: "a ="`},
		{"SET", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"`},
		{"SET a", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"`},
		{"SET a = :v,", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","`},
		{"SET a.", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "."`},
		{"SET a. = :v", `Invalid UpdateExpression: Syntax error; token: "=", near: ". = :v"`},
		{"SET a = \"x\"", `Invalid UpdateExpression: Syntax error; token: """, near: "= "x"`},
		{"SET a = :v + :v + :v", `Invalid UpdateExpression: Syntax error; token: "+", near: ":v + :v"`},
		{"SET a = ((:v))", "Invalid UpdateExpression: The expression has redundant parentheses;"},
		{"SET a = (:v", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ":v"`},
		{"SET a = (a) + :v", `Invalid UpdateExpression: Syntax error; token: "+", near: ") + :v"`},
		{"SET a = list_append(list_append(a, :l), :l)", "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"},
		{"SET _a = :v", `Invalid UpdateExpression: Syntax error; token: "_", near: "SET _a"`},
		{"SET a = _f(a)", `Invalid UpdateExpression: Syntax error; token: "_", near: "= _f"`},
		{"SET 1a = :v", `Invalid UpdateExpression: Syntax error; token: "1", near: "SET 1a"`},
		{"SET :v = :v", `Invalid UpdateExpression: Syntax error; token: ":v", near: "SET :v ="`},
		{"SET a[:v] = :v", `Invalid UpdateExpression: Syntax error; token: ":v", near: "[:v]"`},
		{"SET a = if_not_exists(a, :v + :v)", `Invalid UpdateExpression: Syntax error; token: "+", near: ":v + :v"`},
		{"SET a = if_not_exists(if_not_exists(a, :v), :v)", "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
		{"SET a = LIST_APPEND(a, :l)", "Invalid UpdateExpression: Invalid function name; function: LIST_APPEND"},
		{"HELLO a = :v", `Invalid UpdateExpression: Syntax error; token: "HELLO", near: "HELLO a"`},
		{"SET a = list_append(a, :l) + :v", "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"},
		{"SET a = if_not_exists(a, a)", "Invalid UpdateExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: if_not_exists, first operand: [a]"},
		{"SET a = :v REMOVE", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "REMOVE"`},
		{"ADD a", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"`},
		{"ADD a b", `Invalid UpdateExpression: Syntax error; token: "b", near: "a b"`},
		{"DELETE a = :ss", `Invalid UpdateExpression: Syntax error; token: "=", near: "a = :ss"`},
		{"REMOVE a = :v", `Invalid UpdateExpression: Syntax error; token: "=", near: "a = :v"`},
		{"SET a = :v SET b = :v", `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{"REMOVE a REMOVE b", `Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;`},
		{"SET a = :v, a = :v", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"SET a = :v, a.b = :v", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"SET a.b[2] = :v REMOVE a", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b, [2]], path two: [a]"},
		{"SET a[0] = :v REMOVE a.b", "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"},
		{"SET #x = :v", "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"SET a = :w", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :w"},
		{"SET name = :v", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"},
		{"SET a = a + :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"SET a = :l - a", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: L"},
		{"SET a = list_append(a, :v)", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
		{"SET a = if_not_exists(:v, a)", "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
		{"SET a = if_not_exists(a)", "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
		{"SET a = size(a)", "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"},
		{"SET a = attribute_exists(a)", "Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists"},
		{"SET a = nope(a)", "Invalid UpdateExpression: Invalid function name; function: nope"},
		{"ADD a :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"ADD a :m", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"DELETE a :v", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
	} {
		_, err := ParseUpdate(tc.expr, nil, vals, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.expr, err, tc.want)
		}
	}
}

func TestUpdatePaths(t *testing.T) {
	u, err := ParseUpdate("SET a.b = :v, #n = :v REMOVE c[1] ADD d :v DELETE e :s", Names{"#n": "pk"}, Values{":v": av.Num("1"), ":s": ss("x")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range u.Paths() {
		got = append(got, p.String())
	}
	want := []string{"[a, b]", "[pk]", "[c, [1]]", "[d]", "[e]"}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%v, want %v", got, want)
		}
	}
}
