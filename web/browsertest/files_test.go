package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/internal/testfixtures/photo"
)

// writeFiles puts each file in a fresh directory and returns their paths,
// in the order given (name, content, name, content…).
func writeFiles(t *testing.T, pairs ...any) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for i := 0; i < len(pairs); i += 2 {
		p := filepath.Join(dir, pairs[i].(string))
		if err := os.WriteFile(p, pairs[i+1].([]byte), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// tiles waits until the picker's list holds n tiles in state.
func tiles(list, state string, n int) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`document.querySelectorAll('#` + list + ` li[data-state="` + state + `"]').length === ` + strconv.Itoa(n))
}

// imagesShown waits until every <img> under sel has loaded (the policy
// allowed its origin and the link worked).
func imagesShown(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`(() => { const imgs = [...document.querySelectorAll('` + sel + ` img')];
		return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0); })()`)
}

// evalJSON runs expr in the page and decodes its value into v.
func evalJSON[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func countPages(targets []*target.Info) int {
	n := 0
	for _, ti := range targets {
		if ti.Type == "page" {
			n++
		}
	}
	return n
}

// get fetches url as the browser would (no credentials) and returns the body.
func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return b
}

// A citizen attaches a photo carrying GPS and a PDF: each is uploaded and
// checked at once and shows cleaned; a PDF with JavaScript and a zip named
// .jpg are refused on their tiles and not sent. The filed ticket shows the
// two files, without the photo's location; a supplement of a photo alone
// adds a third.
func TestCitizenAttachesPhotosAndFiles(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)

	raw := photo.JPEG(1200, 900, 6)
	if !photo.HasGPS(raw) {
		t.Fatal("the fixture photo carries no GPS")
	}
	good := writeFiles(t, "路面坑洞.jpg", raw, "购物小票.pdf", photo.CleanPDF())
	bad := writeFiles(t, "带脚本.pdf", photo.ActivePDFs()["openaction-javascript"], "不是照片.jpg", photo.Zip())

	verifyOnPage(t, ctx, p, "photos@example.com")
	// Types as browsers give them: "" for HEIC on some, image/jpg on others.
	types, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`import('/shared/files.js').then(({ fileType }) =>
		[['IMG_0001.HEIC', ''], ['a.heif', ''], ['b.jpg', 'image/jpg'], ['c.JPEG', ''], ['d.pdf', 'application/pdf'], ['e.zip', '']]
			.map(([n, ty]) => fileType(new File([], n, { type: ty }))))`, chromedp.EvalAwaitPromise))
	if want := []string{"image/heic", "image/heif", "image/jpeg", "image/jpeg", "application/pdf", ""}; err != nil || !slices.Equal(types, want) {
		t.Errorf("fileType: %q %v, want %q", types, err, want)
	}
	do(t, ctx, "fill the form and choose two files",
		chromedp.WaitReady(chromedp.CSS(`#category option[value="consumer.refund"]`)),
		chromedp.SetValue(chromedp.ID("category"), "consumer.refund"),
		typeIn(chromedp.ID("content"), "小区门口路面有一个大坑，电动车经过时摔倒，请尽快修补。照片和小票见附件。"),
		chromedp.SetUploadFiles(chromedp.ID("files"), good),
		chromedp.WaitVisible(chromedp.CSS("#files-list li")),
	)
	// Whatever state the tiles are in by now (uploading, checking): a look.
	shot(t, ctx, dir, "files-00-on-their-way")
	do(t, ctx, "the files are checked",
		tiles("files-list", "ready", 2),
		imagesShown("#files-list"),
	)
	// The photo's tile shows the cleaned thumbnail, from the bucket; the
	// PDF's a badge and its name.
	src := evalJSON[string](t, ctx, `document.querySelector('#files-list img').src`)
	if !strings.HasPrefix(src, p.EdgeURL+"/"+platform.MediaBucket+"/") {
		t.Errorf("thumbnail from %s, want the bucket on the edge", src)
	}
	if photo.HasGPS(get(t, src)) {
		t.Error("the thumbnail carries the photo's location")
	}
	if s := text(t, ctx, "files-list"); !strings.Contains(s, "路面坑洞.jpg") || !strings.Contains(s, "购物小票.pdf") || !strings.Contains(s, "可以提交") {
		t.Errorf("the tiles say %q", s)
	}
	shot(t, ctx, dir, "files-01-chosen")

	do(t, ctx, "choose two files the hotline refuses",
		chromedp.SetUploadFiles(chromedp.ID("files"), bad),
		tiles("files-list", "refused", 2),
	)
	refused := evalJSON[[]string](t, ctx, `[...document.querySelectorAll('#files-list li[data-state="refused"]')].map((li) => li.textContent)`)
	if len(refused) != 2 || !strings.Contains(refused[0], "带脚本.pdf") || !strings.Contains(refused[1], "不是照片.jpg") {
		t.Fatalf("refused tiles %q", refused)
	}
	for _, r := range refused {
		// The API's own words, not a generic failure.
		if strings.Contains(r, "出错了") || len(r) < 20 {
			t.Errorf("a refused tile says only %q", r)
		}
	}
	t.Logf("refused tiles: %q", refused)
	shot(t, ctx, dir, "files-02-refused")
	assertAccessible(t, ctx, "files-02-refused")
	pg.check(t, "status of 400")

	// One refused tile goes by keyboard; the other stays and is not sent.
	do(t, ctx, "remove a refused file by keyboard",
		chromedp.Focus(chromedp.CSS(`#files-list li[data-state="refused"] button`)),
		chromedp.KeyEvent(kb.Enter),
		tiles("files-list", "refused", 1),
	)
	if f := evalJSON[string](t, ctx, `document.activeElement.textContent`); f != "移除" {
		t.Errorf("after removing, focus is on %q, want the next remove button", f)
	}

	do(t, ctx, "submit",
		chromedp.Click(chromedp.ID("submit-ticket")),
		chromedp.WaitVisible(chromedp.ID("receipt-code")),
	)
	do(t, ctx, "view the ticket",
		chromedp.Click(chromedp.ID("receipt-view")),
		chromedp.WaitVisible(chromedp.ID("ticket-files")),
		imagesShown("#ticket-gallery"),
		imagesShown("#timeline"),
	)
	if n := evalJSON[int](t, ctx, `document.querySelectorAll('#ticket-gallery li').length`); n != 2 {
		t.Errorf("the ticket shows %d files, want the photo and the PDF", n)
	}
	if s := text(t, ctx, "ticket-gallery"); !strings.Contains(s, "购物小票.pdf") {
		t.Errorf("the gallery says %q, want the PDF's name", s)
	}
	// The full photo, what the thumbnail opens, is cleaned too.
	full := evalJSON[string](t, ctx, `document.querySelector('#ticket-gallery li.photo a').href`)
	if b := get(t, full); photo.HasGPS(b) || photo.HasEXIF(b) {
		t.Error("the attached photo keeps its EXIF or location")
	}
	alt := evalJSON[string](t, ctx, `document.querySelector('#ticket-gallery img').alt`)
	if alt != "路面坑洞.jpg" {
		t.Errorf("thumbnail alt %q, want the file's name", alt)
	}
	shot(t, ctx, dir, "files-03-ticket")
	assertAccessible(t, ctx, "files-03-ticket")

	// A supplement of a photo alone.
	more := writeFiles(t, "补充照片.png", photo.PNG(800, 600, 1))
	// Sent at once: the page waits for the upload and its check.
	do(t, ctx, "add a photo and send it at once",
		chromedp.SetUploadFiles(chromedp.ID("supplement-files"), more),
		chromedp.WaitVisible(chromedp.CSS("#supplement-files-list li")),
		chromedp.Click(chromedp.ID("supplement-submit")),
		chromedp.WaitVisible(chromedp.ID("status")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#ticket-gallery li').length === 3`),
		imagesShown("#ticket-gallery"),
	)
	if s := text(t, ctx, "status"); s != "补充材料已提交。" {
		t.Errorf("after the supplement the page says %q", s)
	}
	if n := evalJSON[int](t, ctx, `document.querySelectorAll('#supplement-files-list li').length`); n != 0 {
		t.Errorf("after sending, the supplement form still lists %d files", n)
	}
	shot(t, ctx, dir, "files-05-supplemented")

	do(t, ctx, "English", chromedp.Click(chromedp.ID("lang")), chromedp.WaitVisible(chromedp.ID("ticket-files")))
	if s := text(t, ctx, "ticket-files"); !strings.HasPrefix(s, "Photos and files") {
		t.Errorf("English files heading %q", s)
	}
	shot(t, ctx, dir, "files-06-english")
	pg.check(t, "status of 400")
}

