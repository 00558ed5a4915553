package media

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/testfixtures/photo"
)

// fuzzLimits are small so that each execution is quick; the bounds checked
// are the same code paths as with DefaultLimits.
func fuzzLimits() Limits {
	return Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20, MaxSide: 4096, OutputSide: 256, ThumbSide: 64, MaxPDFObjects: 10000, MaxPDFDecoded: 4 << 20}
}

func FuzzSanitize(f *testing.F) {
	heicData, err := os.ReadFile("testdata/photo-64x48-orientation6.heic")
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{
		photo.JPEG(40, 20, 6), photo.PNG(40, 20, 3), photo.WebP(40, 20, color.NRGBA{R: 255, A: 255}, 8),
		photo.BombPNG(100000, 100000), photo.Zip(), heicData,
		photo.CleanPDF(), photo.EncryptFlagPDF(), photo.ObjectStreamBombPDF(2, 1000),
	}
	for _, b := range photo.ActivePDFs() {
		seeds = append(seeds, b)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	lim := fuzzLimits()
	f.Fuzz(func(t *testing.T, data []byte) {
		declared := Sniff(data)
		if declared == "" {
			declared = JPEG
		}
		c, err := Sanitize(data, declared, lim)
		if err != nil {
			var r *RejectedError
			if !errors.As(err, &r) {
				t.Fatalf("not a refusal but a failure: %v", err)
			}
			if errors.Is(err, errDecoderPanic) {
				t.Fatalf("a decoder panicked: %v", errors.Unwrap(err))
			}
			return
		}
		if c.ContentType == PDF {
			if !bytes.Equal(c.Data, data) || c.Thumbnail != nil {
				t.Fatal("an accepted PDF was changed or got a thumbnail")
			}
			return
		}
		for what, b := range map[string][]byte{"output": c.Data, "thumbnail": c.Thumbnail} {
			if f := photo.Inspect(b); f.EXIF || f.XMP || f.ICC || f.Text {
				t.Fatalf("%s carries metadata: %+v", what, f)
			}
			img, format, err := image.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s does not decode: %v", what, err)
			}
			side := lim.OutputSide
			if what == "thumbnail" {
				side = lim.ThumbSide
				if format != "jpeg" {
					t.Fatalf("thumbnail is %s", format)
				}
			} else if "image/"+format != c.ContentType {
				t.Fatalf("output is %s, Clean says %s", format, c.ContentType)
			}
			if bb := img.Bounds(); bb.Dx() > side || bb.Dy() > side || bb.Dx() < 1 || bb.Dy() < 1 {
				t.Fatalf("%s is %v, limit %d", what, bb, side)
			}
			if what == "output" && (img.Bounds().Dx() != c.Width || img.Bounds().Dy() != c.Height) {
				t.Fatalf("output is %v, Clean says %d×%d", img.Bounds(), c.Width, c.Height)
			}
		}
	})
}

func FuzzCheckFileName(f *testing.F) {
	for _, s := range []string{"photo.jpg", "投诉材料.pdf", "../x", `a\b`, "a\u202Eb", "\x00", " ", "a..b", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := CheckFileName(name)
		if err != nil {
			var r *RejectedError
			if !errors.As(err, &r) || r.Reason != BadFileName {
				t.Fatalf("CheckFileName(%q) = %v, not a bad_filename refusal", name, err)
			}
			return
		}
		// What passes obeys every rule, checked here independently.
		if !utf8.ValidString(name) || len(name) > 255 || strings.TrimSpace(name) == "" ||
			strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
			t.Fatalf("CheckFileName accepted %q", name)
		}
		for _, r := range name {
			if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("CheckFileName accepted %q with %U", name, r)
			}
		}
	})
}
