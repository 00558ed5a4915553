// Package objects is local mode's object store behind the edge's S3
// emulation: buckets, objects (bytes, Content-Type, ETag, user metadata),
// bucket lifecycle expiry and CORS rules. It knows nothing of HTTP; the edge
// speaks S3's protocol over it.
//
// It is its own package rather than files in the edge because its state is
// not a service's request handling but a store with its own disk layout
// (bodies in files beside the durable store's metadata) and its own
// tests; the edge's files stay about the wire.
//
// Without a durable.Store everything is in memory. With one, metadata is
// kept in the store under these keys (durable.Key parts):
//
//	s3 b <bucket>        a bucket: created, lifecycle rules, CORS rules (keptBucket)
//	s3 o <bucket> <key>  an object's metadata and its body's file name (keptObject)
//
// and bodies in files in Options.Dir, one per object version, named by a
// random id (keys may hold any character, so they cannot name files). A put
// writes the body to a temporary file, fsyncs it and renames it into place
// before the metadata naming it is written; the file it replaces is removed
// only once the new metadata is on disk. Open removes files no metadata
// names (a put that crashed between the two, a replaced body whose removal
// was lost) and metadata whose file is missing.
package objects

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/durable"
)

// DefaultMaxObjectBytes caps an object's size when Options.MaxObjectBytes
// is zero.
const DefaultMaxObjectBytes = 64 << 20

// Errors the engine answers; the edge maps them to S3's codes.
var (
	ErrNoSuchBucket        = errors.New("the specified bucket does not exist")
	ErrBucketExists        = errors.New("the bucket already exists and is owned by you")
	ErrBucketNotEmpty      = errors.New("the bucket is not empty")
	ErrNoSuchKey           = errors.New("the specified key does not exist")
	ErrTooLarge            = errors.New("the object exceeds the maximum allowed size")
	ErrNoSuchLifecycle     = errors.New("the lifecycle configuration does not exist")
	ErrNoSuchCORS          = errors.New("the CORS configuration does not exist")
	ErrInvalidBucketName   = errors.New("the specified bucket is not valid")
	ErrInvalidKey          = errors.New("the key is empty, too long or holds a NUL")
	ErrClosed              = errors.New("the object store is closed")
	errStagedAlreadyClosed = errors.New("the staged body was already committed or discarded")
)

// Options configure an Engine.
type Options struct {
	// Store keeps metadata across restarts; nil keeps everything in memory.
	// Whoever opens it closes it, after closing the engine.
	Store *durable.Store
	// Dir holds object bodies; required with Store, ignored without.
	Dir string
	// Now is the engine's clock (last-modified times, lifecycle expiry);
	// default time.Now.
	Now func() time.Time
	// MaxObjectBytes caps a body; default DefaultMaxObjectBytes.
	MaxObjectBytes int64
	// Logger notes what Open cleans up and failed removals; default discards.
	Logger *slog.Logger
}

