package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/fault"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

func init() {
	// pdfcpu otherwise creates a config directory under $HOME (read-only in
	// Lambda) the first time a configuration is made, and reads settings
	// from it: the checks below must depend on this code alone.
	model.ConfigPath = "disable"
}

// Dictionary keys that attach something a viewer would run or open:
// scripts (JS, JavaScript in the Names tree), additional actions fired on
// events (AA: form and page scripts), embedded files (EmbeddedFiles in the
// Names tree, EF in a file specification), rich media (Flash, 3D) and XFA
// forms (which carry their own scripts).
var activeKeys = map[string]bool{
	"JS": true, "JavaScript": true, "AA": true,
	"EmbeddedFile": true, "EmbeddedFiles": true, "EF": true,
	"RichMedia": true, "RichMediaContent": true, "XFA": true,
}

// Name values that make an action or object active wherever they appear:
// /S /JavaScript and /S /Launch actions (also as an OpenAction), /Type
// /EmbeddedFile streams, /Subtype /RichMedia annotations and /S /GoToE (a
// jump into an embedded document).
var activeNames = map[string]bool{
	"JavaScript": true, "Launch": true, "EmbeddedFile": true, "RichMedia": true, "GoToE": true,
}

// checkPDF refuses encrypted PDFs and PDFs with active content, bounding the
// work a hostile PDF can cause.
func checkPDF(data []byte, lim Limits) error {
	// A cheap first pass over the raw bytes for the plain spellings; the
	// parsed walk below is what catches #xx escapes and compressed object
	// streams.
	if name := activeByName(data); name != "" {
		return reject(PDFActiveContent, nil, "it names %s", name)
	}
	return checkParsedPDF(data, lim)
}

// checkParsedPDF parses data with pdfcpu and walks every object.
func checkParsedPDF(data []byte, lim Limits) error {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed // real-world PDFs are rarely flawless
	conf.DecodeAllStreams = false                 // page content and images are not needed to judge the file
	conf.Limits.MaxStreamBytes = lim.MaxBytes
	conf.Limits.MaxDecodeBytes = lim.MaxPDFDecoded
	conf.Limits.MaxObjectCount = lim.MaxPDFObjects
	conf.Limits.MaxXRefEntries = lim.MaxPDFObjects
	conf.Limits.MaxObjectStreamCount = lim.MaxPDFObjects
	// pdfcpu.Read rather than api.ReadContext: the api package links
	// pdfcpu's page creation, forms and signing (several MB) for a one-line
	// wrapper. fault.Catch turns pdfcpu's own panics into errors, as there.
	ctx, err := safely(func() (ctx *model.Context, err error) {
		defer fault.Catch(&err)
		return pdfcpu.Read(bytes.NewReader(data), conf)
	})
	if err != nil {
		if encryptionError(err) {
			return reject(PDFEncrypted, err, "")
		}
		return reject(Corrupt, err, "cannot read the PDF")
	}
	if ctx.XRefTable.Encrypt != nil || ctx.E != nil {
		return reject(PDFEncrypted, nil, "")
	}
	if n := len(ctx.XRefTable.Table); n > lim.MaxPDFObjects {
		return reject(TooLarge, nil, "the PDF has %d objects, at most %d accepted", n, lim.MaxPDFObjects)
	}
	if err := objectStreamBudget(ctx, lim.MaxPDFDecoded); err != nil {
		return err
	}
	if err := walkPDF(ctx); err != nil {
		return err
	}
	// pdfcpu repairs what it can; a file whose first page cannot be found
	// (truncated, or not a PDF past its header) would show nothing.
	_, err = safely(func() (bool, error) { return true, firstPage(ctx.XRefTable) })
	if err != nil {
		return reject(Corrupt, err, "the PDF has no readable page")
	}
	return nil
}

// encryptionError reports whether pdfcpu gave up because the file is
// encrypted (no password opens it, or its encryption dictionary is broken).
func encryptionError(err error) bool {
	if errors.Is(err, pdfcpu.ErrWrongPassword) || errors.Is(err, pdfcpu.ErrOwnerPasswordRequired) ||
		errors.Is(err, pdfcpu.ErrEncrypted) || errors.Is(err, model.ErrMissingEncryptDictObject) ||
		errors.Is(err, model.ErrWrongTypeEncryptDictObject) {
		return true
	}
	// pdfcpu wraps what goes wrong while setting up decryption so; no
	// sentinel covers e.g. an unsupported security handler.
	return strings.Contains(err.Error(), "encryption")
}

// activeByName finds a plainly spelt active key or action name: a name token
// (a slash, the name, then a delimiter) in the raw bytes.
func activeByName(data []byte) string {
	for _, name := range []string{"JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA", "AA"} {
		tok := []byte("/" + name)
		for rest := data; ; {
			i := bytes.Index(rest, tok)
			if i < 0 {
				break
			}
			rest = rest[i+len(tok):]
			if len(rest) == 0 || delimiter(rest[0]) {
				return "/" + name
			}
		}
	}
	return ""
}

