package infra

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The notice channels are stack parameters: MailChannel (ses, smtp) and
// SmsChannel (off, sns, tencent). The functions that send notices (intake:
// receipts and verification codes; feedback: results) get them as HOTLINE_*
// variables, and their roles may call only the chosen channel's service and
// read only the secrets given.

// channelVariables maps each variable to the parameter it carries.
var channelVariables = map[string]string{
	"HOTLINE_MAIL_CHANNEL":           "MailChannel",
	"HOTLINE_SMTP_HOST":              "SmtpHost",
	"HOTLINE_SMTP_PORT":              "SmtpPort",
	"HOTLINE_SMTP_TLS":               "SmtpTls",
	"HOTLINE_SMTP_SECRET_ARN":        "SmtpSecretArn",
	"HOTLINE_SMS_CHANNEL":            "SmsChannel",
	"HOTLINE_TENCENT_SMS_SECRET_ARN": "TencentSmsSecretArn",
	"HOTLINE_TENCENT_SMS_APP_ID":     "TencentSmsAppId",
	"HOTLINE_TENCENT_SMS_SIGN_NAME":  "TencentSmsSignName",
	"HOTLINE_TENCENT_SMS_REGION":     "TencentSmsRegion",
	"HOTLINE_TENCENT_SMS_TEMPLATES":  "TencentSmsTemplates",
}

// noticeFunctions send citizens e-mail and SMS.
var noticeFunctions = []string{"intake", "feedback"}

func TestChannelParametersReachTheNoticeFunctions(t *testing.T) {
	p := loadTemplate(t)
	if _, ok := p.Parameters["SMSEnabled"]; ok {
		t.Error("parameter SMSEnabled is back; SmsChannel replaced it")
	}
	for name, want := range map[string]struct {
		def     string
		allowed []string
	}{
		"MailChannel":      {"ses", []string{"ses", "smtp"}},
		"SmsChannel":       {"off", []string{"off", "sns", "tencent"}},
		"SmtpTls":          {"ssl", []string{"ssl", "starttls"}},
		"SmtpPort":         {"465", nil},
		"TencentSmsRegion": {"ap-guangzhou", nil},
	} {
		prm, ok := p.Parameters[name]
		if !ok {
			t.Errorf("parameter %s is missing", name)
			continue
		}
		var allowed []string
		for _, v := range prm.AllowedValues {
			allowed = append(allowed, fmt.Sprint(v))
		}
		if fmt.Sprint(prm.Default) != want.def || !slices.Equal(allowed, want.allowed) {
			t.Errorf("parameter %s: default %v, allowed %v; want %s, %v", name, prm.Default, allowed, want.def, want.allowed)
		}
	}
	for name, r := range functionsByName(t, p) {
		vars := r.fn.Environment.Variables
		for v, param := range channelVariables {
			got, set := vars[v]
			switch {
			case slices.Contains(noticeFunctions, name) && got != "Ref("+param+")":
				t.Errorf("functions/%s: %s = %q, want !Ref %s", name, v, got, param)
			case name == "api" && (v == "HOTLINE_SMS_CHANNEL" || v == "HOTLINE_TENCENT_SMS_SECRET_ARN"):
				// The api takes Tencent's delivery receipts, checked against
				// the Tencent secret's callbackToken.
				if got != "Ref("+param+")" {
					t.Errorf("functions/api: %s = %q, want !Ref %s", v, got, param)
				}
			case !slices.Contains(noticeFunctions, name) && set:
				t.Errorf("functions/%s sends no notices but gets %s", name, v)
			}
		}
	}
}

// allowedActions is every action a role allows in one deployment, with the
// resources of each.
func allowedActions(t *testing.T, p *parsed, role string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, st := range roleStatementsOf(t, p, role) {
		for _, a := range st.actions {
			out[a] = append(out[a], st.resources...)
		}
	}
	return out
}

func TestNoticeRolesFollowTheChannels(t *testing.T) {
	sns := commercialDefaults
	sns.name, sns.params = "aws sns", map[string]string{"SmsChannel": "sns"}
	for _, c := range []struct {
		d                    deployment
		ses, publish, secret bool
	}{
		{commercialDefaults, true, false, false},
		{sns, true, true, false},
		{commercialDomestic, false, false, true},
		{china, false, false, true},
	} {
		p := loadTemplateFor(t, c.d)
		for _, role := range []string{"IntakeRole", "FeedbackRole"} {
			got := allowedActions(t, p, role)
			_, ses := got["ses:SendEmail"]
			_, publish := got["sns:Publish"]
			secrets, secret := got["secretsmanager:GetSecretValue"]
			if ses != c.ses || publish != c.publish || secret != c.secret {
				t.Errorf("%s %s: ses:SendEmail %v sns:Publish %v secretsmanager:GetSecretValue %v; want %v %v %v",
					c.d.name, role, ses, publish, secret, c.ses, c.publish, c.secret)
			}
			if secret {
				want := []string{"Ref(SmtpSecretArn)", "Ref(TencentSmsSecretArn)"}
				if !slices.Equal(secrets, want) {
					t.Errorf("%s %s: reads secrets %v, want exactly %v", c.d.name, role, secrets, want)
				}
			}
		}
		if n := len(resourcesOfType(p.raw, "AWS::SES::")); (n > 0) != c.ses {
			t.Errorf("%s: %d SES resources with MailChannel %s", c.d.name, n, c.d.params["MailChannel"])
		}
		for _, fn := range []string{"IntakeFunction", "FeedbackFunction"} {
			v := fmt.Sprint(dig(rawProps(t, p, fn), "Environment", "Variables", "HOTLINE_SES_CONFIGURATION_SET"))
			if c.ses != strings.Contains(v, "EmailConfigurationSet") {
				t.Errorf("%s %s: HOTLINE_SES_CONFIGURATION_SET = %s with MailChannel %q", c.d.name, fn, v, c.d.params["MailChannel"])
			}
		}
	}
}
