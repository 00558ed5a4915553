package region

import (
	"slices"
	"testing"
)

func TestNamesOfKnownDivisions(t *testing.T) {
	cases := map[string]string{
		"110105": "北京市朝阳区",
		"110000": "北京市",
		"440305": "广东省深圳市南山区",
		"440300": "广东省深圳市",
		"330106": "浙江省杭州市西湖区",
		"310115": "上海市浦东新区",
	}
	for code, want := range cases {
		if got := FullName(code); got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
		if !Valid(code) {
			t.Errorf("%s not valid", code)
		}
	}
	if name, ok := Name("110105"); !ok || name != "朝阳区" {
		t.Fatalf("Name: %q %v", name, ok)
	}
}

func TestUnknownCodesAreRefused(t *testing.T) {
	for _, code := range []string{"", "110199", "999999", "000000", "11010", "1101055", "11010a", "-11010", "+11010"} {
		if Valid(code) || FullName(code) != "" {
			t.Errorf("%q accepted", code)
		}
		if _, ok := (Names{}).RegionName(code); ok {
			t.Errorf("%q named", code)
		}
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"110105", "999999", "", "1e5000", "11010\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		name, ok := Name(code)
		if ok != Valid(code) || ok != (FullName(code) != "") || ok && name == "" {
			t.Fatalf("%q: inconsistent", code)
		}
		if ok && len(code) != 6 {
			t.Fatalf("%q accepted", code)
		}
	})
}

func TestValidPrefix(t *testing.T) {
	for p, want := range map[string]bool{"11": true, "1101": true, "110105": true, "4403": true, "99": false, "1199": false, "1": false, "110": false, "": false} {
		if ValidPrefix(p) != want {
			t.Errorf("%q: %v", p, !want)
		}
	}
}

func TestCounties(t *testing.T) {
	c := Counties()
	if len(c) < 2800 || !slices.IsSorted(c) || !slices.Contains(c, "110105") || slices.Contains(c, "110000") {
		t.Fatalf("%d counties", len(c))
	}
	for _, code := range c {
		if !Valid(code) {
			t.Fatalf("%s listed but not valid", code)
		}
	}
}

func TestRollUp(t *testing.T) {
	cases := []struct{ code, level, want string }{
		{"440305", LevelPrefecture, "440300"}, {"440305", LevelProvince, "440000"}, {"440305", LevelCounty, "440305"},
		{"110105", LevelPrefecture, "110000"}, // a municipality: no prefecture on the list
		{"440300", LevelProvince, "440000"}, {"999999", LevelProvince, "999999"},
	}
	for _, c := range cases {
		if got := RollUp(c.code, c.level); got != c.want {
			t.Errorf("RollUp(%s, %s) = %s, want %s", c.code, c.level, got, c.want)
		}
	}
}
