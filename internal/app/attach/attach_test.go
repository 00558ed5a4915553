package attach_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/media"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/testfixtures/photo"
)

// bucket is an object store in memory.
type bucket struct {
	mu      sync.Mutex
	gets    int
	objects map[string][]byte
	types   map[string]string
	posts   []string // "key type max"
}

func newBucket() *bucket { return &bucket{objects: map[string][]byte{}, types: map[string]string{}} }

func (b *bucket) PresignPost(_ context.Context, key, contentType string, maxBytes int64, expires time.Duration) (ports.PresignedPost, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.posts = append(b.posts, fmt.Sprintf("%s %s %d", key, contentType, maxBytes))
	return ports.PresignedPost{URL: "https://s3.example/", Fields: map[string]string{"key": key, "Content-Type": contentType}, ExpiresAt: time.Unix(0, 0).Add(expires)}, nil
}

func (b *bucket) PresignGet(_ context.Context, key string, o ports.LinkOptions) (string, error) {
	return fmt.Sprintf("https://s3.example/%s?signed=%d&expires=%s&name=%s", key, o.SignedAt.Unix(), o.Expires, o.Filename), nil
}

func (b *bucket) Get(_ context.Context, key string, maxBytes int64) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gets++
	data, ok := b.objects[key]
	if !ok {
		return nil, &ports.ObjectMissingError{Key: key}
	}
	if int64(len(data)) > maxBytes {
		return nil, &ports.ObjectTooLargeError{Key: key, Size: int64(len(data)), MaxBytes: maxBytes}
	}
	return bytes.Clone(data), nil
}

func (b *bucket) Put(_ context.Context, key, contentType string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.objects[key], b.types[key] = bytes.Clone(data), contentType
	return nil
}

func (b *bucket) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objects, key)
	return nil
}

func (b *bucket) has(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.objects[key]
	return ok
}

// uploads keeps upload records in memory.
type uploads struct {
	mu sync.Mutex
	m  map[string]ports.Upload
}

func (u *uploads) PutUpload(_ context.Context, up ports.Upload) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.m[up.ID]; ok {
		return errors.New("taken")
	}
	u.m[up.ID] = up
	return nil
}

func (u *uploads) SettleUpload(_ context.Context, up ports.Upload) (ports.Upload, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	stored, ok := u.m[up.ID]
	if !ok {
		return ports.Upload{}, &ports.NotFoundError{Kind: "upload", ID: up.ID}
	}
	if stored.Status != ports.UploadIssued {
		return stored, nil
	}
	u.m[up.ID] = up
	return up, nil
}

func (u *uploads) GetUploads(_ context.Context, ids []string) (map[string]ports.Upload, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := map[string]ports.Upload{}
	for _, id := range ids {
		if up, ok := u.m[id]; ok {
			out[id] = up
		}
	}
	return out, nil
}

type fixture struct {
	svc     *attach.Service
	bucket  *bucket
	uploads *uploads
	now     time.Time
}

func newFixture() *fixture {
	f := &fixture{bucket: newBucket(), uploads: &uploads{m: map[string]ports.Upload{}}, now: time.Date(2026, 12, 1, 2, 3, 0, 0, time.UTC)}
	f.svc = &attach.Service{Objects: f.bucket, Uploads: f.uploads, Now: func() time.Time { return f.now }, Limits: media.DefaultLimits()}
	return f
}

// send issues an upload for owner and puts data where its form sends it.
func (f *fixture) send(t *testing.T, owner string, purpose ticket.Purpose, contentType string, data []byte) string {
	t.Helper()
	size := int64(len(data))
	if data == nil {
		size = 1 << 20 // announced; the client sends it later, or never
	}
	r := attach.Request{ContentType: contentType, Size: size, Purpose: purpose, Name: "照片.jpg"}
	issued, err := f.svc.Issue(context.Background(), r, owner)
	if err != nil {
		t.Fatal(err)
	}
	if data != nil {
		if err := f.bucket.Put(context.Background(), issued.Fields["key"], contentType, data); err != nil {
			t.Fatal(err)
		}
	}
	return issued.UploadID
}

