package edge_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hotline12345/hotline/internal/localmode/edge"
)

const maxPhoto = 1000

// presignPhoto is the platform's policy: a key, 1..maxPhoto bytes, a JPEG,
// plus extra conditions.
func presignPhoto(t *testing.T, c *s3.Client, key string, extra ...any) *s3.PresignedPostRequest {
	t.Helper()
	p, err := s3.NewPresignClient(c).PresignPostObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String(key)},
		func(o *s3.PresignPostOptions) {
			o.Expires = 10 * time.Minute
			o.Conditions = append([]any{
				[]any{"content-length-range", 1, maxPhoto},
				[]any{"eq", "$Content-Type", "image/jpeg"},
			}, extra...)
		})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type field struct{ name, value string }

// postForm posts the fields then the file, as a browser's form does, to
// the bucket's path-style URL.
func postS3Form(t *testing.T, baseURL string, fields []field, file []byte, header http.Header) answer {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", "photo.jpg")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	h := http.Header{"Content-Type": {mw.FormDataContentType()}}
	for k, v := range header {
		h[k] = v
	}
	return s3Do(t, http.MethodPost, baseURL+"/photos", h, &b)
}

// formOf is the SDK's fields (sorted, so runs are alike) and then more.
func formOf(p *s3.PresignedPostRequest, more ...field) []field {
	var fs []field
	for k, v := range p.Values {
		fs = append(fs, field{k, v})
	}
	slices.SortFunc(fs, func(a, b field) int { return strings.Compare(a.name, b.name) })
	return append(fs, more...)
}

func replaced(fs []field, name, value string) []field {
	out := slices.Clone(fs)
	for i := range out {
		if strings.EqualFold(out[i].name, name) {
			out[i].value = value
		}
	}
	return out
}

func without(fs []field, name string) []field {
	return slices.DeleteFunc(slices.Clone(fs), func(f field) bool { return strings.EqualFold(f.name, name) })
}