// uploadOverAPI sends data as a citizen filing would: the upload's form
// from the API, then the file to the bucket; it returns the upload's id.
func uploadOverAPI(t *testing.T, p *platform.Platform, contentType, name string, data []byte) string {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"contentType": contentType, "size": len(data), "purpose": "ticket", "name": name})
	resp, err := http.Post(p.APIURL+"/v1/uploads", "application/json", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	var form struct {
		UploadID string            `json:"uploadId"`
		URL      string            `json:"url"`
		Fields   map[string]string `json:"fields"`
	}
	err = json.NewDecoder(resp.Body).Decode(&form)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/uploads: %d %v", resp.StatusCode, err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range form.Fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err = http.Post(form.URL, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %d", form.URL, resp.StatusCode)
	}
	return form.UploadID
}

// A ticket filed with a photo: the department sees the thumbnail in the
// console (opening the full photo in a new tab), replies with a photo of
// its own, and the citizen sees both.
func TestConsoleShowsPhotosAndDepartmentRepliesWithOne(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)
	do(t, ctx, "desk size", chromedp.EmulateViewport(1280, 900))

	id := uploadOverAPI(t, p, "image/jpeg", "占道经营.jpg", photo.JPEG(1600, 1200, 1))
	body := localtest.VerifiedBody(t, p.EdgeURL, inbox.HTTPPoster(p.APIURL),
		`{"type":"complaint","category":"consumer.refund","channel":"web","content":"超市把货架摆到人行道上，行人只能走机动车道，请处理。","contact":{"email":"desk-photo@example.com"},"attachments":["`+id+`"]}`)
	resp, err := http.Post(p.APIURL+"/v1/tickets", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var rec localtest.Receipt
	err = json.NewDecoder(resp.Body).Decode(&rec)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("file: %d %v", resp.StatusCode, err)
	}
	wctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	arn := strings.Replace(p.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + rec.ID
	if _, err := p.Engine.WaitFor(wctx, arn, func(d *asl.ExecutionInfo) bool {
		return d.Status != asl.StatusRunning || len(d.WaitingTokens) > 0
	}); err != nil {
		t.Fatal(err)
	}

	signIn(t, ctx, p, "department", "market")
	row := `#tickets li[data-id="` + rec.ID + `"]`
	do(t, ctx, "open the ticket",
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.ID("d-files")),
		imagesShown("#d-gallery"),
	)
	link := evalJSON[map[string]string](t, ctx, `(() => { const a = document.querySelector('#d-gallery a');
		return {target: a.target, href: a.href, alt: a.querySelector('img').alt}; })()`)
	if link["target"] != "_blank" || !strings.HasPrefix(link["href"], p.EdgeURL) || link["alt"] != "占道经营.jpg" {
		t.Errorf("the thumbnail's link %v", link)
	}
	shot(t, ctx, dir, "files-console-01-ticket")
	assertAccessible(t, ctx, "files-console-01-ticket")

	// Links live minutes: a desk that kept the ticket open past them gets
	// the view read again on a click, not a tab with S3's AccessDenied.
	do(t, ctx, "click an expired link",
		chromedp.Evaluate[chromedp.Void](`window.realNow = Date.now; Date.now = () => window.realNow() + 3600e3`),
		chromedp.Click(chromedp.CSS("#d-gallery a")),
		chromedp.Poll[chromedp.Void](`document.getElementById('status').textContent.startsWith('文件链接已过期')`),
		chromedp.Evaluate[chromedp.Void](`Date.now = window.realNow`),
	)
	if targets, err := chromedp.Targets(ctx); err != nil || countPages(targets) != 1 {
		t.Errorf("an expired link opened a tab: %d pages, %v", countPages(targets), err)
	}

	submit(t, ctx, "accept", "accept-form", "已签收。")
	reply := writeFiles(t, "整改后.jpg", photo.JPEG(1200, 900, 1))
	do(t, ctx, "write the reply with a photo",
		chromedp.WaitVisible(chromedp.ID("reply-form")),
		typeIn(chromedp.ID("reply-message"), "经现场核查，超市已将货架撤回店内，人行道已恢复通行。"),
		chromedp.SetUploadFiles(chromedp.ID("reply-files"), reply),
		tiles("reply-files-list", "ready", 1),
		imagesShown("#reply-files-list"),
	)
	shot(t, ctx, dir, "files-console-02-reply")
	assertAccessible(t, ctx, "files-console-02-reply")
	submit(t, ctx, "the reply", "reply-form", "答复已提交。")
	do(t, ctx, "the reply's photo on the ticket",
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#d-gallery img').length === 2`),
		imagesShown("#d-gallery"),
	)
	shot(t, ctx, dir, "files-console-03-replied")
	pg.check(t)

	lookUp(t, ctx, p, rec)
	do(t, ctx, "the citizen sees both photos",
		chromedp.WaitVisible(chromedp.ID("ticket-files")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#ticket-gallery img').length === 2`),
		imagesShown("#ticket-gallery"),
	)
	// The reply's step in the timeline carries the reply's photo.
	alts := evalJSON[[]string](t, ctx, `[...document.querySelectorAll('#timeline img')].map((i) => i.alt)`)
	if len(alts) != 2 || alts[0] != "整改后.jpg" || alts[1] != "占道经营.jpg" {
		t.Errorf("timeline photos %q, want the reply's then the filing's", alts)
	}
	shot(t, ctx, dir, "files-07-citizen-reply")
	pg.check(t)
}
