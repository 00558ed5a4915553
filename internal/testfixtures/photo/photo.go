// Package photo builds, in code, the uploads that tests of attachment handling
// need: photos carrying the metadata a citizen would not want published (GPS
// position, camera serial number, XMP, ICC, PNG text), images whose EXIF
// Orientation must be applied, a decompression-bomb PNG, a zip, and PDFs with
// and without active content. Inspect tells whether bytes still carry such
// metadata, so a test can assert "the GPS position is gone" by parsing markers
// and chunks rather than trusting the code under test.
//
// Nothing here is copied from elsewhere: every byte is produced by the
// functions below, so the fixtures carry no third-party personal data.
package photo

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// Values planted in the fixtures' metadata; a sanitised output must contain
// none of them anywhere in its bytes.
const (
	Serial   = "SN-HOTLINE-4711-0042" // EXIF BodySerialNumber (0xA431)
	Make     = "HotlineCam"           // EXIF Make (0x010F)
	XMPTag   = "HotlineXMPCreator"    // inside the XMP packet
	TextNote = "HotlineSecretNote"    // PNG tEXt / JPEG COM
	ICCName  = "HotlineICCProfile"    // inside the fake ICC profile
)

// Latitude and longitude planted as GPS position (Beijing, Tiananmen).
var (
	Latitude  = [3]uint32{39, 54, 27}
	Longitude = [3]uint32{116, 23, 50}
)

// Marker colours: the top-left corner of a fixture image is Red (a 4×4
// block), the rest Blue, so a test can see where the corner ends up after the
// Orientation is applied.
var (
	Red  = color.RGBA{R: 255, A: 255}
	Blue = color.RGBA{B: 255, A: 255}
)

