package photo

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

func init() {
	// pdfcpu otherwise writes a config directory under $HOME the first time
	// a configuration is made; fixtures must not touch the file system.
	model.ConfigPath = "disable"
}

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b) // writes to a bytes.Buffer cannot fail
	w.Close()
	return buf.Bytes()
}

// Zip returns a zip archive holding one small text file (also what an OOXML
// document looks like to a sniffer's first bytes).
func Zip() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("readme.txt")
	if err != nil {
		panic(err)
	}
	f.Write([]byte("hello"))
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Stream returns the text of a PDF stream object with the given dictionary
// entries (without << >>) and unfiltered content.
func Stream(dict, content string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(content), content)
}

// PDF assembles a PDF with a classic xref table: objs[i] is the body of
// object i+1, the trailer holds /Root 1 0 R plus trailerExtra.
func PDF(trailerExtra string, objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailerExtra, xref)
	return b.Bytes()
}

// The objects of a one-page PDF saying "Hello"; catalog(extra) is object 1.
func catalog(extra string) string { return "<< /Type /Catalog /Pages 2 0 R " + extra + " >>" }

const (
	pagesObj   = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
	fontObj    = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
	pageFormat = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> %s >>"
)

var helloContent = Stream("", "BT /F1 24 Tf 72 700 Td (Hello) Tj ET")

func page(extra string) string { return fmt.Sprintf(pageFormat, extra) }

func onePage(catalogExtra, pageExtra string, more ...string) []byte {
	objs := append([]string{catalog(catalogExtra), pagesObj, page(pageExtra), helloContent, fontObj}, more...)
	return PDF("", objs...)
}

// CleanPDF returns a one-page PDF with text and nothing active.
func CleanPDF() []byte { return onePage("", "") }

// CleanPDFs returns PDFs that carry things resembling active content but
// nothing a viewer would run: a sanitiser must pass them unchanged.
func CleanPDFs() map[string][]byte {
	return map[string][]byte{
		"plain": CleanPDF(),
		// Word and many scanners open at page 1 with an OpenAction GoTo.
		"openaction-goto": onePage("/OpenAction [3 0 R /Fit]", ""),
		// A link to a web page is a URI action, not a script.
		"uri-link": onePage("", "/Annots [<< /Type /Annot /Subtype /Link /Rect [72 600 200 620] /A << /S /URI /URI (https://12345.example.gov.cn/) >> >>]"),
		// The word JavaScript in the page's text is not a script.
		"text-mentions-javascript": onePage("", "", Stream("", "BT /F1 12 Tf 72 650 Td (JavaScript Launch) Tj ET")),
	}
}