// ObjectInfo describes an object (never its body).
type ObjectInfo struct {
	Bucket       string            `json:"bucket"`
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"` // quoted MD5 hex, as S3 sends it
	ContentType  string            `json:"contentType"`
	LastModified time.Time         `json:"lastModified"`
	Metadata     map[string]string `json:"metadata,omitempty"` // x-amz-meta-* without the prefix, lower case
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// LifecycleRule expires objects under Prefix Days after their creation.
type LifecycleRule struct {
	ID      string `json:"id,omitempty"`
	Prefix  string `json:"prefix"`
	Enabled bool   `json:"enabled"`
	Days    int    `json:"days"`
}

// CORSRule is one of a bucket's CORS rules, as S3 holds them.
type CORSRule struct {
	ID             string   `json:"id,omitempty"`
	AllowedOrigins []string `json:"allowedOrigins"`
	AllowedMethods []string `json:"allowedMethods"`
	AllowedHeaders []string `json:"allowedHeaders,omitempty"`
	ExposeHeaders  []string `json:"exposeHeaders,omitempty"`
	MaxAgeSeconds  int      `json:"maxAgeSeconds,omitempty"`
}

type object struct {
	info ObjectInfo
	body []byte // in memory
	file string // on disk: the body's file name in dir
}

type bucket struct {
	name      string
	created   time.Time
	lifecycle []LifecycleRule
	cors      []CORSRule
	objects   map[string]*object
}

// Engine is the object store. It is safe for concurrent use.
type Engine struct {
	store   *durable.Store
	dir     string
	now     func() time.Time
	maxSize int64
	log     *slog.Logger

	// life is held shared by each change and exclusively by Close, so no
	// change reaches a store its owner closes after closing the engine.
	life   sync.RWMutex
	closed bool

	mu      sync.Mutex
	buckets map[string]*bucket
}

// Open builds an engine with what opts.Store and opts.Dir keep.
func Open(opts Options) (*Engine, error) {
	e := &Engine{
		store: opts.Store, dir: opts.Dir, now: opts.Now, maxSize: opts.MaxObjectBytes, log: opts.Logger,
		buckets: map[string]*bucket{},
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxSize <= 0 {
		e.maxSize = DefaultMaxObjectBytes
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.store == nil {
		return e, nil
	}
	if e.dir == "" {
		return nil, errors.New("objects: a store needs a directory for object bodies")
	}
	if err := os.MkdirAll(e.dir, 0o700); err != nil {
		return nil, fmt.Errorf("objects: create %s: %w", e.dir, err)
	}
	if err := e.load(); err != nil {
		return nil, fmt.Errorf("objects: load: %w", err)
	}
	return e, nil
}

// Close stops changes, waiting for those under way. Safe to call twice.
func (e *Engine) Close() error {
	e.life.Lock()
	defer e.life.Unlock()
	e.closed = true
	return nil
}

// MaxObjectBytes is the size cap of a body.
func (e *Engine) MaxObjectBytes() int64 { return e.maxSize }

// change runs fn while the engine is open; fn holds no lock of e.mu yet.
func (e *Engine) change(fn func() error) error {
	e.life.RLock()
	defer e.life.RUnlock()
	if e.closed {
		return ErrClosed
	}
	return fn()
}

// ValidBucketName reports whether name follows S3's bucket naming rules
// (3–63 characters of lower-case letters, digits, dots and hyphens, starting
// and ending with a letter or digit, not an IP address).
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return false
			}
		default:
			return false
		}
	}
	if strings.Contains(name, "..") {
		return false
	}
	dots := strings.Count(name, ".")
	if dots == 3 && strings.Trim(name, "0123456789.") == "" {
		return false // looks like an IP address
	}
	return true
}

func validKey(key string) bool {
	return key != "" && len(key) <= 1024 && !strings.ContainsRune(key, 0)
}

// Buckets

// CreateBucket makes a bucket; ErrBucketExists if it is there.
func (e *Engine) CreateBucket(name string) error {
	if !ValidBucketName(name) {
		return ErrInvalidBucketName
	}
	return e.change(func() error {
		e.mu.Lock()
		if _, ok := e.buckets[name]; ok {
			e.mu.Unlock()
			return ErrBucketExists
		}
		b := &bucket{name: name, created: e.now().UTC(), objects: map[string]*object{}}
		if err := e.putBucketLocked(b); err != nil {
			e.mu.Unlock()
			return err
		}
		e.buckets[name] = b
		e.mu.Unlock()
		return e.sync()
	})
}

// HeadBucket reports whether the bucket exists (ErrNoSuchBucket if not).
func (e *Engine) HeadBucket(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.buckets[name]; !ok {
		return ErrNoSuchBucket
	}
	return nil
}

// DeleteBucket removes an empty bucket.
func (e *Engine) DeleteBucket(name string) error {
	return e.change(func() error {
		e.mu.Lock()
		b, ok := e.buckets[name]
		switch {
		case !ok:
			e.mu.Unlock()
			return ErrNoSuchBucket
		case len(b.objects) > 0:
			e.mu.Unlock()
			return ErrBucketNotEmpty
		}
		if err := e.writeLocked(func(bt *durable.Batch) error {
			bt.Delete(bucketKey(name))
			bt.DeletePrefix(bucketObjectsKey(name))
			return nil
		}); err != nil {
			e.mu.Unlock()
			return err
		}
		delete(e.buckets, name)
		e.mu.Unlock()
		return e.sync()
	})
}

