// Package attach is how photos and documents get onto tickets (API.md v1.1,
// "Attachments"). A client asks for an upload (Issue) and sends the file
// straight to the object store with the presigned form it gets; S3 itself
// refuses another type or size. A ticket, supplement or reply then names
// the upload: Take reads the file, checks it by content and cleans it
// (package media: photos re-encoded without location or camera metadata,
// PDFs with active content refused) and writes the clean copy where only
// short-lived links (Links) reach it. Until then nobody but the uploader
// has seen the file.
//
// The object store holds, per upload id:
//
//	uploads/<id>             the file as sent; lifecycle removes it after a day
//	media/<id>               the clean copy
//	media/<id>.thumb.jpg     a thumbnail of a photo
package attach

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/media"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Objects is the object store (S3).
type Objects interface {
	PresignPost(ctx context.Context, key, contentType string, maxBytes int64, expires time.Duration) (ports.PresignedPost, error)
	PresignGet(ctx context.Context, key string, o ports.LinkOptions) (string, error)
	// Get reads a whole object of at most maxBytes: *ports.ObjectMissingError
	// when absent, *ports.ObjectTooLargeError when larger.
	Get(ctx context.Context, key string, maxBytes int64) ([]byte, error)
	Put(ctx context.Context, key, contentType string, data []byte) error
	Delete(ctx context.Context, key string) error
}

// Uploads keeps the uploads handed out; the ticket store marks one used in
// the save that attaches it.
type Uploads interface {
	PutUpload(ctx context.Context, u ports.Upload) error
	GetUploads(ctx context.Context, ids []string) (map[string]ports.Upload, error)
	// SettleUpload records an issued upload's check (ready or rejected)
	// and answers the upload as stored: another check may have been first.
	SettleUpload(ctx context.Context, u ports.Upload) (ports.Upload, error)
}

// Service issues uploads and turns them into attachments.
type Service struct {
	Objects Objects
	Uploads Uploads
	// Now is wall-clock time: a form's and a link's life is lived by people.
	Now    func() time.Time
	Random io.Reader // default crypto/rand
	Limits media.Limits
	Log    *slog.Logger
}

// How long a form and a link live. A phone on a slow network sends 20 MB
// in minutes; a link is minted per view, in windows so a view's ETag holds.
const (
	FormLife   = 15 * time.Minute
	LinkWindow = 5 * time.Minute
	LinkLife   = 15 * time.Minute
)

// Keys of an upload's objects.
func rawKey(id string) string   { return "uploads/" + id }
func cleanKey(id string) string { return "media/" + id }
func thumbKey(id string) string { return "media/" + id + ".thumb.jpg" }

// Owners of uploads: who may attach one.
const OwnerAnonymous = "anonymous"

// OwnerVerification owns uploads a citizen made with a verified contact.
func OwnerVerification(id string) string { return "verification:" + id }

// OwnerTicket owns uploads made with a ticket's access code.
func OwnerTicket(id string) string { return "ticket:" + id }

// OwnerStaff owns uploads a staff member made; a department's users share
// theirs (OwnerDepartment).
func OwnerStaff(subject string) string { return "staff:" + subject }

// OwnerDepartment owns uploads a department's user made.
func OwnerDepartment(id string) string { return "department:" + id }