// ActivePDFs returns, by name, PDFs each carrying one kind of active content
// a viewer could run or open on the reader's machine.
func ActivePDFs() map[string][]byte {
	return map[string][]byte{
		"openaction-javascript": onePage("/OpenAction 6 0 R", "", "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),
		// The same with names written with #xx escapes: /J#53 is /JS and
		// /J#61vaScript is /JavaScript, so a byte search for them fails.
		"openaction-javascript-escaped": onePage("/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>", ""),
		"openaction-launch":             onePage("/OpenAction << /S /Launch /F (calc.exe) >>", ""),
		"names-javascript":              onePage("/Names << /JavaScript 6 0 R >>", "", "<< /Names [(init) 7 0 R] >>", "<< /S /JavaScript /JS (this.print\\(\\)) >>"),
		// Additional actions run on events (page open); even a harmless action
		// there is refused, since /AA is how form scripts are attached.
		"page-additional-actions": onePage("", "/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>"),
		"embedded-file": onePage("/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>] >> >>", "",
			Stream("/Type /EmbeddedFile", "MZ")),
		"file-attachment-annotation": onePage("", "/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS << /Type /Filespec /F (x.bat) /EF << /F 6 0 R >> >> >>]",
			Stream("", "echo")),
		"richmedia": onePage("", "/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>]"),
		"xfa-form":  onePage("/AcroForm << /Fields [] /XFA 6 0 R >>", "", Stream("", "<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"/>")),
		"javascript-in-object-stream": ObjectStreamPDF(
			catalog("/OpenAction 6 0 R"), pagesObj, page(""), "", fontObj, "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),
	}
}

// EncryptFlagPDF returns a PDF whose trailer names an encryption dictionary
// (RC4, revision 2) with made-up keys: no password opens it.
func EncryptFlagPDF() []byte {
	h := strings.Repeat("ab", 32)
	return PDF("/Encrypt 6 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]",
		catalog(""), pagesObj, page(""), helloContent, fontObj,
		"<< /Filter /Standard /V 1 /R 2 /Length 40 /O <"+h+"> /U <"+h+"> /P -4 >>")
}

// EncryptedPDF returns CleanPDF encrypted with AES-256 by pdfcpu, with an
// empty user password (it opens without asking, as many "protected" PDFs do)
// and an owner password.
func EncryptedPDF() []byte {
	var out bytes.Buffer
	conf := model.NewAESConfiguration("", "owner-secret", 256)
	if err := api.Encrypt(bytes.NewReader(CleanPDF()), &out, conf); err != nil {
		panic(err)
	}
	return out.Bytes()
}

// ObjectStreamPDF assembles a PDF 1.5 whose objects (objs[i] is object i+1)
// all sit in one Flate-compressed object stream, except objects given as ""
// which become the Hello content stream (a stream cannot be inside an object
// stream). The cross-reference is an xref stream.
func ObjectStreamPDF(objs ...string) []byte {
	var prolog, body strings.Builder
	var inStream []int // object numbers in the object stream, in order
	for i, o := range objs {
		if o == "" {
			continue
		}
		fmt.Fprintf(&prolog, "%d %d ", i+1, body.Len())
		body.WriteString(o)
		body.WriteString("\n")
		inStream = append(inStream, i+1)
	}
	return objectStreamPDF(objs, [][]byte{zlibBytes([]byte(prolog.String() + body.String()))}, [][]int{inStream}, []int{prolog.Len()})
}

// objectStreamPDF writes objs (with "" standing for the Hello content
// stream), then the object streams (already compressed, holding the objects
// listed in members at the index given by position), then an xref stream.
func objectStreamPDF(objs []string, streams [][]byte, members [][]int, first []int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	n := len(objs)
	type ent struct{ typ, f2, f3 int }
	ents := make([]ent, n+len(streams)+2)
	ents[0] = ent{0, 0, 0xFFFF}
	for i, o := range objs {
		if o == "" {
			ents[i+1] = ent{1, b.Len(), 0}
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, helloContent)
		}
	}
	for s, data := range streams {
		num := n + 1 + s
		for idx, m := range members[s] {
			ents[m] = ent{2, num, idx}
		}
		ents[num] = ent{1, b.Len(), 0}
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n", num, len(members[s]), first[s], len(data))
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
	}
	xrefNum := n + len(streams) + 1
	xrefOff := b.Len()
	ents[xrefNum] = ent{1, xrefOff, 0}
	var rows []byte
	for _, e := range ents {
		rows = append(rows, byte(e.typ))
		rows = binary.BigEndian.AppendUint32(rows, uint32(e.f2))
		rows = binary.BigEndian.AppendUint16(rows, uint16(e.f3))
	}
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n", xrefNum, len(ents), len(rows))
	b.Write(rows)
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xrefOff)
	return b.Bytes()
}

// ObjectStreamBombPDF returns a clean-looking PDF with count extra object
// streams, each holding one small dictionary after each bytes of white space:
// the file stays small (Flate shrinks runs about 1000:1; 64 streams of 16 MiB
// make a 1 MB file) while decoding every object stream would produce
// count·each bytes.
func ObjectStreamBombPDF(count, each int) []byte {
	objs := []string{catalog(""), pagesObj, page(""), "", fontObj}
	var streams [][]byte
	var members [][]int
	var first []int
	// The first object stream holds the real objects 1, 2, 3 and 5.
	var prolog, body strings.Builder
	for _, i := range []int{1, 2, 3, 5} {
		fmt.Fprintf(&prolog, "%d %d ", i, body.Len())
		body.WriteString(objs[i-1] + "\n")
	}
	streams = append(streams, zlibBytes([]byte(prolog.String()+body.String())))
	members = append(members, []int{1, 2, 3, 5})
	first = append(first, prolog.Len())

	// Each filler stream is head (its prolog, different per stream) then the
	// same padded object; that part is deflated once, and each zlib stream is
	// put together as header, head in a stored block, the shared deflate
	// data and the Adler-32 of the whole (combined, not recomputed).
	tail := append(bytes.Repeat([]byte(" "), each), "<< /Filler true >>"...)
	var def bytes.Buffer
	fw, _ := flate.NewWriter(&def, flate.BestCompression)
	fw.Write(tail)
	fw.Close()
	tailSum := adler32.Checksum(tail)
	for range count {
		num := len(objs) + 1
		objs = append(objs, "<< /Filler true >>")
		head := fmt.Sprintf("%d %d ", num, each)
		z := []byte{0x78, 0xDA, 0x00} // zlib header; stored block, not final
		z = binary.LittleEndian.AppendUint16(z, uint16(len(head)))
		z = binary.LittleEndian.AppendUint16(z, ^uint16(len(head)))
		z = append(z, head...)
		z = append(z, def.Bytes()...)
		z = binary.BigEndian.AppendUint32(z, adler32Combine(adler32.Checksum([]byte(head)), tailSum, len(tail)))
		streams = append(streams, z)
		members = append(members, []int{num})
		first = append(first, len(head))
	}
	return objectStreamPDF(objs, streams, members, first)
}

// adler32Combine returns the Adler-32 of x followed by y from theirs.
func adler32Combine(x, y uint32, lenY int) uint32 {
	const mod = 65521
	ax, bx := x&0xFFFF, x>>16
	ay, by := y&0xFFFF, y>>16
	a := (ax + ay + mod - 1) % mod
	b := (bx + by + uint32(uint64(lenY)%mod*uint64(ax+mod-1)%mod)) % mod
	return b<<16 | a
}

// HEIC returns a w×h HEIC made from JPEG(w, h, 0) (with its EXIF, GPS and
// serial) by libheif's heif-enc, skipping the test when heif-enc is not
// installed (Debian: apt-get install libheif-examples).
func HEIC(tb testing.TB, w, h int) []byte {
	tb.Helper()
	enc, err := exec.LookPath("heif-enc")
	if err != nil {
		tb.Skip("heif-enc not installed; cannot make a HEIC")
	}
	dir := tb.TempDir()
	in, out := filepath.Join(dir, "in.jpg"), filepath.Join(dir, "out.heic")
	if err := os.WriteFile(in, JPEG(w, h, 0), 0o600); err != nil {
		tb.Fatal(err)
	}
	if msg, err := exec.Command(enc, "-q", "80", in, "-o", out).CombinedOutput(); err != nil {
		tb.Fatalf("heif-enc: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
