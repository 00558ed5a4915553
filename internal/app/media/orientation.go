package media

import (
	"bytes"
	"encoding/binary"
)

// orientation returns the EXIF Orientation (1–8) of a JPEG, PNG or WebP, or 1
// when there is none or it cannot be read.
//
// Only this one tag is needed, so it is read here in a few dozen lines rather
// than with go-exif (which brings its own logging, errors and YAML packages
// and parses every IFD and maker note: more hostile-input surface for one
// SHORT) or disintegration/imaging (unmaintained since 2019, and it decodes
// through image.Decode, which would bypass the per-format decoding above).
func orientation(data []byte, typ string) int {
	var tiff []byte
	switch typ {
	case JPEG:
		tiff = jpegEXIF(data)
	case PNG:
		tiff = pngChunk(data, "eXIf")
	case WebP:
		tiff = bytes.TrimPrefix(webpChunk(data, "EXIF"), []byte("Exif\x00\x00"))
	}
	return tiffOrientation(tiff)
}

// jpegEXIF returns the TIFF structure of the first APP1 Exif segment before
// the first scan.
func jpegEXIF(data []byte) []byte {
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return nil
		}
		m := data[i+1]
		if m == 0xFF {
			i++
			continue
		}
		if m == 0xDA || m == 0xD9 { // start of scan or end of image
			return nil
		}
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		seg := data[i+4 : i+2+n]
		if m == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// pngChunk returns the body of the first chunk of type typ before IDAT
// (eXIf after IDAT is to be ignored, per the PNG 1.5 extensions).
func pngChunk(data []byte, typ string) []byte {
	for i := 8; i+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			return nil
		}
		t := string(data[i+4 : i+8])
		if t == "IDAT" {
			return nil
		}
		if t == typ {
			return data[i+8 : i+8+n]
		}
		i += 12 + n
	}
	return nil
}

// webpChunk returns the body of the first RIFF chunk of type typ.
func webpChunk(data []byte, typ string) []byte {
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return nil
		}
		if string(data[i:i+4]) == typ {
			return data[i+8 : i+8+n]
		}
		i += 8 + n + n%2
	}
	return nil
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure.
func tiffOrientation(b []byte) int {
	if len(b) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(b[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := bo.Uint32(b[4:])
	if off < 8 || uint64(off)+2 > uint64(len(b)) {
		return 1
	}
	n := int(bo.Uint16(b[off:]))
	for k := range n {
		e := int(off) + 2 + 12*k
		if e+12 > len(b) {
			return 1
		}
		if bo.Uint16(b[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(b[e+2:]) != 3 { // SHORT
			return 1
		}
		if v := int(bo.Uint16(b[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
