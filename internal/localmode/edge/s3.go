package edge

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/objects"
)

// The S3 subset the platform uses, path style only (/<bucket>/<key>; the
// platform's client sets UsePathStyle in local mode): buckets, objects,
// ListObjectsV2, lifecycle and CORS configuration, presigned POST
// (s3post.go) and presigned URLs (s3auth.go). Bodies stream to the object
// engine under its own cap, not the edge's MaxBodyBytes.

const (
	s3XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
	// s3TimeFormat is S3's XML timestamp.
	s3TimeFormat = "2006-01-02T15:04:05.000Z"
	// s3ConfigLimit caps the XML bodies of bucket configuration calls.
	s3ConfigLimit = 1 << 20
	// s3SweepEvery is how often (real time) the edge expires objects
	// whose lifecycle time, on the edge's clock, has come.
	s3SweepEvery = time.Minute
)

// DefaultS3Credentials are the access keys whose signatures presigned
// POSTs and URLs are checked with when Options.S3Credentials is nil: local
// mode's (awsconf's) test/test.
var DefaultS3Credentials = map[string]string{"test": "test"}

type s3Service struct {
	eng     *objects.Engine
	region  string
	clock   Clock
	secrets map[string]string
	log     *slog.Logger
}

// xmlField is an extra element of an S3 error (<Key>, <BucketName>, …).
type xmlField struct{ name, value string }

type s3Error struct {
	status        int
	code, message string
	extra         []xmlField
}

// s3Fail answers S3's XML error: <Error><Code/><Message/>extra…<RequestId/></Error>;
// a HEAD answer has no body, as S3's.
func s3Fail(w http.ResponseWriter, r *http.Request, e s3Error) {
	reqID := newID()
	w.Header().Set("X-Amz-Request-Id", reqID)
	if r.Method == http.MethodHead {
		w.WriteHeader(e.status)
		return
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<Error>")
	writeXMLElem(&b, "Code", e.code)
	writeXMLElem(&b, "Message", e.message)
	for _, f := range e.extra {
		writeXMLElem(&b, f.name, f.value)
	}
	writeXMLElem(&b, "RequestId", reqID)
	writeXMLElem(&b, "HostId", "local-aws-edge")
	b.WriteString("</Error>")
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.status)
	_, _ = w.Write(b.Bytes())
}

func writeXMLElem(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString("</" + name + ">")
}

// s3OK answers an XML document.
func s3OK(w http.ResponseWriter, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", newID())
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(out)
}

