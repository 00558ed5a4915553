package edge_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// TestAWSCLIS3 runs the real AWS CLIs' S3 commands against the edge: the
// s3api calls one by one, then the high-level s3 commands (cp up and down,
// ls, presign, whose URL is fetched with net/http).
func TestAWSCLIS3(t *testing.T) {
	for _, cli := range awsCLIs(t) {
		t.Run(strings.ReplaceAll(cli, "/", "_"), func(t *testing.T) {
			t.Parallel()
			h := start(t, edge.Options{Clock: nowClock()})
			aws := newAWSRunner(t, cli, h.url)
			dir := t.TempDir()
			photo := filepath.Join(dir, "photo.jpg")
			content := "\xff\xd8\xff not really a jpeg 路灯"
			if err := os.WriteFile(photo, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}

			aws.ok(t, nil, "s3api", "create-bucket", "--bucket", "cli-photos")
			if _, errOut, code := aws.run(t, "s3api", "create-bucket", "--bucket", "cli-photos"); code == 0 || !strings.Contains(errOut, "BucketAlreadyOwnedByYou") {
				t.Errorf("create-bucket again: exit %d %s", code, errOut)
			}
			var put struct{ ETag string }
			aws.ok(t, &put, "s3api", "put-object", "--bucket", "cli-photos", "--key", "uploads/t1/a b.jpg", "--body", photo,
				"--content-type", "image/jpeg", "--metadata", "ticket=T1")
			if put.ETag != `"`+md5Hex([]byte(content))+`"` {
				t.Errorf("put-object ETag %s", put.ETag)
			}
			var head struct {
				ContentLength int64
				ContentType   string
				ETag          string
				Metadata      map[string]string
			}
			aws.ok(t, &head, "s3api", "head-object", "--bucket", "cli-photos", "--key", "uploads/t1/a b.jpg")
			if head.ContentLength != int64(len(content)) || head.ContentType != "image/jpeg" || head.ETag != put.ETag || head.Metadata["ticket"] != "T1" {
				t.Errorf("head-object: %+v", head)
			}
			out := filepath.Join(dir, "out.jpg")
			aws.ok(t, nil, "s3api", "get-object", "--bucket", "cli-photos", "--key", "uploads/t1/a b.jpg", out)
			if b, err := os.ReadFile(out); err != nil || string(b) != content {
				t.Errorf("get-object wrote %q, %v", b, err)
			}
			var listed struct {
				Contents []struct {
					Key  string
					Size int64
				}
			}
			aws.ok(t, &listed, "s3api", "list-objects-v2", "--bucket", "cli-photos", "--prefix", "uploads/")
			if len(listed.Contents) != 1 || listed.Contents[0].Key != "uploads/t1/a b.jpg" {
				t.Errorf("list-objects-v2: %+v", listed)
			}
			aws.ok(t, nil, "s3api", "delete-object", "--bucket", "cli-photos", "--key", "uploads/t1/a b.jpg")
			if _, errOut, code := aws.run(t, "s3api", "head-object", "--bucket", "cli-photos", "--key", "uploads/t1/a b.jpg"); code == 0 || !strings.Contains(errOut, "404") {
				t.Errorf("head-object after the delete: exit %d %s", code, errOut)
			}

			// The high-level commands.
			aws.ok(t, nil, "s3", "cp", photo, "s3://cli-photos/media/t1/photo 1.jpg")
			down := filepath.Join(dir, "down.jpg")
			aws.ok(t, nil, "s3", "cp", "s3://cli-photos/media/t1/photo 1.jpg", down)
			if b, err := os.ReadFile(down); err != nil || string(b) != content {
				t.Errorf("s3 cp down: %q, %v", b, err)
			}
			ls, errOut, code := aws.run(t, "s3", "ls", "s3://cli-photos/media/t1/")
			if code != 0 || !strings.Contains(ls, "photo 1.jpg") {
				t.Errorf("s3 ls: exit %d %q %s", code, ls, errOut)
			}
			top, _, code := aws.run(t, "s3", "ls", "s3://cli-photos/")
			if code != 0 || !strings.Contains(top, "PRE media/") {
				t.Errorf("s3 ls of the top: exit %d %q", code, top)
			}
			buckets, _, code := aws.run(t, "s3", "ls")
			if code != 0 || !strings.Contains(buckets, "cli-photos") {
				t.Errorf("s3 ls of the buckets: exit %d %q", code, buckets)
			}
			presigned, errOut, code := aws.run(t, "s3", "presign", "s3://cli-photos/media/t1/photo 1.jpg", "--expires-in", "300")
			if code != 0 {
				t.Fatalf("s3 presign: exit %d %s", code, errOut)
			}
			a := s3Do(t, http.MethodGet, strings.TrimSpace(presigned), nil, nil)
			if a.StatusCode != http.StatusOK || a.body != content {
				t.Errorf("GET of the presigned URL %s: %d %s", strings.TrimSpace(presigned), a.StatusCode, a.body)
			}
		})
	}
}
