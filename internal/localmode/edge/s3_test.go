package edge_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/localmode/durable"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// nowClock is a fake clock that starts at the real time: the SDK presigns
// with the real clock, and the edge checks against its own.
func nowClock() *fakeClock {
	return &fakeClock{now: time.Now().UTC(), registered: make(chan struct{}, 64)}
}

func startS3(t *testing.T, opts edge.Options) (*harness, *s3.Client) {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = nowClock()
	}
	h := start(t, opts)
	h.clock = opts.Clock.(*fakeClock)
	return h, s3Client(h.cfg)
}

func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// s3Snapshot reads /_aws/s3.
type s3Snapshot struct {
	Buckets []struct {
		Name    string
		Objects []struct {
			Key, ETag, ContentType string
			Size                   int64
			Metadata               map[string]string
		}
	}
}

func objectKeys(t *testing.T, h *harness, bucket string) []string {
	t.Helper()
	var snap s3Snapshot
	getJSON(t, h.url+"/_aws/s3", &snap)
	var keys []string
	for _, b := range snap.Buckets {
		if b.Name == bucket {
			for _, o := range b.Objects {
				keys = append(keys, o.Key)
			}
		}
	}
	return keys
}

func TestS3ObjectsThroughSDK(t *testing.T) {
	ctx := context.Background()
	h, c := startS3(t, edge.Options{})

	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("photos")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("photos")})
	var owned *s3types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) || httpStatus(err) != http.StatusConflict {
		t.Fatalf("second CreateBucket: %v", err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")}); apiCode(err) != "InvalidBucketName" {
		t.Fatalf("bad bucket name: %v", err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("photos")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nope")}); httpStatus(err) != http.StatusNotFound {
		t.Fatalf("HeadBucket of a missing bucket: %v", err)
	}
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != "photos" || lb.Buckets[0].CreationDate == nil {
		t.Fatalf("ListBuckets: %+v, %v", lb, err)
	}

	body := []byte("\xff\xd8\xff a jpeg, say")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("photos"), Key: aws.String("uploads/t1/a b.jpg"), Body: bytes.NewReader(body),
		ContentType: aws.String("image/jpeg"), Metadata: map[string]string{"ticket": "T1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("uploads/t1/a b.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	gotBody, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(gotBody, body) || aws.ToString(got.ContentType) != "image/jpeg" || aws.ToString(got.ETag) != aws.ToString(put.ETag) ||
		aws.ToInt64(got.ContentLength) != int64(len(body)) || got.LastModified == nil || got.Metadata["ticket"] != "T1" {
		t.Fatalf("GetObject: %q %+v", gotBody, got)
	}
	if want := `"` + md5Hex(body) + `"`; aws.ToString(put.ETag) != want {
		t.Fatalf("ETag %s, want %s", aws.ToString(put.ETag), want)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("uploads/t1/a b.jpg")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ContentType) != "image/jpeg" || head.Metadata["ticket"] != "T1" {
		t.Fatalf("HeadObject: %+v, %v", head, err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("missing")})
	var nf *s3types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("HeadObject of a missing key: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("missing")})
	var nsk *s3types.NoSuchKey
	if !errors.As(err, &nsk) || httpStatus(err) != http.StatusNotFound {
		t.Fatalf("GetObject of a missing key: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("k")})
	if apiCode(err) != "NoSuchBucket" {
		t.Fatalf("GetObject in a missing bucket: %v", err)
	}

	for _, k := range []string{"uploads/t1/b.jpg", "uploads/t2/c.jpg", "media/t1/a.jpg", "media/t1/b.jpg"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	var listed []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("photos"), Prefix: aws.String("uploads/"), MaxKeys: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range page.Contents {
			listed = append(listed, aws.ToString(o.Key))
		}
	}
	if want := []string{"uploads/t1/a b.jpg", "uploads/t1/b.jpg", "uploads/t2/c.jpg"}; !slices.Equal(listed, want) || pages != 2 {
		t.Fatalf("ListObjectsV2 pages %d: %q, want %q", pages, listed, want)
	}
	dl, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("photos"), Delimiter: aws.String("/")})
	if err != nil || len(dl.CommonPrefixes) != 2 || aws.ToString(dl.CommonPrefixes[0].Prefix) != "media/" || len(dl.Contents) != 0 || aws.ToInt32(dl.KeyCount) != 2 {
		t.Fatalf("ListObjectsV2 with a delimiter: %+v, %v", dl, err)
	}

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String("uploads/t1/b.jpg")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String("never-there")}); err != nil {
		t.Fatalf("DeleteObject of an absent key: %v", err)
	}
	if keys := objectKeys(t, h, "photos"); slices.Contains(keys, "uploads/t1/b.jpg") || len(keys) != 4 {
		t.Fatalf("after the delete: %q", keys)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("photos")}); apiCode(err) != "BucketNotEmpty" {
		t.Fatalf("DeleteBucket of a full bucket: %v", err)
	}
}

