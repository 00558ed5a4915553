package attach

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hotline12345/hotline/internal/app/media"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// MaxRequestBytes bounds the body of POST /v1/uploads.
const MaxRequestBytes = 4 << 10

// Request is the body of POST /v1/uploads: the file a client is about to
// send, what it is for, and (citizens) what entitles them to send it.
type Request struct {
	ContentType string         `json:"contentType"`
	Size        int64          `json:"size"`
	Purpose     ticket.Purpose `json:"purpose"`
	// Name is the file's name as the uploader knows it, for people to
	// read; the stored file never goes by it.
	Name string `json:"name,omitempty"`
	// TicketID names the ticket of a supplement or a reply.
	TicketID string `json:"ticketId,omitempty"`
	// Verification proves the contact of a ticket about to be filed.
	Verification *ticket.VerificationProof `json:"verification,omitempty"`
}

// ParseRequest reads and checks a body of POST /v1/uploads against lim.
func ParseRequest(body []byte, lim media.Limits) (Request, error) {
	var r Request
	if err := ticket.DecodeStrict(body, MaxRequestBytes, &r); err != nil {
		return Request{}, err
	}
	r.Name = strings.TrimSpace(r.Name)
	fields := map[string]string{}
	if r.TicketID != "" {
		r.TicketID = ticket.NormalizeID(r.TicketID)
		if !ticket.ValidID(r.TicketID) {
			fields["ticketId"] = "not a ticket id"
		}
	}
	switch {
	case r.ContentType == "":
		fields["contentType"] = "required"
	case !media.Accepted(r.ContentType):
		fields["contentType"] = "must be one of " + strings.Join([]string{media.JPEG, media.PNG, media.HEIC, media.HEIF, media.WebP, media.PDF}, ", ")
	}
	if r.Size < 1 || r.Size > lim.MaxBytes {
		fields["size"] = fmt.Sprintf("must be the file's size in bytes, 1 to %d", lim.MaxBytes)
	}
	switch {
	case r.Purpose == "":
		fields["purpose"] = "required"
	case !r.Purpose.Valid():
		fields["purpose"] = "must be ticket, supplement or reply"
	case r.Purpose == ticket.PurposeTicket && r.TicketID != "":
		fields["ticketId"] = "a new ticket has no id yet; leave it out"
	case r.Purpose != ticket.PurposeTicket && r.TicketID == "":
		fields["ticketId"] = "required with purpose " + string(r.Purpose)
	}
	if r.Purpose != ticket.PurposeTicket && r.Verification != nil {
		fields["verification"] = "only for a new ticket; a supplement comes with X-Access-Code"
	}
	if r.Name != "" {
		var bad *media.RejectedError
		if err := media.CheckFileName(r.Name); errors.As(err, &bad) {
			fields["name"] = bad.Error()
		} else if err != nil {
			return Request{}, err
		}
	}
	if len(fields) > 0 {
		return Request{}, &ticket.ValidationError{Message: "invalid upload request", Fields: fields}
	}
	return r, nil
}
