package asl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ohler55/ojg/jp"
)

// Path is a compiled JSONPath. Definite paths (only fields and indexes) are
// evaluated by a small walker that reports missing properties the way Step
// Functions does; others (wildcards, slices, filters, descent) go through
// ojg and always yield an array.
type Path struct {
	src      string
	context  bool    // "$$..." reads the context object
	variable string  // "$name..." reads a workflow variable
	segs     []any   // string (field) or int (index), for definite paths
	expr     jp.Expr // for indefinite paths
	definite bool
}

// String returns the path as written.
func (p *Path) String() string { return p.src }

// CompilePath compiles a JSONPath that starts with "$" (or "$$" for the context object).
func CompilePath(s string) (*Path, error) {
	p := &Path{src: s}
	body := s
	if strings.HasPrefix(s, "$$") {
		p.context = true
		body = s[1:]
	}
	if !strings.HasPrefix(body, "$") {
		return nil, fmt.Errorf("JSONPath %q must begin with '$'", s)
	}
	if !p.context && len(body) > 1 && isVarStart(body[1]) {
		end := 1
		for end < len(body) && isIdentChar(body[end]) {
			end++
		}
		p.variable = body[1:end]
		body = "$" + body[end:]
	}
	if segs, ok := parseSimplePath(body); ok {
		p.definite, p.segs = true, segs
		return p, nil
	}
	expr, err := jp.ParseString(body)
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %w", s, err)
	}
	p.expr = expr
	return p, nil
}

// parseSimplePath parses "$" followed by .name, ['name'] and [index]
// segments. Names may hold any character but '.' and '[' (Jayway, which
// Step Functions uses, accepts e.g. "$.delivery-partner"). Anything else
// (wildcards, slices, filters, unions, descent) is left to ojg.
func parseSimplePath(s string) ([]any, bool) {
	if s == "" || s[0] != '$' {
		return nil, false
	}
	segs := []any{}
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			j := i + 1
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			name := s[i+1 : j]
			if name == "" || strings.ContainsAny(name, "*()?@,:]'\"") || strings.TrimSpace(name) != name {
				return nil, false
			}
			segs = append(segs, name)
			i = j
		case '[':
			if i+1 >= len(s) {
				return nil, false
			}
			if q := s[i+1]; q == '\'' || q == '"' {
				end := strings.IndexByte(s[i+2:], q)
				if end < 0 || i+2+end+1 >= len(s) || s[i+2+end+1] != ']' {
					return nil, false
				}
				segs = append(segs, s[i+2:i+2+end])
				i = i + 2 + end + 2
				continue
			}
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil {
				return nil, false
			}
			segs = append(segs, n)
			i += end + 1
		default:
			return nil, false
		}
	}
	return segs, true
}

// IsReference reports whether p is a Reference Path (fields and indexes only).
func (p *Path) IsReference() bool { return p.definite && !p.context && p.variable == "" }

func isVarStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// get evaluates the path, building the context object only for "$$" paths.
func (p *Path) get(input any, ec *evalCtx) (any, error) {
	if p.context {
		return p.Get(nil, ec.contextValue())
	}
	if p.variable != "" {
		v, ok := ec.lookupVar(p.variable)
		if !ok {
			return nil, &pathError{fmt.Sprintf("The variable '$%s' is not defined", p.variable)}
		}
		return p.Get(v, nil)
	}
	return p.Get(input, nil)
}

// pathError is a failed lookup; msg follows Step Functions' wording.
type pathError struct{ msg string }

func (e *pathError) Error() string { return e.msg }

func normalizedPath(segs []any) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range segs {
		switch t := s.(type) {
		case string:
			b.WriteString("['")
			b.WriteString(t)
			b.WriteString("']")
		case int:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(t))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// Get evaluates the path against input (or ctx for "$$" paths).
func (p *Path) Get(input, ctx any) (any, error) {
	root := input
	if p.context {
		root = ctx
	}
	if !p.definite {
		res := p.expr.Get(root)
		if res == nil {
			res = []any{}
		}
		return res, nil
	}
	cur := root
	for i, s := range p.segs {
		var ok bool
		switch t := s.(type) {
		case string:
			var m map[string]any
			if m, ok = cur.(map[string]any); ok {
				cur, ok = m[t]
			}
		case int:
			var a []any
			if a, ok = cur.([]any); ok {
				if t < 0 {
					t += len(a)
				}
				ok = t >= 0 && t < len(a)
				if ok {
					cur = a[t]
				}
			}
		}
		if !ok {
			if i == len(p.segs)-1 {
				return nil, &pathError{"No results for path: " + normalizedPath(p.segs)}
			}
			return nil, &pathError{"Missing property in path " + normalizedPath(p.segs[:i+1])}
		}
	}
	return cur, nil
}

// Set returns a copy of input with value placed at the (reference) path,
// creating missing objects on the way. Only the containers along the path are
// copied; the rest is shared, which is safe because values are immutable.
func (p *Path) Set(input, value any) (any, error) {
	if !p.IsReference() {
		return nil, fmt.Errorf("%q is not a reference path", p.src)
	}
	return setSegs(input, p.segs, value, p)
}

func setSegs(cur any, segs []any, value any, p *Path) (any, error) {
	if len(segs) == 0 {
		return value, nil
	}
	switch t := segs[0].(type) {
	case string:
		var m map[string]any
		switch c := cur.(type) {
		case map[string]any:
			m = make(map[string]any, len(c)+1)
			for k, v := range c {
				m[k] = v
			}
		case nil:
			m = map[string]any{}
		default:
			return nil, &pathError{fmt.Sprintf("Unable to set the value at path %s: the input is not an object", p.src)}
		}
		child, err := setSegs(m[t], segs[1:], value, p)
		if err != nil {
			return nil, err
		}
		m[t] = child
		return m, nil
	case int:
		a, ok := cur.([]any)
		if ok && t < 0 {
			t += len(a)
		}
		if !ok || t < 0 || t >= len(a) {
			return nil, &pathError{fmt.Sprintf("Unable to set the value at path %s: index out of range", p.src)}
		}
		n := make([]any, len(a))
		copy(n, a)
		child, err := setSegs(a[t], segs[1:], value, p)
		if err != nil {
			return nil, err
		}
		n[t] = child
		return n, nil
	}
	return cur, nil
}