func TestS3PresignedPost(t *testing.T) {
	ctx := context.Background()
	h, c := startS3(t, edge.Options{})
	mustCreateBucket(t, c, "photos")
	setPhotoBucketRules(t, c, "photos")
	origin := http.Header{"Origin": {"https://12345.example.cn"}}
	jpeg := []byte("\xff\xd8\xff a photo")

	// Success, 204 by default.
	p := presignPhoto(t, c, "uploads/t1/p1", map[string]string{"x-amz-meta-ticket": "T1"})
	if p.URL != h.url+"/photos" {
		t.Logf("the SDK's URL is %s (the form posts to %s/photos)", p.URL, h.url)
	}
	a := postS3Form(t, h.url, formOf(p, field{"Content-Type", "image/jpeg"}, field{"x-amz-meta-ticket", "T1"}), jpeg, origin)
	if a.StatusCode != http.StatusNoContent || a.Header.Get("ETag") != `"`+md5Hex(jpeg)+`"` ||
		a.Header.Get("Access-Control-Allow-Origin") != "https://12345.example.cn" || !strings.HasSuffix(a.Header.Get("Location"), "/photos/uploads/t1/p1") {
		t.Fatalf("POST: %d %v %s", a.StatusCode, a.Header, a.body)
	}
	got, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("uploads/t1/p1")})
	if err != nil || aws.ToString(got.ContentType) != "image/jpeg" || aws.ToInt64(got.ContentLength) != int64(len(jpeg)) || got.Metadata["ticket"] != "T1" {
		t.Fatalf("the posted object: %+v, %v", got, err)
	}

	// 201 with a PostResponse; 200 empty.
	p = presignPhoto(t, c, "uploads/t1/p2", map[string]string{"success_action_status": "201"})
	a = postS3Form(t, h.url, formOf(p, field{"Content-Type", "image/jpeg"}, field{"success_action_status", "201"}), jpeg, nil)
	var pr struct {
		Location, Bucket, Key, ETag string
	}
	if err := xml.Unmarshal([]byte(a.body), &pr); a.StatusCode != http.StatusCreated || err != nil || pr.Bucket != "photos" || pr.Key != "uploads/t1/p2" ||
		pr.ETag != `"`+md5Hex(jpeg)+`"` || !strings.HasSuffix(pr.Location, "/photos/uploads/t1/p2") {
		t.Fatalf("201: %d %s %v", a.StatusCode, a.body, err)
	}
	p = presignPhoto(t, c, "uploads/t1/p3", []any{"starts-with", "$success_action_status", ""})
	if a = postS3Form(t, h.url, formOf(p, field{"Content-Type", "image/jpeg"}, field{"success_action_status", "200"}), jpeg, nil); a.StatusCode != http.StatusOK || a.body != "" {
		t.Fatalf("200: %d %s", a.StatusCode, a.body)
	}

	// Failures: the answer, and nothing stored under the key.
	const key = "uploads/t1/bad"
	p = presignPhoto(t, c, key)
	good := formOf(p, field{"Content-Type", "image/jpeg"})
	fail := func(name string, a answer, status int, code, message string) s3ErrorBody {
		t.Helper()
		e := parseS3Error(t, a.body)
		if a.StatusCode != status || e.Code != code || (message != "" && e.Message != message) {
			t.Errorf("%s: %d %s %q, want %d %s %q", name, a.StatusCode, e.Code, e.Message, status, code, message)
		}
		if slices.Contains(objectKeys(t, h, "photos"), key) {
			t.Fatalf("%s: the object was stored", name)
		}
		return e
	}
	a = postS3Form(t, h.url, replaced(good, "Content-Type", "image/png"), jpeg, origin)
	fail("content type", a, http.StatusForbidden, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/jpeg"]`)
	if a.Header.Get("Access-Control-Allow-Origin") != "https://12345.example.cn" {
		t.Errorf("a refused POST has no CORS headers: %v", a.Header)
	}
	fail("key", postS3Form(t, h.url, replaced(good, "key", "uploads/t1/other"), jpeg, nil),
		http.StatusForbidden, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "uploads/t1/bad"]`)
	fail("extra field", postS3Form(t, h.url, append(slices.Clone(good), field{"x-amz-meta-foo", "bar"}, field{"x-ignore-me", "ok"}), jpeg, nil),
		http.StatusForbidden, "AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-foo")
	e := fail("too large", postS3Form(t, h.url, good, bytes.Repeat([]byte("x"), maxPhoto+500), nil),
		http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
	if e.ProposedSize != "1500" || e.MaxSizeAllowed != "1000" {
		t.Errorf("EntityTooLarge sizes: %+v", e)
	}
	e = fail("empty", postS3Form(t, h.url, good, []byte{}, nil), http.StatusBadRequest, "EntityTooSmall", "")
	if e.ProposedSize != "0" || e.MinSizeAllowed != "1" {
		t.Errorf("EntityTooSmall sizes: %+v", e)
	}
	// Tampered: a policy the signature was not made for.
	other := presignPhoto(t, c, key, []any{"content-length-range", 1, 1 << 30})
	fail("tampered policy", postS3Form(t, h.url, replaced(good, "policy", other.Values["policy"]), jpeg, nil),
		http.StatusForbidden, "SignatureDoesNotMatch", "")
	fail("no signature", postS3Form(t, h.url, without(good, "X-Amz-Signature"), jpeg, nil),
		http.StatusBadRequest, "InvalidArgument", "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.")
	badPolicy := base64.StdEncoding.EncodeToString([]byte(`{"expiration": "2030-01-01T00:00:00Z", "conditions": [`))
	sig, _ := edge.PostPolicySignature("test", p.Values["X-Amz-Credential"], badPolicy)
	fail("bad JSON", postS3Form(t, h.url, replaced(replaced(good, "policy", badPolicy), "X-Amz-Signature", sig), jpeg, nil),
		http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
	fail("no file", postS3Form(t, h.url, good, nil, nil), http.StatusBadRequest, "InvalidArgument", "POST requires exactly one file upload per request.")
	raw := s3Do(t, http.MethodPost, h.url+"/photos", http.Header{"Content-Type": {"application/octet-stream"}}, bytes.NewReader(jpeg))
	fail("not multipart", raw, http.StatusPreconditionFailed, "PreconditionFailed", "")
	h.clock.Advance(10*time.Minute + time.Second)
	fail("expired", postS3Form(t, h.url, good, jpeg, origin), http.StatusForbidden, "AccessDenied", "Invalid according to Policy: Policy expired.")

	// The same form before the expiry would have passed: the failures
	// above are the policy's, not the form's.
	h.clock.Advance(-20 * time.Minute)
	if a := postS3Form(t, h.url, good, jpeg, nil); a.StatusCode != http.StatusNoContent {
		t.Fatalf("the good form: %d %s", a.StatusCode, a.body)
	}
}
