package asl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// expr is an argument or value expression in the JSONPath query language:
// a literal, a path, or an intrinsic function call.
type expr interface {
	eval(input any, ec *evalCtx) (any, error)
}

type literalExpr struct{ v any }

func (l literalExpr) eval(any, *evalCtx) (any, error) { return l.v, nil }

type pathExpr struct{ p *Path }

func (p pathExpr) eval(input any, ec *evalCtx) (any, error) {
	return p.p.get(input, ec)
}

type callExpr struct {
	name string
	fn   intrinsicFunc
	args []expr
}

type intrinsicFunc func(ec *evalCtx, args []any) (any, error)

// IntrinsicError is raised by a failing intrinsic; Step Functions reports it
// as States.IntrinsicFailure.
type IntrinsicError struct{ Msg string }

func (e *IntrinsicError) Error() string { return e.Msg }

func (c *callExpr) eval(input any, ec *evalCtx) (any, error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		v, err := a.eval(input, ec)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	v, err := c.fn(ec, args)
	if err != nil {
		return nil, &IntrinsicError{Msg: fmt.Sprintf("%s: %v", c.name, err)}
	}
	return v, nil
}

// compileValueExpr compiles the string value of a ".$" field: a path or an
// intrinsic function call.
func compileValueExpr(s string) (expr, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "$") {
		p, err := CompilePath(s)
		if err != nil {
			return nil, err
		}
		return pathExpr{p}, nil
	}
	if strings.HasPrefix(s, "States.") {
		ip := &intrinsicParser{src: s}
		e, err := ip.parseCall()
		if err != nil {
			return nil, err
		}
		ip.skipSpace()
		if ip.pos != len(ip.src) {
			return nil, fmt.Errorf("intrinsic %q: unexpected text at offset %d", s, ip.pos)
		}
		return e, nil
	}
	return nil, fmt.Errorf("%q is neither a JSONPath nor an intrinsic function", s)
}

// ParseIntrinsic checks a ".$" field value: a JSONPath, a "$$" context path,
// a "$variable" path or an intrinsic call such as States.Format('{}', $.a).
func ParseIntrinsic(s string) error {
	_, err := compileValueExpr(s)
	return err
}

type intrinsicParser struct {
	src string
	pos int
}

func (p *intrinsicParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n') {
		p.pos++
	}
}

func (p *intrinsicParser) errorf(format string, a ...any) error {
	return fmt.Errorf("intrinsic %q at offset %d: %s", p.src, p.pos, fmt.Sprintf(format, a...))
}

func (p *intrinsicParser) parseCall() (expr, error) {
	start := p.pos
	for p.pos < len(p.src) && (isIdentChar(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn, ok := lookupIntrinsic(name)
	if !ok {
		return nil, p.errorf("unknown intrinsic function %q", name)
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf("expected '('")
	}
	p.pos++
	call := &callExpr{name: name, fn: fn}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
		return call, nil
	}
	for {
		p.skipSpace()
		a, err := p.parseArg()
		if err != nil {
			return nil, err
		}
		call.args = append(call.args, a)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("unterminated argument list")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return call, nil
		default:
			return nil, p.errorf("expected ',' or ')'")
		}
	}
}

func isIdentChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (p *intrinsicParser) parseArg() (expr, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf("missing argument")
	}
	c := p.src[p.pos]
	switch {
	case c == '\'':
		return p.parseString()
	case c == '$':
		return p.parsePath()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789.eE+-", p.src[p.pos]) >= 0 {
			p.pos++
		}
		text := p.src[start:p.pos]
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return literalExpr{i}, nil
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, p.errorf("bad number %q", text)
		}
		return literalExpr{f}, nil
	case strings.HasPrefix(p.src[p.pos:], "States."):
		return p.parseCall()
	}
	for _, kw := range []struct {
		s string
		v any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.src[p.pos:], kw.s) {
			p.pos += len(kw.s)
			return literalExpr{kw.v}, nil
		}
	}
	return nil, p.errorf("unexpected character %q", c)
}

// parseString reads a single-quoted literal; backslash escapes the next
// character (\' \{ \} \\). Escaped braces stay escaped so States.Format can
// tell them from placeholders.
func (p *intrinsicParser) parseString() (expr, error) {
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 >= len(p.src) {
				return nil, p.errorf("dangling escape")
			}
			n := p.src[p.pos+1]
			switch n {
			case '{', '}':
				b.WriteByte('\\')
				b.WriteByte(n)
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(n)
			}
			p.pos += 2
		case '\'':
			p.pos++
			return literalExpr{unescapeBracesMarker(b.String())}, nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return nil, p.errorf("unterminated string")
}

// Escaped braces are kept as a private marker pair so that Format can treat
// them as literal braces while all other functions see the plain text.
type escapedString struct{ raw, plain string }