// Issued is the answer to POST /v1/uploads.
type Issued struct {
	UploadID  string            `json:"uploadId"`
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// Issue hands out a presigned upload of the announced file for owner.
func (s *Service) Issue(ctx context.Context, r Request, owner string) (Issued, error) {
	id, err := s.newID()
	if err != nil {
		return Issued{}, err
	}
	now := s.Now()
	post, err := s.Objects.PresignPost(ctx, rawKey(id), r.ContentType, r.Size, FormLife)
	if err != nil {
		return Issued{}, err
	}
	u := ports.Upload{ID: id, Purpose: r.Purpose, Owner: owner, ContentType: r.ContentType, MaxBytes: r.Size,
		Name: r.Name, ExpiresAt: now.Add(UseWithin), Status: ports.UploadIssued}
	if err := s.Uploads.PutUpload(ctx, u); err != nil {
		return Issued{}, err
	}
	return Issued{UploadID: id, URL: post.URL, Fields: post.Fields, ExpiresAt: ticket.Stamp(post.ExpiresAt)}, nil
}

// UseWithin is how long after it is issued an upload may be attached: the
// form's life and time to finish writing the ticket. The raw file is
// removed by the bucket's lifecycle a day after.
const UseWithin = 2 * time.Hour

func (s *Service) newID() (string, error) {
	r := s.Random
	if r == nil {
		r = rand.Reader
	}
	var b [ticket.UploadIDLen / 2]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("attach: new upload id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// RejectedError says an attached upload cannot be taken: the file is not
// there, not the caller's, or not acceptable. Reason is a code for
// clients; Message says it to a person. Nothing was stored.
type RejectedError struct {
	Index    int
	UploadID string
	Reason   string
	Message  string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("attachments[%d]: %s", e.Index, e.Message)
}

// Reasons an upload is refused besides media's.
const (
	ReasonUnknown    = "unknown_upload"
	ReasonExpired    = "upload_expired"
	ReasonNotSent    = "upload_missing"
	ReasonUsed       = "upload_used"
	ReasonWrongPlace = "wrong_purpose"
)

// reasonMessages say attach's own reasons to a person.
var reasonMessages = map[string]string{
	ReasonUnknown: "no such upload of yours; upload the file with POST /v1/uploads first",
	ReasonExpired: "this upload expired; upload the file again",
	ReasonNotSent: "the file was not uploaded; send it to the upload's url first",
	ReasonUsed:    "this upload is already attached",
}

// refused is the refusal of upload id for one of attach's own reasons.
func refused(id, reason string) *RejectedError {
	return &RejectedError{UploadID: id, Reason: reason, Message: reasonMessages[reason]}
}

// settledRefusal is the refusal a rejected upload was settled with.
func settledRefusal(u ports.Upload) *RejectedError {
	return &RejectedError{UploadID: u.ID, Reason: u.Reason, Message: u.Message}
}

// Take checks the uploads ids that a body of purpose attaches, for a caller
// who may attach uploads of any of owners, and cleans each not checked yet:
// the answer is the attachments to save with the body (the store marks each
// upload used in that save). Any refusal is a *RejectedError and nothing is
// attached; a nil Service (no bucket) refuses any file. After the save,
// call Forget.
func (s *Service) Take(ctx context.Context, ids []string, purpose ticket.Purpose, owners []string, by ticket.Actor) ([]ticket.Attachment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if s == nil {
		return nil, httpapi.BadRequest("this hotline takes no files", map[string]string{"attachments": "not accepted here"})
	}
	if err := ticket.CheckAttachmentIDs(ids); err != nil {
		return nil, err
	}
	ups, err := s.Uploads.GetUploads(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	for i, id := range ids {
		u, ok := ups[id]
		switch {
		case !ok || !ownedBy(u.Owner, owners):
			// Someone else's upload reads like one that does not exist.
			return nil, indexed(refused(id, ReasonUnknown), i)
		case u.Status == ports.UploadUsed:
			return nil, indexed(refused(id, ReasonUsed), i)
		case u.Status == ports.UploadRejected:
			return nil, indexed(settledRefusal(u), i)
		case !now.Before(u.ExpiresAt):
			return nil, indexed(refused(id, ReasonExpired), i)
		case u.Purpose != purpose:
			return nil, &RejectedError{Index: i, UploadID: id, Reason: ReasonWrongPlace, Message: fmt.Sprintf("this upload is for a %s, not a %s", u.Purpose, purpose)}
		}
	}
	atts := make([]ticket.Attachment, 0, len(ids))
	for i, id := range ids {
		u := ups[id]
		if u.Status == ports.UploadIssued {
			// Not checked yet (a client that did not call Check): clean it now.
			if u, err = s.clean(ctx, u); err != nil {
				return nil, indexed(err, i)
			}
		}
		atts = append(atts, attachment(u, by, now))
	}
	return atts, nil
}

// Check cleans an upload as soon as it is sent, so the uploader sees the
// verdict, and the clean copy, before the body that attaches it goes: a
// photo takes seconds to clean (a HEIC more), which nine at once in one
// request would not have. An upload is cleaned once; checking it again
// answers the same. Knowing the id is the right to check it: ids are
// unguessable, and only the uploader sees the clean copy before it is
// attached.
func (s *Service) Check(ctx context.Context, id string) (Link, error) {
	if !ticket.ValidUploadID(id) {
		return Link{}, &ports.NotFoundError{Kind: "upload", ID: id}
	}
	ups, err := s.Uploads.GetUploads(ctx, []string{id})
	if err != nil {
		return Link{}, err
	}
	u, ok := ups[id]
	if !ok || u.Status == ports.UploadUsed {
		// An attached file is the ticket's: its views show it.
		return Link{}, &ports.NotFoundError{Kind: "upload", ID: id}
	}
	if u.Status == ports.UploadIssued {
		if !s.Now().Before(u.ExpiresAt) {
			return Link{}, refused(id, ReasonExpired)
		}
		if u, err = s.clean(ctx, u); err != nil {
			return Link{}, err
		}
	}
	if u.Status == ports.UploadRejected {
		return Link{}, settledRefusal(u)
	}
	links, err := s.Links(ctx, []ticket.Attachment{attachment(u, ticket.Actor{}, u.ExpiresAt.Add(-UseWithin))})
	if err != nil {
		return Link{}, err
	}
	return links[0], nil
}

// indexed places a refusal at index i of the body's attachments.
func indexed(err error, i int) error {
	var r *RejectedError
	if errors.As(err, &r) {
		r.Index = i
	}
	return err
}

func ownedBy(owner string, owners []string) bool {
	for _, o := range owners {
		if o == owner {
			return true
		}
	}
	return false
}

// attachment is a ready upload as its ticket keeps it.
func attachment(u ports.Upload, by ticket.Actor, now time.Time) ticket.Attachment {
	return ticket.Attachment{
		ID: u.ID, ContentType: u.Clean.ContentType, Size: u.Clean.Size, Name: u.Name,
		Width: u.Clean.Width, Height: u.Clean.Height, Thumbnail: u.Clean.Thumbnail,
		Purpose: u.Purpose, By: by.Role, ByID: by.ID, At: ticket.Stamp(now),
	}
}

// clean reads an issued upload, checks and cleans it, writes the clean copy
// (and a thumbnail), and records the outcome: the upload ready, or rejected
// (a *RejectedError) with the file as sent deleted. The clean copy's key is
// the upload's: two requests racing to clean one upload write the same
// bytes, and the first to record its outcome decides.
func (s *Service) clean(ctx context.Context, u ports.Upload) (ports.Upload, error) {
	data, err := s.Objects.Get(ctx, rawKey(u.ID), u.MaxBytes)
	var missing *ports.ObjectMissingError
	var tooLarge *ports.ObjectTooLargeError
	switch {
	case errors.As(err, &missing):
		// Not settled: the client may still send the file.
		return u, refused(u.ID, ReasonNotSent)
	case errors.As(err, &tooLarge):
		// The policy lets no larger file in; a file here is not the one announced.
		return s.reject(ctx, u, string(media.TooLarge), "the file is larger than announced")
	case err != nil:
		return u, fmt.Errorf("attach: read upload %s: %w", u.ID, err)
	}
	c, err := media.Sanitize(data, u.ContentType, s.Limits)
	var rejected *media.RejectedError
	if errors.As(err, &rejected) {
		return s.reject(ctx, u, string(rejected.Reason), rejected.Error())
	}
	if err != nil {
		return u, fmt.Errorf("attach: clean upload %s: %w", u.ID, err)
	}
	if err := s.Objects.Put(ctx, cleanKey(u.ID), c.ContentType, c.Data); err != nil {
		return u, err
	}
	if c.Thumbnail != nil {
		if err := s.Objects.Put(ctx, thumbKey(u.ID), "image/jpeg", c.Thumbnail); err != nil {
			return u, err
		}
	}
	u.Status = ports.UploadReady
	u.Clean = &ports.CleanFile{ContentType: c.ContentType, Size: int64(len(c.Data)), Width: c.Width, Height: c.Height, Thumbnail: c.Thumbnail != nil}
	return s.settled(ctx, u)
}

// reject records an upload refused by its content and removes the file,
// rather than keep it a day.
func (s *Service) reject(ctx context.Context, u ports.Upload, reason, message string) (ports.Upload, error) {
	if err := s.Objects.Delete(ctx, rawKey(u.ID)); err != nil {
		s.log().WarnContext(ctx, "rejected upload not removed; the lifecycle rule will", "upload_id", u.ID, "error", err.Error())
	}
	u.Status, u.Reason, u.Message = ports.UploadRejected, reason, message
	return s.settled(ctx, u)
}

// settled stores u's outcome and answers the one stored (another check may
// have been first), a rejection as a *RejectedError.
func (s *Service) settled(ctx context.Context, u ports.Upload) (ports.Upload, error) {
	stored, err := s.Uploads.SettleUpload(ctx, u)
	if err != nil {
		return u, err
	}
	switch stored.Status {
	case ports.UploadReady:
		return stored, nil
	case ports.UploadRejected:
		return stored, settledRefusal(stored)
	default:
		// Attached by a racing request meanwhile.
		return stored, refused(stored.ID, ReasonUsed)
	}
}

// Forget removes the files as sent of attachments now saved; what it
// cannot remove the bucket's lifecycle rule removes a day later.
func (s *Service) Forget(ctx context.Context, atts []ticket.Attachment) {
	if s == nil {
		return
	}
	for _, a := range atts {
		if err := s.Objects.Delete(ctx, rawKey(a.ID)); err != nil {
			s.log().WarnContext(ctx, "upload not removed after attaching; the lifecycle rule will", "upload_id", a.ID, "error", err.Error())
		}
	}
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Link is an attachment as views show it, with short-lived links.
type Link struct {
	ID           string         `json:"id"`
	ContentType  string         `json:"contentType"`
	Size         int64          `json:"size"`
	Name         string         `json:"name,omitempty"`
	Width        int            `json:"width,omitempty"`
	Height       int            `json:"height,omitempty"`
	Purpose      ticket.Purpose `json:"purpose"`
	From         string         `json:"from,omitempty"`
	At           time.Time      `json:"at"`
	URL          string         `json:"url"`
	ThumbnailURL string         `json:"thumbnailUrl,omitempty"`
	ExpiresAt    time.Time      `json:"expiresAt"`
}

// Links signs links to atts, valid at least LinkLife - LinkWindow from now.
func (s *Service) Links(ctx context.Context, atts []ticket.Attachment) ([]Link, error) {
	if s == nil || len(atts) == 0 {
		return nil, nil
	}
	signed := s.Now().Truncate(LinkWindow)
	out := make([]Link, 0, len(atts))
	for _, a := range atts {
		l := Link{ID: a.ID, ContentType: a.ContentType, Size: a.Size, Name: a.Name, Width: a.Width, Height: a.Height,
			Purpose: a.Purpose, From: a.By, At: a.At, ExpiresAt: ticket.Stamp(signed.Add(LinkLife))}
		o := ports.LinkOptions{SignedAt: signed, Expires: LinkLife}
		if !strings.HasPrefix(a.ContentType, "image/") {
			// Documents download under their name; photos show in the page.
			o.Filename = downloadName(a)
		}
		var err error
		if l.URL, err = s.Objects.PresignGet(ctx, cleanKey(a.ID), o); err != nil {
			return nil, err
		}
		if a.Thumbnail {
			if l.ThumbnailURL, err = s.Objects.PresignGet(ctx, thumbKey(a.ID), ports.LinkOptions{SignedAt: signed, Expires: LinkLife}); err != nil {
				return nil, err
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// downloadName is the name a document downloads under: the name given, or
// one made of the id.
func downloadName(a ticket.Attachment) string {
	if a.Name != "" {
		return a.Name
	}
	return "attachment-" + a.ID[:8] + ".pdf"
}

// ClientError tells the client which file was refused and why: 400
// attachment_rejected, the field naming the file's place in the body.
func (e *RejectedError) ClientError() *httpapi.Error {
	return &httpapi.Error{Status: http.StatusBadRequest, Code: "attachment_rejected", Message: e.Message,
		Fields: map[string]string{fmt.Sprintf("attachments[%d]", e.Index): e.Reason}}
}
