// Package objects is the S3 adapter for ticket attachments: presigned POST
// forms for browser uploads, presigned GET links, and the reads and writes
// the functions make to clean an upload (ports' words; no S3 type leaks out).
package objects

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/app/ports"
)

// Bucket reads and writes one bucket.
type Bucket struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	now     func() time.Time
}

// New builds the adapter for bucket. now is the time presigned forms and
// links are signed at (the edge checks them against the same clock in local
// mode).
func New(cfg aws.Config, bucket string, now func() time.Time) (*Bucket, error) {
	if bucket == "" {
		return nil, errors.New("objects: bucket name is required (MEDIA_BUCKET)")
	}
	local := awsconf.IsLocal(cfg)
	if local {
		if _, anonymous := cfg.Credentials.(aws.AnonymousCredentials); anonymous || cfg.Credentials == nil {
			// Local mode may send the data plane unsigned; a presigned form
			// or link must be signed, with the credentials the edge knows.
			id, secret := awsconf.LocalCredentials()
			cfg = cfg.Copy()
			cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
		}
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		// The local edge serves buckets by path; AWS by host name.
		o.UsePathStyle = local
	})
	if now == nil {
		now = time.Now
	}
	return &Bucket{client: client, presign: s3.NewPresignClient(client), bucket: bucket, now: now}, nil
}

// PresignPost signs a browser upload of one file of contentType and 1 to
// maxBytes bytes to key, valid for expires. S3 refuses any other type or
// size, and any field the policy does not name.
func (b *Bucket) PresignPost(ctx context.Context, key, contentType string, maxBytes int64, expires time.Duration) (ports.PresignedPost, error) {
	at := b.now().UTC().Truncate(time.Second)
	out, err := b.presign.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)},
		func(o *s3.PresignPostOptions) {
			o.Expires = expires
			o.PostPresigner = atTime{signer: o.PostPresigner, at: at, expires: expires}
			o.Conditions = []any{
				[]any{"content-length-range", 1, maxBytes},
				[]any{"eq", "$Content-Type", contentType},
			}
		})
	if err != nil {
		return ports.PresignedPost{}, fmt.Errorf("objects: sign the upload of %s: %w", key, err)
	}
	fields := make(map[string]string, len(out.Values)+1)
	for k, v := range out.Values {
		fields[k] = v
	}
	fields["Content-Type"] = contentType
	return ports.PresignedPost{URL: out.URL, Fields: fields, ExpiresAt: at.Add(expires)}, nil
}

// atTime signs a POST policy at a given time rather than the SDK's clock.
type atTime struct {
	signer  s3.PresignPost
	at      time.Time
	expires time.Duration
}

func (a atTime) PresignPost(creds aws.Credentials, bucket, key, region, service string, _ time.Time, conditions []any, _ time.Time, optFns ...func(*v4.SignerOptions)) (map[string]string, error) {
	return a.signer.PresignPost(creds, bucket, key, region, service, a.at, conditions, a.at.Add(a.expires).UTC(), optFns...)
}

// PresignGet signs a download link of key.
func (b *Bucket) PresignGet(ctx context.Context, key string, o ports.LinkOptions) (string, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)}
	if o.Filename != "" {
		in.ResponseContentDisposition = aws.String(mime.FormatMediaType("attachment", map[string]string{"filename": o.Filename}))
	}
	at := o.SignedAt
	if at.IsZero() {
		at = b.now()
	}
	req, err := b.presign.PresignGetObject(ctx, in, func(po *s3.PresignOptions) {
		po.Expires = o.Expires
		po.Presigner = signedAt{signer: v4.NewSigner(), at: at.UTC()}
	})
	if err != nil {
		return "", fmt.Errorf("objects: sign a link to %s: %w", key, err)
	}
	return req.URL, nil
}

// signedAt presigns at a fixed time: links to one key signed in one window
// are the same link, so a view's ETag holds within the window.
type signedAt struct {
	signer *v4.Signer
	at     time.Time
}

func (s signedAt) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return s.signer.PresignHTTP(ctx, creds, r, payloadHash, service, region, s.at, optFns...)
}

// Get reads key whole if it has at most maxBytes bytes.
func (b *Bucket) Get(ctx context.Context, key string, maxBytes int64) ([]byte, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		if missing(err, true) {
			return nil, &ports.ObjectMissingError{Key: key}
		}
		return nil, fmt.Errorf("objects: read %s: %w", key, err)
	}
	defer out.Body.Close()
	if out.ContentLength != nil && *out.ContentLength > maxBytes {
		return nil, &ports.ObjectTooLargeError{Key: key, Size: *out.ContentLength, MaxBytes: maxBytes}
	}
	var buf bytes.Buffer
	if out.ContentLength != nil {
		buf.Grow(int(*out.ContentLength))
	}
	n, err := io.Copy(&buf, io.LimitReader(out.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("objects: read %s: %w", key, err)
	}
	if n > maxBytes {
		return nil, &ports.ObjectTooLargeError{Key: key, Size: n, MaxBytes: maxBytes}
	}
	return buf.Bytes(), nil
}

// Put writes data to key.
func (b *Bucket) Put(ctx context.Context, key, contentType string, data []byte) error {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(key), Body: bytes.NewReader(data),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(data))),
	})
	if err != nil {
		return fmt.Errorf("objects: write %s: %w", key, err)
	}
	return nil
}

// Delete removes key; a missing key is no error.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil && !missing(err, false) {
		return fmt.Errorf("objects: delete %s: %w", key, err)
	}
	return nil
}

// missing says S3 answered that the key is not there. The functions may
// not list the bucket (a bug could then walk every citizen's uploads), and
// to a reader without s3:ListBucket S3 answers a missing key with 403: for
// a read (readDenied) that means the same.
func missing(err error, readDenied bool) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		case "AccessDenied":
			return readDenied
		}
	}
	return false
}