func noSuchBucket(bucket string) s3Error {
	return s3Error{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", []xmlField{{"BucketName", bucket}}}
}

func notImplemented(what string) s3Error {
	return s3Error{http.StatusNotImplemented, "NotImplemented",
		"A header or query you provided implies functionality that is not implemented: the local AWS edge does not support " + what, nil}
}

func malformedXML() s3Error {
	return s3Error{http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema", nil}
}

// engineError is an engine error as S3 answers it.
func (s *s3Service) engineError(err error, bucket, key string) s3Error {
	switch {
	case errors.Is(err, objects.ErrNoSuchBucket):
		return noSuchBucket(bucket)
	case errors.Is(err, objects.ErrNoSuchKey):
		return s3Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", []xmlField{{"Key", key}}}
	case errors.Is(err, objects.ErrBucketExists):
		return s3Error{http.StatusConflict, "BucketAlreadyOwnedByYou",
			"Your previous request to create the named bucket succeeded and you already own it.", []xmlField{{"BucketName", bucket}}}
	case errors.Is(err, objects.ErrBucketNotEmpty):
		return s3Error{http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty", []xmlField{{"BucketName", bucket}}}
	case errors.Is(err, objects.ErrTooLarge):
		return s3Error{http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
			[]xmlField{{"MaxSizeAllowed", strconv.FormatInt(s.eng.MaxObjectBytes(), 10)}}}
	case errors.Is(err, objects.ErrNoSuchLifecycle):
		return s3Error{http.StatusNotFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", []xmlField{{"BucketName", bucket}}}
	case errors.Is(err, objects.ErrNoSuchCORS):
		return s3Error{http.StatusNotFound, "NoSuchCORSConfiguration", "The CORS configuration does not exist", []xmlField{{"BucketName", bucket}}}
	case errors.Is(err, objects.ErrInvalidBucketName):
		return s3Error{http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.", []xmlField{{"BucketName", bucket}}}
	case errors.Is(err, objects.ErrInvalidKey):
		if len(key) > 1024 {
			return s3Error{http.StatusBadRequest, "KeyTooLongError", "Your key is too long", nil}
		}
		return s3Error{http.StatusBadRequest, "InvalidArgument", "The key is not valid", nil}
	}
	s.log.Error("s3: the object store failed", "bucket", bucket, "key", key, "error", err.Error())
	return s3Error{http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", nil}
}

// isS3Request says whether route should hand r to S3: a request signed for
// s3 (header or presigned URL), a multipart/form-data POST (a browser's
// presigned POST), an unsigned GET/HEAD/PUT/DELETE/OPTIONS whose first path
// segment is a bucket name, or an unsigned POST to a bucket that exists (so
// a wrongly encoded upload form gets S3's 412, while POSTs to other paths
// that look like bucket names, such as Lambda's /2015-03-31/…, keep their
// answer). Everything the other services answer is left alone: calls with
// X-Amz-Target, the query protocol (form bodies, GET with Action),
// signatures for other services, SQS queue URLs (/<12-digit account>/…).
func (s *s3Service) isS3Request(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	if s3Signed(r) {
		return true
	}
	if signingService(r) != "" {
		return false
	}
	if r.Method == http.MethodPost && isMultipart(r) {
		return true
	}
	if r.URL.Query().Has("Action") || isFormRequest(r) {
		return false
	}
	bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch r.Method {
	case http.MethodGet:
		if bucket == "" {
			return true // ListBuckets
		}
	case http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
	case http.MethodPost:
		return s.eng.HeadBucket(bucket) == nil
	default:
		return false
	}
	return objects.ValidBucketName(bucket) && !isAccountID(bucket)
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/form-data")
}

// serve answers one S3 call and names its operation.
func (s *s3Service) serve(w http.ResponseWriter, r *http.Request) string {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	presigned := q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Algorithm")
	if presigned {
		if e := verifyPresignedQuery(r, s.secrets, s.clock.Now()); e != nil {
			s.cors(w, r, bucket)
			s3Fail(w, r, s3Error{e.status, e.code, e.message, e.extra})
			return "presigned " + r.Method + " refused"
		}
	}
	if r.Method == http.MethodOptions {
		return s.preflight(w, r, bucket)
	}
	s.cors(w, r, bucket)
	if bucket == "" {
		if r.Method != http.MethodGet {
			s3Fail(w, r, s3Error{http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.", nil})
			return "unsupported"
		}
		s.listBuckets(w)
		return "ListBuckets"
	}
	if key == "" {
		return s.serveBucket(w, r, bucket, q)
	}
	return s.serveObject(w, r, bucket, key, q, presigned || signingService(r) == "s3")
}

// unsupportedSubresources are the S3 subresources (query parameters) the
// edge refuses with NotImplemented rather than mistaking for a plain call.
var unsupportedSubresources = []string{
	"acl", "policy", "versioning", "tagging", "website", "logging", "notification", "replication",
	"encryption", "uploads", "delete", "versions", "accelerate", "analytics", "inventory", "metrics",
	"object-lock", "ownershipControls", "publicAccessBlock", "requestPayment", "intelligent-tiering",
	"legal-hold", "retention", "torrent", "restore", "select", "uploadId", "attributes", "policyStatus",
}

func unsupportedSubresource(q url.Values) string {
	for _, k := range unsupportedSubresources {
		if q.Has(k) {
			return k
		}
	}
	return ""
}

func (s *s3Service) serveBucket(w http.ResponseWriter, r *http.Request, bucket string, q url.Values) string {
	if sub := unsupportedSubresource(q); sub != "" {
		s3Fail(w, r, notImplemented("?"+sub))
		return "unsupported ?" + sub
	}
	switch {
	case q.Has("lifecycle"):
		switch r.Method {
		case http.MethodPut:
			s.putLifecycle(w, r, bucket)
			return "PutBucketLifecycleConfiguration"
		case http.MethodGet:
			s.getLifecycle(w, r, bucket)
			return "GetBucketLifecycleConfiguration"
		case http.MethodDelete:
			s.done(w, r, s.eng.SetLifecycle(bucket, nil), bucket, "", http.StatusNoContent)
			return "DeleteBucketLifecycle"
		}
	case q.Has("cors"):
		switch r.Method {
		case http.MethodPut:
			s.putCORS(w, r, bucket)
			return "PutBucketCors"
		case http.MethodGet:
			s.getCORS(w, r, bucket)
			return "GetBucketCors"
		case http.MethodDelete:
			s.done(w, r, s.eng.SetCORS(bucket, nil), bucket, "", http.StatusNoContent)
			return "DeleteBucketCors"
		}
	case q.Has("location"):
		if r.Method == http.MethodGet {
			s.getLocation(w, r, bucket)
			return "GetBucketLocation"
		}
	default:
		switch r.Method {
		case http.MethodPut:
			// The body (CreateBucketConfiguration's location) is not needed:
			// the edge has one region.
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, s3ConfigLimit))
			if err := s.eng.CreateBucket(bucket); err != nil {
				s3Fail(w, r, s.engineError(err, bucket, ""))
				return "CreateBucket"
			}
			w.Header().Set("Location", "/"+bucket)
			w.Header().Set("X-Amz-Request-Id", newID())
			return "CreateBucket"
		case http.MethodHead:
			if err := s.eng.HeadBucket(bucket); err != nil {
				s3Fail(w, r, s.engineError(err, bucket, ""))
				return "HeadBucket"
			}
			w.Header().Set("X-Amz-Bucket-Region", s.region)
			w.Header().Set("X-Amz-Request-Id", newID())
			return "HeadBucket"
		case http.MethodDelete:
			s.done(w, r, s.eng.DeleteBucket(bucket), bucket, "", http.StatusNoContent)
			return "DeleteBucket"
		case http.MethodGet:
			if q.Get("list-type") == "2" {
				s.listObjectsV2(w, r, bucket, q)
				return "ListObjectsV2"
			}
			s.listObjectsV1(w, r, bucket, q)
			return "ListObjects"
		case http.MethodPost:
			return s.servePost(w, r, bucket)
		}
	}
	s3Fail(w, r, s3Error{http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.", nil})
	return "unsupported"
}

// done answers a call with no body: status on success.
func (s *s3Service) done(w http.ResponseWriter, r *http.Request, err error, bucket, key string, status int) {
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, key))
		return
	}
	w.Header().Set("X-Amz-Request-Id", newID())
	w.WriteHeader(status)
}

func (s *s3Service) getLocation(w http.ResponseWriter, r *http.Request, bucket string) {
	if err := s.eng.HeadBucket(bucket); err != nil {
		s3Fail(w, r, s.engineError(err, bucket, ""))
		return
	}
	loc := s.region
	if loc == "us-east-1" {
		loc = "" // S3 names us-east-1 by an empty constraint
	}
	s3OK(w, struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		Xmlns   string   `xml:"xmlns,attr"`
		Value   string   `xml:",chardata"`
	}{Xmlns: s3XMLNS, Value: loc})
}

type s3Owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

var localOwner = s3Owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "local"}

func (s *s3Service) listBuckets(w http.ResponseWriter) {
	type bucketXML struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
	}
	out := struct {
		XMLName xml.Name    `xml:"ListAllMyBucketsResult"`
		Xmlns   string      `xml:"xmlns,attr"`
		Owner   s3Owner     `xml:"Owner"`
		Buckets []bucketXML `xml:"Buckets>Bucket"`
	}{Xmlns: s3XMLNS, Owner: localOwner}
	for _, b := range s.eng.Buckets() {
		out.Buckets = append(out.Buckets, bucketXML{b.Name, b.Created.UTC().Format(s3TimeFormat)})
	}
	s3OK(w, out)
}

type s3ContentsXML struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

type s3PrefixXML struct {
	Prefix string `xml:"Prefix"`
}

// s3ListQuery is what both list calls read.
type s3ListQuery struct {
	prefix, delimiter, encoding string
	maxKeys                     int
}

func readListQuery(q url.Values) (s3ListQuery, *s3Error) {
	l := s3ListQuery{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), encoding: q.Get("encoding-type"), maxKeys: 1000}
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return l, &s3Error{http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range", []xmlField{{"ArgumentName", "max-keys"}, {"ArgumentValue", v}}}
		}
		l.maxKeys = min(n, 1000)
	}
	if l.encoding != "" && l.encoding != "url" {
		return l, &s3Error{http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request", []xmlField{{"ArgumentName", "encoding-type"}}}
	}
	return l, nil
}

// enc applies encoding-type=url (botocore asks for it and decodes).
func (l s3ListQuery) enc(s string) string {
	if l.encoding == "url" {
		return url.QueryEscape(s)
	}
	return s
}

func (l s3ListQuery) contents(page objects.ListPage) ([]s3ContentsXML, []s3PrefixXML) {
	var cs []s3ContentsXML
	for _, o := range page.Objects {
		cs = append(cs, s3ContentsXML{l.enc(o.Key), o.LastModified.UTC().Format(s3TimeFormat), o.ETag, o.Size, "STANDARD"})
	}
	var ps []s3PrefixXML
	for _, p := range page.CommonPrefixes {
		ps = append(ps, s3PrefixXML{l.enc(p)})
	}
	return cs, ps
}

func (s *s3Service) listObjectsV2(w http.ResponseWriter, r *http.Request, bucket string, q url.Values) {
	l, lerr := readListQuery(q)
	if lerr != nil {
		s3Fail(w, r, *lerr)
		return
	}
	after := q.Get("start-after")
	token := q.Get("continuation-token")
	if q.Has("continuation-token") {
		t, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || token == "" {
			s3Fail(w, r, s3Error{http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect", []xmlField{{"ArgumentName", "continuation-token"}}})
			return
		}
		after = max(after, string(t))
	}
	page, err := s.eng.List(bucket, l.prefix, l.delimiter, after, l.maxKeys)
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, ""))
		return
	}
	cs, ps := l.contents(page)
	out := struct {
		XMLName               xml.Name        `xml:"ListBucketResult"`
		Xmlns                 string          `xml:"xmlns,attr"`
		Name                  string          `xml:"Name"`
		Prefix                string          `xml:"Prefix"`
		Delimiter             string          `xml:"Delimiter,omitempty"`
		MaxKeys               int             `xml:"MaxKeys"`
		EncodingType          string          `xml:"EncodingType,omitempty"`
		KeyCount              int             `xml:"KeyCount"`
		IsTruncated           bool            `xml:"IsTruncated"`
		ContinuationToken     string          `xml:"ContinuationToken,omitempty"`
		NextContinuationToken string          `xml:"NextContinuationToken,omitempty"`
		StartAfter            string          `xml:"StartAfter,omitempty"`
		Contents              []s3ContentsXML `xml:"Contents"`
		CommonPrefixes        []s3PrefixXML   `xml:"CommonPrefixes"`
	}{
		Xmlns: s3XMLNS, Name: bucket, Prefix: l.enc(l.prefix), Delimiter: l.enc(l.delimiter), MaxKeys: l.maxKeys,
		EncodingType: l.encoding, KeyCount: len(cs) + len(ps), IsTruncated: page.Truncated,
		ContinuationToken: token, StartAfter: l.enc(q.Get("start-after")), Contents: cs, CommonPrefixes: ps,
	}
	if page.Truncated {
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page.NextAfter))
	}
	s3OK(w, out)
}

