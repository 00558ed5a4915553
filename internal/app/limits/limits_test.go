package limits

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	r, err := Parse(" file=50/30m , messages=5/24h")
	if err != nil || r[RuleFile].Limit != 50 || r[RuleFile].Window != 30*time.Minute || r[RuleMessages].Limit != 5 || r[RuleLookup] != Defaults()[RuleLookup] {
		t.Fatalf("%+v %v", r, err)
	}
	if r, err := Parse("open311.key=5000/1h"); err != nil || r[RuleOpen311Key].Limit != 5000 || r[RuleOpen311Read] != Defaults()[RuleOpen311Read] {
		t.Fatalf("open311.key: %+v %v", r, err)
	}
	for _, bad := range []string{"file", "file=0/1h", "file=5", "file=5/0s", "file=5/48h", "file=5/1500ms", "nope=1/1h", "file=1/1h,file=2/1h", "file=x/1h"} {
		var se *SettingError
		if _, err := Parse(bad); !errors.As(err, &se) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// Whatever the setting, Parse refuses it or gives every rule a count and a
// window a counter can hold.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "file=50/30m", "messages=5/24h,lookup=1/1s", "file=", "=,=", "verify=1000000/24h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		if len(r) != len(Defaults()) {
			t.Fatalf("%d rules", len(r))
		}
		for name, rule := range r {
			if rule.Name != name || rule.Limit < 1 || rule.Limit > 1_000_000 || rule.Window < time.Second || rule.Window > 24*time.Hour || rule.Window%time.Second != 0 {
				t.Fatalf("%s: %+v", name, rule)
			}
		}
	})
}
