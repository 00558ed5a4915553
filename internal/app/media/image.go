package media

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/gen2brain/heic"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

const (
	jpegQuality  = 85 // no visible loss on photos at about a third of quality-95 size
	thumbQuality = 80
)

// scaler resamples. BiLinear (a true kernel: it widens when shrinking, so no
// aliasing) costs about half of CatmullRom and looks the same at these
// ratios; ApproxBiLinear aliases badly when shrinking a photo to a thumbnail.
// See BenchmarkScalers.
var scaler = draw.BiLinear

type codec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
	// exifOriented: the format's EXIF Orientation tells viewers how to turn
	// the pixels. HEIF instead carries irot/imir boxes, which libheif already
	// applies while decoding; its EXIF orientation must then be ignored.
	exifOriented bool
}

// The decoders are called by format rather than through image.Decode so that
// a file sniffed as one format is never handed to another format's decoder
// (image.Decode picks by magic bytes with its own rules).
var codecs = map[string]codec{
	JPEG: {jpeg.DecodeConfig, jpeg.Decode, true},
	PNG:  {png.DecodeConfig, png.Decode, true},
	WebP: {webp.DecodeConfig, webp.Decode, true},
	HEIC: {heic.DecodeConfig, heic.Decode, false},
	HEIF: {heic.DecodeConfig, heic.Decode, false},
}

func sanitizeImage(data []byte, typ string, lim Limits) (Clean, error) {
	c := codecs[typ]
	// Header first: a 40-byte PNG may claim 100000×100000 pixels, and the
	// decoders allocate the whole canvas before reading any pixel data.
	cfg, err := safely(func() (image.Config, error) { return c.config(bytes.NewReader(data)) })
	if err != nil {
		return Clean{}, reject(Corrupt, err, "cannot read the %s header", typ)
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return Clean{}, reject(Corrupt, nil, "the picture has no pixels")
	}
	if w > lim.MaxSide || h > lim.MaxSide || int64(w)*int64(h) > int64(lim.MaxPixels) {
		return Clean{}, reject(TooManyPixels, nil, "%d×%d pixels, at most %d per side and %d in all", w, h, lim.MaxSide, lim.MaxPixels)
	}
	src, err := safely(func() (image.Image, error) { return c.decode(bytes.NewReader(data)) })
	if err != nil {
		return Clean{}, reject(Corrupt, err, "cannot decode the %s picture", typ)
	}
	// A decoder may disagree with its own header (HEIC's grid images); the
	// bound is on what was actually allocated too.
	if b := src.Bounds(); b.Dx() > lim.MaxSide || b.Dy() > lim.MaxSide || int64(b.Dx())*int64(b.Dy()) > int64(lim.MaxPixels) {
		return Clean{}, reject(TooManyPixels, nil, "%d×%d pixels decoded", b.Dx(), b.Dy())
	}
	orient := 1
	if c.exifOriented {
		orient = orientation(data, typ)
	}
	out := typ != PNG // everything but PNG (screenshots: sharp text, few colours) becomes JPEG
	img := transform(src, orient, lim.OutputSide, out)

	var buf bytes.Buffer
	outType := JPEG
	if out {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	} else {
		outType = PNG
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	}
	if err != nil {
		return Clean{}, fmt.Errorf("media: encode %s: %w", outType, err)
	}
	thumb, err := thumbnail(img, lim.ThumbSide)
	if err != nil {
		return Clean{}, err
	}
	b := img.Bounds()
	return Clean{ContentType: outType, Data: buf.Bytes(), Width: b.Dx(), Height: b.Dy(), Thumbnail: thumb}, nil
}

// safely runs a third-party decoder, turning a panic on hostile input into
// an error so that one upload cannot take down the function serving others.
func safely[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errDecoderPanic, r)
		}
	}()
	return f()
}

func thumbnail(img image.Image, side int) ([]byte, error) {
	// Halve with ApproxBiLinear (at exactly 2:1 it averages 2×2 pixels, a
	// box filter, and costs a fraction of a kernel's wide support) while the
	// picture is over twice the size; the last step is a true kernel. About
	// 3× faster than BiLinear all the way; see BenchmarkThumbnail12MP.
	for b := img.Bounds(); max(b.Dx(), b.Dy()) >= 4*side && min(b.Dx(), b.Dy()) >= 4; b = img.Bounds() {
		half := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
		draw.ApproxBiLinear.Scale(half, half.Bounds(), img, b, draw.Src, nil)
		img = half
	}
	t := transform(img, 1, side, true)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, t, &jpeg.Options{Quality: thumbQuality}); err != nil {
		return nil, fmt.Errorf("media: encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

// fit returns w×h scaled down (never up) so that its long side is at most
// side, keeping the aspect ratio and at least one pixel per side.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, int((int64(h)*int64(side)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(side)+int64(h)/2)/int64(h))), side
}

// transform returns src turned by the EXIF orientation and scaled to fit
// side. With opaque set (the output is a JPEG, which has no alpha)
// transparent parts are put on white, as a browser would show them on the
// page. It returns src itself when nothing needs doing and the encoder takes
// it as is, keeping e.g. a PNG's palette.
func transform(src image.Image, orient, side int, opaque bool) image.Image {
	sb := src.Bounds()
	sw, sh := sb.Dx(), sb.Dy()
	swap := orient >= 5 && orient <= 8 // turned by 90°: width and height trade places
	ow, oh := sw, sh
	if swap {
		ow, oh = sh, sw
	}
	tw, th := fit(ow, oh, side) // size as shown
	hasAlpha := !isOpaque(src)
	if orient == 1 && tw == sw && th == sh && !(opaque && hasAlpha) {
		return src
	}
	// Scale first, in stored orientation, so the turn works on fewer pixels.
	dw, dh := tw, th
	if swap {
		dw, dh = th, tw
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	op := draw.Src
	if opaque && hasAlpha {
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		op = draw.Over
	}
	if dw == sw && dh == sh {
		draw.Draw(dst, dst.Bounds(), src, sb.Min, op)
	} else {
		scaler.Scale(dst, dst.Bounds(), src, sb, op, nil)
	}
	return orientRGBA(dst, orient)
}

func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// orientRGBA applies EXIF orientation o (1–8) to m: the result is what a
// viewer honouring the tag would show. See the TIFF/EXIF 2.32 spec, tag 0x0112.
func orientRGBA(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	S := out.Stride
	// Destination offset of stored pixel (x, y) is base(y) + x·step: one
	// computation per row instead of a switch per pixel.
	for y := range h {
		var base, step int
		switch o {
		case 2: // mirrored horizontally
			base, step = y*S+4*(w-1), -4
		case 3: // turned 180°
			base, step = (h-1-y)*S+4*(w-1), -4
		case 4: // mirrored vertically
			base, step = (h-1-y)*S, 4
		case 5: // transposed (mirrored along the top-left/bottom-right diagonal)
			base, step = 4*y, S
		case 6: // turn 90° clockwise to view
			base, step = 4*(h-1-y), S
		case 7: // transverse
			base, step = (w-1)*S+4*(h-1-y), -S
		case 8: // turn 90° counter-clockwise to view
			base, step = (w-1)*S+4*y, -S
		}
		row := m.Pix[y*m.Stride : y*m.Stride+4*w]
		for x, d := 0, base; x < 4*w; x, d = x+4, d+step {
			copy(out.Pix[d:d+4], row[x:x+4])
		}
	}
	return out
}
