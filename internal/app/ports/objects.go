package ports

import (
	"fmt"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// PresignedPost is a browser upload straight to the object store (S3's POST
// policy): send Fields, then the file, as multipart/form-data to URL. The
// store itself refuses a file of another type or size than was signed.
type PresignedPost struct {
	URL       string
	Fields    map[string]string
	ExpiresAt time.Time
}

// LinkOptions shape a short-lived download link.
type LinkOptions struct {
	// SignedAt is the signing time; links signed at the same time for the
	// same key are the same, so a view answers the same ETag within one
	// signing window.
	SignedAt time.Time
	Expires  time.Duration
	// Filename, when set, is offered as the download's name
	// (Content-Disposition: attachment).
	Filename string
}

// ObjectMissingError says no object is stored under the key: an upload the
// client never sent, or one already taken.
type ObjectMissingError struct{ Key string }

func (e *ObjectMissingError) Error() string { return "no object " + e.Key }

// ObjectTooLargeError says an object is larger than the reader accepts.
type ObjectTooLargeError struct {
	Key      string
	Size     int64
	MaxBytes int64
}

func (e *ObjectTooLargeError) Error() string {
	return fmt.Sprintf("object %s has %d bytes, more than %d", e.Key, e.Size, e.MaxBytes)
}

// Upload statuses.
const (
	UploadIssued   = "issued"   // the form was handed out; the file may be there
	UploadReady    = "ready"    // checked and cleaned (Clean), not yet attached
	UploadRejected = "rejected" // refused by its content (Reason); the file is deleted
	UploadUsed     = "used"     // attached to TicketID
)

// CleanFile is what checking an upload kept: the clean copy's type, size
// and picture size, and whether a thumbnail was made.
type CleanFile struct {
	ContentType   string
	Size          int64
	Width, Height int
	Thumbnail     bool
}

// Upload is a presigned upload handed out by POST /v1/uploads: what the
// file was announced as and who may attach it. The upload's id is the
// attachment's id once it is attached.
type Upload struct {
	ID      string
	Purpose ticket.Purpose
	// Owner is who may attach it: "verification:<id>", "ticket:<id>",
	// "staff:<subject>", or "anonymous" (any citizen filing a ticket).
	Owner       string
	ContentType string
	// MaxBytes is the size the client announced: the policy lets no larger
	// file in.
	MaxBytes  int64
	Name      string
	ExpiresAt time.Time
	Status    string
	TicketID  string
	// Clean is set once the upload is ready; Reason and Message say why a
	// rejected one was refused.
	Clean           *CleanFile
	Reason, Message string
}

// UploadUsedError says an upload is attached already, or expired before it
// was: a save that would attach it again writes nothing.
type UploadUsedError struct{ ID string }

func (e *UploadUsedError) Error() string {
	return "upload " + e.ID + " is already attached or has expired"
}
