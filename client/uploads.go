package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
)

// UploadPurpose says which body an upload is for.
type UploadPurpose string

// The purposes of uploads.
const (
	PurposeTicket     UploadPurpose = "ticket"
	PurposeSupplement UploadPurpose = "supplement"
	PurposeReply      UploadPurpose = "reply"
)

// UploadRequest announces one file: its type (image/jpeg, image/png,
// image/heic, image/heif, image/webp or application/pdf), its exact size in
// bytes and what it is for. A supplement's or reply's upload names its
// ticket; a citizen filing may prove the contact with the ticket's
// verification.
type UploadRequest struct {
	ContentType  string             `json:"contentType"`
	Size         int64              `json:"size"`
	Purpose      UploadPurpose      `json:"purpose"`
	Name         string             `json:"name,omitempty"`
	TicketID     string             `json:"ticketId,omitempty"`
	Verification *VerificationProof `json:"verification,omitempty"`
}

// UploadIssued is a presigned form to send one file to the object store.
type UploadIssued struct {
	UploadID  string            `json:"uploadId"`
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// Attachment is a ticket's photo or document (or a checked upload's clean
// copy) with short-lived links.
type Attachment struct {
	ID           string        `json:"id"`
	ContentType  string        `json:"contentType"`
	Size         int64         `json:"size"`
	Name         string        `json:"name,omitempty"`
	Width        int           `json:"width,omitempty"`
	Height       int           `json:"height,omitempty"`
	Purpose      UploadPurpose `json:"purpose"`
	From         string        `json:"from,omitempty"` // citizen, department, operator
	At           time.Time     `json:"at"`
	URL          string        `json:"url"`
	ThumbnailURL string        `json:"thumbnailUrl,omitempty"`
	ExpiresAt    time.Time     `json:"expiresAt"`
}

// RequestUpload asks for a form to send one file (POST /v1/uploads). A
// citizen's supplement upload goes with the ticket's access code; staff
// uploads with the client's token.
func (c *Client) RequestUpload(ctx context.Context, r UploadRequest, accessCode string) (*UploadIssued, error) {
	cl := &call{method: http.MethodPost, path: "/v1/uploads", body: r, header: http.Header{}, auth: authToken}
	if accessCode != "" {
		cl.header.Set("X-Access-Code", accessCode)
		cl.auth = authNone
	}
	var out UploadIssued
	if _, _, err := c.do(ctx, cl, &out, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}

// StorageError is the object store's refusal of a file sent with a form:
// larger than announced, another type, or a late form.
type StorageError struct {
	StatusCode int
	Body       string // the store's XML answer, clipped
}

func (e *StorageError) Error() string {
	return fmt.Sprintf("hotline: the file store refused the upload: %d %s", e.StatusCode, e.Body)
}

// SendUpload sends the file to the form's URL, the form's fields first and
// the file last, as the object store requires. name is the file's name in
// the form; the store does not keep it.
func (c *Client) SendUpload(ctx context.Context, up *UploadIssued, file io.Reader, name string) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range up.Fields {
		if err := w.WriteField(k, v); err != nil {
			return fmt.Errorf("hotline: upload form: %w", err)
		}
	}
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		return fmt.Errorf("hotline: upload form: %w", err)
	}
	if _, err := io.Copy(part, file); err != nil {
		return fmt.Errorf("hotline: read the file to upload: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("hotline: upload form: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, up.URL, &body)
	if err != nil {
		return fmt.Errorf("hotline: upload: %w", err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("hotline: upload: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	return &StorageError{StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(b))}
}

// CheckUpload has a sent file checked by its content and cleaned, and
// answers the clean copy; a refused file is a problem with code
// attachment_rejected whose field says why.
func (c *Client) CheckUpload(ctx context.Context, uploadID string) (*Attachment, error) {
	var out Attachment
	cl := &call{method: http.MethodPost, path: path("/v1/uploads", uploadID) + "/check", auth: authNone}
	if _, _, err := c.do(ctx, cl, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// Upload announces, sends and checks one file of size bytes: the answer's
// ID goes in the Attachments of the body r.Purpose names.
func (c *Client) Upload(ctx context.Context, r UploadRequest, accessCode string, file io.Reader) (*Attachment, error) {
	up, err := c.RequestUpload(ctx, r, accessCode)
	if err != nil {
		return nil, err
	}
	name := r.Name
	if name == "" {
		name = "file"
	}
	if err := c.SendUpload(ctx, up, file, name); err != nil {
		return nil, err
	}
	return c.CheckUpload(ctx, up.UploadID)
}

// AddSupplementWithFiles adds material to the citizen's open ticket: words,
// files (upload ids of PurposeSupplement) or both.
func (c *Client) AddSupplementWithFiles(ctx context.Context, id, accessCode, content string, uploadIDs []string) (*SupplementAdded, error) {
	var out SupplementAdded
	body := supplementRequest{Content: content, Attachments: uploadIDs}
	if _, _, err := c.do(ctx, citizenCall(http.MethodPost, id, accessCode, "supplements", body), &out, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}