// Pattern returns a w×h image that is Blue with a Red 4×4 block in its
// top-left corner (as stored, before any Orientation).
func Pattern(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := Blue
			if x < 4 && y < 4 {
				c = Red
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// EXIF returns a little-endian TIFF structure (the payload of a JPEG APP1
// "Exif" segment after its 6-byte header, and of a PNG eXIf chunk) holding
// Make, Orientation (0 leaves the tag out), an Exif IFD with
// BodySerialNumber, and a GPS IFD with latitude and longitude.
func EXIF(orientation int) []byte {
	type entry struct {
		tag, typ uint16
		count    uint32
		value    []byte // inline when ≤ 4 bytes, else placed in the data area
	}
	le := binary.LittleEndian
	short := func(v uint16) []byte { return le.AppendUint16(nil, v) }
	long := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	ascii := func(s string) []byte { return append([]byte(s), 0) }
	rationals := func(v [3]uint32) []byte {
		var b []byte
		for _, n := range v {
			b = le.AppendUint32(b, n)
			b = le.AppendUint32(b, 1)
		}
		return b
	}
	const typByte, typASCII, typShort, typLong, typRational = 1, 2, 3, 4, 5

	// Layout: header(8) | IFD0 | Exif IFD | GPS IFD | data area.
	ifdSize := func(n int) int { return 2 + 12*n + 4 }
	var ifd0 []entry
	ifd0 = append(ifd0, entry{0x010F, typASCII, uint32(len(Make) + 1), ascii(Make)})
	if orientation != 0 {
		ifd0 = append(ifd0, entry{0x0112, typShort, 1, short(uint16(orientation))})
	}
	ifd0 = append(ifd0, entry{0x8769, typLong, 1, nil}, entry{0x8825, typLong, 1, nil})
	exifIFD := []entry{{0xA431, typASCII, uint32(len(Serial) + 1), ascii(Serial)}}
	gpsIFD := []entry{
		{0x0000, typByte, 4, []byte{2, 3, 0, 0}},
		{0x0001, typASCII, 2, ascii("N")},
		{0x0002, typRational, 3, rationals(Latitude)},
		{0x0003, typASCII, 2, ascii("E")},
		{0x0004, typRational, 3, rationals(Longitude)},
	}
	off0 := 8
	offExif := off0 + ifdSize(len(ifd0))
	offGPS := offExif + ifdSize(len(exifIFD))
	dataOff := offGPS + ifdSize(len(gpsIFD))
	ifd0[len(ifd0)-2].value = long(uint32(offExif))
	ifd0[len(ifd0)-1].value = long(uint32(offGPS))

	var data []byte
	writeIFD := func(b []byte, es []entry) []byte {
		b = le.AppendUint16(b, uint16(len(es)))
		for _, e := range es {
			b = le.AppendUint16(b, e.tag)
			b = le.AppendUint16(b, e.typ)
			b = le.AppendUint32(b, e.count)
			if len(e.value) <= 4 {
				v := make([]byte, 4)
				copy(v, e.value)
				b = append(b, v...)
				continue
			}
			b = le.AppendUint32(b, uint32(dataOff+len(data)))
			data = append(data, e.value...)
			if len(data)%2 == 1 {
				data = append(data, 0) // values start on word boundaries
			}
		}
		return le.AppendUint32(b, 0) // no next IFD
	}
	out := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	out = writeIFD(out, ifd0)
	out = writeIFD(out, exifIFD)
	out = writeIFD(out, gpsIFD)
	return append(out, data...)
}

// XMP returns an XMP packet naming XMPTag as creator.
func XMP() []byte {
	return []byte(`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>` +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>` + XMPTag +
		`</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
}

// ICC returns bytes standing in for an ICC profile: decoders skip it, and its
// name lets a test see whether it survived.
func ICC() []byte {
	b := make([]byte, 128)
	copy(b[36:], "acsp")
	return append(b, ICCName...)
}

const (
	jpegXMPHeader = "http://ns.adobe.com/xap/1.0/\x00"
	jpegICCHeader = "ICC_PROFILE\x00"
)

// JPEG returns a w×h Pattern encoded as JPEG with, right after SOI, an APP1
// Exif segment (EXIF(orientation)), an APP1 XMP segment, an APP2 ICC profile
// and a COM comment.
func JPEG(w, h, orientation int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Pattern(w, h), &jpeg.Options{Quality: 95}); err != nil {
		panic(err) // an in-memory encode of a valid image cannot fail
	}
	plain := buf.Bytes()
	out := append([]byte{}, plain[:2]...) // SOI
	out = appendSegment(out, 0xE1, append([]byte("Exif\x00\x00"), EXIF(orientation)...))
	out = appendSegment(out, 0xE1, append([]byte(jpegXMPHeader), XMP()...))
	out = appendSegment(out, 0xE2, append([]byte(jpegICCHeader), append([]byte{1, 1}, ICC()...)...))
	out = appendSegment(out, 0xFE, []byte(TextNote))
	return append(out, plain[2:]...)
}

func appendSegment(b []byte, marker byte, payload []byte) []byte {
	b = append(b, 0xFF, marker)
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)+2))
	return append(b, payload...)
}

// PNG returns a w×h Pattern encoded as PNG with, after IHDR, an eXIf chunk
// (EXIF(orientation)), a tEXt chunk, an iTXt XMP chunk and an iCCP chunk.
func PNG(w, h, orientation int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Pattern(w, h)); err != nil {
		panic(err)
	}
	plain := buf.Bytes()
	const ihdrEnd = 8 + 8 + 13 + 4 // signature, IHDR length+type, IHDR data, CRC
	out := append([]byte{}, plain[:ihdrEnd]...)
	out = AppendChunk(out, "iCCP", append([]byte("icc\x00\x00"), zlibBytes(ICC())...))
	out = AppendChunk(out, "eXIf", EXIF(orientation))
	out = AppendChunk(out, "tEXt", []byte("Comment\x00"+TextNote))
	out = AppendChunk(out, "iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), XMP()...))
	return append(out, plain[ihdrEnd:]...)
}

// AppendChunk appends a PNG chunk with its length and CRC.
func AppendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// BombPNG returns a PNG of a few dozen bytes whose header claims w×h pixels
// (8-bit RGBA): decoding it would allocate w·h·4 bytes before noticing that
// the pixel data is missing.
func BombPNG(w, h uint32) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out = AppendChunk(out, "IHDR", ihdr)
	out = AppendChunk(out, "IDAT", zlibBytes(make([]byte, 64)))
	return AppendChunk(out, "IEND", nil)
}
