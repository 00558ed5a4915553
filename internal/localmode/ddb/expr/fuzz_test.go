package expr

import (
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

var fuzzNames = Names{"#s": "status", "#n": "n", "#m": "m", "#l": "l", "#k": "k"}

func fuzzValues() Values {
	v := Values{}
	for k, x := range testValues {
		v[k] = x
	}
	for k, x := range updValues {
		v[k] = x
	}
	return v
}

var conditionSeeds = []string{
	"n = :five",
	"attribute_exists(id) AND #s <> :hello OR NOT size(l) BETWEEN :one AND :ten",
	"n IN (:one, :five, :ten)",
	"begins_with(s, :he) AND contains(ss, :a) AND attribute_type(#m, :M)",
	"((n > :one)) AND (l[2].c = :deep OR m.kid.z >= :three)",
	"attribute_not_exists(gone) AND size(#m.#k) < :ten",
	"pk = :p AND begins_with(sk, :a)",
	"a, b.c[1], #s",
	"n = ",
	"a[99999999999] = :one",
	"#",
	":",
	"NOT NOT NOT (",
}

// FuzzParseCondition: any text parses or is refused without a panic, and
// what parses evaluates; the same text as a key condition and a
// projection likewise.
func FuzzParseCondition(f *testing.F) {
	for _, s := range conditionSeeds {
		f.Add(s)
	}
	vals := fuzzValues()
	f.Fuzz(func(t *testing.T, s string) {
		item := testItem()
		if c, err := ParseCondition(s, fuzzNames, vals, &Used{}); err == nil {
			if _, err := c.Eval(item); err != nil {
				t.Fatal(err)
			}
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("%T", err)
		}
		if k, err := ParseKeyCondition(s, fuzzNames, vals, nil); err == nil {
			_, _, _ = k.Split("pk", "sk")
		}
		if p, err := ParseProjection(s, fuzzNames, nil); err == nil {
			p.Apply(item)
		}
		if !itemsEqual(item, testItem()) {
			t.Fatal("the item changed")
		}
	})
}

var updateSeeds = []string{
	"SET n = n + :one, s = :x",
	"SET c = list_append(if_not_exists(c, :empty), :lx) REMOVE l[1], l[0]",
	"ADD ns :nsn, n :one DELETE ss :ssab",
	"SET m.kid.y = :x, l[10] = :m REMOVE m.k",
	"SET #m.#k = if_not_exists(#m.#k, :x) ADD m.kid.z :one",
	"REMOVE l[3], l[0], m.l[0]",
	"SET n = :one - n",
	"DELETE bs :bs2 SET a = :big + :big",
	"SET l[0].x = :one",
	"SET a = ",
	"REMOVE",
}

// FuzzParseUpdate: any text parses or is refused without a panic, and a
// parsed update applies or is refused without a panic and without
// changing its input.
func FuzzParseUpdate(f *testing.F) {
	for _, s := range updateSeeds {
		f.Add(s)
	}
	vals := fuzzValues()
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUpdate(s, fuzzNames, vals, &Used{})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T", err)
			}
			return
		}
		in := updItem()
		out, err := u.Apply(in)
		if !itemsEqual(in, updItem()) {
			t.Fatal("the input changed")
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T", err)
			}
			return
		}
		// Applying again to the result must not panic either (lists may
		// have grown or shrunk).
		if _, err := u.Apply(out); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T", err)
			}
		}
		_ = u.Paths()
	})
}

func BenchmarkConditionParseEval(b *testing.B) {
	names := Names{"#s": "status"}
	vals := Values{":open": av.Str("open"), ":v": av.Num("3")}
	item := av.Item{"pk": av.Str("ticket#1"), "status": av.Str("open"), "version": av.Num("3")}
	const s = "attribute_exists(pk) AND #s = :open AND version = :v"
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseCondition(s, names, vals, nil)
		if err != nil {
			b.Fatal(err)
		}
		if ok, _ := c.Eval(item); !ok {
			b.Fatal("false")
		}
	}
}

func BenchmarkUpdateParseApply(b *testing.B) {
	names := Names{"#s": "status"}
	vals := Values{":s": av.Str("dispatched"), ":one": av.Num("1"), ":t": av.Str("2026-11-30T07:00:00Z")}
	item := av.Item{"pk": av.Str("ticket#1"), "status": av.Str("open"), "version": av.Num("3"), "body": av.Str("text")}
	const s = "SET #s = :s, version = version + :one, updatedAt = :t"
	b.ReportAllocs()
	for b.Loop() {
		u, err := ParseUpdate(s, names, vals, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := u.Apply(item); err != nil {
			b.Fatal(err)
		}
	}
}

// Parsers come from a pool and parsed expressions are shared by requests:
// parse and evaluate from many goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	c, err := ParseCondition("n > :one AND contains(ss, :a)", nil, testValues, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			ok := true
			for i := 0; i < 200; i++ {
				u, err := ParseUpdate("SET n = n + :one, l[9] = :x REMOVE s", nil, updValues, &Used{})
				if err != nil {
					ok = false
					break
				}
				out, err := u.Apply(updItem())
				if err != nil || !av.Equal(out["n"], av.Num("6")) {
					ok = false
				}
				if got, _ := c.Eval(testItem()); !got {
					ok = false
				}
				if _, err := ParseCondition("status = :x", nil, testValues, nil); err == nil {
					ok = false
				}
			}
			done <- ok
		}()
	}
	for g := 0; g < 8; g++ {
		if !<-done {
			t.Error("a goroutine saw a wrong answer")
		}
	}
}
