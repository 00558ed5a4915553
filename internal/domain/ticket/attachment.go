package ticket

import (
	"fmt"
	"time"
)

// Limits on attachments (API.md v1.1, "Attachments").
const (
	// MaxAttachmentsPerBody is how many files one ticket, supplement or
	// reply carries: nine, the photos a phone's picker and a WeChat post
	// take at once.
	MaxAttachmentsPerBody = 9
	// MaxAttachments bounds a ticket's files over its life (four bodies'
	// worth): each is a line in the ticket's document, which every save
	// writes again.
	MaxAttachments = 36
	// UploadIDLen is the length of an upload id: 32 lowercase hex digits,
	// 128 random bits, so knowing one is the right to attach it.
	UploadIDLen = 32
)

// Purpose says what an upload is for: which body may attach it.
type Purpose string

// The purposes of uploads.
const (
	PurposeTicket     Purpose = "ticket"
	PurposeSupplement Purpose = "supplement"
	PurposeReply      Purpose = "reply"
)

// Valid reports whether p is a purpose of the API.
func (p Purpose) Valid() bool {
	return p == PurposeTicket || p == PurposeSupplement || p == PurposeReply
}

// Attachment is a photo or document on a ticket, as kept after its upload
// was checked and cleaned: the file itself is in the object store under its
// id (the upload's id), never with the name the client gave it.
type Attachment struct {
	ID          string `json:"id"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	// Name is the file name the uploader gave, checked; empty when none.
	Name   string `json:"name,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	// Thumbnail says a small JPEG is kept beside the file (photos).
	Thumbnail bool `json:"thumbnail,omitempty"`
	// Purpose is the body that brought it; By and ByID who sent it (a
	// department's id for replies, a staff subject for operators).
	Purpose Purpose   `json:"purpose"`
	By      string    `json:"by"`
	ByID    string    `json:"byId,omitempty"`
	At      time.Time `json:"at"`
}

// ValidUploadID reports whether s has the form of an upload id.
func ValidUploadID(s string) bool {
	if len(s) != UploadIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// CheckAttachmentIDs checks the "attachments" of a body: at most
// MaxAttachmentsPerBody upload ids, each well-formed and given once.
func CheckAttachmentIDs(ids []string) error {
	fields := map[string]string{}
	if len(ids) > MaxAttachmentsPerBody {
		fields["attachments"] = fmt.Sprintf("at most %d files", MaxAttachmentsPerBody)
	}
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case !ValidUploadID(id):
			fields[fmt.Sprintf("attachments[%d]", i)] = "must be an uploadId from POST /v1/uploads"
		case seen[id]:
			fields[fmt.Sprintf("attachments[%d]", i)] = "given twice"
		}
		seen[id] = true
	}
	if len(fields) > 0 {
		return &ValidationError{Message: "invalid attachments", Fields: fields}
	}
	return nil
}

// Attach adds checked files to the ticket, within MaxAttachments. The
// store marks each upload used in the same save, so an upload becomes one
// attachment of one ticket, once.
func (t *Ticket) Attach(atts []Attachment) error {
	if len(atts) == 0 {
		return nil
	}
	if len(t.Attachments)+len(atts) > MaxAttachments {
		return &RefusedError{Reason: fmt.Sprintf("a ticket takes at most %d files; this one has %d", MaxAttachments, len(t.Attachments))}
	}
	for _, a := range atts {
		for _, have := range t.Attachments {
			if have.ID == a.ID {
				return &RefusedError{Reason: "this file is already attached to the ticket"}
			}
		}
	}
	t.Attachments = append(t.Attachments, atts...)
	return nil
}

// AttachmentIDs lists the ids of atts, for the timeline entry that brought them.
func AttachmentIDs(atts []Attachment) []string {
	if len(atts) == 0 {
		return nil
	}
	ids := make([]string, len(atts))
	for i, a := range atts {
		ids[i] = a.ID
	}
	return ids
}
