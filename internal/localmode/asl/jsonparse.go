package asl

import (
	"strconv"
	"sync"
	"unicode/utf8"
)

// fastParse parses strict RFC 8259 JSON into the engine's value model with
// few allocations: the text is copied into one string and every key and
// escape-free string value is a substring of it; arrays are built on a
// scratch stack and copied once at their final size.
//
// It reports false for anything it does not handle exactly like ojg (syntax
// errors, integers beyond int64, escaped surrogates, invalid UTF-8, very deep
// nesting); ParseJSON then falls back to ojg, which produces the value or the
// error message callers have always seen.
func fastParse(b []byte) (any, bool) {
	v, _, _, ok := fastParseText(b)
	return v, ok
}

// fastParseText is fastParse that also returns the text as a string and
// whether it is canonical, i.e. exactly what MarshalJSON renders for the
// value (compact, keys sorted and unique, strings without escapes, integers
// only); then the text can stand for the value's rendering.
func fastParseText(b []byte) (v any, text string, canonical, ok bool) {
	p := parserPool.Get().(*jsonParser)
	p.s, p.i, p.canonical = string(b), 0, true
	text = p.s
	defer func() {
		p.s = ""
		parserPool.Put(p)
	}()
	p.skipSpace()
	v, ok = p.value(0)
	if !ok {
		clear(p.stack[:cap(p.stack)])
		p.stack = p.stack[:0]
		return nil, "", false, false
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, "", false, false
	}
	return v, text, p.canonical, true
}

// parserPool keeps parsers with their array scratch stacks.
var parserPool = sync.Pool{New: func() any { return &jsonParser{stack: make([]any, 0, 32)} }}

const fastParseMaxDepth = 1000

type jsonParser struct {
	s         string
	i         int
	stack     []any
	canonical bool // nothing seen so far that MarshalJSON would render otherwise
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
			p.canonical = false
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, bool) {
	if p.i >= len(p.s) || depth > fastParseMaxDepth {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return s, true
	case c == 't':
		return true, p.lit("true")
	case c == 'f':
		return false, p.lit("false")
	case c == 'n':
		return nil, p.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, false
}

func (p *jsonParser) lit(w string) bool {
	if len(p.s)-p.i >= len(w) && p.s[p.i:p.i+len(w)] == w {
		p.i += len(w)
		return true
	}
	return false
}

func (p *jsonParser) object(depth int) (any, bool) {
	p.i++ // {
	m := make(map[string]any)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, true
	}
	prev, first := "", true
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		if !first && k <= prev {
			p.canonical = false // MarshalJSON sorts keys; duplicates collapse
		}
		prev, first = k, false
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.skipSpace()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[k] = v
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case '}':
			p.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) array(depth int) (any, bool) {
	p.i++ // [
	base := len(p.stack)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return []any{}, true
	}
	for {
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		p.stack = append(p.stack, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case ']':
			p.i++
			a := make([]any, len(p.stack)-base)
			copy(a, p.stack[base:])
			clear(p.stack[base:])
			p.stack = p.stack[:base]
			return a, true
		default:
			return nil, false
		}
	}
}

// str parses a string at p.i (which holds '"').
func (p *jsonParser) str() (string, bool) {
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.s); j++ {
		c := p.s[j]
		switch {
		case c == '"':
			p.i = j + 1
			s := p.s[start:j]
			if !ascii && !utf8.ValidString(s) {
				return "", false
			}
			return s, true
		case c == '\\':
			p.canonical = false // conservatively: escapes may render differently
			return p.escapedStr(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// escapedStr parses a string with escapes starting at start (after '"').
func (p *jsonParser) escapedStr(start int) (string, bool) {
	buf := make([]byte, 0, 32)
	for j := start; j < len(p.s); {
		c := p.s[j]
		switch {
		case c == '"':
			p.i = j + 1
			if !utf8.Valid(buf) {
				return "", false
			}
			return string(buf), true
		case c < 0x20:
			return "", false
		case c != '\\':
			buf = append(buf, c)
			j++
			continue
		}
		if j+1 >= len(p.s) {
			return "", false
		}
		switch p.s[j+1] {
		case '"':
			buf = append(buf, '"')
		case '\\':
			buf = append(buf, '\\')
		case '/':
			buf = append(buf, '/')
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			if j+6 > len(p.s) {
				return "", false
			}
			n, err := strconv.ParseUint(p.s[j+2:j+6], 16, 32)
			if err != nil || (n >= 0xD800 && n <= 0xDFFF) {
				return "", false // surrogates: left to ojg
			}
			buf = utf8.AppendRune(buf, rune(n))
			j += 6
			continue
		default:
			return "", false
		}
		j += 2
	}
	return "", false
}

// number parses a JSON number: int64 when written without fraction or
// exponent (or with a zero exponent, as ojg reads it), float64 otherwise.
func (p *jsonParser) number() (any, bool) {
	start := p.i
	j := p.i
	if p.s[j] == '-' {
		j++
	}
	digits := func() int {
		k := j
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		return j - k
	}
	if j < len(p.s) && p.s[j] == '0' {
		j++
		if j < len(p.s) && (p.s[j] == 'e' || p.s[j] == 'E') {
			return nil, false // ojg rejects "0e0"; let it say so
		}
	} else if digits() == 0 {
		return nil, false
	}
	intEnd := j
	isFloat := false
	if j < len(p.s) && p.s[j] == '.' {
		j++
		if digits() == 0 {
			return nil, false
		}
		isFloat = true
	}
	if j < len(p.s) && (p.s[j] == 'e' || p.s[j] == 'E') {
		j++
		if j < len(p.s) && (p.s[j] == '+' || p.s[j] == '-') {
			j++
		}
		expStart := j
		if digits() == 0 {
			return nil, false
		}
		for _, d := range p.s[expStart:j] {
			if d != '0' {
				isFloat = true
			}
		}
	}
	p.i = j
	if intEnd != j || p.s[start:j] == "-0" {
		p.canonical = false // rendered without fraction/exponent, "-0" as "0"
	}
	if !isFloat {
		n, err := strconv.ParseInt(p.s[start:intEnd], 10, 64)
		if err != nil {
			return nil, false // beyond int64: ojg's big-number path
		}
		return n, true
	}
	f, err := strconv.ParseFloat(p.s[start:j], 64)
	if err != nil {
		return nil, false
	}
	return f, true
}