// Buckets lists the buckets by name.
func (e *Engine) Buckets() []BucketInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]BucketInfo, 0, len(e.buckets))
	for _, b := range e.buckets {
		out = append(out, BucketInfo{Name: b.name, Created: b.created})
	}
	slices.SortFunc(out, func(a, b BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// SetLifecycle replaces the bucket's lifecycle rules (nil removes them).
func (e *Engine) SetLifecycle(name string, rules []LifecycleRule) error {
	return e.setBucket(name, func(b *bucket) { b.lifecycle = slices.Clone(rules) })
}

// Lifecycle returns the bucket's lifecycle rules, ErrNoSuchLifecycle if none.
func (e *Engine) Lifecycle(name string) ([]LifecycleRule, error) {
	return bucketRules(e, name, func(b *bucket) []LifecycleRule { return b.lifecycle }, ErrNoSuchLifecycle)
}

// SetCORS replaces the bucket's CORS rules (nil removes them).
func (e *Engine) SetCORS(name string, rules []CORSRule) error {
	return e.setBucket(name, func(b *bucket) { b.cors = slices.Clone(rules) })
}

// CORS returns the bucket's CORS rules, ErrNoSuchCORS if none.
func (e *Engine) CORS(name string) ([]CORSRule, error) {
	return bucketRules(e, name, func(b *bucket) []CORSRule { return b.cors }, ErrNoSuchCORS)
}

// bucketRules returns a copy of one kind of a bucket's rules, none when it
// has none.
func bucketRules[T any](e *Engine, name string, rules func(*bucket) []T, none error) ([]T, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b, ok := e.buckets[name]
	switch {
	case !ok:
		return nil, ErrNoSuchBucket
	case len(rules(b)) == 0:
		return nil, none
	}
	return slices.Clone(rules(b)), nil
}

// setBucket changes a bucket's configuration; a failed write changes nothing.
func (e *Engine) setBucket(name string, fn func(*bucket)) error {
	return e.change(func() error {
		e.mu.Lock()
		b, ok := e.buckets[name]
		if !ok {
			e.mu.Unlock()
			return ErrNoSuchBucket
		}
		changed := *b
		fn(&changed)
		if err := e.putBucketLocked(&changed); err != nil {
			e.mu.Unlock()
			return err
		}
		b.lifecycle, b.cors = changed.lifecycle, changed.cors
		e.mu.Unlock()
		return e.sync()
	})
}

// Objects

// Meta is what a put stores beside the body.
type Meta struct {
	ContentType string
	Metadata    map[string]string
}

// Staged is a body read in full and not yet an object: the caller checks
// its size (a POST policy's content-length-range) before Commit, or
// Discards it. Exactly one of them must be called.
type Staged struct {
	e    *Engine
	size int64
	md5  []byte
	body []byte // in memory
	tmp  string // on disk: a temporary file in dir
	done bool
}

// Size is the body's length.
func (s *Staged) Size() int64 { return s.size }

// ETag is the body's quoted MD5 hex.
func (s *Staged) ETag() string { return `"` + hex.EncodeToString(s.md5) + `"` }

// MD5 is the body's MD5 digest.
func (s *Staged) MD5() []byte { return slices.Clone(s.md5) }

// Stage reads body up to limit bytes (the engine's cap when limit < 0 or
// above it). A longer body is ErrTooLarge, with nothing kept, and the
// reader left after limit+1 bytes.
func (e *Engine) Stage(body io.Reader, limit int64) (*Staged, error) {
	if limit < 0 || limit > e.maxSize {
		limit = e.maxSize
	}
	h := md5.New()
	lr := &io.LimitedReader{R: io.TeeReader(body, h), N: limit + 1}
	s := &Staged{e: e}
	if e.store == nil {
		b, err := io.ReadAll(lr)
		if err != nil {
			return nil, fmt.Errorf("objects: read the body: %w", err)
		}
		if int64(len(b)) > limit {
			return nil, ErrTooLarge
		}
		s.body, s.size, s.md5 = b, int64(len(b)), h.Sum(nil)
		return s, nil
	}
	f, err := os.CreateTemp(e.dir, "put-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("objects: stage the body: %w", err)
	}
	s.tmp = f.Name()
	n, err := io.Copy(f, lr)
	if err == nil && n > limit {
		err = ErrTooLarge
	}
	if err == nil {
		err = f.Sync() // the rename that follows must not outrun the bytes
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(s.tmp)
		if errors.Is(err, ErrTooLarge) {
			return nil, ErrTooLarge
		}
		return nil, fmt.Errorf("objects: stage the body: %w", err)
	}
	s.size, s.md5 = n, h.Sum(nil)
	return s, nil
}

// Discard drops a staged body.
func (s *Staged) Discard() {
	if s == nil || s.done {
		return
	}
	s.done = true
	if s.tmp != "" {
		_ = os.Remove(s.tmp)
	}
}

// Commit makes the staged body the object bucket/key (replacing any) and
// returns it; it discards the body when it fails.
func (s *Staged) Commit(bucketName, key string, meta Meta) (ObjectInfo, error) {
	if s.done {
		return ObjectInfo{}, errStagedAlreadyClosed
	}
	defer s.Discard()
	e := s.e
	if !validKey(key) {
		return ObjectInfo{}, ErrInvalidKey
	}
	var info ObjectInfo
	err := e.change(func() error {
		e.mu.Lock()
		if _, ok := e.buckets[bucketName]; !ok {
			e.mu.Unlock()
			return ErrNoSuchBucket
		}
		e.mu.Unlock()
		o := &object{body: s.body}
		if s.tmp != "" {
			// Renamed outside the lock: the file is nobody's until the
			// metadata names it, and Open removes it if that never happens.
			o.file = newFileName()
			if err := os.Rename(s.tmp, filepath.Join(e.dir, o.file)); err != nil {
				return fmt.Errorf("objects: keep the body: %w", err)
			}
			s.tmp = ""
			if err := syncDir(e.dir); err != nil {
				_ = os.Remove(filepath.Join(e.dir, o.file))
				return err
			}
		}
		ct := meta.ContentType
		if ct == "" {
			ct = "binary/octet-stream" // S3's default
		}
		o.info = ObjectInfo{
			Bucket: bucketName, Key: key, Size: s.size, ETag: s.ETag(), ContentType: ct,
			LastModified: e.now().UTC().Truncate(time.Millisecond), Metadata: maps.Clone(meta.Metadata),
		}
		e.mu.Lock()
		b, ok := e.buckets[bucketName]
		if !ok { // deleted meanwhile
			e.mu.Unlock()
			e.removeFile(o.file)
			return ErrNoSuchBucket
		}
		if err := e.putObjectLocked(o); err != nil {
			e.mu.Unlock()
			e.removeFile(o.file)
			return err
		}
		old := b.objects[key]
		b.objects[key] = o
		e.mu.Unlock()
		info = cloneInfo(o.info)
		if err := e.sync(); err != nil {
			return err // the old body stays: the disk may still name it
		}
		if old != nil {
			e.removeFile(old.file)
		}
		return nil
	})
	return info, err
}

// Put stages body and commits it: PutObject.
func (e *Engine) Put(bucketName, key string, body io.Reader, meta Meta) (ObjectInfo, error) {
	if err := e.HeadBucket(bucketName); err != nil {
		return ObjectInfo{}, err
	}
	s, err := e.Stage(body, -1)
	if err != nil {
		return ObjectInfo{}, err
	}
	return s.Commit(bucketName, key, meta)
}

// Head returns an object's description.
func (e *Engine) Head(bucketName, key string) (ObjectInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, err := e.objectLocked(bucketName, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	return cloneInfo(o.info), nil
}

// Get returns an object and its body, which the caller closes.
func (e *Engine) Get(bucketName, key string) (ObjectInfo, io.ReadCloser, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, err := e.objectLocked(bucketName, key)
	if err != nil {
		return ObjectInfo{}, nil, err
	}
	if o.file == "" {
		return cloneInfo(o.info), io.NopCloser(bytes.NewReader(o.body)), nil
	}
	// Opened under the lock: a replaced body's file is removed only after
	// the lock is released, and an open file stays readable once removed.
	f, err := os.Open(filepath.Join(e.dir, o.file))
	if err != nil {
		return ObjectInfo{}, nil, fmt.Errorf("objects: open the body of %s/%s: %w", bucketName, key, err)
	}
	return cloneInfo(o.info), f, nil
}

func (e *Engine) objectLocked(bucketName, key string) (*object, error) {
	b, ok := e.buckets[bucketName]
	if !ok {
		return nil, ErrNoSuchBucket
	}
	o, ok := b.objects[key]
	if !ok {
		return nil, ErrNoSuchKey
	}
	return o, nil
}

// Delete removes an object; deleting one that is not there is no error
// (S3 answers 204 either way).
func (e *Engine) Delete(bucketName, key string) error {
	return e.change(func() error {
		e.mu.Lock()
		b, ok := e.buckets[bucketName]
		if !ok {
			e.mu.Unlock()
			return ErrNoSuchBucket
		}
		o, ok := b.objects[key]
		if !ok {
			e.mu.Unlock()
			return nil
		}
		if err := e.writeLocked(func(bt *durable.Batch) error {
			bt.Delete(objectKey(bucketName, key))
			return nil
		}); err != nil {
			e.mu.Unlock()
			return err
		}
		delete(b.objects, key)
		e.mu.Unlock()
		if err := e.sync(); err != nil {
			return err
		}
		e.removeFile(o.file)
		return nil
	})
}

// ListPage is one page of a listing.
type ListPage struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	// Truncated says more follow; NextAfter is the last key or common
	// prefix this page covers, to list after.
	Truncated bool
	NextAfter string
}

// List returns up to max objects and common prefixes of the bucket whose
// keys start with prefix and sort after after, rolling keys with delimiter
// after the prefix up into common prefixes (ListObjectsV2's semantics).
func (e *Engine) List(bucketName, prefix, delimiter, after string, max int) (ListPage, error) {
	e.mu.Lock()
	b, ok := e.buckets[bucketName]
	if !ok {
		e.mu.Unlock()
		return ListPage{}, ErrNoSuchBucket
	}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var page ListPage
	var last string
	for _, k := range keys {
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				cp := k[:len(prefix)+i+len(delimiter)]
				if cp == last || (after != "" && strings.HasPrefix(after, cp)) {
					continue // rolled up already, here or on an earlier page
				}
				if len(page.Objects)+len(page.CommonPrefixes) == max {
					page.Truncated = true
					break
				}
				page.CommonPrefixes = append(page.CommonPrefixes, cp)
				last = cp
				continue
			}
		}
		if len(page.Objects)+len(page.CommonPrefixes) == max {
			page.Truncated = true
			break
		}
		page.Objects = append(page.Objects, cloneInfo(b.objects[k].info))
		last = k
	}
	e.mu.Unlock()
	if page.Truncated {
		page.NextAfter = last
	}
	return page, nil
}

