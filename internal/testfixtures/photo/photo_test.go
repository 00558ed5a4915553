package photo

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"golang.org/x/image/webp"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The fixtures must be what they claim: decodable, and carrying every kind
// of metadata, so that "gone after sanitising" means something.
func TestImagesCarryTheirMetadata(t *testing.T) {
	for name, tc := range map[string]struct {
		data   []byte
		decode func([]byte) (image.Image, error)
	}{
		"jpeg": {JPEG(40, 20, 6), func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }},
		"png":  {PNG(40, 20, 6), func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }},
	} {
		img, err := tc.decode(tc.data)
		if err != nil {
			t.Fatalf("%s does not decode: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != 40 || b.Dy() != 20 {
			t.Errorf("%s is %v, want 40×20", name, b)
		}
		f := Inspect(tc.data)
		want := Found{EXIF: true, GPS: true, XMP: true, ICC: true, Text: true, Serial: true}
		if f != want {
			t.Errorf("%s: Inspect = %+v, want %+v", name, f, want)
		}
		if !bytes.Contains(tc.data, []byte(XMPTag)) || !bytes.Contains(tc.data, []byte(TextNote)) {
			t.Errorf("%s lacks the planted XMP or text", name)
		}
	}
}

func TestInspectSeesNothingInPlainImages(t *testing.T) {
	var j, p bytes.Buffer
	jpeg.Encode(&j, Pattern(8, 8), nil)
	png.Encode(&p, Pattern(8, 8))
	for name, b := range map[string][]byte{"jpeg": j.Bytes(), "png": p.Bytes()} {
		if f := Inspect(b); f.Any() {
			t.Errorf("plain %s: Inspect = %+v", name, f)
		}
	}
	// No GPS IFD pointer when the EXIF lacks one.
	exif := EXIF(1)
	if !tiffHasTag(exif, 0x8825) || tiffHasTag(exif, 0x9999) {
		t.Error("tiffHasTag does not tell tags apart")
	}
}

func TestBombPNGClaimsItsSize(t *testing.T) {
	b := BombPNG(100000, 100000)
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 100000 || cfg.Height != 100000 || len(b) > 200 {
		t.Errorf("bomb is %d bytes claiming %d×%d", len(b), cfg.Width, cfg.Height)
	}
}

func readPDF(t *testing.T, b []byte) *model.Context {
	t.Helper()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(bytes.NewReader(b), conf)
	if err != nil {
		t.Fatalf("pdfcpu cannot read the fixture: %v", err)
	}
	return ctx
}

// The PDFs are well-formed, so a refusal is about their content.
func TestPDFsAreReadable(t *testing.T) {
	all := map[string][]byte{"encrypted": EncryptedPDF(), "bomb": ObjectStreamBombPDF(2, 1000)}
	for k, v := range CleanPDFs() {
		all["clean "+k] = v
	}
	for k, v := range ActivePDFs() {
		all["active "+k] = v
	}
	for name, b := range all {
		t.Run(name, func(t *testing.T) {
			ctx := readPDF(t, b)
			if err := api.ValidateContext(ctx); err != nil {
				t.Errorf("invalid: %v", err)
			}
		})
	}
	if ctx := readPDF(t, EncryptedPDF()); ctx.XRefTable.Encrypt == nil {
		t.Error("EncryptedPDF is not encrypted")
	}
}

func TestObjectStreamBombDecodes(t *testing.T) {
	b := ObjectStreamBombPDF(3, 1<<20)
	if len(b) > 20<<10 {
		t.Errorf("bomb of 3 MiB is %d bytes", len(b))
	}
	ctx := readPDF(t, b)
	if err := api.ValidateContext(ctx); err != nil {
		t.Errorf("invalid: %v", err)
	}
	if n := len(ctx.Read.ObjectStreams); n != 4 {
		t.Errorf("%d object streams, want 4", n)
	}
	// Every stream inflates cleanly, checksum included.
	for n := range ctx.Read.ObjectStreams {
		osd := ctx.XRefTable.Table[n].Object.(types.ObjectStreamDict)
		zr, err := zlib.NewReader(bytes.NewReader(osd.Raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, zr); err != nil {
			t.Errorf("object stream %d: %v", n, err)
		}
	}
}

func TestWebPDecodesAndCarriesMetadata(t *testing.T) {
	c := color.NRGBA{R: 10, G: 200, B: 30, A: 255}
	b := WebP(40, 20, c, 6)
	img, err := webp.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 40 || img.Bounds().Dy() != 20 {
		t.Errorf("WebP is %v", img.Bounds())
	}
	if got := color.NRGBAModel.Convert(img.At(39, 19)); got != c {
		t.Errorf("pixel %v, want %v", got, c)
	}
	if f := Inspect(b); !f.EXIF || !f.GPS || !f.XMP || !f.Serial {
		t.Errorf("Inspect = %+v", f)
	}
}
