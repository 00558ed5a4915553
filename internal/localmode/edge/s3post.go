package edge

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/objects"
)

// Presigned POST: a browser's upload form (multipart/form-data to
// /<bucket>), authorised by a policy the platform signed. The edge checks
// what S3 checks, in S3's words (research notes §1.4: LocalStack's
// recordings of real S3): the policy's signature, its expiration on the
// edge's clock, every condition, that every form field is covered, and the
// file's size; nothing is stored unless all pass.

// maxPostFieldBytes caps the form fields before the file, as S3 does.
const maxPostFieldBytes = 20 << 10

// postCondition is one eq or starts-with condition of a policy.
type postCondition struct {
	op    string // "eq" or "starts-with"
	field string // lower case, without "$"
	value string
	text  string // as S3 quotes it when it fails: ["eq", "$key", "v"]
}

// postPolicy is a parsed POST policy.
type postPolicy struct {
	expiration time.Time
	conditions []postCondition
	// content-length-range, when given: inclusive bounds (several narrow).
	hasRange         bool
	minSize, maxSize int64
}

func invalidPolicy(msg string) *s3Error {
	return &s3Error{http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: " + msg, nil}
}

func conditionText(op, field, value string) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return "[" + q(op) + ", " + q("$"+field) + ", " + q(value) + "]"
}