// TestS3UnsignedClient is local mode's client: anonymous credentials, so
// no signature and (SDK checksums) aws-chunked bodies.
func TestS3UnsignedClient(t *testing.T) {
	ctx := context.Background()
	h, _ := startS3(t, edge.Options{})
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: "cn-north-1", EndpointURL: h.url, RetryMaxAttempts: 1, Unsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	c := s3Client(cfg)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("files")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB: several chunks
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("files"), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("files"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(b, body) {
		t.Fatalf("read back %d bytes, want %d", len(b), len(body))
	}
	// A body over the edge's MaxBodyBytes but under MaxObjectBytes passes.
	big := bytes.Repeat([]byte("x"), 9<<20)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("files"), Key: aws.String("big"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatalf("a 9 MiB object: %v", err)
	}
}

func TestS3ObjectSizeCap(t *testing.T) {
	ctx := context.Background()
	h, c := startS3(t, edge.Options{MaxObjectBytes: 1000})
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("small")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("small"), Key: aws.String("k"), Body: bytes.NewReader(make([]byte, 1001))})
	if apiCode(err) != "EntityTooLarge" {
		t.Fatalf("an object over the cap: %v", err)
	}
	if keys := objectKeys(t, h, "small"); len(keys) != 0 {
		t.Fatalf("stored: %q", keys)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("small"), Key: aws.String("k"), Body: bytes.NewReader(make([]byte, 1000))}); err != nil {
		t.Fatal(err)
	}
}

func TestS3LifecycleAndCORSConfiguration(t *testing.T) {
	ctx := context.Background()
	h, c := startS3(t, edge.Options{})
	mustCreateBucket(t, c, "photos")

	_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("photos")})
	if apiCode(err) != "NoSuchLifecycleConfiguration" {
		t.Fatalf("lifecycle before any: %v", err)
	}
	setPhotoBucketRules(t, c, "photos")
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("photos")})
	if err != nil || len(lc.Rules) != 1 || aws.ToString(lc.Rules[0].Filter.Prefix) != "uploads/" ||
		aws.ToInt32(lc.Rules[0].Expiration.Days) != 1 || lc.Rules[0].Status != s3types.ExpirationStatusEnabled || aws.ToString(lc.Rules[0].ID) != "unconfirmed-uploads" {
		t.Fatalf("GetBucketLifecycleConfiguration: %+v, %v", lc, err)
	}
	cors, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("photos")})
	if err != nil || len(cors.CORSRules) != 1 || !slices.Equal(cors.CORSRules[0].AllowedMethods, []string{"GET", "POST"}) ||
		aws.ToInt32(cors.CORSRules[0].MaxAgeSeconds) != 3000 || !slices.Equal(cors.CORSRules[0].ExposeHeaders, []string{"ETag"}) {
		t.Fatalf("GetBucketCors: %+v, %v", cors, err)
	}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String("photos"),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Tag: &s3types.Tag{Key: aws.String("a"), Value: aws.String("b")}},
			Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(1)},
		}}},
	})
	if apiCode(err) != "NotImplemented" {
		t.Fatalf("a tag filter: %v", err)
	}

	// Preflight and actual requests from the site's origin.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("media/a.jpg"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	pre := s3Do(t, http.MethodOptions, h.url+"/photos", http.Header{
		"Origin": {"https://12345.example.cn"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"Content-Type"},
	}, nil)
	if pre.StatusCode != http.StatusOK || pre.Header.Get("Access-Control-Allow-Origin") != "https://12345.example.cn" ||
		pre.Header.Get("Access-Control-Allow-Methods") != "GET, POST" || pre.Header.Get("Access-Control-Allow-Headers") != "content-type" ||
		pre.Header.Get("Access-Control-Max-Age") != "3000" {
		t.Fatalf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	bad := s3Do(t, http.MethodOptions, h.url+"/photos/media/a.jpg", http.Header{"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"GET"}}, nil)
	if bad.StatusCode != http.StatusForbidden || bad.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from another origin: %d %v", bad.StatusCode, bad.Header)
	}
	del := s3Do(t, http.MethodOptions, h.url+"/photos/media/a.jpg", http.Header{"Origin": {"https://12345.example.cn"}, "Access-Control-Request-Method": {"DELETE"}}, nil)
	if del.StatusCode != http.StatusForbidden {
		t.Fatalf("preflight for a method not allowed: %d", del.StatusCode)
	}
	get := s3Do(t, http.MethodGet, h.url+"/photos/media/a.jpg", http.Header{"Origin": {"https://12345.example.cn"}}, nil)
	if get.StatusCode != http.StatusOK || get.Header.Get("Access-Control-Allow-Origin") != "https://12345.example.cn" ||
		get.Header.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Fatalf("GET with an Origin: %d %v", get.StatusCode, get.Header)
	}

	mustCreateBucket(t, c, "plain")
	none := s3Do(t, http.MethodOptions, h.url+"/plain/x", http.Header{"Origin": {"https://12345.example.cn"}, "Access-Control-Request-Method": {"GET"}}, nil)
	if none.StatusCode != http.StatusForbidden || !strings.Contains(none.body, "CORS is not enabled for this bucket") {
		t.Fatalf("preflight to a bucket without CORS: %d %s", none.StatusCode, none.body)
	}
}

func mustCreateBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// setPhotoBucketRules configures a bucket as the platform's template does:
// unconfirmed uploads expire after a day, the site may POST and GET.
func setPhotoBucketRules(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String(bucket),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			ID: aws.String("unconfirmed-uploads"), Status: s3types.ExpirationStatusEnabled,
			Filter:     &s3types.LifecycleRuleFilter{Prefix: aws.String("uploads/")},
			Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(1)},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{
		Bucket: aws.String(bucket),
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{{
			AllowedOrigins: []string{"https://12345.example.cn"}, AllowedMethods: []string{"GET", "POST"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(3000),
		}}},
	}); err != nil {
		t.Fatal(err)
	}
}

type answer struct {
	*http.Response
	body string
}

func s3Do(t *testing.T, method, u string, h http.Header, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp, string(b)}
}

// s3ErrorBody is S3's XML error.
type s3ErrorBody struct {
	Code, Message, Key, BucketName, RequestId    string
	ProposedSize, MaxSizeAllowed, MinSizeAllowed string
	StringToSign                                 string
}

func parseS3Error(t *testing.T, body string) s3ErrorBody {
	t.Helper()
	var e s3ErrorBody
	if err := xml.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not an S3 error: %v\n%s", err, body)
	}
	return e
}

func TestS3ErrorShape(t *testing.T) {
	h, c := startS3(t, edge.Options{})
	mustCreateBucket(t, c, "photos")
	a := s3Do(t, http.MethodGet, h.url+"/photos/no/such.jpg", nil, nil)
	e := parseS3Error(t, a.body)
	if a.StatusCode != http.StatusNotFound || e.Code != "NoSuchKey" || e.Key != "no/such.jpg" || e.RequestId == "" || e.Message == "" {
		t.Fatalf("%d %+v", a.StatusCode, e)
	}
	hd := s3Do(t, http.MethodHead, h.url+"/photos/no/such.jpg", nil, nil)
	if hd.StatusCode != http.StatusNotFound || hd.body != "" {
		t.Fatalf("HEAD: %d %q", hd.StatusCode, hd.body)
	}
	nb := s3Do(t, http.MethodGet, h.url+"/nosuch/k", nil, nil)
	if e := parseS3Error(t, nb.body); nb.StatusCode != http.StatusNotFound || e.Code != "NoSuchBucket" || e.BucketName != "nosuch" {
		t.Fatalf("%d %+v", nb.StatusCode, e)
	}
	// Overrides need a signature, as on S3.
	ov := s3Do(t, http.MethodGet, h.url+"/photos/x?response-content-type=text/html", nil, nil)
	if ov.StatusCode != http.StatusBadRequest || parseS3Error(t, ov.body).Code != "InvalidRequest" {
		t.Fatalf("anonymous override: %d %s", ov.StatusCode, ov.body)
	}
}

