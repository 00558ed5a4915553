// Package media makes a citizen's or a department's upload safe to show to
// anyone else: it decides the file's type by its content, re-encodes photos so
// that no metadata survives (GPS position, camera serial numbers, XMP, ICC,
// text chunks) with their EXIF orientation applied to the pixels, bounds the
// work a hostile file can cause (decompression bombs in images and PDFs), and
// refuses PDFs that carry active content (scripts, launch actions, embedded
// files, rich media, XFA forms) or encryption.
//
// Sanitize is the one entry point for file bytes; CheckFileName checks the
// display name shown beside a file. A refusal is a *RejectedError whose
// Error() is fit to show the uploader; any other error is the platform's
// fault.
//
// The package is pure computation over bytes (no I/O, no logging) so that it
// runs the same in a Lambda function and in tests.
package media

import (
	"errors"
	"fmt"

	"github.com/gabriel-vasile/mimetype"
)

// The content types the platform takes, by their canonical names only
// (image/jpg, image/x-png and the like are refused as declared types: the
// declared type ends up in a Content-Type header and S3 object metadata, and
// one spelling per type keeps those checks simple).
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	HEIC = "image/heic"
	HEIF = "image/heif"
	WebP = "image/webp"
	PDF  = "application/pdf"
)

// Limits bounds what Sanitize accepts and produces. Zero fields are not
// "unlimited": use DefaultLimits and change what you need.
type Limits struct {
	MaxBytes      int64 // largest upload, any type
	MaxPixels     int   // largest width·height of an image, checked before decoding
	MaxSide       int   // largest width or height of an image, checked before decoding
	OutputSide    int   // long side of the re-encoded image; larger images are scaled down
	ThumbSide     int   // long side of the thumbnail
	MaxPDFObjects int   // most objects a PDF may hold
	MaxPDFDecoded int64 // most bytes all of a PDF's object streams may decode to, together
}

// DefaultLimits returns the limits the platform uses.
//
//   - MaxBytes 20 MiB: a 48 MP phone photo in "max" quality is 10–15 MB, a
//     scanned multi-page PDF rarely exceeds 10 MB; the whole file is held in
//     a Lambda's memory.
//   - MaxPixels 50 MP: admits 48 MP sensors (8064×6048 = 48.8 MP). A decoded
//     50 MP image is 200 MB as RGBA; beyond that a 1 GB Lambda is at risk.
//     200 MP modes and very long panoramas are refused.
//   - MaxSide 16384: panoramas are long and thin; pixels are bounded anyway.
//   - OutputSide 4096: sharper than any screen shows a ticket photo, and a
//     12 MP photo (4032×3024) is not scaled at all.
//   - ThumbSide 320: ticket lists show thumbnails at 160 CSS px, ×2 for
//     high-density screens.
//   - MaxPDFObjects 200 000: a 1 000-page text PDF has tens of thousands of
//     objects; each costs a few hundred bytes parsed.
//   - MaxPDFDecoded 64 MiB: object streams hold only dictionaries (no page
//     content or images), a few MB even in large files; the bound stops a
//     1 MB file from inflating to gigabytes (Flate compresses zeros ~1000:1).
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:      20 << 20,
		MaxPixels:     50_000_000,
		MaxSide:       16384,
		OutputSide:    4096,
		ThumbSide:     320,
		MaxPDFObjects: 200_000,
		MaxPDFDecoded: 64 << 20,
	}
}

// Clean is a sanitised upload.
type Clean struct {
	ContentType   string // JPEG, PNG or PDF: what Data is (HEIC and WebP become JPEG)
	Data          []byte // re-encoded image, or the PDF byte for byte
	Width, Height int    // of Data, after orientation and scaling; 0 for a PDF
	Thumbnail     []byte // a JPEG, nil for a PDF
}

// Reason says why an upload was refused, in words a client can switch on.
type Reason string

// The reasons.
const (
	UnsupportedType  Reason = "unsupported_type"
	TypeMismatch     Reason = "type_mismatch"
	TooLarge         Reason = "too_large"
	TooManyPixels    Reason = "too_many_pixels"
	Corrupt          Reason = "corrupt"
	PDFActiveContent Reason = "pdf_active_content"
	PDFEncrypted     Reason = "pdf_encrypted"
	BadFileName      Reason = "bad_filename"
)

