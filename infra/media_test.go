package infra

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The ticket media bucket (HOTLINE_MEDIA_BUCKET): citizens' photos and files, posted
// by the pages with presigned POST policies under uploads/, cleaned by intake
// and api into media/<id>, read back with presigned GET URLs. Private,
// encrypted, TLS only, reachable from the pages' origin alone, and used by
// intake and api alone, each with exactly the object actions it needs.

const (
	mediaUploads = "Sub(arn:${AWS::Partition}:s3:::${MediaBucket}/uploads/*)"
	mediaFiles   = "Sub(arn:${AWS::Partition}:s3:::${MediaBucket}/media/*)"
)

// mediaActions are, per function, the S3 actions its role allows per object
// prefix of the bucket; no other function's role mentions S3 or the bucket.
var mediaActions = map[string]map[string][]string{
	"intake": {
		mediaUploads: {"s3:DeleteObject", "s3:GetObject"},
		mediaFiles:   {"s3:PutObject"},
	},
	"api": {
		// PutObject on uploads/: the api signs the presigned POST, and S3
		// authorizes the browser's upload with the signer's permissions.
		mediaUploads: {"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
		mediaFiles:   {"s3:GetObject", "s3:PutObject"},
	},
}

func TestMediaBucketIsPrivateEncryptedAndExpiresUploads(t *testing.T) {
	p := loadTemplate(t)
	b := rawProps(t, p, "MediaBucket")
	if r := p.rawResource("MediaBucket"); r["Type"] != "AWS::S3::Bucket" {
		t.Fatalf("MediaBucket: type %v", r["Type"])
	}
	if got := dig(b, "BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault", "SSEAlgorithm"); got != "AES256" {
		t.Errorf("MediaBucket: default encryption %v, want AES256 (SSE-S3; SSE-KMS would need KMS grants for every signer and reader)", got)
	}
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if got := dig(b, "PublicAccessBlockConfiguration", k); got != true {
			t.Errorf("MediaBucket: PublicAccessBlockConfiguration.%s = %v, want true", k, got)
		}
	}
	if got := dig(b, "OwnershipControls", "Rules", 0, "ObjectOwnership"); got != "BucketOwnerEnforced" {
		t.Errorf("MediaBucket: ObjectOwnership %v, want BucketOwnerEnforced (no ACLs)", got)
	}
	if got := dig(b, "VersioningConfiguration", "Status"); got == "Enabled" {
		t.Error("MediaBucket: versioning on; a deleted raw upload would stay as a noncurrent version")
	}
	// Retained like the table: citizens' evidence outlives the stack.
	for _, name := range []string{"MediaBucket", "Table"} {
		if r := p.rawResource(name); r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("%s: DeletionPolicy %v, UpdateReplacePolicy %v; want Retain", name, r["DeletionPolicy"], r["UpdateReplacePolicy"])
		}
	}
	for _, k := range []string{"WebsiteConfiguration", "AccessControl", "BucketName"} {
		if _, ok := b[k]; ok {
			t.Errorf("MediaBucket: %s is set", k)
		}
	}
	var uploads bool
	for _, r := range asList(dig(b, "LifecycleConfiguration", "Rules")) {
		if dig(r, "Status") != "Enabled" {
			continue
		}
		prefix := fmt.Sprint(dig(r, "Prefix"))
		if dig(r, "Prefix") == nil && dig(r, "ExpirationInDays") != nil || prefix == "media/" || dig(r, "ExpirationDate") != nil {
			t.Errorf("MediaBucket: lifecycle rule %v expires more than uploads/; media/ is kept", dig(r, "Id"))
		}
		if prefix == "uploads/" && fmt.Sprint(dig(r, "ExpirationInDays")) == "1" && fmt.Sprint(dig(r, "AbortIncompleteMultipartUpload", "DaysAfterInitiation")) == "1" {
			uploads = true
		}
	}
	if !uploads {
		t.Error("MediaBucket: no enabled lifecycle rule expiring uploads/ after 1 day and aborting incomplete multipart uploads after 1 day")
	}
	if o, ok := p.Outputs["MediaBucketName"]; !ok || fmt.Sprint(o.Value) != "Ref(MediaBucket)" {
		t.Error("output MediaBucketName (Ref MediaBucket) is missing")
	}
}

func TestMediaBucketPolicyIsTLSOnly(t *testing.T) {
	p := loadTemplate(t)
	pol := rawProps(t, p, "MediaBucketPolicy")
	if got := fmt.Sprint(pol["Bucket"]); got != "Ref(MediaBucket)" {
		t.Fatalf("MediaBucketPolicy: Bucket %s, want Ref(MediaBucket)", got)
	}
	var tls bool
	for _, s := range asList(dig(pol, "PolicyDocument", "Statement")) {
		m, _ := s.(map[string]any)
		if m["Effect"] != "Deny" {
			// Access is the functions' roles' (and their signatures'); the bucket
			// policy grants nobody anything.
			t.Errorf("MediaBucketPolicy %v: effect %v; the bucket policy only denies", m["Sid"], m["Effect"])
			continue
		}
		res := strList(m["Resource"])
		if dig(m, "Condition", "Bool", "aws:SecureTransport") == "false" && m["Principal"] == "*" &&
			slices.Equal(strList(m["Action"]), []string{"s3:*"}) &&
			slices.Contains(res, "Sub(arn:${AWS::Partition}:s3:::${MediaBucket})") && slices.Contains(res, "Sub(arn:${AWS::Partition}:s3:::${MediaBucket}/*)") {
			tls = true
		}
	}
	if !tls {
		t.Error("MediaBucketPolicy: no Deny of s3:* on the bucket and its objects when aws:SecureTransport is false")
	}
}

