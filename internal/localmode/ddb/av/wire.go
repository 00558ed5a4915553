package av

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// InvalidError is a value DynamoDB would refuse, with its words; the engine
// answers it as a ValidationException.
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

func invalid(format string, args ...any) error {
	return &InvalidError{Msg: fmt.Sprintf(format, args...)}
}

// UnmarshalJSON decodes the wire form, refusing what DynamoDB refuses: no
// type or two, a NULL that is not true, an empty or duplicated set, a number
// that is not one.
//
// It reads b with a pooled jsontext decoder (encoding/json's semantics: the
// last of duplicated names wins, invalid UTF-8 becomes U+FFFD) instead of
// decoding it into a map of raw messages and each of those again: a
// request's items were most of the DynamoDB engine's decoding time.
func (v *Value) UnmarshalJSON(b []byte) error {
	name, raw, fields := envelope(b)
	switch fields {
	case 0:
		return invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	case 1:
	default:
		return invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	k, ok := KindOf(name)
	if !ok {
		return invalid("Supplied AttributeValue has an unknown data type %q", name)
	}
	return v.decode(k, raw)
}

// wireDecoder reads one JSON value held in buf.
type wireDecoder struct {
	buf bytes.Buffer
	dec jsontext.Decoder
}

var wireDecoders = sync.Pool{New: func() any { return new(wireDecoder) }}

// decoderFor reads b; give it back with release.
func decoderFor(b []byte) *wireDecoder {
	w := wireDecoders.Get().(*wireDecoder)
	w.buf.Reset()
	w.buf.Write(b)
	w.dec.Reset(&w.buf, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	return w
}

func (w *wireDecoder) release() {
	if w.buf.Cap() <= 64<<10 {
		wireDecoders.Put(w)
	}
}

// members calls fn with each name (or "" in an array) and raw value of the
// object or array b, in order, until fn returns false; it reports false when
// b is not one of kind ('{' or '[') or fn stopped.
func members(b []byte, kind jsontext.Kind, fn func(name string, raw []byte) bool) bool {
	w := decoderFor(b)
	defer w.release()
	d := &w.dec
	if d.PeekKind() != kind {
		return false
	}
	if _, err := d.ReadToken(); err != nil {
		return false
	}
	end := jsontext.Kind('}')
	if kind == '[' {
		end = ']'
	}
	for d.PeekKind() != end {
		var name string
		if kind == '{' {
			t, err := d.ReadToken()
			if err != nil {
				return false
			}
			name = t.String()
		}
		raw, err := d.ReadValue()
		if err != nil {
			return false
		}
		// Slice the caller's b, which outlives the decoder's buffer.
		off := int(d.InputOffset())
		if !fn(name, b[off-len(raw):off]) {
			return false
		}
	}
	return true
}

// envelope reads {"<type>": raw}: the type's name and value, and how many
// distinct names the object has, 0, 1 or 2 for more (0 when b is not an
// object). Of a name given twice the last value counts, as encoding/json
// decodes into a map.
func envelope(b []byte) (name string, raw []byte, fields int) {
	ok := members(b, '{', func(n string, r []byte) bool {
		switch {
		case fields == 0:
			fields = 1
		case n != name:
			fields = 2
			return false
		}
		name, raw = n, r
		return true
	})
	if !ok && fields < 2 {
		return "", nil, 0
	}
	return name, raw, fields
}

// plainString is the text of a JSON string that needs no unescaping, as
// encoding/json would decode it; ok is false for any other value.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') >= 0 || !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

func (v *Value) decode(k Kind, raw []byte) error {
	*v = Value{Kind: k}
	bad := func() error {
		return invalid("One or more parameter values were invalid: the %s value is not of its type", k)
	}
	switch k {
	case S:
		if s, ok := plainString(raw); ok {
			v.S = s
		} else if json.Unmarshal(raw, &v.S) != nil {
			return bad()
		}
	case N:
		s, ok := plainString(raw)
		if !ok && json.Unmarshal(raw, &s) != nil {
			return bad()
		}
		c, err := canonicalNumber(s)
		if err != nil {
			return &InvalidError{Msg: err.Error()}
		}
		v.S = c
	case B:
		if json.Unmarshal(raw, &v.B) != nil {
			return bad()
		}
	case BOOL:
		if json.Unmarshal(raw, &v.Bool) != nil {
			return bad()
		}
	case NULL:
		var t bool
		if json.Unmarshal(raw, &t) != nil || !t {
			return invalid("One or more parameter values were invalid: Null attribute value types must have the value of true")
		}
	case M:
		// Any fault of a member is the map's, as when encoding/json
		// decoded the map.
		m := map[string]Value{}
		if !members(raw, '{', func(name string, r []byte) bool {
			var x Value
			if x.UnmarshalJSON(r) != nil {
				return false
			}
			m[name] = x
			return true
		}) {
			return bad()
		}
		v.M = m
	case L:
		l := []Value{}
		if !members(raw, '[', func(_ string, r []byte) bool {
			var x Value
			if x.UnmarshalJSON(r) != nil {
				return false
			}
			l = append(l, x)
			return true
		}) {
			return bad()
		}
		v.L = l
	case SS, NS:
		if json.Unmarshal(raw, &v.Strs) != nil {
			return bad()
		}
		if len(v.Strs) == 0 {
			return invalid("One or more parameter values were invalid: An %s may not be empty", setName(k))
		}
		if k == NS {
			for i, s := range v.Strs {
				c, err := canonicalNumber(s)
				if err != nil {
					return &InvalidError{Msg: err.Error()}
				}
				v.Strs[i] = c
			}
		}
		for i, s := range v.Strs {
			if slices.Contains(v.Strs[:i], s) {
				return invalid("One or more parameter values were invalid: Input collection %v contains duplicates.", v.Strs)
			}
		}
	case BS:
		if json.Unmarshal(raw, &v.Bins) != nil {
			return bad()
		}
		if len(v.Bins) == 0 {
			return invalid("One or more parameter values were invalid: Binary sets should not be empty")
		}
		for i, x := range v.Bins {
			if slices.ContainsFunc(v.Bins[:i], func(y []byte) bool { return bytes.Equal(x, y) }) {
				return invalid("One or more parameter values were invalid: Input collection contains duplicates.")
			}
		}
	}
	return nil
}

func setName(k Kind) string {
	if k == NS {
		return "number set "
	}
	return "string set "
}

// MarshalJSON is the wire form.
func (v Value) MarshalJSON() ([]byte, error) { return v.AppendJSON(nil), nil }

// AppendJSON appends the wire form to dst.
func (v Value) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"`...)
	dst = append(dst, v.Kind.String()...)
	dst = append(dst, `":`...)
	switch v.Kind {
	case S, N:
		dst = appendString(dst, v.S)
	case B:
		dst = appendBytes(dst, v.B)
	case BOOL:
		dst = strconv.AppendBool(dst, v.Bool)
	case NULL:
		dst = append(dst, "true"...)
	case M:
		dst = Item(v.M).AppendJSON(dst)
	case L:
		dst = append(dst, '[')
		for i, x := range v.L {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = x.AppendJSON(dst)
		}
		dst = append(dst, ']')
	case SS, NS:
		dst = append(dst, '[')
		for i, s := range v.Strs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		dst = append(dst, ']')
	case BS:
		dst = append(dst, '[')
		for i, x := range v.Bins {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendBytes(dst, x)
		}
		dst = append(dst, ']')
	default:
		dst = append(dst, "null"...)
	}
	return append(dst, '}')
}

// MarshalJSON is the wire form of an item, its names sorted.
func (it Item) MarshalJSON() ([]byte, error) { return it.AppendJSON(nil), nil }

// AppendJSON appends the wire form of the item to dst, names sorted so the
// same item is always the same bytes.
func (it Item) AppendJSON(dst []byte) []byte {
	names := make([]string, 0, len(it))
	for k := range it {
		names = append(names, k)
	}
	slices.Sort(names)
	dst = append(dst, '{')
	for i, k := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = it[k].AppendJSON(dst)
	}
	return append(dst, '}')
}

// appendString appends s as encoding/json writes it. Most strings need no
// escape and are copied as they are; the others go through encoding/json
// (escapes, <>& and U+2028/U+2029 as \u, invalid UTF-8 as U+FFFD).
func appendString(dst []byte, s string) []byte {
	if !needsEscape(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}

// needsEscape reports whether encoding/json writes s other than as it is.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return true
		}
		i += size
	}
	return false
}

func appendBytes(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}
