package insight

import (
	"cmp"
	"slices"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Hotspot is one category or region: tickets filed in the period and in the
// period of the same length before it.
type Hotspot struct {
	Key           string `json:"key"`
	Name          string `json:"name"`
	Count         int    `json:"count"`
	PreviousCount int    `json:"previousCount"`
	Change        int    `json:"change"` // count - previousCount
}

// RankHotspots orders the codes filed in either period: the largest rise
// first, then the most filed, then by code.
func RankHotspots(now, before map[string]map[string]int, name func(code string) string) []Hotspot {
	seen := map[string]bool{}
	list := []Hotspot{}
	for _, counts := range []map[string]map[string]int{now, before} {
		for scope := range counts {
			_, code := ticket.ScopeKind(scope)
			if seen[code] {
				continue
			}
			seen[code] = true
			c, p := now[scope][ticket.MetricFiled], before[scope][ticket.MetricFiled]
			if c == 0 && p == 0 {
				continue
			}
			list = append(list, Hotspot{Key: code, Name: name(code), Count: c, PreviousCount: p, Change: c - p})
		}
	}
	slices.SortFunc(list, func(a, b Hotspot) int {
		return cmp.Or(cmp.Compare(b.Change, a.Change), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key))
	})
	return list
}

// RollUp adds up the counts of the scopes that to maps to one scope: the
// counties of a prefecture or province.
func RollUp(counts map[string]map[string]int, to func(scope string) string) map[string]map[string]int {
	out := map[string]map[string]int{}
	for scope, metrics := range counts {
		s := to(scope)
		if out[s] == nil {
			out[s] = map[string]int{}
		}
		for m, n := range metrics {
			out[s][m] += n
		}
	}
	return out
}
