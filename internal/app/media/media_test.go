package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gen2brain/heic"

	"github.com/hotline12345/hotline/internal/testfixtures/photo"
)

// planted is every string the fixtures hide in metadata.
var planted = []string{photo.Serial, photo.Make, photo.XMPTag, photo.TextNote, photo.ICCName}

func sanitize(t *testing.T, data []byte, declared string, lim Limits) Clean {
	t.Helper()
	c, err := Sanitize(data, declared, lim)
	if err != nil {
		t.Fatalf("Sanitize(%s): %v", declared, err)
	}
	return c
}

func assertNoMetadata(t *testing.T, what string, b []byte) {
	t.Helper()
	if f := photo.Inspect(b); f.Any() {
		t.Errorf("%s still carries metadata: %+v", what, f)
	}
	for _, s := range planted {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s still contains %q", what, s)
		}
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	return img
}

func TestMetadataIsGone(t *testing.T) {
	heicData, err := os.ReadFile("testdata/photo-64x48-orientation6.heic")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, declared, want string
		data                 []byte
	}{
		{"jpeg", JPEG, JPEG, photo.JPEG(40, 20, 6)},
		{"png", PNG, PNG, photo.PNG(40, 20, 6)},
		{"webp", WebP, JPEG, photo.WebP(40, 20, color.NRGBA{R: 200, A: 255}, 6)},
		{"heic", HEIC, JPEG, heicData},
		{"heic declared heif", HEIF, JPEG, heicData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The input really carries what must go (else the test proves nothing).
			if !bytes.Contains(tc.data, []byte(photo.Serial)) {
				t.Fatal("fixture lacks the serial number")
			}
			c := sanitize(t, tc.data, tc.declared, DefaultLimits())
			if c.ContentType != tc.want {
				t.Errorf("ContentType %s, want %s", c.ContentType, tc.want)
			}
			assertNoMetadata(t, "output", c.Data)
			assertNoMetadata(t, "thumbnail", c.Thumbnail)
			img := decode(t, c.Data)
			if b := img.Bounds(); b.Dx() != c.Width || b.Dy() != c.Height {
				t.Errorf("Clean says %d×%d, output is %v", c.Width, c.Height, b)
			}
		})
	}
}

func isRed(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 > 180 && g>>8 < 80 && b>>8 < 80
}

func isBlue(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 < 80 && g>>8 < 80 && b>>8 > 180
}

// The Orientation tag is applied to the pixels: a 40×20 picture whose stored
// top-left corner is red comes out as a viewer honouring the tag shows it.
func TestOrientationIsApplied(t *testing.T) {
	// Where the stored top-left corner is shown, per orientation.
	corner := map[int]string{1: "TL", 2: "TR", 3: "BR", 4: "BL", 5: "TL", 6: "TR", 7: "BR", 8: "BL"}
	for _, format := range []string{JPEG, PNG} {
		for o := 1; o <= 8; o++ {
			t.Run(fmt.Sprintf("%s/%d", format, o), func(t *testing.T) {
				data := photo.JPEG(40, 20, o)
				if format == PNG {
					data = photo.PNG(40, 20, o)
				}
				c := sanitize(t, data, format, DefaultLimits())
				img := decode(t, c.Data)
				w, h := 40, 20
				if o >= 5 {
					w, h = 20, 40
				}
				if b := img.Bounds(); b.Dx() != w || b.Dy() != h || c.Width != w || c.Height != h {
					t.Fatalf("output %v (Clean %d×%d), want %d×%d", b, c.Width, c.Height, w, h)
				}
				pos := map[string]image.Point{"TL": {1, 1}, "TR": {w - 2, 1}, "BR": {w - 2, h - 2}, "BL": {1, h - 2}}
				for name, p := range pos {
					if got, want := img.At(p.X, p.Y), name == corner[o]; isRed(got) != want || (!want && !isBlue(got)) {
						t.Errorf("corner %s is %v; red expected only at %s", name, got, corner[o])
					}
				}
			})
		}
	}
}

