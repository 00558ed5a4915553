package infra

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/web"
)

// The pages' static site: a private bucket read only by its own CloudFront
// distribution, the local server's security headers, and an API whose CORS
// allows that site alone.

// rawProps is a resource's Properties from the raw document (markers kept).
func rawProps(t *testing.T, p *parsed, name string) map[string]any {
	t.Helper()
	r := p.rawResource(name)
	if r == nil {
		t.Fatalf("resource %s is missing", name)
	}
	props, _ := r["Properties"].(map[string]any)
	return props
}

// dig follows keys through nested maps; a number steps into a list.
func dig(v any, path ...any) any {
	for _, k := range path {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestSiteBucketIsPrivateEncryptedAndVersioned(t *testing.T) {
	p := loadTemplate(t)
	b := rawProps(t, p, "SiteBucket")
	if got := dig(b, "BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault", "SSEAlgorithm"); got != "AES256" && got != "aws:kms" {
		t.Errorf("SiteBucket: default encryption %v, want AES256 or aws:kms", got)
	}
	if got := dig(b, "VersioningConfiguration", "Status"); got != "Enabled" {
		t.Errorf("SiteBucket: versioning %v, want Enabled", got)
	}
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if got := dig(b, "PublicAccessBlockConfiguration", k); got != true {
			t.Errorf("SiteBucket: PublicAccessBlockConfiguration.%s = %v, want true", k, got)
		}
	}
	if got := dig(b, "OwnershipControls", "Rules", 0, "ObjectOwnership"); got != "BucketOwnerEnforced" {
		t.Errorf("SiteBucket: ObjectOwnership %v, want BucketOwnerEnforced (no ACLs)", got)
	}
	// Retained: CloudFormation could not delete it with objects in it anyway.
	if r := p.rawResource("SiteBucket"); r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("SiteBucket: DeletionPolicy %v, UpdateReplacePolicy %v; want Retain", r["DeletionPolicy"], r["UpdateReplacePolicy"])
	}
	for _, k := range []string{"WebsiteConfiguration", "AccessControl"} {
		if _, ok := b[k]; ok {
			t.Errorf("SiteBucket: %s makes the bucket reachable without CloudFront", k)
		}
	}
}

func TestSiteBucketPolicyIsTLSOnlyAndThisDistributionOnly(t *testing.T) {
	p := loadTemplate(t)
	pol := rawProps(t, p, "SiteBucketPolicy")
	if got := fmt.Sprint(pol["Bucket"]); got != "Ref(SiteBucket)" {
		t.Fatalf("SiteBucketPolicy: Bucket %s, want Ref(SiteBucket)", got)
	}
	sts, _ := dig(pol, "PolicyDocument", "Statement").([]any)
	var tls, read bool
	for _, s := range sts {
		m, _ := s.(map[string]any)
		switch m["Effect"] {
		case "Deny":
			if dig(m, "Condition", "Bool", "aws:SecureTransport") == "false" && m["Principal"] == "*" &&
				slices.Contains(strList(m["Action"]), "s3:*") &&
				slices.Contains(strList(m["Resource"]), "GetAtt(SiteBucket.Arn)") && slices.Contains(strList(m["Resource"]), "Sub(${SiteBucket.Arn}/*)") {
				tls = true
			}
		case "Allow":
			if got := fmt.Sprint(dig(m, "Principal", "Service")); got != "cloudfront.amazonaws.com" {
				t.Errorf("SiteBucketPolicy %v: allows %v; only CloudFront's service principal may read", m["Sid"], m["Principal"])
				continue
			}
			if got := strList(m["Action"]); !slices.Equal(got, []string{"s3:GetObject"}) {
				t.Errorf("SiteBucketPolicy %v: actions %v, want only s3:GetObject", m["Sid"], got)
			}
			if got := strList(m["Resource"]); !slices.Equal(got, []string{"Sub(${SiteBucket.Arn}/*)"}) {
				t.Errorf("SiteBucketPolicy %v: resources %v, want the bucket's objects", m["Sid"], got)
			}
			want := "Sub(arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution})"
			if got := fmt.Sprint(dig(m, "Condition", "StringEquals", "AWS:SourceArn")); got != want {
				t.Errorf("SiteBucketPolicy %v: AWS:SourceArn %s, want %s (this distribution alone)", m["Sid"], got, want)
			}
			read = true
		default:
			t.Errorf("SiteBucketPolicy: statement with effect %v", m["Effect"])
		}
	}
	if !tls {
		t.Error("SiteBucketPolicy: no Deny of s3:* on the bucket and its objects when aws:SecureTransport is false")
	}
	if !read {
		t.Error("SiteBucketPolicy: CloudFront is never allowed to read")
	}
}

