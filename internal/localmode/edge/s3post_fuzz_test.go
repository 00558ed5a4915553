package edge

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzPostPolicy feeds the POST policy parser and checker any policy text
// and form: they must not panic, must answer only S3's policy errors, and a
// form they pass must satisfy every condition and have every field covered.
func FuzzPostPolicy(f *testing.F) {
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"photos"},["eq","$key","a"],["content-length-range",1,10],["starts-with","$Content-Type","image/"]]}`,
		"key=a\ncontent-type=image/jpeg\nx-amz-signature=s\npolicy=p", "photos")
	f.Add(`{"expiration":"2000-01-01T00:00:00.000Z","conditions":[]}`, "", "b")
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["starts-with","$Content-Type","image/png, image/jpeg"]]}`, "content-type=image/jpeg", "b")
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range","5","3"],{"x-ignore-a":"1"}]}`, "x-ignore-b=2\nfile=x", "b")
	f.Add(`{"conditions":[]}`, "", "b")
	f.Add(`[1,2,3]`, "", "b")
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","key","a"],["bogus","$a","b"],{"a":1},{}]}`, "a=b", "b")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, policy, fields, bucket string) {
		p, perr := parsePostPolicy(base64.StdEncoding.EncodeToString([]byte(policy)))
		if perr != nil {
			if perr.code != "InvalidPolicyDocument" || perr.status != http.StatusBadRequest || !strings.HasPrefix(perr.message, "Invalid Policy: ") {
				t.Fatalf("parse error %+v", perr)
			}
			return
		}
		if p.hasRange && (p.minSize < 0 || p.maxSize < 0) {
			t.Fatalf("negative size range %d..%d", p.minSize, p.maxSize)
		}
		form := &postForm{values: map[string]string{}}
		for _, line := range strings.Split(fields, "\n") {
			name, value, _ := strings.Cut(line, "=")
			name = strings.ToLower(name)
			if _, dup := form.values[name]; !dup && name != "" {
				form.names = append(form.names, name)
				form.values[name] = value
			}
		}
		cerr := p.check(form, bucket, now)
		if cerr != nil {
			if cerr.code != "AccessDenied" || cerr.status != http.StatusForbidden || !strings.HasPrefix(cerr.message, "Invalid according to Policy: ") {
				t.Fatalf("check error %+v", cerr)
			}
			return
		}
		if !now.Before(p.expiration) {
			t.Fatal("an expired policy passed")
		}
		covered := map[string]bool{}
		for _, c := range p.conditions {
			covered[c.field] = true
			v := form.values[c.field]
			if c.field == "bucket" {
				v = bucket
			}
			if c.op == "eq" && v != c.value {
				t.Fatalf("eq %s=%q passed with %q", c.field, c.value, v)
			}
			if c.op == "starts-with" && !strings.Contains(c.value, ",") && !strings.HasPrefix(v, c.value) {
				t.Fatalf("starts-with %s=%q passed with %q", c.field, c.value, v)
			}
		}
		for _, n := range form.names {
			exempt := n == "x-amz-signature" || n == "file" || n == "policy" || strings.HasPrefix(n, "x-ignore-")
			if !exempt && !covered[n] {
				t.Fatalf("field %q passed uncovered", n)
			}
		}
	})
}

// TestChunkedReader decodes an aws-chunked body with chunk signatures and
// a trailing checksum, and refuses a malformed one.
func TestChunkedReader(t *testing.T) {
	body := "5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
	got, err := io.ReadAll(newChunkedReader(strings.NewReader(body)))
	if err != nil || string(got) != "hello world" {
		t.Fatalf("%q, %v", got, err)
	}
	for _, bad := range []string{"zz\r\nhello\r\n0\r\n\r\n", "5\r\nhel", "3\r\nhello\r\n0\r\n\r\n"} {
		if _, err := io.ReadAll(newChunkedReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}