func TestImagesAreScaledAndThumbnailed(t *testing.T) {
	lim := DefaultLimits()
	lim.OutputSide, lim.ThumbSide = 300, 64
	for _, tc := range []struct {
		name          string
		data          []byte
		declared      string
		w, h, tw, th  int
		keepsOriginal bool
	}{
		{"large landscape jpeg", photo.JPEG(1000, 500, 1), JPEG, 300, 150, 64, 32, false},
		{"large portrait png", photo.PNG(500, 1000, 1), PNG, 150, 300, 32, 64, false},
		{"rotated large jpeg", photo.JPEG(1000, 500, 8), JPEG, 150, 300, 32, 64, false},
		{"small jpeg is not enlarged", photo.JPEG(40, 20, 1), JPEG, 40, 20, 40, 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sanitize(t, tc.data, tc.declared, lim)
			if c.Width != tc.w || c.Height != tc.h {
				t.Errorf("output %d×%d, want %d×%d", c.Width, c.Height, tc.w, tc.h)
			}
			if b := decode(t, c.Data).Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
				t.Errorf("decoded output %v, want %d×%d", b, tc.w, tc.h)
			}
			thumb, err := jpeg.Decode(bytes.NewReader(c.Thumbnail))
			if err != nil {
				t.Fatalf("thumbnail is no JPEG: %v", err)
			}
			if b := thumb.Bounds(); b.Dx() != tc.tw || b.Dy() != tc.th {
				t.Errorf("thumbnail %v, want %d×%d", b, tc.tw, tc.th)
			}
			if b := thumb.Bounds(); max(b.Dx(), b.Dy()) > lim.ThumbSide {
				t.Errorf("thumbnail %v exceeds %d", b, lim.ThumbSide)
			}
		})
	}
}

// A transparent PNG stays transparent; as a JPEG thumbnail its transparent
// parts are white (as on the page), not black.
func TestTransparency(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 20, 20))
	img.SetNRGBA(0, 0, color.NRGBA{R: 255, A: 255})
	var buf bytes.Buffer
	png.Encode(&buf, img)
	c := sanitize(t, buf.Bytes(), PNG, DefaultLimits())
	if _, _, _, a := decode(t, c.Data).At(10, 10).RGBA(); a != 0 {
		t.Errorf("transparent pixel has alpha %d after sanitising", a)
	}
	if r, g, b, _ := decode(t, c.Thumbnail).At(10, 10).RGBA(); r>>8 < 240 || g>>8 < 240 || b>>8 < 240 {
		t.Errorf("transparent pixel in the thumbnail is %d,%d,%d, want white", r>>8, g>>8, b>>8)
	}
}

func reason(err error) Reason {
	var r *RejectedError
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

func TestRejections(t *testing.T) {
	small := DefaultLimits()
	small.MaxBytes = 1000
	var g bytes.Buffer
	gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black}), nil)
	jpg := photo.JPEG(40, 20, 1)

	type tc struct {
		data     []byte
		declared string
		lim      Limits
		want     Reason
	}
	cases := map[string]tc{
		"png declared as jpeg":       {photo.PNG(8, 8, 1), JPEG, DefaultLimits(), TypeMismatch},
		"jpeg declared as pdf":       {jpg, PDF, DefaultLimits(), TypeMismatch},
		"pdf declared as png":        {photo.CleanPDF(), PNG, DefaultLimits(), TypeMismatch},
		"non-canonical image/jpg":    {jpg, "image/jpg", DefaultLimits(), UnsupportedType},
		"declared with parameters":   {jpg, "image/jpeg; q=1", DefaultLimits(), UnsupportedType},
		"zip declared as pdf":        {photo.Zip(), PDF, DefaultLimits(), UnsupportedType},
		"html declared as png":       {[]byte("<!DOCTYPE html><script>alert(1)</script>"), PNG, DefaultLimits(), UnsupportedType},
		"svg declared as png":        {[]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), PNG, DefaultLimits(), UnsupportedType},
		"gif declared as png":        {g.Bytes(), PNG, DefaultLimits(), UnsupportedType},
		"executable declared as pdf": {append([]byte("MZ\x90\x00"), make([]byte, 100)...), PDF, DefaultLimits(), UnsupportedType},
		"oversized":                  {photo.JPEG(400, 400, 1), JPEG, small, TooLarge},
		"bomb png":                   {photo.BombPNG(100000, 100000), PNG, DefaultLimits(), TooManyPixels},
		"side too long":              {photo.BombPNG(20000, 10), PNG, DefaultLimits(), TooManyPixels},
		"empty":                      {nil, JPEG, DefaultLimits(), Corrupt},
		"truncated jpeg":             {jpg[:len(jpg)/2], JPEG, DefaultLimits(), Corrupt},
		"encrypt flag pdf":           {photo.EncryptFlagPDF(), PDF, DefaultLimits(), PDFEncrypted},
		"encrypted pdf":              {photo.EncryptedPDF(), PDF, DefaultLimits(), PDFEncrypted},
		"truncated pdf":              {photo.CleanPDF()[:200], PDF, DefaultLimits(), Corrupt},
	}
	for name, b := range photo.ActivePDFs() {
		cases["pdf "+name] = tc{b, PDF, DefaultLimits(), PDFActiveContent}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Sanitize(c.data, c.declared, c.lim)
			// The boundary sees the error through any wrapping.
			err = fmt.Errorf("attach to ticket: %w", err)
			if got := reason(err); got != c.want {
				t.Fatalf("reason %q (%v), want %q", got, err, c.want)
			}
			for _, s := range append(planted, "app.alert", "calc.exe", "<script") {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q quotes the file", err)
				}
			}
		})
	}
}

