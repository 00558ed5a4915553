package objects

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hotline12345/hotline/internal/app/ports"
)

func bucketIn(t *testing.T, region string, now time.Time) *Bucket {
	t.Helper()
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	b, err := New(cfg, "hotline-prod-media", func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The pages may post to and read from one origin only (their policy names
// the stack's MediaOrigin, https://<bucket>.s3.<region>.<url suffix>): the
// forms and links S3's SDK makes must be on it, in the China regions too.
func TestFormsAndLinksAreOnTheMediaOrigin(t *testing.T) {
	now := time.Date(2026, 12, 1, 2, 3, 4, 0, time.UTC)
	for region, origin := range map[string]string{
		"cn-north-1":     "https://hotline-prod-media.s3.cn-north-1.amazonaws.com.cn",
		"cn-northwest-1": "https://hotline-prod-media.s3.cn-northwest-1.amazonaws.com.cn",
		"us-east-1":      "https://hotline-prod-media.s3.us-east-1.amazonaws.com",
	} {
		b := bucketIn(t, region, now)
		post, err := b.PresignPost(context.Background(), "uploads/abc", "image/jpeg", 1234, 15*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if post.URL != origin {
			t.Errorf("%s: form posts to %s, want %s", region, post.URL, origin)
		}
		link, err := b.PresignGet(context.Background(), "media/abc", ports.LinkOptions{Expires: 15 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(link, origin+"/media/abc?") {
			t.Errorf("%s: link %s is not on %s", region, link, origin)
		}
	}
}

// The form binds the key, the type and the size, and expires with the
// time it was signed at (not the SDK's clock).
func TestFormBindsTypeSizeAndTime(t *testing.T) {
	now := time.Date(2026, 12, 1, 2, 3, 4, 500, time.UTC)
	post, err := bucketIn(t, "cn-north-1", now).PresignPost(context.Background(), "uploads/abc", "application/pdf", 20<<20, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if post.Fields["Content-Type"] != "application/pdf" || post.Fields["key"] != "uploads/abc" || post.Fields["X-Amz-Date"] != "20261201T020304Z" {
		t.Errorf("fields %v", post.Fields)
	}
	if !post.ExpiresAt.Equal(now.Truncate(time.Second).Add(15 * time.Minute)) {
		t.Errorf("expires at %s", post.ExpiresAt)
	}
	raw, err := base64.StdEncoding.DecodeString(post.Fields["policy"])
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Expiration string `json:"expiration"`
		Conditions []any  `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, want := range []string{`["content-length-range",1,20971520]`, `["eq","$Content-Type","application/pdf"]`, `{"key":"uploads/abc"}`, `{"bucket":"hotline-prod-media"}`} {
		if !strings.Contains(text, want) {
			t.Errorf("policy %s lacks %s", text, want)
		}
	}
	if policy.Expiration != "2026-12-01T02:18:04Z" {
		t.Errorf("policy expires %s", policy.Expiration)
	}
}

// Links signed at one time are one link; a document's link names its file.
func TestLinksAreStableAndNameDocuments(t *testing.T) {
	b := bucketIn(t, "cn-north-1", time.Now())
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	one, _ := b.PresignGet(context.Background(), "media/abc", ports.LinkOptions{SignedAt: at, Expires: 15 * time.Minute})
	two, _ := b.PresignGet(context.Background(), "media/abc", ports.LinkOptions{SignedAt: at, Expires: 15 * time.Minute})
	later, _ := b.PresignGet(context.Background(), "media/abc", ports.LinkOptions{SignedAt: at.Add(5 * time.Minute), Expires: 15 * time.Minute})
	if one != two || one == later {
		t.Errorf("links at one time differ, or at another time agree:\n%s\n%s\n%s", one, two, later)
	}
	doc, _ := b.PresignGet(context.Background(), "media/def", ports.LinkOptions{SignedAt: at, Expires: 15 * time.Minute, Filename: "发票 11月.pdf"})
	u, err := url.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if d := u.Query().Get("response-content-disposition"); !strings.HasPrefix(d, "attachment;") || !strings.Contains(d, "filename*=utf-8''") {
		t.Errorf("disposition %q", d)
	}
	if u.Query().Get("X-Amz-Expires") != "900" {
		t.Errorf("expires %s", u.Query().Get("X-Amz-Expires"))
	}
}
