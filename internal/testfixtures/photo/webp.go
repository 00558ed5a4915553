package photo

import (
	"encoding/binary"
	"image/color"
)

// WebP returns a w×h lossless WebP of one colour c in an extended (VP8X)
// container with an EXIF chunk (EXIF(orientation)) and an XMP chunk.
//
// The standard library and x/image only decode WebP, so the bitstream is
// written here: a VP8L image whose five prefix codes each have a single
// symbol (RFC 9649 §3.7.2.1.1), so that every pixel takes zero bits and is c.
func WebP(w, h int, c color.NRGBA, orientation int) []byte {
	var bw bitWriter
	bw.write(0x2f, 8) // VP8L signature
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(1, 1)                                       // alpha is used
	bw.write(0, 3)                                       // version
	bw.write(0, 1)                                       // no transform
	bw.write(0, 1)                                       // no colour cache
	bw.write(0, 1)                                       // no meta prefix codes
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} { // green, red, blue, alpha, distance
		bw.write(1, 1) // simple code
		bw.write(0, 1) // one symbol
		bw.write(1, 1) // an 8-bit symbol
		bw.write(uint32(sym), 8)
	}
	vp8l := bw.bytes()

	vp8x := make([]byte, 10)
	vp8x[0] = 0x08 | 0x04 | 0x10 // EXIF, XMP, alpha
	putUint24(vp8x[4:], uint32(w-1))
	putUint24(vp8x[7:], uint32(h-1))

	body := []byte("WEBP")
	body = riffChunk(body, "VP8X", vp8x)
	body = riffChunk(body, "VP8L", vp8l)
	body = riffChunk(body, "EXIF", EXIF(orientation))
	body = riffChunk(body, "XMP ", XMP())
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

func riffChunk(b []byte, typ string, data []byte) []byte {
	b = append(b, typ...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func putUint24(b []byte, v uint32) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }

// bitWriter writes bits least significant first, as VP8L reads them.
type bitWriter struct {
	buf   []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) write(v uint32, n uint) {
	w.acc |= uint64(v&(1<<n-1)) << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.nbits > 0 {
		return append(w.buf, byte(w.acc))
	}
	return w.buf
}
