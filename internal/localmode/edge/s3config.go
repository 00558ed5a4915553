package edge

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline12345/hotline/internal/localmode/objects"
)

// Bucket lifecycle and CORS configuration, and CORS answers.

type lifecycleXML struct {
	XMLName xml.Name           `xml:"LifecycleConfiguration"`
	Xmlns   string             `xml:"xmlns,attr,omitempty"`
	Rules   []lifecycleRuleXML `xml:"Rule"`
}

type lifecycleRuleXML struct {
	ID     string  `xml:"ID,omitempty"`
	Prefix *string `xml:"Prefix"`
	Filter *struct {
		Prefix                *string   `xml:"Prefix"`
		Tag                   *struct{} `xml:"Tag"`
		And                   *struct{} `xml:"And"`
		ObjectSizeGreaterThan *int64    `xml:"ObjectSizeGreaterThan"`
		ObjectSizeLessThan    *int64    `xml:"ObjectSizeLessThan"`
	} `xml:"Filter"`
	Status     string `xml:"Status"`
	Expiration *struct {
		Days                      *int    `xml:"Days"`
		Date                      *string `xml:"Date"`
		ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
	} `xml:"Expiration"`
	Transitions                    []struct{} `xml:"Transition"`
	NoncurrentVersionTransitions   []struct{} `xml:"NoncurrentVersionTransition"`
	NoncurrentVersionExpiration    *struct{}  `xml:"NoncurrentVersionExpiration"`
	AbortIncompleteMultipartUpload *struct{}  `xml:"AbortIncompleteMultipartUpload"`
}

// lifecycleOutXML is what GetBucketLifecycleConfiguration answers.
type lifecycleOutXML struct {
	XMLName xml.Name `xml:"LifecycleConfiguration"`
	Xmlns   string   `xml:"xmlns,attr"`
	Rules   []struct {
		ID         string `xml:"ID,omitempty"`
		Prefix     string `xml:"Filter>Prefix"`
		Status     string `xml:"Status"`
		Expiration *struct {
			Days int `xml:"Days"`
		} `xml:"Expiration,omitempty"`
	} `xml:"Rule"`
}

// parseLifecycle reads the rules the edge can honour: a prefix (in Filter
// or, legacy, on the rule) and Expiration Days. Rules for multipart
// uploads and versions are accepted and have nothing to act on here (no
// multipart uploads, no versioning); tag and size filters, dates and
// transitions are refused rather than silently ignored.
func parseLifecycle(body []byte) ([]objects.LifecycleRule, *s3Error) {
	var in lifecycleXML
	if err := xml.Unmarshal(body, &in); err != nil || len(in.Rules) == 0 || len(in.Rules) > 1000 {
		e := malformedXML()
		return nil, &e
	}
	var rules []objects.LifecycleRule
	for _, r := range in.Rules {
		if r.Status != "Enabled" && r.Status != "Disabled" {
			e := malformedXML()
			return nil, &e
		}
		rule := objects.LifecycleRule{ID: r.ID, Enabled: r.Status == "Enabled"}
		switch {
		case r.Filter != nil && (r.Filter.Tag != nil || r.Filter.And != nil || r.Filter.ObjectSizeGreaterThan != nil || r.Filter.ObjectSizeLessThan != nil):
			e := notImplemented("lifecycle filters other than a prefix")
			return nil, &e
		case r.Filter != nil && r.Filter.Prefix != nil:
			rule.Prefix = *r.Filter.Prefix
		case r.Prefix != nil:
			rule.Prefix = *r.Prefix
		}
		if len(r.Transitions)+len(r.NoncurrentVersionTransitions) > 0 {
			e := notImplemented("lifecycle transitions (one storage class)")
			return nil, &e
		}
		if x := r.Expiration; x != nil {
			if x.Date != nil {
				e := notImplemented("lifecycle expiration by date")
				return nil, &e
			}
			if x.Days != nil {
				if *x.Days <= 0 {
					e := s3Error{http.StatusBadRequest, "InvalidArgument", "'Days' for Expiration action must be a positive integer", nil}
					return nil, &e
				}
				rule.Days = *x.Days
			}
		}
		if r.Expiration == nil && r.AbortIncompleteMultipartUpload == nil && r.NoncurrentVersionExpiration == nil {
			e := s3Error{http.StatusBadRequest, "InvalidRequest", "At least one action needs to be specified in a rule", nil}
			return nil, &e
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func (s *s3Service) putLifecycle(w http.ResponseWriter, r *http.Request, bucket string) {
	putRules(s, w, r, bucket, parseLifecycle, s.eng.SetLifecycle)
}

// putRules replaces one kind of a bucket's rules with those of the body.
func putRules[T any](s *s3Service, w http.ResponseWriter, r *http.Request, bucket string, parse func([]byte) ([]T, *s3Error), set func(string, []T) error) {
	body, ok := s.readConfig(w, r, bucket)
	if !ok {
		return
	}
	rules, perr := parse(body)
	if perr != nil {
		s3Fail(w, r, *perr)
		return
	}
	s.done(w, r, set(bucket, rules), bucket, "", http.StatusOK)
}

func (s *s3Service) getLifecycle(w http.ResponseWriter, r *http.Request, bucket string) {
	rules, err := s.eng.Lifecycle(bucket)
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, ""))
		return
	}
	out := lifecycleOutXML{Xmlns: s3XMLNS}
	out.Rules = make([]struct {
		ID         string `xml:"ID,omitempty"`
		Prefix     string `xml:"Filter>Prefix"`
		Status     string `xml:"Status"`
		Expiration *struct {
			Days int `xml:"Days"`
		} `xml:"Expiration,omitempty"`
	}, len(rules))
	for i, rule := range rules {
		o := &out.Rules[i]
		o.ID, o.Prefix, o.Status = rule.ID, rule.Prefix, "Disabled"
		if rule.Enabled {
			o.Status = "Enabled"
		}
		if rule.Days > 0 {
			o.Expiration = &struct {
				Days int `xml:"Days"`
			}{rule.Days}
		}
	}
	s3OK(w, out)
}