// TestS3RoutingLeavesOtherServices checks requests that look like S3 to a
// careless router still reach their services.
func TestS3RoutingLeavesOtherServices(t *testing.T) {
	h, _ := startS3(t, edge.Options{})
	var health struct{ Services map[string]string }
	getJSON(t, h.url+"/health", &health)
	if health.Services["s3"] != "running" || health.Services["sqs"] != "running" {
		t.Fatalf("health: %v", health.Services)
	}
	// An SQS queue URL without Action is not a bucket.
	q := s3Do(t, http.MethodGet, h.url+"/000000000000/some-queue", nil, nil)
	if q.StatusCode != http.StatusBadRequest || !strings.Contains(q.body, "UnsupportedOperation") {
		t.Fatalf("queue URL GET: %d %s", q.StatusCode, q.body)
	}
	// The query protocol over GET.
	sts := s3Do(t, http.MethodGet, h.url+"/?Action=GetCallerIdentity&Version=2011-06-15", nil, nil)
	if sts.StatusCode != http.StatusOK || !strings.Contains(sts.body, "GetCallerIdentityResult") {
		t.Fatalf("STS over GET: %d %s", sts.StatusCode, sts.body)
	}
	// Unsigned GET / is ListBuckets.
	lb := s3Do(t, http.MethodGet, h.url+"/", nil, nil)
	if lb.StatusCode != http.StatusOK || !strings.Contains(lb.body, "ListAllMyBucketsResult") {
		t.Fatalf("GET /: %d %s", lb.StatusCode, lb.body)
	}
}

func TestS3LifecycleExpiry(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC), registered: make(chan struct{}, 64)}
	h, c := startS3(t, edge.Options{Clock: clock})
	mustCreateBucket(t, c, "photos")
	setPhotoBucketRules(t, c, "photos")
	for _, k := range []string{"uploads/a.jpg", "uploads/b.jpg", "media/a.jpg", "uploadsX"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	// Created 2026-03-02 10:30, one day: expires at midnight after 03-03 10:30.
	clock.Advance(37*time.Hour + 29*time.Minute) // 2026-03-03 23:59
	if n, err := h.edge.SweepS3(); err != nil || n != 0 {
		t.Fatalf("sweep before the expiry: %d, %v", n, err)
	}
	clock.Advance(time.Minute) // 2026-03-04 00:00
	if n, err := h.edge.SweepS3(); err != nil || n != 2 {
		t.Fatalf("sweep at the expiry: %d, %v", n, err)
	}
	if keys := objectKeys(t, h, "photos"); !slices.Equal(keys, []string{"media/a.jpg", "uploadsX"}) {
		t.Fatalf("left: %q", keys)
	}
}