func (s *s3Service) listObjectsV1(w http.ResponseWriter, r *http.Request, bucket string, q url.Values) {
	l, lerr := readListQuery(q)
	if lerr != nil {
		s3Fail(w, r, *lerr)
		return
	}
	page, err := s.eng.List(bucket, l.prefix, l.delimiter, q.Get("marker"), l.maxKeys)
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, ""))
		return
	}
	cs, ps := l.contents(page)
	out := struct {
		XMLName        xml.Name        `xml:"ListBucketResult"`
		Xmlns          string          `xml:"xmlns,attr"`
		Name           string          `xml:"Name"`
		Prefix         string          `xml:"Prefix"`
		Marker         string          `xml:"Marker"`
		NextMarker     string          `xml:"NextMarker,omitempty"`
		Delimiter      string          `xml:"Delimiter,omitempty"`
		MaxKeys        int             `xml:"MaxKeys"`
		EncodingType   string          `xml:"EncodingType,omitempty"`
		IsTruncated    bool            `xml:"IsTruncated"`
		Contents       []s3ContentsXML `xml:"Contents"`
		CommonPrefixes []s3PrefixXML   `xml:"CommonPrefixes"`
	}{
		Xmlns: s3XMLNS, Name: bucket, Prefix: l.enc(l.prefix), Marker: l.enc(q.Get("marker")), Delimiter: l.enc(l.delimiter),
		MaxKeys: l.maxKeys, EncodingType: l.encoding, IsTruncated: page.Truncated, Contents: cs, CommonPrefixes: ps,
	}
	if page.Truncated {
		out.NextMarker = l.enc(page.NextAfter)
	}
	s3OK(w, out)
}

