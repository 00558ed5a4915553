package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadNamesEveryMissingVariable(t *testing.T) {
	_, err := Load("feedback", env(map[string]string{EnvRegion: "cn-north-1", EnvTable: "t"}))
	var missing *MissingError
	if !errors.As(err, &missing) {
		t.Fatalf("err = %v", err)
	}
	want := []string{EnvKMSKeyID + " or " + EnvSealKey, EnvBlindKey, EnvSenderEmail}
	if !slices.Equal(missing.Names, want) || missing.Function != "feedback" {
		t.Fatalf("missing = %+v, want %v", missing, want)
	}
}

func TestLoadReadsValues(t *testing.T) {
	all := map[string]string{}
	for _, n := range append(Required["feedback"], Optional["feedback"]...) {
		all[n] = "x"
	}
	all[EnvSMSEnabled] = "true"
	all[EnvLogLevel] = "debug"
	all[EnvLimits] = "messages=5/24h"
	c, err := Load("feedback", env(all))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SMSEnabled || c.SenderEmail != "x" || c.Table != "x" || c.Limits["messages"].Limit != 5 || c.Limits["file"].Limit == 0 {
		t.Fatalf("config = %+v", c)
	}
	all[EnvLimits] = "messages=5"
	var bad *InvalidError
	if _, err := Load("feedback", env(all)); !errors.As(err, &bad) || bad.Name != EnvLimits {
		t.Fatalf("a bad limit: %v", err)
	}
	all[EnvLimits] = ""
	all[EnvSMSEnabled] = "perhaps"
	var invalid *InvalidError
	if _, err := Load("feedback", env(all)); !errors.As(err, &invalid) || invalid.Name != EnvSMSEnabled {
		t.Fatalf("err = %v", err)
	}
}

func TestEveryFunctionIsDeclared(t *testing.T) {
	for fn := range Required {
		if _, ok := Optional[fn]; !ok {
			t.Errorf("%s has no optional list", fn)
		}
	}
	if _, err := Load("nope", env(nil)); err == nil {
		t.Error("unknown function accepted")
	}
}

func TestMetricsNamespace(t *testing.T) {
	base := map[string]string{EnvRegion: "cn-north-1", EnvTable: "t", EnvBlindKey: "k", EnvSealKey: "s"}
	for fn := range Required {
		if !slices.Contains(Optional[fn], EnvMetricsNamespace) {
			t.Errorf("%s does not read %s", fn, EnvMetricsNamespace)
		}
	}
	c, err := Load("review", env(base))
	if err != nil || c.MetricsNamespace != "" {
		t.Fatalf("unset: %q, %v; want metrics off", c.MetricsNamespace, err)
	}
	base[EnvMetricsNamespace] = "Hotline12345/prod"
	if c, err = Load("review", env(base)); err != nil || c.MetricsNamespace != "Hotline12345/prod" {
		t.Fatalf("set: %q, %v", c.MetricsNamespace, err)
	}
	for _, bad := range []string{"AWS/Lambda", "热线", strings.Repeat("a", 256)} {
		base[EnvMetricsNamespace] = bad
		var invalid *InvalidError
		if _, err := Load("review", env(base)); !errors.As(err, &invalid) || invalid.Name != EnvMetricsNamespace {
			t.Errorf("namespace %q: %v", bad, err)
		}
	}
}
