package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gen2brain/heic"
	"golang.org/x/image/draw"

	"github.com/hotline12345/hotline/internal/testfixtures/photo"
)

// photoLike returns a w×h picture with smooth gradients and sensor-like
// noise, so that its JPEG is about as large as a phone's (a flat picture
// would compress to nothing and flatter the decoder).
func photoLike(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			n := int(seed>>27) - 16
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 128 + 100*math.Sin(6*fx+2*fy) + float64(n)
			g := 128 + 90*math.Sin(4*fy+1) + float64(n)
			b := 128 + 80*math.Cos(5*fx*fy) + float64(n)
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = clamp(r), clamp(g), clamp(b), 255
		}
	}
	return img
}

func clamp(v float64) uint8 { return uint8(max(0, min(255, v))) }

var (
	photo12Once sync.Once
	photo12     []byte // a 4032×3024 JPEG (12 MP), Orientation 6 as from a phone held upright
)

func jpeg12MP(b *testing.B) []byte {
	photo12Once.Do(func() {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, photoLike(4032, 3024), &jpeg.Options{Quality: 92}); err != nil {
			b.Fatal(err)
		}
		// Splice in the fixtures' EXIF with Orientation 6.
		exif := append([]byte("Exif\x00\x00"), photo.EXIF(6)...)
		seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(exif)+2))
		photo12 = append(append(append([]byte{0xFF, 0xD8}, seg...), exif...), buf.Bytes()[2:]...)
	})
	return photo12
}

// go test -run x -bench . -benchmem ./internal/app/media
func BenchmarkSanitizeJPEG12MP(b *testing.B) {
	data := jpeg12MP(b)
	lim := DefaultLimits()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sanitize(data, JPEG, lim); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkThumbnail12MP(b *testing.B) {
	img, err := jpeg.Decode(bytes.NewReader(jpeg12MP(b)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := thumbnail(img, 320); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScalers compares the x/image/draw kernels on what Sanitize does:
// a 12 MP decoded JPEG (YCbCr) down to a 320 px thumbnail and to 2048 px.
func BenchmarkScalers(b *testing.B) {
	img, err := jpeg.Decode(bytes.NewReader(jpeg12MP(b)))
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name string
		k    draw.Scaler
	}{{"CatmullRom", draw.CatmullRom}, {"BiLinear", draw.BiLinear}, {"ApproxBiLinear", draw.ApproxBiLinear}} {
		for _, side := range []int{320, 2048} {
			b.Run(fmt.Sprintf("%s/%d", s.name, side), func(b *testing.B) {
				w, h := fit(4032, 3024, side)
				dst := image.NewRGBA(image.Rect(0, 0, w, h))
				b.ReportAllocs()
				for b.Loop() {
					s.k.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
				}
			})
		}
	}
}

// BenchmarkDecodeHEIC12MP decodes a 4032×3024 HEIC made by heif-enc (skipped
// without it) with the WASM libheif.
func BenchmarkDecodeHEIC12MP(b *testing.B) {
	enc, err := exec.LookPath("heif-enc")
	if err != nil {
		b.Skip("heif-enc not installed")
	}
	dir := b.TempDir()
	in, out := filepath.Join(dir, "in.jpg"), filepath.Join(dir, "out.heic")
	if err := os.WriteFile(in, jpeg12MP(b), 0o600); err != nil {
		b.Fatal(err)
	}
	if msg, err := exec.Command(enc, "-q", "50", in, "-o", out).CombinedOutput(); err != nil {
		b.Fatalf("heif-enc: %v %s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	heic.Init() // compile the WASM module outside the timing; cold start is reported separately
	b.ReportAllocs()
	for b.Loop() {
		if _, err := heic.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
