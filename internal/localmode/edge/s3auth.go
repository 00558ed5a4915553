package edge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The S3 emulation checks the two signatures a browser presents without
// the platform in between: a presigned POST's policy signature and a
// presigned URL's query signature. Header-signed SDK calls are accepted
// unchecked, as every other service here accepts them (local mode may even
// send them unsigned). The verification is written here rather than taken
// from aws-sdk-go-v2's v4 signer: the signer signs requests it builds (it
// adds headers and chooses what to sign), while a verifier must rebuild
// the canonical request from what a client chose to sign; SigV4's parts
// are short, and the tests check them against AWS's published examples and
// the SDK's own presigner.

const (
	sigV4Algorithm  = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	maxPresignedTTL = 7 * 24 * 60 * 60 // S3's limit on X-Amz-Expires, seconds
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// credentialScope is X-Amz-Credential: AKID/yyyymmdd/region/service/aws4_request.
type credentialScope struct {
	accessKey, date, region, service string
}

func parseCredential(s string) (credentialScope, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" || len(parts[1]) != 8 {
		return credentialScope{}, false
	}
	return credentialScope{parts[0], parts[1], parts[2], parts[3]}, true
}

func (c credentialScope) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/aws4_request"
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// signingKey is SigV4's derived key for secret and scope.
func signingKey(secret string, c credentialScope) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), c.date)
	k = hmacSHA256(k, c.region)
	k = hmacSHA256(k, c.service)
	return hmacSHA256(k, "aws4_request")
}

// PostPolicySignature is a presigned POST's x-amz-signature: the hex
// HMAC-SHA256 of the base64 policy, as sent, under the SigV4 signing key of
// the credential's date, region and service.
func PostPolicySignature(secret, credential, policyB64 string) (string, bool) {
	c, ok := parseCredential(credential)
	if !ok {
		return "", false
	}
	return hex.EncodeToString(hmacSHA256(signingKey(secret, c), policyB64)), true
}

// uriEncode is SigV4's encoding: every byte but the unreserved ones as %XX
// (upper case); slashes kept when encoding a path.
func uriEncode(s string, path bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && path:
			b.WriteByte(c)
		default:
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

// canonicalQuery is SigV4's canonical query string, without X-Amz-Signature.
func canonicalQuery(q url.Values) string {
	type kv struct{ k, v string }
	var pairs []kv
	for k, vs := range q {
		if k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, kv{uriEncode(k, false), uriEncode(v, false)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// canonicalHeaders lists the signed headers' names and trimmed values; host
// is the request's Host (Go moves it out of Header).
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, h := range signed {
		var v string
		if h == "host" {
			v = r.Host
		} else {
			v = strings.Join(r.Header.Values(h), ",")
		}
		b.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	return b.String()
}

// presignedQueryError is why a presigned URL is refused: S3's code, status
// and message, and for a signature mismatch what the edge signed.
type presignedQueryError struct {
	status        int
	code, message string
	extra         []xmlField
}

// verifyPresignedQuery checks a SigV4 query signature (a presigned URL)
// against the secrets, at now.
func verifyPresignedQuery(r *http.Request, secrets map[string]string, now time.Time) *presignedQueryError {
	q := r.URL.Query()
	bad := func(msg string) *presignedQueryError {
		return &presignedQueryError{http.StatusBadRequest, "AuthorizationQueryParametersError", msg, nil}
	}
	if q.Get("X-Amz-Algorithm") != sigV4Algorithm {
		return bad("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	cred, ok := parseCredential(q.Get("X-Amz-Credential"))
	if !ok || cred.service != "s3" {
		return bad("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	signedAt, err := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if signedAt.Format("20060102") != cred.date {
		return bad("Error parsing the X-Amz-Credential parameter; incorrect date format. This date in the credential must be in the format \"yyyyMMdd\" and match the date in X-Amz-Date.")
	}
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	switch {
	case err != nil:
		return bad("X-Amz-Expires should be a number")
	case expires < 1:
		return bad("X-Amz-Expires must be non-negative")
	case expires > maxPresignedTTL:
		return bad("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	signedHeaders := q.Get("X-Amz-SignedHeaders")
	signed := strings.Split(signedHeaders, ";")
	if signedHeaders == "" || !contains(signed, "host") {
		return bad("Query-string authentication requires the X-Amz-Signature, X-Amz-Credential, X-Amz-SignedHeaders and X-Amz-Date parameters, and SignedHeaders must include host.")
	}
	if q.Get("X-Amz-Signature") == "" {
		return bad("Query-string authentication requires the X-Amz-Signature parameter.")
	}
	if until := signedAt.Add(time.Duration(expires) * time.Second); now.After(until) {
		return &presignedQueryError{http.StatusForbidden, "AccessDenied", "Request has expired", []xmlField{
			{"X-Amz-Expires", strconv.Itoa(expires)},
			{"Expires", until.UTC().Format("2006-01-02T15:04:05Z")},
			{"ServerTime", now.UTC().Format("2006-01-02T15:04:05Z")},
		}}
	}
	secret, ok := secrets[cred.accessKey]
	if !ok {
		return &presignedQueryError{http.StatusForbidden, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records.", []xmlField{{"AWSAccessKeyId", cred.accessKey}}}
	}
	canonical := strings.Join([]string{
		r.Method,
		uriEncode(r.URL.Path, true),
		canonicalQuery(q),
		canonicalHeaders(r, signed),
		signedHeaders,
		unsignedPayload,
	}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := sigV4Algorithm + "\n" + q.Get("X-Amz-Date") + "\n" + cred.scope() + "\n" + hex.EncodeToString(sum[:])
	want := hex.EncodeToString(hmacSHA256(signingKey(secret, cred), stringToSign))
	if !hmac.Equal([]byte(want), []byte(q.Get("X-Amz-Signature"))) {
		return &presignedQueryError{http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			[]xmlField{
				{"AWSAccessKeyId", cred.accessKey},
				{"StringToSign", stringToSign},
				{"SignatureProvided", q.Get("X-Amz-Signature")},
				{"CanonicalRequest", canonical},
			}}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// s3Signed reports whether r names S3 in a SigV4 scope, in its
// Authorization header or its X-Amz-Credential query parameter.
func s3Signed(r *http.Request) bool {
	if signingService(r) == "s3" {
		return true
	}
	if !strings.Contains(r.URL.RawQuery, "X-Amz-Credential") {
		return false
	}
	c, ok := parseCredential(r.URL.Query().Get("X-Amz-Credential"))
	return ok && c.service == "s3"
}