// readConfig reads a configuration call's XML body, bounded.
func (s *s3Service) readConfig(w http.ResponseWriter, r *http.Request, bucket string) ([]byte, bool) {
	if err := s.eng.HeadBucket(bucket); err != nil {
		s3Fail(w, r, s.engineError(err, bucket, ""))
		return nil, false
	}
	var body []byte
	var err error
	if isAWSChunked(r) {
		body, err = readAll(http.MaxBytesReader(w, io.NopCloser(newChunkedReader(r.Body)), s3ConfigLimit), 0)
	} else {
		body, err = readAll(http.MaxBytesReader(w, r.Body, s3ConfigLimit), min(r.ContentLength, s3ConfigLimit))
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s3Fail(w, r, s3Error{http.StatusBadRequest, "MaxMessageLengthExceeded", "Your request was too big.", nil})
		} else {
			s3Fail(w, r, s3Error{http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", nil})
		}
		return nil, false
	}
	return body, true
}

// CORS

type corsXML struct {
	XMLName xml.Name      `xml:"CORSConfiguration"`
	Xmlns   string        `xml:"xmlns,attr,omitempty"`
	Rules   []corsRuleXML `xml:"CORSRule"`
}

type corsRuleXML struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

func parseCORS(body []byte) ([]objects.CORSRule, *s3Error) {
	var in corsXML
	if err := xml.Unmarshal(body, &in); err != nil || len(in.Rules) == 0 || len(in.Rules) > 100 {
		e := malformedXML()
		return nil, &e
	}
	rules := make([]objects.CORSRule, 0, len(in.Rules))
	for _, r := range in.Rules {
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			e := malformedXML()
			return nil, &e
		}
		for _, m := range r.AllowedMethods {
			switch m {
			case http.MethodGet, http.MethodPut, http.MethodHead, http.MethodPost, http.MethodDelete:
			default:
				e := s3Error{http.StatusBadRequest, "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is " + m, nil}
				return nil, &e
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				e := s3Error{http.StatusBadRequest, "InvalidRequest", `AllowedOrigin "` + o + `" can not have more than one wildcard.`, nil}
				return nil, &e
			}
		}
		rule := objects.CORSRule{ID: r.ID, AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposeHeaders}
		if r.MaxAgeSeconds != nil {
			rule.MaxAgeSeconds = *r.MaxAgeSeconds
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func (s *s3Service) putCORS(w http.ResponseWriter, r *http.Request, bucket string) {
	putRules(s, w, r, bucket, parseCORS, s.eng.SetCORS)
}

func (s *s3Service) getCORS(w http.ResponseWriter, r *http.Request, bucket string) {
	rules, err := s.eng.CORS(bucket)
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, ""))
		return
	}
	out := corsXML{Xmlns: s3XMLNS}
	for _, rule := range rules {
		x := corsRuleXML{ID: rule.ID, AllowedHeaders: rule.AllowedHeaders, AllowedMethods: rule.AllowedMethods,
			AllowedOrigins: rule.AllowedOrigins, ExposeHeaders: rule.ExposeHeaders}
		if rule.MaxAgeSeconds > 0 {
			x.MaxAgeSeconds = &rule.MaxAgeSeconds
		}
		out.Rules = append(out.Rules, x)
	}
	s3OK(w, out)
}

