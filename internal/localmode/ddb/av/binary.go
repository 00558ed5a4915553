package av

import (
	"encoding/binary"
	"errors"
	"slices"
)

// The engine stores items in a compact binary form rather than their JSON:
// decoding it is a walk over lengths, not a parse, which Query and Scan do
// for every item they read. Each value is its kind byte, then:
// S, N, B: a length and the bytes; BOOL: one byte; NULL: nothing;
// M: a count, then each name (length, bytes) and value; L: a count and the
// values; SS, NS, BS: a count and each element (length, bytes).
// Lengths and counts are unsigned varints. Names in an item or map are
// written sorted, so one item is always the same bytes.

var errBinary = errors.New("av: damaged binary item")

// AppendBinary appends the item's binary form to dst, grown once to the
// form's size first (the engine encodes every item it writes).
func (it Item) AppendBinary(dst []byte) []byte {
	dst = slices.Grow(dst, mapBinarySize(it))
	return appendMap(dst, it)
}

// mapBinarySize is the length of appendMap's form of m.
func mapBinarySize(m map[string]Value) int {
	n := uvarintSize(len(m))
	for k, v := range m {
		n += uvarintSize(len(k)) + len(k) + v.binarySize()
	}
	return n
}

func (v Value) binarySize() int {
	n := 1
	switch v.Kind {
	case S, N:
		n += uvarintSize(len(v.S)) + len(v.S)
	case B:
		n += uvarintSize(len(v.B)) + len(v.B)
	case BOOL:
		n++
	case M:
		n += mapBinarySize(v.M)
	case L:
		n += uvarintSize(len(v.L))
		for _, x := range v.L {
			n += x.binarySize()
		}
	case SS, NS:
		n += uvarintSize(len(v.Strs))
		for _, s := range v.Strs {
			n += uvarintSize(len(s)) + len(s)
		}
	case BS:
		n += uvarintSize(len(v.Bins))
		for _, b := range v.Bins {
			n += uvarintSize(len(b)) + len(b)
		}
	}
	return n
}

func uvarintSize(x int) int {
	n := 1
	for ux := uint64(x); ux >= 0x80; ux >>= 7 {
		n++
	}
	return n
}

func appendMap(dst []byte, m map[string]Value) []byte {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	dst = binary.AppendUvarint(dst, uint64(len(names)))
	for _, k := range names {
		dst = appendBytesWithLen(dst, []byte(k))
		dst = m[k].appendBinary(dst)
	}
	return dst
}

func appendBytesWithLen(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func (v Value) appendBinary(dst []byte) []byte {
	dst = append(dst, byte(v.Kind))
	switch v.Kind {
	case S, N:
		dst = appendBytesWithLen(dst, []byte(v.S))
	case B:
		dst = appendBytesWithLen(dst, v.B)
	case BOOL:
		if v.Bool {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	case M:
		dst = appendMap(dst, v.M)
	case L:
		dst = binary.AppendUvarint(dst, uint64(len(v.L)))
		for _, x := range v.L {
			dst = x.appendBinary(dst)
		}
	case SS, NS:
		dst = binary.AppendUvarint(dst, uint64(len(v.Strs)))
		for _, s := range v.Strs {
			dst = appendBytesWithLen(dst, []byte(s))
		}
	case BS:
		dst = binary.AppendUvarint(dst, uint64(len(v.Bins)))
		for _, b := range v.Bins {
			dst = appendBytesWithLen(dst, b)
		}
	}
	return dst
}

// DecodeBinary reads an item AppendBinary wrote; the item shares nothing
// with b.
func DecodeBinary(b []byte) (Item, error) {
	r := reader{b: b}
	m := r.readMap()
	if r.err != nil || len(r.b) != 0 {
		return nil, errBinary
	}
	return m, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() int {
	if r.err != nil {
		return 0
	}
	n, size := binary.Uvarint(r.b)
	// A count or length cannot exceed what is left to read.
	if size <= 0 || n > uint64(len(r.b)) {
		r.err = errBinary
		return 0
	}
	r.b = r.b[size:]
	return int(n)
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > len(r.b) {
		r.err = errBinary
		return nil
	}
	out := slices.Clone(r.b[:n])
	r.b = r.b[n:]
	if out == nil {
		out = []byte{}
	}
	return out
}

func (r *reader) readMap() map[string]Value {
	n := r.uvarint()
	m := make(map[string]Value, n)
	for range n {
		if r.err != nil {
			return nil
		}
		k := string(r.bytes())
		m[k] = r.value()
	}
	return m
}

func (r *reader) value() Value {
	if r.err != nil || len(r.b) == 0 {
		r.err = errBinary
		return Value{}
	}
	k := Kind(r.b[0])
	r.b = r.b[1:]
	v := Value{Kind: k}
	switch k {
	case S, N:
		v.S = string(r.bytes())
	case B:
		v.B = r.bytes()
	case BOOL:
		if len(r.b) == 0 {
			r.err = errBinary
			return Value{}
		}
		v.Bool = r.b[0] == 1
		r.b = r.b[1:]
	case NULL:
	case M:
		v.M = r.readMap()
	case L:
		n := r.uvarint()
		v.L = make([]Value, 0, n)
		for range n {
			if r.err != nil {
				break
			}
			v.L = append(v.L, r.value())
		}
	case SS, NS:
		n := r.uvarint()
		v.Strs = make([]string, 0, n)
		for range n {
			if r.err != nil {
				break
			}
			v.Strs = append(v.Strs, string(r.bytes()))
		}
	case BS:
		n := r.uvarint()
		v.Bins = make([][]byte, 0, n)
		for range n {
			if r.err != nil {
				break
			}
			v.Bins = append(v.Bins, r.bytes())
		}
	default:
		r.err = errBinary
	}
	return v
}
