package photo

import (
	"bytes"
	"encoding/binary"
)

// Found says which kinds of metadata Inspect saw.
type Found struct {
	EXIF   bool // a JPEG APP1 Exif segment, PNG eXIf chunk or WebP EXIF chunk
	GPS    bool // such EXIF with a GPSInfo IFD pointer (tag 0x8825) in IFD0
	XMP    bool // a JPEG APP1 XMP segment, PNG iTXt XML:com.adobe.xmp or WebP "XMP " chunk
	ICC    bool // a JPEG APP2 ICC_PROFILE segment, PNG iCCP or WebP ICCP chunk
	Text   bool // a JPEG COM or APP13 (IPTC) segment, PNG tEXt/zTXt/iTXt chunk
	Serial bool // the planted camera serial number appears anywhere in the bytes
}

// Any reports whether anything was found.
func (f Found) Any() bool { return f.EXIF || f.GPS || f.XMP || f.ICC || f.Text || f.Serial }

// HasEXIF reports whether data (JPEG, PNG or WebP) carries an EXIF block.
func HasEXIF(data []byte) bool { return Inspect(data).EXIF }

// HasGPS reports whether data carries EXIF with a GPS IFD.
func HasGPS(data []byte) bool { return Inspect(data).GPS }

// Inspect walks the JPEG segments, PNG chunks or WebP (RIFF) chunks of data
// and reports the metadata it carries. It parses structure rather than
// grepping, so a planted string in pixel data cannot fool it; an unknown or
// truncated format reports what was seen up to that point.
func Inspect(data []byte) Found {
	var f Found
	f.Serial = bytes.Contains(data, []byte(Serial))
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
		inspectJPEG(data, &f)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		inspectPNG(data, &f)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		inspectWebP(data, &f)
	}
	return f
}

func inspectJPEG(data []byte, f *Found) {
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xD9: // EOI
			return
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return
		}
		seg := data[i+4 : i+2+n]
		switch {
		case m == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
			f.EXIF = true
			f.GPS = f.GPS || tiffHasTag(seg[6:], 0x8825)
		case m == 0xE1 && bytes.HasPrefix(seg, []byte(jpegXMPHeader)):
			f.XMP = true
		case m == 0xE2 && bytes.HasPrefix(seg, []byte(jpegICCHeader)):
			f.ICC = true
		case m == 0xFE || m == 0xED:
			f.Text = true
		}
		i += 2 + n
		if m == 0xDA { // start of scan: skip entropy-coded data to the next marker
			for i+1 < len(data) && (data[i] != 0xFF || data[i+1] == 0 || (data[i+1] >= 0xD0 && data[i+1] <= 0xD7)) {
				i++
			}
		}
	}
}

func inspectPNG(data []byte, f *Found) {
	i := 8
	for i+12 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || i+12+n > len(data) {
			return
		}
		typ, body := string(data[i+4:i+8]), data[i+8:i+8+n]
		switch typ {
		case "eXIf":
			f.EXIF = true
			f.GPS = f.GPS || tiffHasTag(body, 0x8825)
		case "iCCP":
			f.ICC = true
		case "iTXt":
			f.Text = true
			f.XMP = f.XMP || bytes.HasPrefix(body, []byte("XML:com.adobe.xmp\x00"))
		case "tEXt", "zTXt":
			f.Text = true
			// ImageMagick keeps EXIF as a hex "Raw profile type exif" text.
			f.EXIF = f.EXIF || bytes.HasPrefix(body, []byte("Raw profile type exif\x00"))
		}
		i += 12 + n
	}
}

func inspectWebP(data []byte, f *Found) {
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || i+8+n > len(data) {
			return
		}
		switch string(data[i : i+4]) {
		case "EXIF":
			f.EXIF = true
			body := data[i+8 : i+8+n]
			body = bytes.TrimPrefix(body, []byte("Exif\x00\x00"))
			f.GPS = f.GPS || tiffHasTag(body, 0x8825)
		case "XMP ":
			f.XMP = true
		case "ICCP":
			f.ICC = true
		}
		i += 8 + n + n%2
	}
}

// tiffHasTag reports whether IFD0 of a TIFF structure holds tag.
func tiffHasTag(b []byte, tag uint16) bool {
	if len(b) < 8 {
		return false
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return false
	}
	off := int(bo.Uint32(b[4:]))
	if off < 8 || off+2 > len(b) {
		return false
	}
	n := int(bo.Uint16(b[off:]))
	for k := range n {
		e := off + 2 + 12*k
		if e+12 > len(b) {
			return false
		}
		if bo.Uint16(b[e:]) == tag {
			return true
		}
	}
	return false
}
