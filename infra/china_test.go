package infra

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The one template deploys unchanged to the aws and the aws-cn partitions
// (docs/deploy-china.md): resolved for Beijing with the parameters the
// template's Rules ask for there, nothing the China regions lack remains; in
// the aws partition the template is what it was before China.

func resolvedDoc(t *testing.T, d deployment) (doc, resolved map[string]any) {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err = longForm(data)
	if err != nil {
		t.Fatal(err)
	}
	return doc, resolve(doc, d)
}

// absentInChina are resource types the China regions' CloudFormation
// registry does not have (docs/deploy-china.md).
var absentInChina = []string{"AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::Function", "AWS::SES::", "AWS::Cognito::"}

func TestChinaDeploymentHasNothingChinaLacks(t *testing.T) {
	_, doc := resolvedDoc(t, china)
	if got := resourcesOfType(doc, absentInChina...); len(got) > 0 {
		t.Errorf("in aws-cn the template still declares %v, whose types the China regions lack", got)
	}
	res, _ := doc["Resources"].(map[string]any)
	for _, name := range sortedKeys(res) {
		r, _ := res[name].(map[string]any)
		switch r["Type"] {
		case "AWS::Serverless::Function":
			if tr := dig(r, "Properties", "Tracing"); tr == "Active" {
				t.Errorf("%s: Tracing Active in aws-cn; Lambda has no X-Ray integration there", name)
			}
		case "AWS::Serverless::StateMachine":
			if en := dig(r, "Properties", "Tracing", "Enabled"); en == true {
				t.Errorf("%s: X-Ray tracing on in aws-cn (unconfirmed there)", name)
			}
		case "AWS::IAM::Role":
			allStrings(name, r, func(path, s string) {
				if strings.HasPrefix(s, "ses:") || s == "sns:Publish" {
					t.Errorf("%s: %s allows %s in aws-cn, where SES and SNS SMS do not exist", name, path, s)
				}
			})
		}
	}
	allStrings("", doc, func(path, s string) {
		switch {
		case strings.HasSuffix(path, ".CachePolicyId (key)"):
			t.Errorf("%s: CachePolicyId in aws-cn, where CloudFront refuses it", path)
		case strings.HasSuffix(path, ".FunctionAssociations (key)"):
			t.Errorf("%s: FunctionAssociations in aws-cn, which has no CloudFront Functions", path)
		case strings.Contains(s, "arn:aws:"):
			t.Errorf("%s: %q names the aws partition; use ${AWS::Partition}", path, s)
		case strings.Contains(s, "amazonaws.com") && !strings.Contains(path, ".Principal.Service"):
			// Service principals are <service>.amazonaws.com in every partition;
			// hosts must be ${AWS::URLSuffix} (amazonaws.com.cn in China).
			t.Errorf("%s: %q names a host in amazonaws.com; use ${AWS::URLSuffix}", path, s)
		case s == "cloudfront.amazonaws.com":
			t.Errorf("%s: the CloudFront service principal reads through origin access control, which China lacks", path)
		}
	})
	cfg, _ := dig(res, "SiteDistribution", "Properties", "DistributionConfig").(map[string]any)
	if fmt.Sprint(cfg["Aliases"]) != "[map[Ref:SiteDomain]]" || fmt.Sprint(dig(cfg, "ViewerCertificate", "IamCertificateId")) != "map[Ref:SiteCertificateId]" {
		t.Errorf("SiteDistribution in aws-cn: Aliases %v, ViewerCertificate %v; want SiteDomain with the IAM certificate SiteCertificateId", cfg["Aliases"], cfg["ViewerCertificate"])
	}
	if dig(cfg, "Origins", 0, "OriginAccessControlId") != nil {
		t.Error("SiteDistribution in aws-cn: the origin names an origin access control")
	}
	if got := fmt.Sprint(dig(cfg, "Origins", 0, "S3OriginConfig", "OriginAccessIdentity")); !strings.Contains(got, "origin-access-identity/cloudfront/${SiteOriginAccessIdentity}") {
		t.Errorf("SiteDistribution in aws-cn: OriginAccessIdentity %s, want origin-access-identity/cloudfront/<SiteOriginAccessIdentity>", got)
	}
	behaviours := append([]any{cfg["DefaultCacheBehavior"]}, asList(cfg["CacheBehaviors"])...)
	for i, b := range behaviours {
		if dig(b, "ForwardedValues", "QueryString") != false {
			t.Errorf("SiteDistribution in aws-cn: behaviour %d has no ForwardedValues (the legacy cache settings)", i)
		}
	}
	if cfg["HttpVersion"] != "http2" || cfg["IPV6Enabled"] != false {
		t.Errorf("SiteDistribution in aws-cn: HttpVersion %v, IPV6Enabled %v; want http2 and false (unverified there)", cfg["HttpVersion"], cfg["IPV6Enabled"])
	}
	// The console's routes without the CloudFront function: S3's 403/404 for a
	// missing key become the console page.
	errs, _ := cfg["CustomErrorResponses"].([]any)
	codes := map[string]bool{}
	for _, e := range errs {
		if dig(e, "ResponsePagePath") == "/console/index.html" && fmt.Sprint(dig(e, "ResponseCode")) == "200" {
			codes[fmt.Sprint(dig(e, "ErrorCode"))] = true
		}
	}
	if !codes["403"] || !codes["404"] {
		t.Errorf("SiteDistribution in aws-cn: CustomErrorResponses %v, want 403 and 404 → /console/index.html 200", errs)
	}
	if r := res["SiteOriginAccessIdentity"]; dig(r, "Type") != "AWS::CloudFront::CloudFrontOriginAccessIdentity" {
		t.Error("aws-cn: no SiteOriginAccessIdentity")
	}
	read := false
	for _, st := range asList(dig(res, "SiteBucketPolicy", "Properties", "PolicyDocument", "Statement")) {
		if cu := fmt.Sprint(dig(st, "Principal", "CanonicalUser", "Fn::GetAtt")); strings.Contains(cu, "SiteOriginAccessIdentity") && strings.Contains(cu, "S3CanonicalUserId") &&
			fmt.Sprint(dig(st, "Action")) == "s3:GetObject" {
			read = true
		}
	}
	if !read {
		t.Error("SiteBucketPolicy in aws-cn: the origin access identity may not read the pages")
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

func TestCommercialDeploymentIsAsBefore(t *testing.T) {
	_, doc := resolvedDoc(t, commercialDefaults)
	for _, typ := range []string{"AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::Function", "AWS::SES::ConfigurationSet"} {
		if len(resourcesOfType(doc, typ)) != 1 {
			t.Errorf("aws with the defaults: want one %s", typ)
		}
	}
	if got := resourcesOfType(doc, "AWS::CloudFront::CloudFrontOriginAccessIdentity"); len(got) > 0 {
		t.Errorf("aws: legacy origin access identity %v; origin access control reads there", got)
	}
	res, _ := doc["Resources"].(map[string]any)
	for _, name := range sortedKeys(res) {
		if r, _ := res[name].(map[string]any); r["Type"] == "AWS::Serverless::Function" && dig(r, "Properties", "Tracing") != "Active" {
			t.Errorf("%s: Tracing %v in aws, want Active", name, dig(r, "Properties", "Tracing"))
		}
	}
	cfg, _ := dig(res, "SiteDistribution", "Properties", "DistributionConfig").(map[string]any)
	if cfg["HttpVersion"] != "http2and3" || cfg["IPV6Enabled"] != true || cfg["Aliases"] != nil || cfg["ViewerCertificate"] != nil || cfg["CustomErrorResponses"] != nil {
		t.Errorf("SiteDistribution in aws with the defaults changed: %v", cfg)
	}
	if dig(cfg, "DefaultCacheBehavior", "CachePolicyId") == nil || dig(cfg, "DefaultCacheBehavior", "ForwardedValues") != nil {
		t.Error("SiteDistribution in aws: the default behaviour must use the managed cache policy")
	}
	allStrings("", doc, func(path, s string) {
		if strings.Contains(s, "arn:aws:") {
			t.Errorf("%s: %q names the aws partition literally; use ${AWS::Partition}", path, s)
		}
	})
}

// CloudFormation checks the Rules before it creates anything: in the China
// regions the defaults (SES, the distribution's own domain) are refused, and
// so is SNS SMS; the China deployment of these tests passes them, as does a
// plain deployment elsewhere.
func TestRulesGuardTheChinaRegions(t *testing.T) {
	doc, _ := resolvedDoc(t, china)
	for _, d := range []deployment{china, commercialDefaults, commercialEverything, commercialDomestic} {
		if f := ruleFailures(doc, d); len(f) > 0 {
			t.Errorf("%s: rules refuse it: %v", d.name, f)
		}
	}
	for _, region := range []string{"cn-north-1", "cn-northwest-1"} {
		f := strings.Join(ruleFailures(doc, deployment{name: region, partition: "aws-cn", region: region, params: map[string]string{}}), "\n")
		for _, want := range []string{"SiteDomain", "SiteCertificateId", "MailChannel"} {
			if !strings.Contains(f, "set "+want) {
				t.Errorf("%s with the defaults: no rule asks to set %s; failures:\n%s", region, want, f)
			}
		}
	}
	sns := china
	sns.params = map[string]string{}
	for k, v := range china.params {
		sns.params[k] = v
	}
	sns.params["SmsChannel"] = "sns"
	if f := ruleFailures(doc, sns); !slices.ContainsFunc(f, func(s string) bool { return strings.Contains(s, "SmsChannel") }) {
		t.Errorf("aws-cn with SmsChannel sns: rules pass (%v)", f)
	}
	smtp := commercialDefaults
	smtp.params = map[string]string{"MailChannel": "smtp"}
	if f := ruleFailures(doc, smtp); len(f) < 2 {
		t.Errorf("MailChannel smtp without SmtpHost and SmtpSecretArn: rules pass (%v)", f)
	}
}

// As deployed, every Ref, GetAtt and ${…} names a parameter, a pseudo
// parameter or a resource that exists in that deployment: a reference to a
// resource whose Condition is false outside an Fn::If of its condition is
// what CloudFormation refuses ("Unresolved resource dependencies").
func TestReferencesResolveInEveryDeployment(t *testing.T) {
	for _, d := range []deployment{commercialDefaults, commercialEverything, commercialDomestic, china} {
		doc, res := resolvedDoc(t, d)
		params, _ := doc["Parameters"].(map[string]any)
		resources, _ := res["Resources"].(map[string]any)
		known := func(name string) bool {
			name, _, _ = strings.Cut(name, ".")
			_, isParam := params[name]
			_, isRes := resources[name]
			return isParam || isRes || strings.HasPrefix(name, "AWS::")
		}
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch x := v.(type) {
			case map[string]any:
				if ref, ok := x["Ref"].(string); ok && len(x) == 1 && !known(ref) {
					t.Errorf("%s: %s: Ref %s exists neither as a parameter nor as a resource", d.name, path, ref)
				}
				if ga, ok := x["Fn::GetAtt"]; ok {
					target := fmt.Sprint(ga)
					if l, ok := ga.([]any); ok && len(l) > 0 {
						target = fmt.Sprint(l[0])
					}
					if !known(target) {
						t.Errorf("%s: %s: GetAtt of %s, which is not deployed", d.name, path, target)
					}
				}
				if sub, ok := x["Fn::Sub"]; ok {
					text, vars := "", map[string]any{}
					switch s := sub.(type) {
					case string:
						text = s
					case []any:
						if len(s) > 0 {
							text, _ = s[0].(string)
						}
						if len(s) > 1 {
							vars, _ = s[1].(map[string]any)
						}
					}
					for _, m := range substitution.FindAllStringSubmatch(text, -1) {
						if _, local := vars[m[1]]; !local && !strings.HasPrefix(m[1], "!") && !known(m[1]) {
							t.Errorf("%s: %s: ${%s} is not deployed", d.name, path, m[1])
						}
					}
				}
				for _, k := range sortedKeys(x) {
					walk(path+"."+k, x[k])
				}
			case []any:
				for i, e := range x {
					walk(fmt.Sprintf("%s[%d]", path, i), e)
				}
			}
		}
		walk("Resources", res["Resources"])
		walk("Outputs", res["Outputs"])
	}
}

// cfn-lint (when installed; it runs the SAM transform first) checks the
// template against the CloudFormation schemas of both China regions and
// us-east-1. Resources conditional on what China lacks carry
// Metadata.cfn-lint ignore_checks E3006: cfn-lint checks types per region
// without evaluating conditions, which TestChinaDeploymentHasNothingChinaLacks does.
func TestCfnLintInChinaAndUSEast1(t *testing.T) {
	if testing.Short() {
		t.Skip("cfn-lint takes about 20 s; skipped with -short")
	}
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint not installed (pip install cfn-lint)")
	}
	if out, err := exec.Command(lint, "--version").CombinedOutput(); err != nil {
		t.Skipf("cfn-lint does not run here: %v %s", err, out)
	}
	out, err := exec.Command(lint, "--regions", "cn-north-1", "cn-northwest-1", "us-east-1", "-t", templatePath).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