// delimiter reports whether c ends a PDF name token (white space or a
// delimiter character, ISO 32000-1 §7.2.2).
func delimiter(c byte) bool {
	return strings.IndexByte("\x00\t\n\f\r ()<>[]{}/%", c) >= 0
}

// objectStreamBudget measures what the object streams decode to, together,
// before the walk decodes them: pdfcpu bounds each stream on its own, and a
// few hundred kilobyte-sized streams of zeros would each be allowed to
// inflate to the per-stream bound. Flate (all but universal for object
// streams) is measured streaming, without keeping the output.
func objectStreamBudget(ctx *model.Context, budget int64) error {
	nums := make([]int, 0, len(ctx.Read.ObjectStreams))
	for n := range ctx.Read.ObjectStreams {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	var total int64
	for _, n := range nums {
		e := ctx.XRefTable.Table[n]
		if e == nil {
			continue
		}
		osd, ok := e.Object.(types.ObjectStreamDict)
		if !ok {
			continue
		}
		size, err := decodedSize(osd.StreamDict, budget-total+1)
		if err != nil {
			return reject(Corrupt, err, "cannot decode an object stream")
		}
		if total += size; total > budget {
			return reject(TooLarge, nil, "the PDF's object streams decode to more than %d bytes", budget)
		}
	}
	return nil
}

func decodedSize(sd types.StreamDict, limit int64) (int64, error) {
	switch {
	case len(sd.FilterPipeline) == 0:
		return int64(len(sd.Raw)), nil
	case len(sd.FilterPipeline) == 1 && sd.FilterPipeline[0].Name == "FlateDecode":
		zr, err := zlib.NewReader(bytes.NewReader(sd.Raw))
		if err != nil {
			return 0, err
		}
		// A truncated stream decodes as far as it goes, as pdfcpu's does.
		n, _ := io.Copy(io.Discard, io.LimitReader(zr, limit))
		return n, nil
	default:
		sd.Content = nil // a copy: pdfcpu decodes again when the walk needs it
		if err := sd.DecodeWithLimit(limit); err != nil {
			return 0, err
		}
		return int64(len(sd.Content)), nil
	}
}

// walkPDF visits every object in the cross-reference table, including those
// inside object streams, with names as parsed (so #xx escapes are decoded),
// and refuses the file at the first active key or name.
func walkPDF(ctx *model.Context) error {
	nums := make([]int, 0, len(ctx.XRefTable.Table))
	for n := range ctx.XRefTable.Table {
		nums = append(nums, n)
	}
	slices.Sort(nums) // the same file gets the same answer
	var stack []types.Object
	for _, n := range nums {
		e := ctx.XRefTable.Table[n]
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		o := e.Object
		if l, ok := o.(types.LazyObjectStreamObject); ok {
			d, err := safely(func() (types.Object, error) { return l.DecodedObject(context.Background()) })
			if err != nil {
				return reject(Corrupt, err, "cannot read object %d", n)
			}
			o = d
		}
		stack = append(stack[:0], o)
		for len(stack) > 0 {
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch o := o.(type) {
			case types.Dict:
				for k, v := range o {
					if activeKeys[k] {
						return reject(PDFActiveContent, nil, "object %d has /%s", n, k)
					}
					stack = append(stack, v)
				}
			case types.StreamDict:
				stack = append(stack, o.Dict)
			case types.ObjectStreamDict:
				stack = append(stack, o.Dict)
			case types.XRefStreamDict:
				stack = append(stack, o.Dict)
			case types.Array:
				stack = append(stack, o...)
			case types.Name:
				if activeNames[string(o)] {
					return reject(PDFActiveContent, nil, "object %d names /%s", n, string(o))
				}
			}
		}
	}
	return nil
}

// firstPage follows the page tree from the catalog to the first page. It is
// written here rather than with pdfcpu's PageDict, whose handling of
// inherited attributes panics on malformed trees (an empty /MediaBox, a
// catalog without /Pages: both found by FuzzSanitize).
func firstPage(xt *model.XRefTable) error {
	cat, err := xt.Catalog()
	if err != nil {
		return err
	}
	node, err := xt.DereferenceDict(cat["Pages"])
	if err != nil || node == nil {
		return errors.Join(errors.New("no page tree"), err)
	}
	for range 64 { // real trees are a few levels deep; a loop must end
		if t := node.Type(); t != nil && *t == "Page" {
			return nil
		}
		kids, err := xt.DereferenceArray(node["Kids"])
		if err != nil || len(kids) == 0 {
			return errors.Join(errors.New("a page tree node without kids"), err)
		}
		if node, err = xt.DereferenceDict(kids[0]); err != nil || node == nil {
			return errors.Join(errors.New("a page tree kid is no dictionary"), err)
		}
	}
	return errors.New("page tree too deep")
}
