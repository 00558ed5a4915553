// Package region names the administrative divisions of China (GB/T 2260):
// six-digit codes of provinces (xx0000), prefectures (xxxx00) and counties.
//
// The list is the Ministry of Civil Affairs' county-level list as of the end
// of 2020, from github.com/guanguans/id-validator/data (MIT): a maintained
// module rather than a copy in this repository. Divisions created since are
// not in it (see the README's shortfalls).
package region

import (
	"slices"
	"strconv"
	"sync"

	"github.com/guanguans/id-validator/data"
)

// Revision is the year of the division list.
const Revision = "2020"

// codes is built once: data.AddressCode rebuilds the map on every call.
var codes = sync.OnceValue(data.AddressCode)

func lookup(code string) (uint32, string, bool) {
	if len(code) != 6 || code[0] == '0' {
		return 0, "", false
	}
	n, err := strconv.ParseUint(code, 10, 32)
	if err != nil {
		return 0, "", false
	}
	name, ok := codes()[uint32(n)]
	return uint32(n), name, ok
}

// Valid reports whether code is a division on the list.
func Valid(code string) bool {
	_, _, ok := lookup(code)
	return ok
}

// Name is the division's own name (朝阳区), false if code is not on the list.
func Name(code string) (string, bool) {
	_, name, ok := lookup(code)
	return name, ok
}

// FullName is the name with its province and prefecture (北京市朝阳区,
// 广东省深圳市南山区); "" if code is not on the list.
func FullName(code string) string {
	n, name, ok := lookup(code)
	if !ok {
		return ""
	}
	province, prefecture := n/10000*10000, n/100*100
	out := ""
	if province != n {
		out += codes()[province]
	}
	// Municipalities and county-level units directly under a province have
	// no prefecture entry.
	if prefecture != n && prefecture != province {
		out += codes()[prefecture]
	}
	return out + name
}

// prefixes are the 2- and 4-digit beginnings of the codes on the list.
var prefixes = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for n := range codes() {
		s := strconv.FormatUint(uint64(n), 10)
		out[s[:2]], out[s[:4]] = true, true
	}
	return out
})

// ValidPrefix reports whether p is a province (2 digits), a prefecture (4)
// or a division (6) on the list: what a routing rule may match on.
func ValidPrefix(p string) bool {
	switch len(p) {
	case 2, 4:
		return prefixes()[p]
	case 6:
		return Valid(p)
	}
	return false
}

// Counties lists the county-level codes (neither xx0000 nor xxxx00) in
// order: what a place picker offers and where tickets are filed.
func Counties() []string {
	var out []string
	for n := range codes() {
		if n%100 != 0 {
			out = append(out, strconv.FormatUint(uint64(n), 10))
		}
	}
	slices.Sort(out)
	return out
}

// Levels a division code can be rolled up to.
const (
	LevelCounty     = "county"
	LevelPrefecture = "prefecture"
	LevelProvince   = "province"
)

// RollUp is the division at level that contains code: its province
// (xx0000), its prefecture (xxxx00, or the province where there is none on
// the list: the municipalities, counties directly under a province), or
// the code itself. A code not on the list stays as it is.
func RollUp(code, level string) string {
	if !Valid(code) {
		return code
	}
	province := code[:2] + "0000"
	switch level {
	case LevelProvince:
		return province
	case LevelPrefecture:
		if p := code[:4] + "00"; Valid(p) {
			return p
		}
		return province
	}
	return code
}

// Names satisfies the handlers' need to name a code.
type Names struct{}

// RegionName is the full name of a division, false if it is not on the list.
func (Names) RegionName(code string) (string, bool) {
	name := FullName(code)
	return name, name != ""
}