// Objects

// responseOverrides are GetObject's response-* parameters and the headers
// they set.
var responseOverrides = [][2]string{
	{"response-content-type", "Content-Type"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-language", "Content-Language"},
	{"response-content-encoding", "Content-Encoding"},
	{"response-cache-control", "Cache-Control"},
	{"response-expires", "Expires"},
}

func (s *s3Service) serveObject(w http.ResponseWriter, r *http.Request, bucket, key string, q url.Values, signed bool) string {
	if sub := unsupportedSubresource(q); sub != "" {
		s3Fail(w, r, notImplemented("?"+sub+" on objects"))
		return "unsupported ?" + sub
	}
	switch r.Method {
	case http.MethodPut:
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			s3Fail(w, r, notImplemented("CopyObject"))
			return "CopyObject"
		}
		s.putObject(w, r, bucket, key)
		return "PutObject"
	case http.MethodGet, http.MethodHead:
		op := "GetObject"
		if r.Method == http.MethodHead {
			op = "HeadObject"
		}
		s.getObject(w, r, bucket, key, q, signed)
		return op
	case http.MethodDelete:
		s.done(w, r, s.eng.Delete(bucket, key), bucket, key, http.StatusNoContent)
		return "DeleteObject"
	}
	s3Fail(w, r, s3Error{http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.", nil})
	return "unsupported"
}

// userMetadata collects x-amz-meta-* headers (names lower case, prefix cut).
func userMetadata(h http.Header) map[string]string {
	var m map[string]string
	for k, vs := range h {
		if name, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-meta-"); ok && name != "" {
			if m == nil {
				m = map[string]string{}
			}
			m[name] = strings.Join(vs, ",")
		}
	}
	return m
}

func (s *s3Service) putObject(w http.ResponseWriter, r *http.Request, bucket, key string) {
	if err := s.eng.HeadBucket(bucket); err != nil {
		s3Fail(w, r, s.engineError(err, bucket, key))
		return
	}
	var body io.Reader = r.Body
	if isAWSChunked(r) {
		// SDKs send aws-chunked bodies (with trailing checksums) when the
		// payload is not signed: local mode's unsigned clients do.
		body = newChunkedReader(r.Body)
	}
	staged, err := s.eng.Stage(body, -1)
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, key))
		return
	}
	if want := r.Header.Get("Content-MD5"); want != "" {
		if got := base64.StdEncoding.EncodeToString(staged.MD5()); got != want {
			staged.Discard()
			s3Fail(w, r, s3Error{http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.", []xmlField{{"ExpectedDigest", want}, {"CalculatedDigest", got}}})
			return
		}
	}
	info, err := staged.Commit(bucket, key, objects.Meta{ContentType: r.Header.Get("Content-Type"), Metadata: userMetadata(r.Header)})
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, key))
		return
	}
	w.Header().Set("ETag", info.ETag)
	w.Header().Set("X-Amz-Request-Id", newID())
}