func TestSiteDistributionUsesOriginAccessControl(t *testing.T) {
	p := loadTemplate(t)
	oac := rawProps(t, p, "SiteOriginAccessControl")
	for k, want := range map[string]string{"OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"} {
		if got := dig(oac, "OriginAccessControlConfig", k); got != want {
			t.Errorf("SiteOriginAccessControl: %s = %v, want %s", k, got, want)
		}
	}
	if p.rawResource("SiteOriginAccessIdentity") != nil {
		t.Error("a legacy origin access identity is declared; use the origin access control")
	}
	cfg, _ := dig(rawProps(t, p, "SiteDistribution"), "DistributionConfig").(map[string]any)
	if cfg["DefaultRootObject"] != "index.html" || cfg["Enabled"] != true {
		t.Errorf("SiteDistribution: DefaultRootObject %v, Enabled %v; want index.html, true", cfg["DefaultRootObject"], cfg["Enabled"])
	}
	origins, _ := cfg["Origins"].([]any)
	if len(origins) != 1 {
		t.Fatalf("SiteDistribution: %d origins, want the bucket alone", len(origins))
	}
	o := origins[0]
	if got := fmt.Sprint(dig(o, "DomainName")); got != "GetAtt(SiteBucket.RegionalDomainName)" {
		t.Errorf("SiteDistribution: origin %s, want the bucket's regional domain", got)
	}
	if got := fmt.Sprint(dig(o, "OriginAccessControlId")); got != "GetAtt(SiteOriginAccessControl.Id)" {
		t.Errorf("SiteDistribution: OriginAccessControlId %s, want GetAtt(SiteOriginAccessControl.Id)", got)
	}
	if got := dig(o, "S3OriginConfig", "OriginAccessIdentity"); got != "" {
		t.Errorf("SiteDistribution: OriginAccessIdentity %v, want empty (origin access control instead)", got)
	}
	behaviours := []any{cfg["DefaultCacheBehavior"]}
	cbs, _ := cfg["CacheBehaviors"].([]any)
	behaviours = append(behaviours, cbs...)
	console := map[string]bool{}
	for _, b := range behaviours {
		name := fmt.Sprint(dig(b, "PathPattern"))
		if dig(b, "ViewerProtocolPolicy") != "redirect-to-https" || dig(b, "Compress") != true {
			t.Errorf("SiteDistribution behaviour %s: ViewerProtocolPolicy %v, Compress %v; want redirect-to-https, true", name, dig(b, "ViewerProtocolPolicy"), dig(b, "Compress"))
		}
		if got := fmt.Sprint(dig(b, "ResponseHeadersPolicyId")); got != "Ref(SiteHeadersPolicy)" {
			t.Errorf("SiteDistribution behaviour %s: ResponseHeadersPolicyId %s, want Ref(SiteHeadersPolicy)", name, got)
		}
		if got := fmt.Sprint(dig(b, "TargetOriginId")); got != fmt.Sprint(dig(o, "Id")) {
			t.Errorf("SiteDistribution behaviour %s: origin %s is not the bucket's", name, got)
		}
		if name == "/console/*" || name == "/console" {
			console[name] = fmt.Sprint(dig(b, "FunctionAssociations", 0, "FunctionARN")) == "GetAtt(SiteConsoleFunction.FunctionMetadata.FunctionARN)" &&
				dig(b, "FunctionAssociations", 0, "EventType") == "viewer-request"
		}
	}
	for _, pat := range []string{"/console/*", "/console"} {
		if !console[pat] {
			t.Errorf("SiteDistribution: no %s behaviour sending routes to console/index.html (SiteConsoleFunction on viewer-request)", pat)
		}
	}
	code := fmt.Sprint(rawProps(t, p, "SiteConsoleFunction")["FunctionCode"])
	if !strings.Contains(code, "'/console/index.html'") {
		t.Errorf("SiteConsoleFunction does not rewrite to /console/index.html:\n%s", code)
	}
}