// The walk of the parsed objects, without the byte pre-pass, catches every
// variant: names written with #xx escapes and objects inside compressed
// object streams included.
func TestParsedWalkCatchesActiveContentAlone(t *testing.T) {
	for name, b := range photo.ActivePDFs() {
		t.Run(name, func(t *testing.T) {
			if got := reason(checkParsedPDF(b, DefaultLimits())); got != PDFActiveContent {
				t.Errorf("reason %q, want %q", got, PDFActiveContent)
			}
		})
	}
	// And the byte pass alone misses the escaped and compressed ones, which
	// is why the walk is there.
	for _, name := range []string{"openaction-javascript-escaped", "javascript-in-object-stream"} {
		if n := activeByName(photo.ActivePDFs()[name]); n != "" {
			t.Errorf("%s: the byte pass found %s; the fixture does not test the walk", name, n)
		}
	}
}

func TestCleanPDFsPassUnchanged(t *testing.T) {
	for name, b := range photo.CleanPDFs() {
		t.Run(name, func(t *testing.T) {
			c := sanitize(t, b, PDF, DefaultLimits())
			if !bytes.Equal(c.Data, b) || c.ContentType != PDF || c.Thumbnail != nil {
				t.Errorf("clean PDF changed: type %s, %d bytes (was %d), thumbnail %d bytes", c.ContentType, len(c.Data), len(b), len(c.Thumbnail))
			}
		})
	}
	// Object streams are fine in themselves.
	b := photo.ObjectStreamPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	sanitize(t, b, PDF, DefaultLimits())
}

