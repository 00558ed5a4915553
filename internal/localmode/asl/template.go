package asl

import (
	"fmt"
	"strings"
)

// Template is a compiled payload template (Parameters, ResultSelector,
// ItemSelector): keys ending in ".$" are evaluated, everything else is
// copied. Subtrees without dynamic fields are kept as shared literals.
type Template struct {
	literal any // set when nothing below is dynamic
	static  bool
	fields  []templateField // object
	items   []*Template     // array
	isArray bool
}

type templateField struct {
	key  string
	expr expr      // for "key.$"
	sub  *Template // otherwise
}

func compileTemplate(v any) (*Template, error) {
	switch t := v.(type) {
	case map[string]any:
		tm := &Template{}
		dynamic := false
		for _, k := range sortedKeys(t) {
			val := t[k]
			if strings.HasSuffix(k, ".$") {
				s, ok := val.(string)
				if !ok {
					return nil, fmt.Errorf("the value of field %q must be a string with a JSONPath or intrinsic function", k)
				}
				e, err := compileValueExpr(s)
				if err != nil {
					return nil, fmt.Errorf("field %q: %w", k, err)
				}
				tm.fields = append(tm.fields, templateField{key: strings.TrimSuffix(k, ".$"), expr: e})
				dynamic = true
				continue
			}
			sub, err := compileTemplate(val)
			if err != nil {
				return nil, err
			}
			if !sub.static {
				dynamic = true
			}
			tm.fields = append(tm.fields, templateField{key: k, sub: sub})
		}
		if !dynamic {
			return &Template{literal: t, static: true}, nil
		}
		return tm, nil
	case []any:
		tm := &Template{isArray: true}
		dynamic := false
		for _, e := range t {
			sub, err := compileTemplate(e)
			if err != nil {
				return nil, err
			}
			if !sub.static {
				dynamic = true
			}
			tm.items = append(tm.items, sub)
		}
		if !dynamic {
			return &Template{literal: t, static: true}, nil
		}
		return tm, nil
	}
	return &Template{literal: v, static: true}, nil
}

// fieldError tells which template field failed, for Step Functions' messages.
type fieldError struct {
	field string
	expr  expr
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func (t *Template) eval(input any, ec *evalCtx) (any, error) {
	if t.static {
		return t.literal, nil
	}
	if t.isArray {
		out := make([]any, len(t.items))
		for i, it := range t.items {
			v, err := it.eval(input, ec)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	out := make(map[string]any, len(t.fields))
	for _, f := range t.fields {
		if f.expr != nil {
			v, err := f.expr.eval(input, ec)
			if err != nil {
				return nil, &fieldError{field: f.key, expr: f.expr, err: err}
			}
			out[f.key] = v
			continue
		}
		v, err := f.sub.eval(input, ec)
		if err != nil {
			return nil, err
		}
		out[f.key] = v
	}
	return out, nil
}