func TestSiteHeadersAreTheLocalServers(t *testing.T) {
	p := loadTemplate(t)
	sec, _ := dig(rawProps(t, p, "SiteHeadersPolicy"), "ResponseHeadersPolicyConfig", "SecurityHeadersConfig").(map[string]any)
	csp := fmt.Sprint(dig(sec, "ContentSecurityPolicy", "ContentSecurityPolicy"))
	// Every directive of the local server's policy, then connect-src for the
	// API, the region's buckets (the media bucket's uploads) and, when
	// StaffSignInOrigin is set, the console's token endpoint (a space before
	// it; nothing at all when it is empty), and img-src for the photos.
	want := "Sub(" + web.CSP + "; connect-src 'self' https://*.execute-api.${AWS::Region}.${AWS::URLSuffix} https://*.s3.${AWS::Region}.${AWS::URLSuffix}${SignIn}; img-src 'self' https://*.s3.${AWS::Region}.${AWS::URLSuffix}, " +
		`{"SignIn":"If([\"HasStaffSignInOrigin\",\"Sub( ${StaffSignInOrigin})\",\"\"])"})`
	if csp != want {
		t.Errorf("SiteHeadersPolicy CSP\n got %s\nwant %s", csp, want)
	}
	param := p.Parameters["StaffSignInOrigin"]
	if param.Default != "" {
		t.Errorf("StaffSignInOrigin defaults to %v; empty means no sign-in origin in the policy", param.Default)
	}
	// An origin, nothing a policy could be widened with (a space, a
	// wildcard, another directive after a semicolon).
	if param.AllowedPattern == nil {
		t.Fatal("StaffSignInOrigin has no AllowedPattern")
	}
	re := regexp.MustCompile(*param.AllowedPattern)
	for v, ok := range map[string]bool{
		"": true, "https://hotline.auth.cn-north-1.amazoncognito.com.cn": true, "https://idp.example.gov.cn:8443": true,
		"http://idp.example.gov.cn": false, "https://*.example.gov.cn": false, "https://idp.example.gov.cn/oauth2/token": false,
		"https://idp.example.gov.cn https://evil.example": false, "https://a.example; script-src *": false,
	} {
		if re.MatchString(v) != ok {
			t.Errorf("StaffSignInOrigin pattern %s: %q allowed %v, want %v", *param.AllowedPattern, v, !ok, ok)
		}
	}
	if got := fmt.Sprint(p.Conditions["HasStaffSignInOrigin"]); !strings.Contains(got, "Ref(StaffSignInOrigin)") {
		t.Errorf("condition HasStaffSignInOrigin = %s, want it to test StaffSignInOrigin", got)
	}
	if !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Error("SiteHeadersPolicy CSP lacks frame-ancestors 'none'")
	}
	if age, _ := dig(sec, "StrictTransportSecurity", "AccessControlMaxAgeSec").(float64); age < 31536000 {
		t.Errorf("SiteHeadersPolicy: HSTS max-age %v, want at least a year", age)
	}
	for _, k := range []string{"ContentSecurityPolicy", "StrictTransportSecurity", "ContentTypeOptions", "FrameOptions", "ReferrerPolicy"} {
		if dig(sec, k, "Override") != true {
			t.Errorf("SiteHeadersPolicy: %s missing or not overriding the origin's", k)
		}
	}
	if got := dig(sec, "ReferrerPolicy", "ReferrerPolicy"); got != "no-referrer" {
		t.Errorf("SiteHeadersPolicy: Referrer-Policy %v, the local server sends no-referrer", got)
	}
}

func TestAPICORSAllowsOnlyTheSite(t *testing.T) {
	p := loadTemplate(t)
	origins := strList(dig(rawProps(t, p, "HttpApi"), "CorsConfiguration", "AllowOrigins"))
	want := `If(["HasWebOrigin","Ref(WebOrigin)","If([\"HasSiteDomain\",\"Sub(https://${SiteDomain})\",\"Sub(https://${SiteDistribution.DomainName})\"])"])`
	if !slices.Equal(origins, []string{want}) {
		t.Errorf("HttpApi: AllowOrigins %v, want [%s]", origins, want)
	}
	if d := p.Parameters["WebOrigin"].Default; d != "" {
		t.Errorf("WebOrigin defaults to %v; empty means the site's own origin", d)
	}
	if got := fmt.Sprint(p.Conditions["HasWebOrigin"]); !strings.Contains(got, "Ref(WebOrigin)") {
		t.Errorf("condition HasWebOrigin = %s, want it to test WebOrigin", got)
	}
	for name, want := range map[string]string{
		"SiteUrl":            `If(["HasSiteDomain","Sub(https://${SiteDomain})","Sub(https://${SiteDistribution.DomainName})"])`,
		"SiteBucketName":     "Ref(SiteBucket)",
		"SiteDistributionId": "Ref(SiteDistribution)",
	} {
		o, ok := dig(p.raw, "Outputs", name).(map[string]any)
		if !ok {
			t.Errorf("output %s is missing", name)
			continue
		}
		if got := fmt.Sprint(o["Value"]); got != want {
			t.Errorf("output %s = %s, want %s", name, got, want)
		}
	}
}

// The console's viewer-request function, run by Node on requests CloudFront
// would hand it: routes become the console's index.html, files pass.
// (CloudFront's cloudfront-js-2.0 runtime is a subset of what Node runs, so
// this checks the logic, not the runtime's restrictions.)
func TestSiteConsoleFunctionRoutes(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		ciMustRun(t, "node not found: CloudFront function check skipped")
	}
	code := fmt.Sprint(rawProps(t, loadTemplate(t), "SiteConsoleFunction")["FunctionCode"])
	cases := map[string]string{
		"/console":                  "/console/index.html",
		"/console/":                 "/console/index.html",
		"/console/tickets":          "/console/index.html",
		"/console/tickets/123":      "/console/index.html",
		"/console/index.html":       "/console/index.html",
		"/console/app.js":           "/console/app.js",
		"/console/views/list.js":    "/console/views/list.js",
		"/console/tickets/a.b/edit": "/console/index.html",
	}
	script := code + `
const cases = JSON.parse(process.argv[1]);
const out = {};
for (const uri of Object.keys(cases)) out[uri] = handler({request: {uri, method: 'GET', headers: {}}}).uri;
console.log(JSON.stringify(out));`
	b, _ := json.Marshal(cases)
	res, err := exec.Command(node, "-e", script, string(b)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, res)
	}
	var got map[string]string
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatalf("node printed %s: %v", res, err)
	}
	for uri, want := range cases {
		if got[uri] != want {
			t.Errorf("%s → %s, want %s", uri, got[uri], want)
		}
	}
}