// A 1 MB PDF whose object streams inflate to 1 GiB is refused without
// allocating anything near that.
func TestPDFObjectStreamBomb(t *testing.T) {
	b := photo.ObjectStreamBombPDF(64, 16<<20)
	if len(b) > 1<<20+100<<10 {
		t.Fatalf("bomb is %d bytes", len(b))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Sanitize(b, PDF, DefaultLimits())
	runtime.ReadMemStats(&after)
	if got := reason(err); got != TooLarge {
		t.Fatalf("reason %q (%v), want %q", got, err, TooLarge)
	}
	// TotalAlloc counts every allocation, freed or not, by all goroutines;
	// the test runs alone (not parallel).
	if n := after.TotalAlloc - before.TotalAlloc; n > 200<<20 {
		t.Errorf("refusing a %d-byte PDF allocated %d MiB", len(b), n>>20)
	}
}

func TestHEICDecoderIsTheEmbeddedOne(t *testing.T) {
	// A system libheif loaded through purego would be a library of unknown
	// version parsing hostile files; Lambda builds (CGO_ENABLED=0, static)
	// never load one, and -tags nodynamic rules it out everywhere.
	if heic.Dynamic() == nil {
		t.Error("gen2brain/heic loaded a system libheif; build with -tags nodynamic")
	}
}

func TestHEICMadeLocally(t *testing.T) {
	data := photo.HEIC(t, 90, 60)
	if Sniff(data) != HEIC {
		t.Fatalf("heif-enc output sniffed as %q", Sniff(data))
	}
	c := sanitize(t, data, HEIC, DefaultLimits())
	if c.Width != 90 || c.Height != 60 || c.ContentType != JPEG {
		t.Errorf("got %s %d×%d", c.ContentType, c.Width, c.Height)
	}
	assertNoMetadata(t, "output", c.Data)
}

func TestSniff(t *testing.T) {
	heicData, _ := os.ReadFile("testdata/photo-64x48-orientation6.heic")
	for want, b := range map[string][]byte{
		JPEG: photo.JPEG(8, 8, 1), PNG: photo.PNG(8, 8, 1), WebP: photo.WebP(8, 8, color.NRGBA{A: 255}, 1),
		HEIC: heicData, PDF: photo.CleanPDF(), "": photo.Zip(),
	} {
		if got := Sniff(b); got != want {
			t.Errorf("Sniff = %q, want %q", got, want)
		}
	}
}

func TestAccepted(t *testing.T) {
	for ct, want := range map[string]bool{
		JPEG: true, PNG: true, HEIC: true, HEIF: true, WebP: true, PDF: true,
		"image/jpg": false, "IMAGE/JPEG": false, "image/gif": false, "image/svg+xml": false,
		"application/zip": false, "text/html": false, "": false,
	} {
		if Accepted(ct) != want {
			t.Errorf("Accepted(%q) = %v", ct, !want)
		}
	}
}

func TestCheckFileName(t *testing.T) {
	for name, ok := range map[string]bool{
		"photo.jpg":                   true,
		"投诉材料 第1页.pdf":                true,
		"IMG_0042.HEIC":               true,
		"a.b.c.png":                   true,
		strings.Repeat("文", 85):       true, // 255 bytes
		strings.Repeat("文", 85) + "x": false,
		strings.Repeat("a", 256):      false,
		"":                            false,
		"   ":                         false,
		"\u3000":                      false, // ideographic space only
		"../etc/passwd":               false,
		"dir/file.jpg":                false,
		`C:\Users\file.jpg`:           false,
		"..":                          false,
		"a..b.pdf":                    false,
		"line\nbreak.jpg":             false,
		"tab\t.jpg":                   false,
		"nul\x00.jpg":                 false,
		"del\x7f.jpg":                 false,
		"c1\u0085.jpg":                false,
		"invoice\u202Egpj.exe":        false,
		"invoice\u2066x\u2069.pdf":    false,
		"bad utf8 \xff.jpg":           false,
		"zero\u200bwidth.jpg":         true, // invisible but not reordering
		"emoji 📷.jpg":                 true,
		"\u202Aembedding.jpg":         false,
		"isolate\u2068.jpg":           false,
		" leading and trailing .jpg ": true,
	} {
		err := CheckFileName(name)
		if (err == nil) != ok {
			t.Errorf("CheckFileName(%q) = %v, want ok=%v", name, err, ok)
		}
		if err != nil && reason(err) != BadFileName {
			t.Errorf("CheckFileName(%q): reason %q", name, reason(err))
		}
	}
}

func TestErrorMessages(t *testing.T) {
	for r := range messages {
		msg := (&RejectedError{Reason: r}).Error()
		if msg == "" || strings.Contains(msg, "%") {
			t.Errorf("%s: message %q", r, msg)
		}
	}
	e := &RejectedError{Reason: Corrupt, Detail: "x", Err: errors.New("inner <secret>")}
	if strings.Contains(e.Error(), "secret") || !errors.Is(e, e.Err) {
		t.Errorf("the parser's error must be reachable by errors.Is but not shown: %q", e.Error())
	}
}