// The browser posts to the bucket and may fetch from it from the pages'
// origin, the same one HttpApi's CORS allows; never "*".
func TestMediaBucketCORSAllowsOnlyTheSite(t *testing.T) {
	p := loadTemplate(t)
	rules := asList(dig(rawProps(t, p, "MediaBucket"), "CorsConfiguration", "CorsRules"))
	if len(rules) == 0 {
		t.Fatal("MediaBucket: no CorsRules; the pages post uploads to it directly")
	}
	api := fmt.Sprint(strList(dig(rawProps(t, p, "HttpApi"), "CorsConfiguration", "AllowOrigins")))
	for i, r := range rules {
		if got := fmt.Sprint(strList(dig(r, "AllowedOrigins"))); got != api {
			t.Errorf("MediaBucket CORS rule %d: AllowedOrigins %s, want HttpApi's %s", i, got, api)
		}
		methods := strList(dig(r, "AllowedMethods"))
		sort.Strings(methods)
		if !slices.Equal(methods, []string{"GET", "HEAD", "POST"}) {
			t.Errorf("MediaBucket CORS rule %d: AllowedMethods %v, want GET, HEAD, POST (no PUT or DELETE from a browser)", i, methods)
		}
		if !slices.Contains(strList(dig(r, "ExposedHeaders")), "ETag") || fmt.Sprint(dig(r, "MaxAge")) != "3000" {
			t.Errorf("MediaBucket CORS rule %d: ExposedHeaders %v, MaxAge %v; want ETag and 3000", i, dig(r, "ExposedHeaders"), dig(r, "MaxAge"))
		}
		allStrings("", r, func(path, s string) {
			if strings.Contains(s, "*") {
				t.Errorf("MediaBucket CORS rule %d%s: %q is a wildcard", i, path, s)
			}
		})
	}
	// As deployed: exactly the site's origin, the custom domain when there is one.
	for _, c := range []struct {
		d    deployment
		want string
	}{
		{commercialDefaults, "[map[Fn::Sub:https://${SiteDistribution.DomainName}]]"},
		{commercialEverything, "[map[Ref:WebOrigin]]"},
		{china, "[map[Fn::Sub:https://${SiteDomain}]]"},
	} {
		_, doc := resolvedDoc(t, c.d)
		for i, r := range asList(dig(doc, "Resources", "MediaBucket", "Properties", "CorsConfiguration", "CorsRules")) {
			if got := fmt.Sprint(dig(r, "AllowedOrigins")); got != c.want {
				t.Errorf("%s: MediaBucket CORS rule %d: AllowedOrigins %s, want %s", c.d.name, i, got, c.want)
			}
		}
	}
}

func TestOnlyIntakeAndApiUseTheMediaBucket(t *testing.T) {
	p := loadTemplate(t)
	fns := functionsByName(t, p)
	roleOf := map[string]string{}
	for name, r := range fns {
		roleOf[strings.TrimSuffix(strings.TrimPrefix(deref(r.fn.Role), "GetAtt("), ".Arn)")] = name
		v, set := r.fn.Environment.Variables["HOTLINE_MEDIA_BUCKET"]
		switch _, uses := mediaActions[name]; {
		case uses && v != "Ref(MediaBucket)":
			t.Errorf("functions/%s: HOTLINE_MEDIA_BUCKET = %q, want Ref(MediaBucket)", name, v)
		case !uses && set:
			t.Errorf("functions/%s: HOTLINE_MEDIA_BUCKET is set; only %v use the bucket", name, sortedKeys(mediaActions))
		}
	}
	for _, name := range []string{"intake", "api"} {
		if got := deref(fns[name].fn.MemorySize); got != 1024 {
			t.Errorf("functions/%s: MemorySize %d, want 1024 (decodes photos of up to 50 megapixels)", name, got)
		}
	}
	for _, name := range []string{"intake", "api"} {
		if to := deref(fns[name].fn.Timeout); to < 29 || to >= 30 {
			t.Errorf("functions/%s: Timeout %d s, want 29 (9 photos, below the HTTP API's 30 s)", name, to)
		}
	}
	for _, role := range sortedKeys(p.GetAllIAMRoleResources()) {
		fn := roleOf[role]
		got := map[string][]string{}
		for _, st := range roleStatements(t, p, role) {
			s3 := slices.ContainsFunc(st.actions, func(a string) bool { return strings.HasPrefix(a, "s3:") })
			bucket := slices.ContainsFunc(st.resources, func(r string) bool { return strings.Contains(r, "MediaBucket") })
			if !s3 && !bucket {
				continue
			}
			if st.condition {
				t.Errorf("role %s: %s has a condition; the media statements are plain", role, st.sid)
			}
			for _, r := range st.resources {
				for _, a := range st.actions {
					if !slices.Contains(got[r], a) {
						got[r] = append(got[r], a)
					}
				}
				sort.Strings(got[r])
			}
		}
		want := mediaActions[fn]
		if fmt.Sprint(got) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("role %s (functions/%s): S3 and media bucket grants %v, want %v", role, fn, got, want)
		}
	}
}