var messages = map[Reason]string{
	UnsupportedType:  "this kind of file is not accepted; please attach a photo (JPEG, PNG, HEIC or WebP) or a PDF",
	TypeMismatch:     "the file's content does not match its type; please attach the original file",
	TooLarge:         "the file is too large",
	TooManyPixels:    "the picture is too large (too many pixels); please attach a smaller picture",
	Corrupt:          "the file is damaged and cannot be read",
	PDFActiveContent: "the PDF contains scripts, attachments or other active content; please print it to a new PDF and attach that",
	PDFEncrypted:     "the PDF is password-protected or encrypted; please attach an unprotected copy",
	BadFileName:      "the file name is not acceptable",
}

// RejectedError reports an upload refused because of what it is. Error()
// is meant for the uploader: it never quotes file content (Detail holds
// only types, sizes and counts). Err, when set, is the underlying parser's
// error for errors.Is; its text may quote the file and is not part of Error().
type RejectedError struct {
	Reason Reason
	Detail string
	Err    error
}

func (e *RejectedError) Error() string {
	msg := messages[e.Reason]
	if msg == "" {
		msg = "the file is not accepted"
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

func (e *RejectedError) Unwrap() error { return e.Err }

func reject(r Reason, err error, format string, args ...any) *RejectedError {
	return &RejectedError{Reason: r, Detail: fmt.Sprintf(format, args...), Err: err}
}

// Accepted reports whether the platform takes uploads declared as
// contentType, which must be one of the canonical names above exactly.
func Accepted(contentType string) bool {
	switch contentType {
	case JPEG, PNG, HEIC, HEIF, WebP, PDF:
		return true
	}
	return false
}

// family folds the types that are one format under two names.
func family(contentType string) string {
	if contentType == HEIF {
		return HEIC
	}
	return contentType
}

// Sniff returns the canonical type of data judged by its content alone, or ""
// when it is none the platform takes. It uses mimetype rather than
// net/http.DetectContentType, which knows neither HEIC nor HEIF and takes a
// PDF for whatever its first bytes look like otherwise.
func Sniff(data []byte) string {
	for m := mimetype.Detect(data); m != nil; m = m.Parent() {
		switch m.String() {
		case JPEG, PNG, WebP, PDF: // an APNG's parent is PNG; its first frame is kept
			return m.String()
		case HEIC, HEIF:
			return m.String()
		}
	}
	return ""
}

// Sanitize checks data, declared by the uploader as the content type
// declared, and returns what may be shown to others. Images are decoded and
// re-encoded (so nothing but pixels survives); PDFs are returned unchanged
// when they carry no active content.
func Sanitize(data []byte, declared string, lim Limits) (Clean, error) {
	if !Accepted(declared) {
		return Clean{}, reject(UnsupportedType, nil, "declared type %q is not taken", trimForDetail(declared))
	}
	if int64(len(data)) > lim.MaxBytes {
		return Clean{}, reject(TooLarge, nil, "%d bytes, at most %d accepted", len(data), lim.MaxBytes)
	}
	if len(data) == 0 {
		return Clean{}, reject(Corrupt, nil, "the file is empty")
	}
	sniffed := Sniff(data)
	if sniffed == "" {
		return Clean{}, reject(UnsupportedType, nil, "content is %s", mimetype.Detect(data).String())
	}
	if family(sniffed) != family(declared) {
		return Clean{}, reject(TypeMismatch, nil, "declared %s, content is %s", declared, sniffed)
	}
	if sniffed == PDF {
		if err := checkPDF(data, lim); err != nil {
			return Clean{}, err
		}
		return Clean{ContentType: PDF, Data: data}, nil
	}
	return sanitizeImage(data, sniffed, lim)
}

// trimForDetail keeps a client-supplied string short enough to quote.
func trimForDetail(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// errDecoderPanic marks a third-party decoder that panicked on the input: the
// upload is refused as corrupt, and the fuzz test fails on it so that such
// inputs get reported upstream.
var errDecoderPanic = errors.New("decoder panicked")