// Snapshot describes every bucket and object (no bodies), for the edge's
// retrospection page.
type Snapshot struct {
	Name      string          `json:"name"`
	Created   time.Time       `json:"created"`
	Lifecycle []LifecycleRule `json:"lifecycle,omitempty"`
	CORS      []CORSRule      `json:"cors,omitempty"`
	Objects   []ObjectInfo    `json:"objects"`
}

// Snapshot lists every bucket with its objects, by name and key.
func (e *Engine) Snapshot() []Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Snapshot, 0, len(e.buckets))
	for _, b := range e.buckets {
		s := Snapshot{Name: b.name, Created: b.created, Lifecycle: slices.Clone(b.lifecycle), CORS: slices.Clone(b.cors), Objects: []ObjectInfo{}}
		for _, o := range b.objects {
			s.Objects = append(s.Objects, cloneInfo(o.info))
		}
		slices.SortFunc(s.Objects, func(a, b ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Snapshot) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lifecycle expiry

// ExpiresAt is when a lifecycle rule of days expires an object created at
// created: S3 adds the days to the creation time and rounds up to the next
// midnight UTC.
func ExpiresAt(created time.Time, days int) time.Time {
	day := created.UTC().Truncate(24 * time.Hour)
	return day.AddDate(0, 0, days+1)
}

// Sweep deletes the objects enabled lifecycle rules expire at now and
// returns how many. S3 does this asynchronously some time after the
// expiry; the edge calls it every few minutes, tests call it directly.
func (e *Engine) Sweep(now time.Time) (int, error) {
	var n int
	err := e.change(func() error {
		e.mu.Lock()
		var files []string
		var keys [][]byte
		type gone struct {
			b   *bucket
			key string
		}
		var expired []gone
		for _, b := range e.buckets {
			for _, r := range b.lifecycle {
				if !r.Enabled || r.Days <= 0 {
					continue
				}
				for k, o := range b.objects {
					if strings.HasPrefix(k, r.Prefix) && !now.Before(ExpiresAt(o.info.LastModified, r.Days)) {
						expired = append(expired, gone{b, k})
						keys = append(keys, objectKey(b.name, k))
						files = append(files, o.file)
					}
				}
			}
		}
		if len(expired) == 0 {
			e.mu.Unlock()
			return nil
		}
		// Lazily: an expiry lost in a crash is redone by the next sweep.
		err := e.writeLocked(func(bt *durable.Batch) error {
			for _, k := range keys {
				bt.Delete(k)
			}
			return nil
		})
		if err != nil {
			e.mu.Unlock()
			return err
		}
		for _, g := range expired {
			if _, ok := g.b.objects[g.key]; ok {
				delete(g.b.objects, g.key)
				n++
			}
		}
		e.mu.Unlock()
		if err := e.sync(); err != nil {
			return err
		}
		for _, f := range files {
			e.removeFile(f)
		}
		return nil
	})
	return n, err
}

func cloneInfo(i ObjectInfo) ObjectInfo {
	i.Metadata = maps.Clone(i.Metadata)
	return i
}

func newFileName() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + ".obj"
}

func (e *Engine) removeFile(name string) {
	if name == "" {
		return
	}
	if err := os.Remove(filepath.Join(e.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		// Open removes it as an orphan next time.
		e.log.Warn("objects: could not remove a body file", "file", name, "error", err.Error())
	}
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("objects: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("objects: sync %s: %w", dir, err)
	}
	return nil
}
