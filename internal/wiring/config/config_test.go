package config

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/app/ports"
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
	all[EnvSMSChannel] = "sns"
	all[EnvMailChannel] = "ses"
	all[EnvLogLevel] = "debug"
	all[EnvLimits] = "messages=5/24h"
	c, err := Load("feedback", env(all))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMSChannel != SMSSNS || c.MailChannel != MailSES || c.SenderEmail != "x" || c.Table != "x" || c.Limits["messages"].Limit != 5 || c.Limits["file"].Limit == 0 {
		t.Fatalf("config = %+v", c)
	}
	all[EnvLimits] = "messages=5"
	var bad *InvalidError
	if _, err := Load("feedback", env(all)); !errors.As(err, &bad) || bad.Name != EnvLimits {
		t.Fatalf("a bad limit: %v", err)
	}
	all[EnvLimits] = ""
	all[EnvSMSChannel] = "perhaps"
	var invalid *InvalidError
	if _, err := Load("feedback", env(all)); !errors.As(err, &invalid) || invalid.Name != EnvSMSChannel {
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

const allTemplates = "verification=100001,receipt=100002,replied=100003,answered=100004,rejected=100005,merged=100006,emergency=100007,master_result=100008"

func base(extra map[string]string) func(string) string {
	m := map[string]string{EnvRegion: "cn-north-1", EnvTable: "t", EnvBlindKey: "b", EnvSenderEmail: "a@b.cn", EnvSealKey: "k"}
	for k, v := range extra {
		m[k] = v
	}
	return env(m)
}

func TestChannelsDefault(t *testing.T) {
	c, err := Load("intake", base(map[string]string{EnvStateMachineArn: "arn"}))
	if err != nil || c.SMSChannel != SMSOff || c.MailChannel != MailSES {
		t.Fatalf("defaults = %q %q, %v", c.SMSChannel, c.MailChannel, err)
	}
}

func TestTencentAndSMTPSettings(t *testing.T) {
	c, err := Load("feedback", base(map[string]string{
		EnvSMSChannel: "tencent", EnvTencentSMSSecretArn: "arn:aws-cn:secretsmanager:cn-north-1:1:secret:t", EnvTencentSMSAppID: "1400006666",
		EnvTencentSMSSignName: "某某市12345", EnvTencentSMSTemplates: allTemplates, EnvTencentSMSRegion: "ap-beijing",
		EnvMailChannel: "smtp", EnvSMTPHost: "smtp.qcloudmail.com", EnvSMTPSecretArn: "arn:s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TencentSMS.Templates["receipt"] != "100002" || c.TencentSMS.Region != "ap-beijing" || c.TencentSMS.AppID != "1400006666" ||
		c.SMTP.Host != "smtp.qcloudmail.com" || c.SMTP.TLS != "ssl" || c.SMTP.Port != 0 || c.SMTP.SecretArn != "arn:s" {
		t.Fatalf("config = %+v", c)
	}
}

func TestChannelErrorsNameTheVariable(t *testing.T) {
	tencent := map[string]string{EnvSMSChannel: "tencent", EnvTencentSMSSecretArn: "arn", EnvTencentSMSAppID: "1400006666", EnvTencentSMSSignName: "s", EnvTencentSMSTemplates: allTemplates}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range m {
			out[a] = b
		}
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	invalid := []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{EnvMailChannel: "sendmail"}, EnvMailChannel},
		{map[string]string{EnvMailChannel: "smtp", EnvSMTPHost: "h", EnvSMTPPort: "70000"}, EnvSMTPPort},
		{map[string]string{EnvMailChannel: "smtp", EnvSMTPHost: "h", EnvSMTPPort: "x"}, EnvSMTPPort},
		{map[string]string{EnvMailChannel: "smtp", EnvSMTPHost: "h", EnvSMTPTLS: "tls"}, EnvSMTPTLS},
		{map[string]string{EnvMailChannel: "smtp", EnvSMTPHost: "smtp.example.cn", EnvSMTPTLS: "none", EnvSMTPPort: "25"}, EnvSMTPTLS},
		{with(tencent, EnvTencentSMSTemplates, "receipt=1"), EnvTencentSMSTemplates},
		{with(tencent, EnvTencentSMSAppID, "app"), EnvTencentSMSAppID},
		{with(tencent, EnvTencentSMSRegion, "Guangzhou"), EnvTencentSMSRegion},
	}
	for _, tc := range invalid {
		var bad *InvalidError
		if _, err := Load("feedback", base(tc.env)); !errors.As(err, &bad) || bad.Name != tc.name {
			t.Errorf("%v: err = %v, want an InvalidError for %s", tc.env, err, tc.name)
		}
	}
	missing := []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{EnvMailChannel: "smtp"}, EnvSMTPHost},
		{map[string]string{EnvMailChannel: "smtp", EnvSMTPHost: "127.0.0.1", EnvSMTPTLS: "none"}, EnvSMTPPort},
		{with(tencent, EnvTencentSMSSecretArn, ""), EnvTencentSMSSecretArn},
		{with(tencent, EnvTencentSMSSignName, ""), EnvTencentSMSSignName},
		{with(tencent, EnvTencentSMSTemplates, ""), EnvTencentSMSTemplates},
	}
	for _, tc := range missing {
		var m *MissingError
		if _, err := Load("feedback", base(tc.env)); !errors.As(err, &m) || !slices.Contains(m.Names, tc.name) {
			t.Errorf("%v: err = %v, want a MissingError naming %s", tc.env, err, tc.name)
		}
	}
	if c, err := Load("feedback", base(map[string]string{EnvMailChannel: "smtp", EnvSMTPHost: "127.0.0.1", EnvSMTPTLS: "none", EnvSMTPPort: "2525"})); err != nil || c.SMTP.Port != 2525 {
		t.Errorf("loopback without TLS: %+v, %v", c.SMTP, err)
	}
	var m *MissingError
	if _, err := Load("api", base(map[string]string{EnvQueuePrefix: "q", EnvSMSChannel: "tencent"})); !errors.As(err, &m) || !slices.Contains(m.Names, EnvTencentSMSSecretArn) {
		t.Errorf("api with tencent and no secret: %v", err)
	}
}

func TestParseTemplates(t *testing.T) {
	got, err := ParseTemplates(" " + strings.ReplaceAll(allTemplates, ",", " , ") + ",")
	if err != nil || len(got) != len(ports.SMSKinds) || got[ports.SMSMasterResult] != "100008" {
		t.Fatalf("ParseTemplates = %v, %v", got, err)
	}
	for _, bad := range []string{"", "receipt", allTemplates + ",receipt=1", strings.Replace(allTemplates, "100001", "abc", 1), allTemplates + ",sms=1", strings.Replace(allTemplates, ",receipt=100002", "", 1)} {
		if _, err := ParseTemplates(bad); err == nil {
			t.Errorf("ParseTemplates(%q) accepted", bad)
		}
	}
}

// The parser never panics, and what it accepts names every kind once with
// a template id of digits.
func FuzzParseTemplates(f *testing.F) {
	f.Add(allTemplates)
	f.Add("receipt=1,receipt=2")
	f.Add("=,=,")
	f.Add("verification=١٢٣")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTemplates(s)
		if err != nil {
			return
		}
		if len(got) != len(ports.SMSKinds) {
			t.Fatalf("%q: %v", s, got)
		}
		for _, k := range ports.SMSKinds {
			if id := got[k]; !allDigits(id) {
				t.Fatalf("%q: %s = %q", s, k, id)
			}
		}
	})
}
