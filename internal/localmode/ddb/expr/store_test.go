package expr

import (
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// The expressions the project's store (internal/adapters/store) sends, with
// its names and values: local mode must take every one of them.
func TestStoreExpressions(t *testing.T) {
	names := Names{"#pk": "pk", "#sk": "sk", "#n": "count", "#ttl": "ttl", "#v": "version", "#st": "status", "#f": "failures"}
	vals := Values{
		":pk": av.Str("TICKET#1"), ":from": av.Str("2026-01"), ":to": av.Str("2026-12"), ":bound": av.Str("9"),
		":n": av.Num("3"), ":one": av.Num("1"), ":now": av.Num("1700000000"), ":ttl": av.Num("1700003600"),
		":limit": av.Num("5"), ":max": av.Num("3"), ":expv": av.Num("2"), ":exps": av.Str("open"), ":v": av.Num("2"),
	}
	for _, s := range []string{
		"#pk = :pk",
		"#pk = :pk AND #sk BETWEEN :from AND :to",
		"#pk = :pk AND #sk >= :from",
		"#pk = :pk AND #sk <= :to",
		"#pk = :pk AND #sk < :bound",
	} {
		k, err := ParseKeyCondition(s, names, vals, nil)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		if _, _, err := k.Split("pk", "sk"); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	item := av.Item{"pk": av.Str("LIMIT#x"), "count": av.Num("4"), "version": av.Num("2"), "status": av.Str("open"), "failures": av.Num("1"), "ttl": av.Num("1699999999")}
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"attribute_not_exists(#pk)", false},
		{"attribute_not_exists(#pk) OR #ttl <= :now", true},
		{"#v = :expv AND #st = :exps", true},
		{"attribute_not_exists(#n) OR #n < :limit", true},
		{"attribute_exists(#pk) AND #f < :max", true},
		{"#v = :v", true},
	} {
		c, err := ParseCondition(tc.s, names, vals, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.s, err)
			continue
		}
		if got, _ := c.Eval(item); got != tc.want {
			t.Errorf("%q = %v, want %v", tc.s, got, tc.want)
		}
	}
	for _, tc := range []struct {
		s    string
		want av.Item
	}{
		{"ADD #n :n", av.Item{"count": av.Num("7")}},
		{"ADD #n :one SET #ttl = :ttl", av.Item{"count": av.Num("5"), "ttl": av.Num("1700003600")}},
		{"ADD #f :one", av.Item{"failures": av.Num("2")}},
	} {
		u, err := ParseUpdate(tc.s, names, vals, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.s, err)
			continue
		}
		got, err := u.Apply(item)
		if err != nil {
			t.Errorf("%q: %v", tc.s, err)
			continue
		}
		for k, v := range tc.want {
			if !av.Equal(got[k], v) {
				t.Errorf("%q: %s = %v, want %v", tc.s, k, got[k], v)
			}
		}
	}
}