func (s *s3Service) getObject(w http.ResponseWriter, r *http.Request, bucket, key string, q url.Values, signed bool) {
	overrides := false
	for _, o := range responseOverrides {
		overrides = overrides || q.Has(o[0])
	}
	if overrides && !signed {
		s3Fail(w, r, s3Error{http.StatusBadRequest, "InvalidRequest", "Request specific response headers cannot be used for anonymous GET requests.", nil})
		return
	}
	var (
		info objects.ObjectInfo
		body io.ReadCloser
		err  error
	)
	if r.Method == http.MethodHead {
		info, err = s.eng.Head(bucket, key)
	} else {
		info, body, err = s.eng.Get(bucket, key)
	}
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, key))
		return
	}
	if body != nil {
		defer body.Close()
	}
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	h.Set("ETag", info.ETag)
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	h.Set("X-Amz-Request-Id", newID())
	for k, v := range info.Metadata {
		// Lower case, as S3 sends them: clients take the name after the
		// prefix as written (Set would make it X-Amz-Meta-Ticket).
		h["x-amz-meta-"+k] = []string{v}
	}
	for _, o := range responseOverrides {
		if v := q.Get(o[0]); v != "" {
			h.Set(o[1], v)
		}
	}
	if body == nil {
		return
	}
	if _, err := io.Copy(w, body); err != nil {
		s.log.Warn("s3: could not send an object", "bucket", bucket, "key", key, "error", err.Error())
	}
}

