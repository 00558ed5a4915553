package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	_ "image/jpeg" // the clean copies people download
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/client"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/testfixtures/photo"
)

type issuedUpload struct {
	UploadID string            `json:"uploadId"`
	URL      string            `json:"url"`
	Fields   map[string]string `json:"fields"`
}

type attachmentView struct {
	ID           string `json:"id"`
	ContentType  string `json:"contentType"`
	Size         int64  `json:"size"`
	Name         string `json:"name"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	Purpose      string `json:"purpose"`
	From         string `json:"from"`
	URL          string `json:"url"`
	ThumbnailURL string `json:"thumbnailUrl"`
}

type problem struct {
	Code   string            `json:"code"`
	Detail string            `json:"detail"`
	Fields map[string]string `json:"fields"`
}

// upload asks for an upload form and sends data with it as a browser does
// (fields, then the file, multipart): the answer is the upload's id and S3's
// status.
func (tg *target) upload(t *testing.T, req map[string]any, data []byte, headers map[string]string) (string, int) {
	t.Helper()
	r := tg.do(t, "POST", "/v1/uploads", req, headers)
	if r.status != 201 {
		t.Fatalf("upload form for %v: %d %s", req, r.status, r.body)
	}
	var up issuedUpload
	r.decode(t, &up)
	return up.UploadID, postForm(t, up, data, nil)
}

// postForm posts the file with the form's fields (plus extra ones) to the
// bucket, the way the page does; it answers S3's status.
func postForm(t *testing.T, up issuedUpload, data []byte, extra map[string]string) int {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range up.Fields {
		if _, replaced := extra[k]; !replaced {
			_ = w.WriteField(k, v)
		}
	}
	for k, v := range extra {
		_ = w.WriteField(k, v)
	}
	part, err := w.CreateFormFile("file", "upload")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = w.Close()
	resp, err := http.Post(up.URL, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// download fetches a presigned link as a person's browser does.
func download(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

// storedKeys lists the keys the local bucket holds.
func (tg *target) storedKeys(t *testing.T) []string {
	t.Helper()
	var snap struct {
		Buckets []struct {
			Objects []struct {
				Key string `json:"key"`
			} `json:"objects"`
		} `json:"buckets"`
	}
	if err := json.Unmarshal(download(t, tg.edge+"/_aws/s3"), &snap); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, b := range snap.Buckets {
		for _, o := range b.Objects {
			keys = append(keys, o.Key)
		}
	}
	return keys
}

func (tg *target) holds(t *testing.T, id string) []string {
	t.Helper()
	var keys []string
	for _, k := range tg.storedKeys(t) {
		if strings.Contains(k, id) {
			keys = append(keys, k)
		}
	}
	return keys
}

// A citizen's photo goes from the phone to the department without its
// location: what staff (and the citizen) download is re-encoded, upright,
// and carries no EXIF, no GPS and no camera serial. Files come with
// supplements and replies too, and each upload is attached once.
func TestPhotosReachStaffWithoutLocation(t *testing.T) {
	tg := start(t)
	raw := photo.JPEG(64, 48, 6)
	if found := photo.Inspect(raw); !found.GPS || !bytes.Contains(raw, []byte(photo.Serial)) {
		t.Fatalf("the fixture must carry GPS and a serial: %+v", found)
	}
	pic, status := tg.upload(t, map[string]any{"contentType": "image/jpeg", "size": len(raw), "purpose": "ticket", "name": "坑洼.jpg"}, raw, nil)
	if status != 204 {
		t.Fatalf("S3 answered %d to the photo", status)
	}
	r := tg.do(t, "POST", "/v1/uploads/"+pic+"/check", nil, nil)
	if r.status != 200 {
		t.Fatalf("check: %d %s", r.status, r.body)
	}
	var preview attachmentView
	r.decode(t, &preview)
	if preview.ContentType != "image/jpeg" || preview.Width != 48 || preview.Height != 64 || preview.ThumbnailURL == "" {
		t.Errorf("preview %+v", preview)
	}
	if found := photo.Inspect(download(t, preview.URL)); found.EXIF || found.GPS {
		t.Errorf("the uploader's preview carries metadata: %+v", found)
	}

	sub := complaint()
	sub["attachments"] = []string{pic}
	r = tg.do(t, "POST", "/v1/tickets", sub, nil)
	if r.status != 201 {
		t.Fatalf("file with a photo: %d %s", r.status, r.body)
	}
	var rec receipt
	r.decode(t, &rec)
	if keys := tg.holds(t, pic); !slices.Equal(keys, []string{"media/" + pic, "media/" + pic + ".thumb.jpg"}) {
		t.Errorf("after filing the bucket holds %v: the file as sent must be gone, the clean copy and thumbnail kept", keys)
	}

	staff := bearer(tg.token(t, auth.RoleOperator, ""))
	var view struct {
		Attachments []attachmentView `json:"attachments"`
		Timeline    []struct {
			Kind        string   `json:"kind"`
			Attachments []string `json:"attachments"`
		} `json:"timeline"`
	}
	r = tg.do(t, "GET", "/v1/tickets/"+rec.ID, nil, staff)
	if r.status != 200 {
		t.Fatalf("staff view: %d %s", r.status, r.body)
	}
	r.decode(t, &view)
	if len(view.Attachments) != 1 || view.Attachments[0].ID != pic || view.Attachments[0].From != "citizen" || view.Attachments[0].Name != "坑洼.jpg" {
		t.Fatalf("staff see %+v", view.Attachments)
	}
	if len(view.Timeline) == 0 || view.Timeline[0].Kind != "received" || !slices.Equal(view.Timeline[0].Attachments, []string{pic}) {
		t.Errorf("the filing's timeline entry does not name its photo: %+v", view.Timeline)
	}
	got := download(t, view.Attachments[0].URL)
	found := photo.Inspect(got)
	if found.EXIF || found.GPS || found.XMP || found.ICC || bytes.Contains(got, []byte(photo.Serial)) {
		t.Errorf("what staff download carries metadata: %+v", found)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(got))
	if err != nil || format != "jpeg" || cfg.Width != 48 || cfg.Height != 64 {
		t.Errorf("staff download: %s %dx%d, %v; want an upright 48x64 JPEG", format, cfg.Width, cfg.Height, err)
	}
	thumb, _, err := image.DecodeConfig(bytes.NewReader(download(t, view.Attachments[0].ThumbnailURL)))
	if err != nil || max(thumb.Width, thumb.Height) > 320 {
		t.Errorf("thumbnail %dx%d, %v", thumb.Width, thumb.Height, err)
	}

	// The same upload cannot go on a second ticket.
	again := complaint()
	again["attachments"] = []string{pic}
	r = tg.do(t, "POST", "/v1/tickets", again, nil)
	var p problem
	r.decode(t, &p)
	if r.status != 400 || p.Code != "attachment_rejected" || p.Fields["attachments[0]"] != "upload_used" {
		t.Errorf("a used upload on another ticket: %d %s", r.status, r.body)
	}

	// The citizen adds a PDF, words optional.
	code := map[string]string{"X-Access-Code": rec.AccessCode}
	pdf := photo.CleanPDF()
	doc, status := tg.upload(t, map[string]any{"contentType": "application/pdf", "size": len(pdf), "purpose": "supplement", "ticketId": rec.ID, "name": "发票.pdf"}, pdf, code)
	if status != 204 {
		t.Fatalf("S3 answered %d to the PDF", status)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/supplements", map[string]any{"attachments": []string{doc}}, code); r.status != 201 {
		t.Fatalf("supplement of a PDF: %d %s", r.status, r.body)
	}

	// The department answers with a photo of the repair.
	eventually(t, "dispatch", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "dispatched" })
	dept := bearer(tg.token(t, auth.RoleDepartment, "market"))
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/accept", nil, dept); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	fixed := photo.PNG(30, 20, 1)
	shot, status := tg.upload(t, map[string]any{"contentType": "image/png", "size": len(fixed), "purpose": "reply", "ticketId": rec.ID}, fixed, dept)
	if status != 204 {
		t.Fatalf("S3 answered %d to the reply's photo", status)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", map[string]any{"result": "resolved", "message": "已责令商家退货，见整改照片。", "attachments": []string{shot}}, dept); r.status != 200 {
		t.Fatalf("reply with a photo: %d %s", r.status, r.body)
	}

	var cv struct {
		Attachments []attachmentView `json:"attachments"`
	}
	r = tg.do(t, "GET", "/v1/tickets/"+rec.ID, nil, code)
	r.decode(t, &cv)
	var kinds []string
	for _, a := range cv.Attachments {
		kinds = append(kinds, a.Purpose+":"+a.From+":"+a.ContentType)
	}
	if want := []string{"ticket:citizen:image/jpeg", "supplement:citizen:application/pdf", "reply:department:image/png"}; !slices.Equal(kinds, want) {
		t.Errorf("the citizen sees %v, want %v", kinds, want)
	}
	if len(cv.Attachments) == 3 && !bytes.Equal(download(t, cv.Attachments[1].URL), pdf) {
		t.Error("a clean PDF is not kept byte for byte")
	}
}

// What S3 or the check refuses is answered clearly and leaves nothing in
// the bucket.
func TestBadFilesAreRefusedAndNothingKept(t *testing.T) {
	tg := start(t)
	jpeg := photo.JPEG(16, 16, 1)

	// The form itself: type, size and name are checked before anything is signed.
	for _, c := range []struct {
		req   map[string]any
		field string
	}{
		{map[string]any{"contentType": "application/zip", "size": 100, "purpose": "ticket"}, "contentType"},
		{map[string]any{"contentType": "image/jpeg", "size": 30 << 20, "purpose": "ticket"}, "size"},
		{map[string]any{"contentType": "image/jpeg", "size": 100, "purpose": "ticket", "name": "../../etc/passwd"}, "name"},
		{map[string]any{"contentType": "image/jpeg", "size": 100, "purpose": "ticket", "name": "photo\u0007.jpg"}, "name"},
		{map[string]any{"contentType": "image/jpeg", "size": 100, "purpose": "ticket", "name": "\u202egpj.exe"}, "name"},
	} {
		r := tg.do(t, "POST", "/v1/uploads", c.req, nil)
		var p problem
		r.decode(t, &p)
		if r.status != 400 || p.Fields[c.field] == "" {
			t.Errorf("%v: %d %s, want 400 naming %s", c.req, r.status, r.body, c.field)
		}
	}

	// S3 enforces the form: no larger file than announced, no other type.
	r := tg.do(t, "POST", "/v1/uploads", map[string]any{"contentType": "image/jpeg", "size": len(jpeg), "purpose": "ticket"}, nil)
	var up issuedUpload
	r.decode(t, &up)
	if s := postForm(t, up, append(bytes.Clone(jpeg), make([]byte, 10)...), nil); s != 400 {
		t.Errorf("a larger file than announced: S3 answered %d, want 400", s)
	}
	if s := postForm(t, up, jpeg, map[string]string{"Content-Type": "text/html"}); s != 403 {
		t.Errorf("another type than announced: S3 answered %d, want 403", s)
	}
	if keys := tg.holds(t, up.UploadID); len(keys) != 0 {
		t.Errorf("refused posts left %v", keys)
	}

	// The check looks at the content, whatever the name and type said.
	var script []byte
	for _, pdf := range photo.ActivePDFs() {
		script = pdf
		break
	}
	for _, c := range []struct {
		name, contentType string
		data              []byte
		reason            string
	}{
		{"a zip called a photo", "image/jpeg", photo.Zip(), "unsupported_type"},
		{"a decompression bomb", "image/png", photo.BombPNG(100000, 100000), "too_many_pixels"},
		{"a PDF with a script", "application/pdf", script, "pdf_active_content"},
		{"an encrypted PDF", "application/pdf", photo.EncryptedPDF(), "pdf_encrypted"},
		{"a PNG called a JPEG", "image/jpeg", photo.PNG(8, 8, 1), "type_mismatch"},
	} {
		id, status := tg.upload(t, map[string]any{"contentType": c.contentType, "size": len(c.data), "purpose": "ticket", "name": "file"}, c.data, nil)
		if status != 204 {
			t.Fatalf("%s: S3 answered %d", c.name, status)
		}
		r := tg.do(t, "POST", "/v1/uploads/"+id+"/check", nil, nil)
		var p problem
		r.decode(t, &p)
		if r.status != 400 || p.Code != "attachment_rejected" || p.Fields["attachments[0]"] != c.reason || p.Detail == "" {
			t.Errorf("%s: %d %s, want 400 attachment_rejected %s", c.name, r.status, r.body, c.reason)
		}
		sub := complaint()
		sub["attachments"] = []string{id}
		r = tg.do(t, "POST", "/v1/tickets", sub, nil)
		r.decode(t, &p)
		if r.status != 400 || p.Fields["attachments[0]"] != c.reason {
			t.Errorf("%s on a ticket: %d %s", c.name, r.status, r.body)
		}
		if keys := tg.holds(t, id); len(keys) != 0 {
			t.Errorf("%s: the bucket keeps %v", c.name, keys)
		}
	}
}

// The public Go client attaches files as an app would: announce, send,
// check, then name the upload when filing and supplementing.
func TestGoClientAttachesFiles(t *testing.T) {
	tg := start(t)
	ctx := t.Context()
	citizen := tg.goClient(t)
	raw := photo.JPEG(40, 30, 1)
	pic, err := citizen.Upload(ctx, client.UploadRequest{ContentType: "image/jpeg", Size: int64(len(raw)), Purpose: client.PurposeTicket, Name: "门口.jpg"}, "", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if pic.ContentType != "image/jpeg" || pic.Width != 40 || pic.ThumbnailURL == "" {
		t.Errorf("checked upload %+v", pic)
	}
	rec, err := citizen.FileTicket(ctx, client.Submission{
		Type: client.TypeComplaint, Channel: client.ChannelWeb, Category: "consumer.refund", Content: content,
		Anonymous: true, Attachments: []string{pic.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	pdf := photo.CleanPDF()
	doc, err := citizen.Upload(ctx, client.UploadRequest{ContentType: "application/pdf", Size: int64(len(pdf)), Purpose: client.PurposeSupplement, TicketID: rec.ID}, rec.AccessCode, bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := citizen.AddSupplementWithFiles(ctx, rec.ID, rec.AccessCode, "", []string{doc.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = citizen.Upload(ctx, client.UploadRequest{ContentType: "image/jpeg", Size: int64(len(photo.Zip())), Purpose: client.PurposeTicket}, "", bytes.NewReader(photo.Zip()))
	var p *client.Problem
	if !errors.As(err, &p) || p.Code != "attachment_rejected" || p.Fields["attachments[0]"] != "unsupported_type" {
		t.Errorf("a zip as a photo: %v", err)
	}
	var store *client.StorageError
	big := photo.JPEG(64, 64, 1)
	if _, err := citizen.Upload(ctx, client.UploadRequest{ContentType: "image/jpeg", Size: 10, Purpose: client.PurposeTicket}, "", bytes.NewReader(big)); !errors.As(err, &store) || store.StatusCode != 400 {
		t.Errorf("a file larger than announced: %v", err)
	}
	v, err := tg.staffClient(t, auth.RoleOperator, "").GetStaffTicket(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Attachments) != 2 || v.Attachments[0].Name != "门口.jpg" || v.Attachments[1].ContentType != "application/pdf" {
		t.Errorf("staff see %+v", v.Attachments)
	}
}