// parsePostPolicy reads a base64 policy document.
func parsePostPolicy(policyB64 string) (*postPolicy, *s3Error) {
	raw, err := base64.StdEncoding.DecodeString(policyB64)
	if err != nil {
		return nil, invalidPolicy("Invalid Base64 Encoding.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]json.RawMessage
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return nil, invalidPolicy("Invalid JSON.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidPolicy("Invalid JSON.")
	}
	p := &postPolicy{minSize: 0, maxSize: math.MaxInt64}
	expRaw, ok := doc["expiration"]
	if !ok {
		return nil, invalidPolicy("Policy missing expiration.")
	}
	var exp string
	if json.Unmarshal(expRaw, &exp) != nil {
		return nil, invalidPolicy("Invalid 'expiration' value: " + string(expRaw))
	}
	if p.expiration, err = time.Parse(time.RFC3339Nano, exp); err != nil {
		return nil, invalidPolicy("Invalid 'expiration' value: '" + exp + "'")
	}
	condRaw, ok := doc["conditions"]
	if !ok {
		return nil, invalidPolicy("Policy missing conditions.")
	}
	var conds []json.RawMessage
	if json.Unmarshal(condRaw, &conds) != nil {
		return nil, invalidPolicy("Invalid 'conditions' value: must be a list.")
	}
	for _, c := range conds {
		if err := p.addCondition(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *postPolicy) addCondition(c json.RawMessage) *s3Error {
	c = bytes.TrimSpace(c)
	if len(c) > 0 && c[0] == '{' {
		var m map[string]any
		if json.Unmarshal(c, &m) != nil || len(m) != 1 {
			return invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		for k, v := range m {
			s, ok := v.(string)
			if !ok {
				return invalidPolicy("Invalid Simple-Condition: value must be a string.")
			}
			p.conditions = append(p.conditions, postCondition{"eq", strings.ToLower(k), s, conditionText("eq", k, s)})
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(c))
	dec.UseNumber()
	var arr []any
	if dec.Decode(&arr) != nil {
		return invalidPolicy("Invalid Condition: conditions must be objects or lists.")
	}
	if len(arr) != 3 {
		return invalidPolicy("Invalid Condition: wrong number of arguments.")
	}
	op, ok := arr[0].(string)
	if !ok {
		return invalidPolicy("Invalid Condition: the operation must be a string.")
	}
	switch lop := strings.ToLower(op); lop {
	case "content-length-range":
		lo, okLo := policyInt(arr[1])
		hi, okHi := policyInt(arr[2])
		if !okLo || !okHi {
			return invalidPolicy("Invalid content-length-range: the bounds must be whole numbers.")
		}
		if !p.hasRange {
			p.hasRange, p.minSize, p.maxSize = true, lo, hi
		} else {
			p.minSize, p.maxSize = max(p.minSize, lo), min(p.maxSize, hi)
		}
		return nil
	case "eq", "starts-with":
		field, okF := arr[1].(string)
		value, okV := arr[2].(string)
		if !okF || !okV || !strings.HasPrefix(field, "$") || len(field) < 2 {
			return invalidPolicy("Invalid Condition: " + op + " needs a \"$field\" and a string value.")
		}
		p.conditions = append(p.conditions, postCondition{lop, strings.ToLower(field[1:]), value, conditionText(op, field[1:], value)})
		return nil
	}
	return invalidPolicy("Invalid Condition: unknown operation '" + op + "'.")
}

// policyInt reads a content-length-range bound: a JSON number or a
// numeric string, whole and not negative.
func policyInt(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

// postForm is the form's fields before the file, names lower case, in order.
type postForm struct {
	names  []string
	values map[string]string
}

func (f *postForm) get(name string) string { return f.values[name] }

// check applies the policy to the form at now: expiration, each condition,
// then that every field is covered. The size is checked once the file is
// read.
func (p *postPolicy) check(form *postForm, bucket string, now time.Time) *s3Error {
	denied := func(msg string) *s3Error {
		return &s3Error{http.StatusForbidden, "AccessDenied", "Invalid according to Policy: " + msg, nil}
	}
	if !now.Before(p.expiration) {
		return denied("Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range p.conditions {
		covered[c.field] = true
		var v string
		if c.field == "bucket" {
			v = bucket
		} else {
			v = form.get(c.field)
		}
		if !c.holds(v) {
			return denied("Policy Condition failed: " + c.text)
		}
	}
	var extra []string
	for _, name := range form.names {
		switch {
		case name == "x-amz-signature", name == "file", name == "policy", strings.HasPrefix(name, "x-ignore-"):
		case !covered[name]:
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		return denied("Extra input fields: " + strings.Join(extra, ", "))
	}
	return nil
}

func (c postCondition) holds(v string) bool {
	if c.op == "eq" {
		return v == c.value
	}
	if c.field == "content-type" && strings.Contains(c.value, ",") {
		// S3 reads a Content-Type starts-with holding commas as a list.
		for _, prefix := range strings.Split(c.value, ",") {
			if strings.HasPrefix(v, strings.TrimSpace(prefix)) {
				return true
			}
		}
		return false
	}
	return strings.HasPrefix(v, c.value)
}

// readPostFields reads the form up to the file part; file is nil when the
// form has none.
func readPostFields(mr *multipart.Reader) (*postForm, *multipart.Part, *s3Error) {
	form := &postForm{values: map[string]string{}}
	size := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return form, nil, nil
		}
		if err != nil {
			return nil, nil, &s3Error{http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.", nil}
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			return form, part, nil
		}
		v, err := io.ReadAll(io.LimitReader(part, int64(maxPostFieldBytes-size+1)))
		size += len(v) + len(name)
		if err != nil {
			return nil, nil, &s3Error{http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.", nil}
		}
		if size > maxPostFieldBytes {
			return nil, nil, &s3Error{http.StatusBadRequest, "MaxPostPreDataLengthExceededError", "Your POST request fields preceeding the upload file was too large.", nil}
		}
		if _, dup := form.values[name]; !dup {
			form.names = append(form.names, name)
			form.values[name] = string(v)
		}
	}
}

func missingField(name string) *s3Error {
	return &s3Error{http.StatusBadRequest, "InvalidArgument",
		"Bucket POST must contain a field named '" + name + "'.  If it is specified, please check the order of the fields.",
		[]xmlField{{"ArgumentName", name}, {"ArgumentValue", ""}}}
}

// authorizePost checks the form's signature and policy; it returns the
// policy for the size check.
func (s *s3Service) authorizePost(form *postForm, bucket string) (*postPolicy, *s3Error) {
	switch {
	case form.get("key") == "" && !hasField(form, "key"):
		return nil, missingField("key")
	case form.get("awsaccesskeyid") != "" || form.get("signature") != "":
		return nil, &s3Error{http.StatusBadRequest, "InvalidArgument", "the local AWS edge supports only Signature Version 4 POST (x-amz-algorithm AWS4-HMAC-SHA256)", nil}
	case !hasField(form, "x-amz-signature"):
		return nil, missingField("X-Amz-Signature")
	case !hasField(form, "policy"):
		return nil, missingField("Policy")
	case form.get("x-amz-algorithm") != sigV4Algorithm:
		return nil, &s3Error{http.StatusBadRequest, "InvalidArgument", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"",
			[]xmlField{{"ArgumentName", "x-amz-algorithm"}, {"ArgumentValue", form.get("x-amz-algorithm")}}}
	}
	cred, ok := parseCredential(form.get("x-amz-credential"))
	if !ok || cred.service != "s3" {
		return nil, &s3Error{http.StatusBadRequest, "InvalidArgument", "Invalid Argument: X-Amz-Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/s3/aws4_request\".",
			[]xmlField{{"ArgumentName", "x-amz-credential"}, {"ArgumentValue", form.get("x-amz-credential")}}}
	}
	date, err := time.Parse(amzDateFormat, form.get("x-amz-date"))
	if err != nil || date.Format("20060102") != cred.date {
		return nil, &s3Error{http.StatusBadRequest, "InvalidArgument", "Invalid Argument: X-Amz-Date must be in the ISO8601 Long Format and match the credential's date.",
			[]xmlField{{"ArgumentName", "x-amz-date"}, {"ArgumentValue", form.get("x-amz-date")}}}
	}
	secret, ok := s.secrets[cred.accessKey]
	if !ok {
		return nil, &s3Error{http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
			[]xmlField{{"AWSAccessKeyId", cred.accessKey}}}
	}
	policyB64 := form.get("policy")
	want, _ := PostPolicySignature(secret, form.get("x-amz-credential"), policyB64)
	if !hmac.Equal([]byte(want), []byte(form.get("x-amz-signature"))) {
		return nil, &s3Error{http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			[]xmlField{{"AWSAccessKeyId", cred.accessKey}, {"StringToSign", policyB64}, {"SignatureProvided", form.get("x-amz-signature")}}}
	}
	policy, perr := parsePostPolicy(policyB64)
	if perr != nil {
		return nil, perr
	}
	if perr := policy.check(form, bucket, s.clock.Now()); perr != nil {
		return nil, perr
	}
	return policy, nil
}

func hasField(form *postForm, name string) bool {
	_, ok := form.values[name]
	return ok
}

// servePost answers a presigned POST to bucket.
func (s *s3Service) servePost(w http.ResponseWriter, r *http.Request, bucket string) string {
	const op = "PostObject"
	if err := s.eng.HeadBucket(bucket); err != nil {
		s3Fail(w, r, s.engineError(err, bucket, ""))
		return op
	}
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		s3Fail(w, r, s3Error{http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
			[]xmlField{{"Condition", "Bucket POST must be of the enclosure-type multipart/form-data"}}})
		return op
	}
	form, file, ferr := readPostFields(multipart.NewReader(r.Body, params["boundary"]))
	if ferr != nil {
		s3Fail(w, r, *ferr)
		return op
	}
	policy, perr := s.authorizePost(form, bucket)
	if perr != nil {
		s3Fail(w, r, *perr)
		return op
	}
	if file == nil {
		s3Fail(w, r, s3Error{http.StatusBadRequest, "InvalidArgument", "POST requires exactly one file upload per request.",
			[]xmlField{{"ArgumentName", "file"}, {"ArgumentValue", "0"}}})
		return op
	}
	key := form.get("key")
	if strings.Contains(key, "${filename}") {
		// The policy covers the key as the form sent it; S3 then puts the
		// file's name (without any path) in place of ${filename}.
		name := file.FileName()
		if i := strings.LastIndexAny(name, `/\`); i >= 0 {
			name = name[i+1:]
		}
		key = strings.ReplaceAll(key, "${filename}", name)
	}
	limit, maxAllowed := s.eng.MaxObjectBytes(), s.eng.MaxObjectBytes()
	if policy.hasRange && policy.maxSize < limit {
		limit, maxAllowed = policy.maxSize, policy.maxSize
	}
	staged, err := s.eng.Stage(file, limit)
	if errors.Is(err, objects.ErrTooLarge) {
		// Read the rest (bounded) for the proposed size S3 reports, and so
		// the browser is not cut off mid-upload before it reads the answer.
		rest, _ := io.Copy(io.Discard, io.LimitReader(file, s.eng.MaxObjectBytes()))
		s3Fail(w, r, s3Error{http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", []xmlField{
			{"ProposedSize", strconv.FormatInt(limit+1+rest, 10)},
			{"MaxSizeAllowed", strconv.FormatInt(maxAllowed, 10)},
		}})
		return op
	}
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, key))
		return op
	}
	if policy.hasRange && staged.Size() < policy.minSize {
		staged.Discard()
		s3Fail(w, r, s3Error{http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", []xmlField{
			{"ProposedSize", strconv.FormatInt(staged.Size(), 10)},
			{"MinSizeAllowed", strconv.FormatInt(policy.minSize, 10)},
		}})
		return op
	}
	meta := objects.Meta{ContentType: form.get("content-type")}
	for _, name := range form.names {
		if m, ok := strings.CutPrefix(name, "x-amz-meta-"); ok && m != "" {
			if meta.Metadata == nil {
				meta.Metadata = map[string]string{}
			}
			meta.Metadata[m] = form.get(name)
		}
	}
	info, err := staged.Commit(bucket, key, meta)
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, key))
		return op
	}
	s.postAnswer(w, r, form, info)
	return op
}

// postAnswer is S3's success answer: a redirect when the form asks for
// one, else the status success_action_status names (204 by default; 201
// with a PostResponse document).
func (s *s3Service) postAnswer(w http.ResponseWriter, r *http.Request, form *postForm, info objects.ObjectInfo) {
	location := objectURL(r, info.Bucket, info.Key)
	h := w.Header()
	h.Set("X-Amz-Request-Id", newID())
	h.Set("ETag", info.ETag)
	h.Set("Location", location)
	if redirect := form.get("success_action_redirect"); redirect != "" {
		if u, err := url.Parse(redirect); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			q := u.Query()
			q.Set("bucket", info.Bucket)
			q.Set("key", info.Key)
			q.Set("etag", info.ETag)
			u.RawQuery = q.Encode()
			h.Set("Location", u.String())
			w.WriteHeader(http.StatusSeeOther)
			return
		}
	}
	switch form.get("success_action_status") {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		out, _ := xml.Marshal(struct {
			XMLName  xml.Name `xml:"PostResponse"`
			Location string   `xml:"Location"`
			Bucket   string   `xml:"Bucket"`
			Key      string   `xml:"Key"`
			ETag     string   `xml:"ETag"`
		}{Location: location, Bucket: info.Bucket, Key: info.Key, ETag: info.ETag})
		h.Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, xml.Header)
		_, _ = w.Write(out)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// objectURL is the object's path-style URL on the host the request used.
func objectURL(r *http.Request, bucket, key string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/%s/%s", scheme, r.Host, bucket, uriEncode(key, true))
}
