package objects

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/durable"
)

// keptBucket is a bucket's record (key "s3 b <bucket>").
type keptBucket struct {
	Created   time.Time       `json:"created"`
	Lifecycle []LifecycleRule `json:"lifecycle,omitempty"`
	CORS      []CORSRule      `json:"cors,omitempty"`
}

// keptObject is an object's record (key "s3 o <bucket> <key>").
type keptObject struct {
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"`
	ContentType  string            `json:"contentType"`
	LastModified time.Time         `json:"lastModified"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	File         string            `json:"file"`
}

var (
	bucketsKey = durable.Key("s3", "b", "")
	objectsKey = durable.Key("s3", "o", "")
)

func bucketKey(name string) []byte { return durable.Key("s3", "b", name) }

// bucketObjectsKey is the prefix of a bucket's objects; the trailing empty
// part keeps bucket "abc" from covering bucket "abcd".
func bucketObjectsKey(name string) []byte { return durable.Key("s3", "o", name, "") }

func objectKey(bucketName, key string) []byte { return durable.Key("s3", "o", bucketName, key) }

// writeLocked writes without waiting for the disk, under e.mu so the store
// sees changes in memory's order; the caller then calls sync after
// releasing e.mu (concurrent puts share one flush). A nil store writes
// nothing.
func (e *Engine) writeLocked(fn func(*durable.Batch) error) error {
	if e.store == nil {
		return nil
	}
	if err := e.store.WriteLazy(fn); err != nil {
		return fmt.Errorf("objects: keep the change: %w", err)
	}
	return nil
}

func (e *Engine) sync() error {
	if e.store == nil {
		return nil
	}
	if err := e.store.Sync(); err != nil {
		return fmt.Errorf("objects: keep the change: %w", err)
	}
	return nil
}

func (e *Engine) putBucketLocked(b *bucket) error {
	return e.writeLocked(func(bt *durable.Batch) error {
		return bt.PutJSON(bucketKey(b.name), keptBucket{Created: b.created, Lifecycle: b.lifecycle, CORS: b.cors})
	})
}

func (e *Engine) putObjectLocked(o *object) error {
	return e.writeLocked(func(bt *durable.Batch) error {
		i := o.info
		return bt.PutJSON(objectKey(i.Bucket, i.Key), keptObject{
			Size: i.Size, ETag: i.ETag, ContentType: i.ContentType, LastModified: i.LastModified, Metadata: i.Metadata, File: o.file,
		})
	})
}

// load reads the buckets and objects the store keeps, drops records whose
// body file is gone and removes files no record names.
func (e *Engine) load() error {
	if err := durable.ScanJSON(e.store, bucketsKey, func(k []byte, kb *keptBucket) error {
		name := string(bytes.TrimPrefix(k, bucketsKey))
		e.buckets[name] = &bucket{name: name, created: kb.Created, lifecycle: kb.Lifecycle, cors: kb.CORS, objects: map[string]*object{}}
		return nil
	}); err != nil {
		return err
	}
	named := map[string]bool{}
	var lost [][]byte
	if err := durable.ScanJSON(e.store, objectsKey, func(k []byte, ko *keptObject) error {
		bucketName, key, ok := bytes.Cut(bytes.TrimPrefix(k, objectsKey), []byte{0})
		b, found := e.buckets[string(bucketName)]
		if !ok || !found || ko.File == "" {
			lost = append(lost, bytes.Clone(k))
			return nil
		}
		if _, err := os.Stat(filepath.Join(e.dir, ko.File)); err != nil {
			e.log.Warn("objects: an object's body file is missing; dropping the object",
				"bucket", string(bucketName), "key", string(key), "file", ko.File)
			lost = append(lost, bytes.Clone(k))
			return nil
		}
		named[ko.File] = true
		b.objects[string(key)] = &object{file: ko.File, info: ObjectInfo{
			Bucket: string(bucketName), Key: string(key), Size: ko.Size, ETag: ko.ETag, ContentType: ko.ContentType,
			LastModified: ko.LastModified, Metadata: ko.Metadata,
		}}
		return nil
	}); err != nil {
		return err
	}
	if len(lost) > 0 {
		if err := e.store.Write(func(bt *durable.Batch) error {
			for _, k := range lost {
				bt.Delete(k)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("drop objects without bodies: %w", err)
		}
	}
	entries, err := os.ReadDir(e.dir)
	if err != nil {
		return fmt.Errorf("read %s: %w", e.dir, err)
	}
	var errs []error
	for _, d := range entries {
		name := d.Name()
		if d.IsDir() || named[name] || !(strings.HasSuffix(name, ".obj") || strings.HasSuffix(name, ".tmp")) {
			continue // only our own files: the folder may be shared
		}
		e.log.Info("objects: removing an orphan body file", "file", name)
		if err := os.Remove(filepath.Join(e.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove orphan body files: %w", err)
	}
	return nil
}