// aws-chunked bodies

func isAWSChunked(r *http.Request) bool {
	for _, ce := range strings.Split(r.Header.Get("Content-Encoding"), ",") {
		if strings.TrimSpace(ce) == "aws-chunked" {
			return true
		}
	}
	return strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-")
}

// chunkedReader decodes an aws-chunked body: "<hex size>[;chunk-signature=…]\r\n
// <data>\r\n" repeated, a zero-size chunk, then trailers (checksums the
// edge does not check) and an empty line.
type chunkedReader struct {
	r    *bufio.Reader
	left int64
	eof  bool
	err  error
}

func newChunkedReader(r io.Reader) *chunkedReader { return &chunkedReader{r: bufio.NewReader(r)} }

func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.left == 0 {
		if c.err != nil {
			return 0, c.err
		}
		if c.eof {
			return 0, io.EOF
		}
		c.err = c.next()
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if c.left == 0 && err == nil {
		err = c.crlf()
	}
	return n, err
}

func (c *chunkedReader) line() (string, error) {
	l, err := c.r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("aws-chunked body: %w", io.ErrUnexpectedEOF)
	}
	return strings.TrimRight(l, "\r\n"), nil
}

func (c *chunkedReader) crlf() error {
	l, err := c.line()
	if err == nil && l != "" {
		err = errors.New("aws-chunked body: chunk longer than its size")
	}
	return err
}

func (c *chunkedReader) next() error {
	l, err := c.line()
	if err != nil {
		return err
	}
	sizeHex, _, _ := strings.Cut(l, ";")
	n, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
	if err != nil || n < 0 {
		return errors.New("aws-chunked body: bad chunk size")
	}
	if n > 0 {
		c.left = n
		return nil
	}
	for { // trailers, up to the empty line (or the end: some clients stop there)
		l, err := c.r.ReadString('\n')
		if strings.TrimRight(l, "\r\n") == "" || err != nil {
			c.eof = true
			return nil
		}
	}
}

// Retrospection

func (s *s3Service) serveRetrospection(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSONError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "GET only")
		return
	}
	b, err := json.Marshal(struct {
		Buckets []objects.Snapshot `json:"buckets"`
	}{s.eng.Snapshot()})
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "InternalFailure", "could not encode the buckets")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
