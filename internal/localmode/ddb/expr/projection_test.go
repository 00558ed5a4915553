package expr

import (
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

func TestProjection(t *testing.T) {
	item := av.Item{
		"id":     av.Str("t1"),
		"n":      av.Num("5"),
		"l":      list(av.Str("a"), mp("x", av.Num("1"), "y", av.Num("2")), av.Str("c"), list(av.Str("d"), av.Str("e"))),
		"m":      mp("k", av.Str("v"), "kid", mp("z", av.Num("3"), "w", av.Num("4")), "l", list(av.Num("1"), av.Num("2"))),
		"status": av.Str("open"),
	}
	for _, tc := range []struct {
		expr string
		want av.Item
	}{
		{"id", av.Item{"id": av.Str("t1")}},
		{"id, n", av.Item{"id": av.Str("t1"), "n": av.Num("5")}},
		{"id, gone", av.Item{"id": av.Str("t1")}},
		{"gone", av.Item{}},
		{"#s", av.Item{"status": av.Str("open")}},
		{"m.k", av.Item{"m": mp("k", av.Str("v"))}},
		{"m.kid.z, m.k", av.Item{"m": mp("k", av.Str("v"), "kid", mp("z", av.Num("3")))}},
		{"m.gone", av.Item{}},
		{"m.kid.gone, id", av.Item{"id": av.Str("t1")}},
		{"l[2]", av.Item{"l": list(av.Str("c"))}},
		{"l[2], l[0]", av.Item{"l": list(av.Str("a"), av.Str("c"))}}, // the list's order, closed up
		{"l[1].y", av.Item{"l": list(mp("y", av.Num("2")))}},
		{"l[3][1], l[1].x", av.Item{"l": list(mp("x", av.Num("1")), list(av.Str("e")))}},
		{"l[9]", av.Item{}},
		{"m.l[1]", av.Item{"m": mp("l", list(av.Num("2")))}},
		{"n.x, m[0], l.x", av.Item{}}, // paths of the wrong type project nothing
	} {
		p, err := ParseProjection(tc.expr, Names{"#s": "status"}, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if got := p.Apply(item); !itemsEqual(got, tc.want) {
			t.Errorf("%q:\n got %v\nwant %v", tc.expr, got, tc.want)
		}
	}
}

func TestProjectionErrors(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"", "Invalid ProjectionExpression: The expression can not be empty;"},
		{"a,", `Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","`},
		{"a b", `Invalid ProjectionExpression: Syntax error; token: "b", near: "a b"`},
		{":v", `Invalid ProjectionExpression: Syntax error; token: ":v", near: ":v"`},
		{"size(a)", `Invalid ProjectionExpression: Syntax error; token: "(", near: "size(a"`},
		{"status", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"#x", "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"a, a", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"a.b, a", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"},
		{"a[1], a.b", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]"},
	} {
		_, err := ParseProjection(tc.expr, nil, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.expr, err, tc.want)
		}
	}
}