func TestS3KeptAcrossRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	objDir := filepath.Join(dir, "objects")
	clock := nowClock()
	open := func() (*edge.Edge, *durable.Store, *s3.Client) {
		st, err := durable.Open(filepath.Join(dir, "state"))
		if err != nil {
			t.Fatal(err)
		}
		e, err := edge.Open(edge.Options{Store: st, ObjectsDir: objDir, Clock: clock, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		u, err := e.Start("")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: "cn-north-1", EndpointURL: u, RetryMaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		return e, st, s3Client(cfg)
	}
	closeBoth := func(e *edge.Edge, st *durable.Store) {
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}

	e, st, c := open()
	mustCreateBucket(t, c, "photos")
	setPhotoBucketRules(t, c, "photos")
	for k, v := range map[string]string{"uploads/a.jpg": "A", "media/b.jpg": "BB"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String(k), Body: strings.NewReader(v),
			ContentType: aws.String("image/jpeg"), Metadata: map[string]string{"ticket": "T9"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Replace one: its old body file goes.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("media/b.jpg"), Body: strings.NewReader("BBB")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("gone"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	closeBoth(e, st)
	if files := bodyFiles(t, objDir); len(files) != 2 {
		t.Fatalf("body files: %q", files)
	}
	// Orphans: a put that crashed before its metadata, a stray temp file.
	for _, f := range []string{"0123456789abcdef0123456789abcdef.obj", "put-123.tmp"} {
		if err := os.WriteFile(filepath.Join(objDir, f), []byte("orphan"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	e, st, c = open()
	defer closeBoth(e, st)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("uploads/a.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(b) != "A" || aws.ToString(got.ContentType) != "image/jpeg" || got.Metadata["ticket"] != "T9" || aws.ToString(got.ETag) != `"`+md5Hex([]byte("A"))+`"` {
		t.Fatalf("after the restart: %q %+v", b, got)
	}
	got, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("media/b.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(got.Body)
	got.Body.Close()
	if string(b) != "BBB" {
		t.Fatalf("replaced object after the restart: %q", b)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("gone")}); err == nil {
		t.Fatal("a deleted object came back")
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("photos")})
	if err != nil || len(lc.Rules) != 1 || aws.ToString(lc.Rules[0].Filter.Prefix) != "uploads/" {
		t.Fatalf("lifecycle after the restart: %+v, %v", lc, err)
	}
	cors, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("photos")})
	if err != nil || len(cors.CORSRules) != 1 || cors.CORSRules[0].AllowedOrigins[0] != "https://12345.example.cn" {
		t.Fatalf("CORS after the restart: %+v, %v", cors, err)
	}
	if files := bodyFiles(t, objDir); len(files) != 2 {
		t.Fatalf("orphans left: %q", files)
	}
	// The lifecycle still runs on the kept objects.
	clock.Advance(72 * time.Hour)
	if n, err := e.SweepS3(); err != nil || n != 1 {
		t.Fatalf("sweep after the restart: %d, %v", n, err)
	}
	if files := bodyFiles(t, objDir); len(files) != 1 {
		t.Fatalf("body files after the sweep: %q", files)
	}
}

func bodyFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestS3PresignedGetVector checks the query-signature verification with
// AWS's published example (S3 API reference, "Authenticating Requests:
// Using Query Parameters"): a right signature reaches the bucket (which is
// not there: 404), a wrong one is refused.
func TestS3PresignedGetVector(t *testing.T) {
	clock := &fakeClock{now: time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC), registered: make(chan struct{}, 64)}
	e := edge.New(edge.Options{Clock: clock, Logger: quietLogger(),
		S3Credentials: map[string]string{"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}})
	defer e.Close()
	const query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
	for sig, want := range map[string]int{
		"aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404": http.StatusNotFound,
		"aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d405": http.StatusForbidden,
	} {
		req := httptest.NewRequest(http.MethodGet, "/test.txt?"+query+sig, nil)
		req.Host = "examplebucket.s3.amazonaws.com"
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("signature %s: %d, want %d\n%s", sig, rec.Code, want, rec.Body)
		}
	}
}

func TestPostPolicySignatureVector(t *testing.T) {
	// AWS's example (S3 API reference, "Example: Browser-Based Upload using
	// HTTP POST (Using AWS Signature Version 4)").
	const policy = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"
	got, ok := edge.PostPolicySignature("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request", policy)
	if !ok || got != "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e" {
		t.Fatalf("signature %s", got)
	}
}

func TestS3PresignedGet(t *testing.T) {
	ctx := context.Background()
	h, c := startS3(t, edge.Options{})
	mustCreateBucket(t, c, "photos")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("media/t1/照片 1.jpg"),
		Body: strings.NewReader("pixels"), ContentType: aws.String("image/jpeg")}); err != nil {
		t.Fatal(err)
	}
	pc := s3.NewPresignClient(c)
	req, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("media/t1/照片 1.jpg"),
		ResponseContentDisposition: aws.String(`attachment; filename="photo.jpg"`)}, s3.WithPresignExpires(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	a := s3Do(t, http.MethodGet, req.URL, nil, nil)
	if a.StatusCode != http.StatusOK || a.body != "pixels" || a.Header.Get("Content-Disposition") != `attachment; filename="photo.jpg"` ||
		a.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("presigned GET: %d %v %s", a.StatusCode, a.Header, a.body)
	}
	hreq, err := pc.PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("media/t1/照片 1.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	if hd := s3Do(t, http.MethodHead, hreq.URL, nil, nil); hd.StatusCode != http.StatusOK || hd.Header.Get("Content-Length") != "6" {
		t.Fatalf("presigned HEAD: %d %v", hd.StatusCode, hd.Header)
	}

	// Tampered: another key, another disposition, a signature changed.
	u, _ := url.Parse(req.URL)
	other := *u
	other.Path = "/photos/media/t1/other.jpg"
	other.RawPath = ""
	q := u.Query()
	q.Set("response-content-disposition", "inline")
	disp := *u
	disp.RawQuery = q.Encode()
	q = u.Query()
	sig := []byte(q.Get("X-Amz-Signature"))
	sig[0] ^= 1
	q.Set("X-Amz-Signature", string(sig))
	resigned := *u
	resigned.RawQuery = q.Encode()
	for name, tu := range map[string]*url.URL{"key": &other, "disposition": &disp, "signature": &resigned} {
		a := s3Do(t, http.MethodGet, tu.String(), nil, nil)
		if e := parseS3Error(t, a.body); a.StatusCode != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" {
			t.Errorf("tampered %s: %d %+v", name, a.StatusCode, e)
		}
	}
	// Wrong secret.
	wrong := s3Client(aws.Config{Region: h.cfg.Region, BaseEndpoint: h.cfg.BaseEndpoint,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "nope"}, nil
		})})
	wreq, err := s3.NewPresignClient(wrong).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("media/t1/照片 1.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	if a := s3Do(t, http.MethodGet, wreq.URL, nil, nil); a.StatusCode != http.StatusForbidden || parseS3Error(t, a.body).Code != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: %d %s", a.StatusCode, a.body)
	}

	// Expires out of range.
	for _, exp := range []string{"0", "604801"} {
		q := u.Query()
		q.Set("X-Amz-Expires", exp)
		bad := *u
		bad.RawQuery = q.Encode()
		if a := s3Do(t, http.MethodGet, bad.String(), nil, nil); a.StatusCode != http.StatusBadRequest || parseS3Error(t, a.body).Code != "AuthorizationQueryParametersError" {
			t.Errorf("X-Amz-Expires=%s: %d %s", exp, a.StatusCode, a.body)
		}
	}

	// Expired on the edge's clock.
	h.clock.Advance(5*time.Minute + 2*time.Second)
	a = s3Do(t, http.MethodGet, req.URL, nil, nil)
	if e := parseS3Error(t, a.body); a.StatusCode != http.StatusForbidden || e.Code != "AccessDenied" || e.Message != "Request has expired" {
		t.Fatalf("expired: %d %+v", a.StatusCode, e)
	}
}