func TestIssueSignsTheAnnouncedFileForItsOwner(t *testing.T) {
	f := newFixture()
	issued, err := f.svc.Issue(context.Background(), attach.Request{ContentType: media.PDF, Size: 4321, Purpose: ticket.PurposeSupplement, TicketID: "261201ABCDEF"}, attach.OwnerTicket("261201ABCDEF"))
	if err != nil {
		t.Fatal(err)
	}
	if !ticket.ValidUploadID(issued.UploadID) {
		t.Errorf("upload id %q", issued.UploadID)
	}
	if want := "uploads/" + issued.UploadID + " application/pdf 4321"; len(f.bucket.posts) != 1 || f.bucket.posts[0] != want {
		t.Errorf("signed %v, want %s", f.bucket.posts, want)
	}
	u := f.uploads.m[issued.UploadID]
	if u.Owner != "ticket:261201ABCDEF" || u.Purpose != ticket.PurposeSupplement || u.Status != ports.UploadIssued || !u.ExpiresAt.Equal(f.now.Add(attach.UseWithin)) {
		t.Errorf("recorded %+v", u)
	}
}

// What staff download of a photo carries no location, no camera serial and
// no other metadata, and comes upright; the file as sent is gone after Forget.
func TestTakeKeepsACleanPhoto(t *testing.T) {
	f := newFixture()
	raw := photo.JPEG(64, 32, 6)
	if !photo.HasGPS(raw) {
		t.Fatal("the fixture carries no GPS")
	}
	id := f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.JPEG, raw)
	atts, err := f.svc.Take(context.Background(), []string{id}, ticket.PurposeTicket, []string{attach.OwnerAnonymous}, ticket.Actor{Role: ticket.ActorCitizen})
	if err != nil {
		t.Fatal(err)
	}
	a := atts[0]
	if a.ID != id || a.ContentType != media.JPEG || a.Width != 32 || a.Height != 64 || !a.Thumbnail || a.Name != "照片.jpg" || a.By != ticket.ActorCitizen || !a.At.Equal(f.now) {
		t.Errorf("attachment %+v", a)
	}
	clean := f.bucket.objects["media/"+id]
	if found := photo.Inspect(clean); found.EXIF || found.GPS || photo.HasEXIF(clean) || bytes.Contains(clean, []byte("SN-")) {
		t.Errorf("the clean copy carries metadata: %+v", found)
	}
	if int64(len(clean)) != a.Size || f.bucket.types["media/"+id] != media.JPEG {
		t.Errorf("clean copy %d bytes (%s), attachment says %d", len(clean), f.bucket.types["media/"+id], a.Size)
	}
	if !f.bucket.has("media/"+id+".thumb.jpg") || !f.bucket.has("uploads/"+id) {
		t.Error("thumbnail missing, or the file as sent removed before the save")
	}
	f.svc.Forget(context.Background(), atts)
	if f.bucket.has("uploads/" + id) {
		t.Error("the file as sent stayed after Forget")
	}
}

func TestTakeRefusesWhatItMayNotAttach(t *testing.T) {
	f := newFixture()
	jpeg := photo.JPEG(16, 16, 1)
	mine := f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.JPEG, jpeg)
	others := f.send(t, attach.OwnerTicket("261201ABCDEF"), ticket.PurposeSupplement, media.JPEG, jpeg)
	forReply := f.send(t, attach.OwnerAnonymous, ticket.PurposeReply, media.JPEG, jpeg)
	notSent := f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.JPEG, nil)
	zip := f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.JPEG, photo.Zip())
	var script string
	for _, pdf := range photo.ActivePDFs() {
		script = f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.PDF, pdf)
		break
	}
	old := f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.JPEG, jpeg)
	u := f.uploads.m[old]
	u.ExpiresAt = f.now
	f.uploads.m[old] = u

	for _, c := range []struct {
		name, id, reason string
	}{
		{"never issued", strings.Repeat("a", 32), attach.ReasonUnknown},
		{"someone else's", others, attach.ReasonUnknown},
		{"for a reply", forReply, attach.ReasonWrongPlace},
		{"not sent", notSent, attach.ReasonNotSent},
		{"expired", old, attach.ReasonExpired},
		{"a zip called a photo", zip, string(media.UnsupportedType)},
		{"a PDF with a script", script, string(media.PDFActiveContent)},
	} {
		_, err := f.svc.Take(context.Background(), []string{mine, c.id}, ticket.PurposeTicket, []string{attach.OwnerAnonymous}, ticket.Actor{Role: ticket.ActorCitizen})
		var rejected *attach.RejectedError
		if !errors.As(err, &rejected) || rejected.Index != 1 || rejected.Reason != c.reason {
			t.Errorf("%s: %v, want reason %s at index 1", c.name, err, c.reason)
			continue
		}
		if p := rejected.ClientError(); p.Status != 400 || p.Code != "attachment_rejected" || p.Fields["attachments[1]"] != c.reason {
			t.Errorf("%s: answered %+v", c.name, p)
		}
	}
	for _, id := range []string{zip, script} {
		if f.bucket.has("uploads/"+id) || f.bucket.has("media/"+id) {
			t.Errorf("a refused file (%s) was kept", id)
		}
	}
}