// wildcardMatch matches s against a pattern with at most one '*'.
func wildcardMatch(pattern, s string) bool {
	before, after, ok := strings.Cut(pattern, "*")
	if !ok {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

// corsMatch is the first rule allowing origin, method and every header
// (lower case), as S3 picks it.
func corsMatch(rules []objects.CORSRule, origin, method string, headers []string) (objects.CORSRule, bool) {
rules:
	for _, rule := range rules {
		originOK := false
		for _, o := range rule.AllowedOrigins {
			originOK = originOK || wildcardMatch(o, origin)
		}
		if !originOK || !contains(rule.AllowedMethods, method) {
			continue
		}
		for _, h := range headers {
			allowed := false
			for _, a := range rule.AllowedHeaders {
				allowed = allowed || wildcardMatch(strings.ToLower(a), h)
			}
			if !allowed {
				continue rules
			}
		}
		return rule, true
	}
	return objects.CORSRule{}, false
}

// setCORSHeaders writes a matched rule's Access-Control-* headers.
func setCORSHeaders(h http.Header, rule objects.CORSRule, origin string) {
	if contains(rule.AllowedOrigins, "*") {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAgeSeconds))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// cors adds the bucket's CORS headers to an actual request's answer (set
// before anything is written, so errors carry them too and a page on
// another origin can read why its upload failed).
func (s *s3Service) cors(w http.ResponseWriter, r *http.Request, bucket string) {
	origin := r.Header.Get("Origin")
	if origin == "" || bucket == "" {
		return
	}
	rules, err := s.eng.CORS(bucket)
	if err != nil {
		return
	}
	if rule, ok := corsMatch(rules, origin, r.Method, nil); ok {
		setCORSHeaders(w.Header(), rule, origin)
	}
}

// preflight answers a CORS preflight (OPTIONS) by the bucket's rules.
func (s *s3Service) preflight(w http.ResponseWriter, r *http.Request, bucket string) string {
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	switch {
	case bucket == "":
		s3Fail(w, r, s3Error{http.StatusBadRequest, "BadRequest", "Insufficient information. Bucket needed.", nil})
		return "preflight"
	case origin == "":
		s3Fail(w, r, s3Error{http.StatusBadRequest, "BadRequest", "Insufficient information. Origin request header needed.", nil})
		return "preflight"
	case method == "":
		s3Fail(w, r, s3Error{http.StatusBadRequest, "BadRequest", "Invalid Access-Control-Request-Method: null", nil})
		return "preflight"
	}
	rules, err := s.eng.CORS(bucket)
	if errors.Is(err, objects.ErrNoSuchCORS) {
		s3Fail(w, r, s3Error{http.StatusForbidden, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.",
			[]xmlField{{"Method", method}, {"ResourceType", "BUCKET"}}})
		return "preflight"
	}
	if err != nil {
		s3Fail(w, r, s.engineError(err, bucket, ""))
		return "preflight"
	}
	var headers []string
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			headers = append(headers, h)
		}
	}
	rule, ok := corsMatch(rules, origin, method, headers)
	if !ok {
		s3Fail(w, r, s3Error{http.StatusForbidden, "AccessForbidden",
			"CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
			[]xmlField{{"Method", method}, {"ResourceType", "OBJECT"}}})
		return "preflight"
	}
	setCORSHeaders(w.Header(), rule, origin)
	if len(headers) > 0 {
		w.Header().Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	w.Header().Set("X-Amz-Request-Id", newID())
	return "preflight"
}