func unescapeBracesMarker(s string) any {
	if !strings.Contains(s, `\{`) && !strings.Contains(s, `\}`) {
		return s
	}
	plain := strings.NewReplacer(`\{`, "{", `\}`, "}").Replace(s)
	return escapedString{raw: s, plain: plain}
}

func (p *intrinsicParser) parsePath() (expr, error) {
	start := p.pos
	depth := 0
	var quote byte
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			p.pos++
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '[', '(':
			depth++
		case ']':
			depth--
		case ')':
			if depth == 0 {
				goto done
			}
			depth--
		case ',':
			if depth == 0 {
				goto done
			}
		}
		p.pos++
	}
done:
	text := strings.TrimSpace(p.src[start:p.pos])
	path, err := CompilePath(text)
	if err != nil {
		return nil, p.errorf("%v", err)
	}
	return pathExpr{path}, nil
}

func plainArg(v any) any {
	if e, ok := v.(escapedString); ok {
		return e.plain
	}
	return v
}

func plainArgs(args []any) []any {
	for i, a := range args {
		args[i] = plainArg(a)
	}
	return args
}

func wantArgs(args []any, n ...int) error {
	for _, k := range n {
		if len(args) == k {
			return nil
		}
	}
	return fmt.Errorf("expected %v arguments, got %d", n, len(args))
}

func argString(v any, what string) (string, error) {
	s, ok := plainArg(v).(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, got %s", what, typeName(v))
	}
	return s, nil
}

func argArray(v any, what string) ([]any, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an array, got %s", what, typeName(v))
	}
	return a, nil
}

func argInt(v any, what string) (int64, error) {
	i, ok := asInteger(v)
	if !ok {
		return 0, fmt.Errorf("%s must be an integer, got %s", what, toJSONString(plainArg(v)))
	}
	return i, nil
}

// javaString renders a value the way Java's toString does for the parsed JSON
// (Step Functions' States.Format output for non-string arguments).
func javaString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(javaString(t[k]))
		}
		b.WriteByte('}')
		return b.String()
	case []any:
		var b strings.Builder
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(javaString(e))
		}
		b.WriteByte(']')
		return b.String()
	}
	return toJSONString(v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func javaRound(f float64) int64 { return int64(math.Floor(f + 0.5)) }

// lookupIntrinsic maps a function name to its implementation.
func lookupIntrinsic(name string) (intrinsicFunc, bool) {
	switch name {
	case "States.Format":
		return fnFormat, true
	case "States.StringToJson":
		return fnStringToJSON, true
	case "States.JsonToString":
		return fnJSONToString, true
	case "States.Array":
		return func(_ *evalCtx, a []any) (any, error) { return append([]any{}, plainArgs(a)...), nil }, true
	case "States.ArrayPartition":
		return fnArrayPartition, true
	case "States.ArrayContains":
		return fnArrayContains, true
	case "States.ArrayRange":
		return fnArrayRange, true
	case "States.ArrayGetItem":
		return fnArrayGetItem, true
	case "States.ArrayLength":
		return fnArrayLength, true
	case "States.ArrayUnique":
		return fnArrayUnique, true
	case "States.Base64Encode":
		return fnBase64Encode, true
	case "States.Base64Decode":
		return fnBase64Decode, true
	case "States.Hash":
		return fnHash, true
	case "States.JsonMerge":
		return fnJSONMerge, true
	case "States.MathRandom":
		return fnMathRandom, true
	case "States.MathAdd":
		return fnMathAdd, true
	case "States.StringSplit":
		return fnStringSplit, true
	case "States.UUID":
		return fnUUID, true
	}
	return nil, false
}

func fnFormat(_ *evalCtx, args []any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("expected a format string")
	}
	tmpl := ""
	switch t := args[0].(type) {
	case string:
		tmpl = t
	case escapedString:
		tmpl = t.raw
	default:
		return nil, fmt.Errorf("the format string must be a string")
	}
	var b strings.Builder
	next := 1
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '\\' && i+1 < len(tmpl) && (tmpl[i+1] == '{' || tmpl[i+1] == '}') {
			b.WriteByte(tmpl[i+1])
			i++
			continue
		}
		if c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}' {
			if next >= len(args) {
				return nil, fmt.Errorf("not enough arguments for the format string")
			}
			b.WriteString(javaString(plainArg(args[next])))
			next++
			i++
			continue
		}
		b.WriteByte(c)
	}
	if next != len(args) {
		return nil, fmt.Errorf("too many arguments for the format string")
	}
	return b.String(), nil
}

func fnStringToJSON(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args[0], "argument")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	return ParseJSON([]byte(s))
}

func fnJSONToString(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	return toJSONString(plainArg(args[0])), nil
}