func TestLinksHoldWithinTheirWindow(t *testing.T) {
	f := newFixture()
	atts := []ticket.Attachment{
		{ID: strings.Repeat("1", 32), ContentType: media.JPEG, Thumbnail: true, By: ticket.ActorCitizen},
		{ID: strings.Repeat("2", 32), ContentType: media.PDF, Name: "发票.pdf", By: ticket.ActorDepartment},
	}
	first, err := f.svc.Links(context.Background(), atts)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	again, _ := f.svc.Links(context.Background(), atts)
	f.now = f.now.Add(attach.LinkWindow)
	later, _ := f.svc.Links(context.Background(), atts)
	if first[0].URL != again[0].URL || first[0].URL == later[0].URL {
		t.Errorf("links %q, a minute later %q, a window later %q", first[0].URL, again[0].URL, later[0].URL)
	}
	if first[0].ThumbnailURL == "" || first[1].ThumbnailURL != "" || !strings.Contains(first[1].URL, "name=发票.pdf") || strings.Contains(first[0].URL, "name=照片") {
		t.Errorf("links %+v", first)
	}
	if left := first[0].ExpiresAt.Sub(f.now.Add(-time.Minute - attach.LinkWindow)); left < attach.LinkLife-attach.LinkWindow {
		t.Errorf("a link lives %s from its view", left)
	}
}

// Check cleans an upload once, as soon as it is sent; the body that attaches
// it later takes the outcome without cleaning it again.
func TestCheckCleansOnceAndTakeUsesIt(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	id := f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.PNG, photo.PNG(40, 20, 1))
	link, err := f.svc.Check(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if link.ID != id || link.ContentType != media.PNG || link.Width != 40 || link.ThumbnailURL == "" || !strings.Contains(link.URL, "media/"+id) {
		t.Errorf("preview %+v", link)
	}
	again, err := f.svc.Check(ctx, id)
	if err != nil || again.URL != link.URL || f.bucket.gets != 1 {
		t.Errorf("second check: %+v, %v; %d reads of the file", again, err, f.bucket.gets)
	}
	atts, err := f.svc.Take(ctx, []string{id}, ticket.PurposeTicket, []string{attach.OwnerAnonymous}, ticket.Actor{Role: ticket.ActorCitizen})
	if err != nil || len(atts) != 1 || atts[0].ContentType != media.PNG || atts[0].Width != 40 || f.bucket.gets != 1 {
		t.Errorf("take after check: %+v, %v; %d reads", atts, err, f.bucket.gets)
	}

	bad := f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.PDF, photo.EncryptedPDF())
	for range 2 {
		_, err := f.svc.Check(ctx, bad)
		var rejected *attach.RejectedError
		if !errors.As(err, &rejected) || rejected.Reason != string(media.PDFEncrypted) {
			t.Errorf("encrypted PDF: %v", err)
		}
	}
	if f.bucket.gets != 2 || f.bucket.has("uploads/"+bad) {
		t.Errorf("%d reads; refused file kept: %v", f.bucket.gets, f.bucket.has("uploads/"+bad))
	}
	_, err = f.svc.Take(ctx, []string{bad}, ticket.PurposeTicket, []string{attach.OwnerAnonymous}, ticket.Actor{Role: ticket.ActorCitizen})
	var rejected *attach.RejectedError
	if !errors.As(err, &rejected) || rejected.Reason != string(media.PDFEncrypted) {
		t.Errorf("taking a refused upload: %v", err)
	}
	notSent := f.send(t, attach.OwnerAnonymous, ticket.PurposeTicket, media.JPEG, nil)
	if _, err := f.svc.Check(ctx, notSent); !errors.As(err, &rejected) || rejected.Reason != attach.ReasonNotSent {
		t.Errorf("not sent: %v", err)
	}
	if err := f.bucket.Put(ctx, "uploads/"+notSent, media.JPEG, photo.JPEG(8, 8, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Check(ctx, notSent); err != nil {
		t.Errorf("sent after a first check: %v", err)
	}
	var missing *ports.NotFoundError
	if _, err := f.svc.Check(ctx, strings.Repeat("e", 32)); !errors.As(err, &missing) {
		t.Errorf("unknown upload: %v", err)
	}
}
