package asl

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/ohler55/ojg/oj"
)

// Values flowing between states are plain Go JSON values: nil, bool, int64,
// float64, string, []any and map[string]any (as produced by ojg's parser).
// They are treated as immutable once produced; code that needs to change a
// value copies the parts it changes (see setPath).

// ParseJSON parses JSON text into a value.
func ParseJSON(b []byte) (v any, err error) {
	v, _, err = parseJSONText(b)
	return v, err
}

// parseJSONText is ParseJSON that also returns MarshalJSON's text of the
// value when it is b itself (canonical JSON, common for machine-made
// payloads), so callers need not render it; otherwise text is "".
func parseJSONText(b []byte) (v any, text string, err error) {
	if v, t, canonical, ok := fastParseText(b); ok {
		if !canonical {
			t = ""
		}
		return v, t, nil
	}
	v, err = parseJSONSlow(b)
	return v, "", err
}

func parseJSONSlow(b []byte) (v any, err error) {
	// ojg panics on some malformed inputs (found by FuzzParse); report
	// those as ordinary syntax errors.
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("parse JSON: malformed input (%v)", p)
		}
	}()
	v, err = oj.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	return normalize(v), nil
}

// normalize maps the rare number types ojg may produce (big numbers) onto
// int64/float64 so the rest of the code only deals with those two.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalize(e)
		}
	case []any:
		for i, e := range t {
			t[i] = normalize(e)
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case *big.Int:
		f, _ := new(big.Float).SetInt(t).Float64()
		return f
	case *big.Float:
		f, _ := t.Float64()
		return f
	case int:
		return int64(t)
	case float32:
		return float64(t)
	}
	return v
}

// MarshalJSON renders a value as compact JSON with sorted object keys and
// without HTML escaping (Step Functions does not escape <, > or &).
func MarshalJSON(v any) []byte {
	// The text is built in a pooled buffer, then copied once at its size.
	bp := jsonBufPool.Get().(*[]byte)
	b := appendJSON((*bp)[:0], v)
	out := append(make([]byte, 0, len(b)), b...)
	putJSONBuf(bp, b)
	return out
}

var jsonBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func putJSONBuf(bp *[]byte, b []byte) {
	if cap(b) <= 64<<10 { // let rare huge buffers go
		*bp = b[:0]
		jsonBufPool.Put(bp)
	}
}

// toJSONString is string(MarshalJSON(v)) with the text built in a pooled
// buffer, so only the string is allocated.
func toJSONString(v any) string {
	bp := jsonBufPool.Get().(*[]byte)
	b := appendJSON((*bp)[:0], v)
	s := string(b)
	putJSONBuf(bp, b)
	return s
}

func appendJSON(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if t {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case float64:
		return appendFloat(b, t)
	case string:
		return appendString(b, t)
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case map[string]any:
		if len(t) > 16 {
			return appendLargeObject(b, t)
		}
		// Small objects collect and sort their members on the stack.
		var buf [16]member
		ms := buf[:0]
		for k, v := range t {
			ms = append(ms, member{k, v})
		}
		for i := 1; i < len(ms); i++ {
			for j := i; j > 0 && ms[j].k < ms[j-1].k; j-- {
				ms[j], ms[j-1] = ms[j-1], ms[j]
			}
		}
		b = append(b, '{')
		for i, m := range ms {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.k)
			b = append(b, ':')
			b = appendJSON(b, m.v)
		}
		return append(b, '}')
	default:
		// Foreign types (e.g. from tests); fall back to encoding/json.
		out, err := json.Marshal(normalize(v))
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, out...)
	}
}

type member struct {
	k string
	v any
}

func appendLargeObject(b []byte, t map[string]any) []byte {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendJSON(b, t[k])
	}
	return append(b, '}')
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	abs := math.Abs(f)
	if abs < 1e-6 || abs >= 1e21 {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// deepEqual compares JSON values; numbers compare by value (1 == 1.0).
func deepEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !deepEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	if fx, ok := toFloat(a); ok {
		fy, ok := toFloat(b)
		if !ok {
			return false
		}
		if ix, ok := a.(int64); ok {
			if iy, ok := b.(int64); ok {
				return ix == iy
			}
		}
		return fx == fy
	}
	return false
}

// DeepEqual reports whether two JSON values are equal (numbers by value).
func DeepEqual(a, b any) bool { return deepEqual(normalize(a), normalize(b)) }

func toFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case int:
		return float64(t), true
	}
	return 0, false
}

func isNumber(v any) bool {
	_, ok := toFloat(v)
	return ok
}

// asInteger returns v as an integer if it is a number with no fraction.
func asInteger(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case int:
		return int64(t), true
	case float64:
		if t == math.Trunc(t) && !math.IsInf(t, 0) {
			return int64(t), true
		}
	}
	return 0, false
}

// deepCopy copies maps and slices so the copy can be mutated freely.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if isNumber(v) {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// maxJSONGrowth bounds how much longer MarshalJSON's text of a parsed value
// can be than the text it was parsed from: a string character grows at most
// from 1 to 6 bytes (an invalid UTF-8 byte becomes \ufffd), a number at most
// from "1e20" to "100000000000000000000"; everything else keeps or loses
// length; and empty text (which ojg reads as null) renders as "null".
const maxJSONGrowth = 6

// renderedBound is the most bytes MarshalJSON can produce for a value parsed
// from n bytes.
func renderedBound(n int) int { return maxJSONGrowth*n + 4 }

// sameValue reports whether a and b are the very same value (the same
// object or array, or equal scalars); false means "not known to be".
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case string:
		y, ok := b.(string)
		return ok && x == y
	case nil, bool, int64, float64:
		return a == b
	}
	return false
}

// jsonSizeExceeds reports whether MarshalJSON(v) would be longer than limit,
// without building the text (it stops as soon as the limit is passed).
func jsonSizeExceeds(v any, limit int) bool {
	n := 0
	return !jsonSizeWithin(v, &n, limit)
}

// jsonSize is len(MarshalJSON(v)) if that is at most limit (within).
func jsonSize(v any, limit int) (n int, within bool) {
	within = jsonSizeWithin(v, &n, limit)
	return n, within
}

func jsonSizeWithin(v any, n *int, limit int) bool {
	var scratch [40]byte
	switch t := v.(type) {
	case nil:
		*n += 4
	case bool:
		if t {
			*n += 4
		} else {
			*n += 5
		}
	case int64:
		*n += len(strconv.AppendInt(scratch[:0], t, 10))
	case int:
		*n += len(strconv.AppendInt(scratch[:0], int64(t), 10))
	case float64:
		*n += len(appendFloat(scratch[:0], t))
	case string:
		*n += jsonStringLen(t)
	case []any:
		*n += 2 + max(len(t)-1, 0)
		for _, e := range t {
			if !jsonSizeWithin(e, n, limit) {
				return false
			}
		}
	case map[string]any:
		*n += 2 + max(len(t)-1, 0)
		for k, e := range t {
			*n += jsonStringLen(k) + 1
			if !jsonSizeWithin(e, n, limit) {
				return false
			}
		}
	default:
		*n += len(MarshalJSON(v))
	}
	return *n <= limit
}

// jsonStringLen is the length of appendString's rendering of s.
func jsonStringLen(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c != '"' && c != '\\':
				n++
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				n += 2
			default:
				n += 6
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}