func fnArrayPartition(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args[0], "first argument")
	if err != nil {
		return nil, err
	}
	n, err := argInt(args[1], "chunk size")
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, fmt.Errorf("chunk size must be positive")
	}
	out := []any{}
	for i := 0; i < len(a); i += int(n) {
		end := min(i+int(n), len(a))
		out = append(out, append([]any{}, a[i:end]...))
	}
	return out, nil
}

func fnArrayContains(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args[0], "first argument")
	if err != nil {
		return nil, err
	}
	v := plainArg(args[1])
	for _, e := range a {
		if deepEqual(e, v) {
			return true, nil
		}
	}
	return false, nil
}

func fnArrayRange(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 3); err != nil {
		return nil, err
	}
	start, err := argInt(args[0], "start")
	if err != nil {
		return nil, err
	}
	end, err := argInt(args[1], "end")
	if err != nil {
		return nil, err
	}
	step, err := argInt(args[2], "step")
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, fmt.Errorf("step must not be zero")
	}
	out := []any{}
	for i := start; (step > 0 && i <= end) || (step < 0 && i >= end); i += step {
		if len(out) >= 1000 {
			return nil, fmt.Errorf("the range has more than 1000 elements")
		}
		out = append(out, i)
	}
	return out, nil
}

func fnArrayGetItem(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args[0], "first argument")
	if err != nil {
		return nil, err
	}
	i, err := argInt(args[1], "index")
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(a)) {
		return nil, fmt.Errorf("index %d out of bounds", i)
	}
	return a[i], nil
}

func fnArrayLength(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	a, err := argArray(args[0], "argument")
	if err != nil {
		return nil, err
	}
	return int64(len(a)), nil
}

func fnArrayUnique(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	a, err := argArray(args[0], "argument")
	if err != nil {
		return nil, err
	}
	out := []any{}
outer:
	for _, e := range a {
		for _, o := range out {
			if deepEqual(e, o) {
				continue outer
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func fnBase64Encode(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args[0], "argument")
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args[0], "argument")
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base64: %w", err)
	}
	return string(b), nil
}

func fnHash(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	data, ok := plainArg(args[0]).(string)
	if !ok {
		data = toJSONString(plainArg(args[0]))
	}
	alg, err := argString(args[1], "algorithm")
	if err != nil {
		return nil, err
	}
	sum, ok := hashHex(alg, data)
	if !ok {
		return nil, fmt.Errorf("unsupported hash algorithm %q", alg)
	}
	return sum, nil
}

// hashHex is the hex digest States.Hash and $hash compute; ok is false for an
// algorithm Step Functions does not offer.
func hashHex(algorithm, data string) (string, bool) {
	var h hash.Hash
	switch algorithm {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return "", false
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), true
}

func fnJSONMerge(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 3); err != nil {
		return nil, err
	}
	a, ok1 := args[0].(map[string]any)
	b, ok2 := args[1].(map[string]any)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("both arguments must be objects")
	}
	deep, ok := args[2].(bool)
	if !ok {
		return nil, fmt.Errorf("the third argument must be a boolean")
	}
	return mergeObjects(a, b, deep), nil
}

func mergeObjects(a, b map[string]any, deep bool) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if deep {
			if am, ok := out[k].(map[string]any); ok {
				if bm, ok := v.(map[string]any); ok {
					out[k] = mergeObjects(am, bm, true)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

func fnMathRandom(ec *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 2, 3); err != nil {
		return nil, err
	}
	lo, err := argInt(args[0], "start")
	if err != nil {
		return nil, err
	}
	hi, err := argInt(args[1], "end")
	if err != nil {
		return nil, err
	}
	if hi <= lo {
		return nil, fmt.Errorf("end must be greater than start")
	}
	var seed *int64
	if len(args) == 3 {
		s, err := argInt(args[2], "seed")
		if err != nil {
			return nil, err
		}
		seed = &s
	}
	return lo + ec.random(seed, hi-lo), nil
}

func fnMathAdd(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	var sum int64
	for _, a := range args {
		f, ok := toFloat(a)
		if !ok {
			return nil, fmt.Errorf("arguments must be numbers, got %s", typeName(a))
		}
		sum += javaRound(f)
	}
	return sum, nil
}

func fnStringSplit(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	s, err := argString(args[0], "first argument")
	if err != nil {
		return nil, err
	}
	delims, err := argString(args[1], "delimiter")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out = append(out, part)
	}
	return out, nil
}

func fnUUID(_ *evalCtx, args []any) (any, error) {
	if err := wantArgs(args, 0); err != nil {
		return nil, err
	}
	return newUUID(), nil
}

// newUUID returns a random (version 4) UUID for names and request ids; the
// ChaCha8 generator of math/rand/v2 is securely seeded and much cheaper than
// crypto/rand per call. Task tokens use crypto/rand (newToken).
func newUUID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], mrand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], mrand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