// TestS3RawPuts sends what SDKs send in some configurations: an
// aws-chunked body with a trailing checksum, and a Content-MD5 to check.
func TestS3RawPuts(t *testing.T) {
	h, c := startS3(t, edge.Options{})
	mustCreateBucket(t, c, "files")
	chunked := "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"
	a := s3Do(t, http.MethodPut, h.url+"/files/chunked", http.Header{
		"Content-Encoding": {"aws-chunked"}, "X-Amz-Content-Sha256": {"STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
		"X-Amz-Decoded-Content-Length": {"11"}, "X-Amz-Trailer": {"x-amz-checksum-crc32"},
	}, strings.NewReader(chunked))
	if a.StatusCode != http.StatusOK || a.Header.Get("ETag") != `"`+md5Hex([]byte("hello world"))+`"` {
		t.Fatalf("aws-chunked PUT: %d %s", a.StatusCode, a.body)
	}
	if g := s3Do(t, http.MethodGet, h.url+"/files/chunked", nil, nil); g.body != "hello world" {
		t.Fatalf("read back %q", g.body)
	}
	a = s3Do(t, http.MethodPut, h.url+"/files/md5", http.Header{"Content-Md5": {"AAAAAAAAAAAAAAAAAAAAAA=="}}, strings.NewReader("x"))
	if e := parseS3Error(t, a.body); a.StatusCode != http.StatusBadRequest || e.Code != "BadDigest" {
		t.Fatalf("wrong Content-MD5: %d %+v", a.StatusCode, e)
	}
	if keys := objectKeys(t, h, "files"); !slices.Equal(keys, []string{"chunked"}) {
		t.Fatalf("kept: %q", keys)
	}
}
