package asl

import (
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	jsonata "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jparse"
	"github.com/blues/jsonata-go/jtypes"
)

// The JSONata query language (QueryLanguage "JSONata") evaluates "{% ... %}"
// strings with github.com/blues/jsonata-go. This file adapts it to Step
// Functions: $states (input, result, errorOutput, context), workflow
// variables, the Step Functions functions ($partition, $range, $hash,
// $random, $uuid, $parse) and the errors AWS reports.

// jsonataNull is how the library represents JSON null (a nil *interface{});
// a Go nil inside its input would read as "undefined".
var jsonataNull *interface{}

// jsonataExpr is one compiled "{% expr %}" string.
type jsonataExpr struct {
	src  string   // the expression between the delimiters, trimmed
	vars []string // names after '$' that may be workflow variables
	// path is set for a plain "$name.field.field" expression, which is
	// evaluated directly when every step is an object member.
	path []string
	pool sync.Pool
}

var jsonataSimplePath = regexp.MustCompile(`^\$[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// evalPath evaluates a plain path expression without the library; false
// means the path crosses something other than an object, where JSONata's
// sequence semantics apply and the library must decide. Besides speed this
// keeps an empty array an array (the library turns it into undefined).
func (je *jsonataExpr) evalPath(states any, ec *evalCtx) (any, bool) {
	var cur any
	if je.path[0] == "states" {
		cur = states
	} else {
		v, ok := ec.lookupVar(je.path[0])
		if !ok {
			return nil, false
		}
		cur = v
	}
	for _, k := range je.path[1:] {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	out, ok := fromJSONataValue(reflect.ValueOf(cur))
	return out, ok
}

var jsonataVarRef = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// sfnFunctions are the functions Step Functions adds to JSONata.
var sfnFunctions = map[string]jsonata.Extension{
	"partition": {Func: jfnPartition},
	"range":     {Func: jfnRange},
	"hash":      {Func: jfnHash},
	"random":    {Func: jfnRandom},
	"uuid":      {Func: func() string { return newUUID() }},
	"parse":     {Func: jfnParse},
}

// isJSONataString reports whether s is a "{% ... %}" expression string
// (exactly: no surrounding whitespace, as Step Functions requires).
func isJSONataString(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

// compileJSONata compiles the text of a "{% ... %}" string.
func compileJSONata(s string) (*jsonataExpr, error) {
	src := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "{%"), "%}"))
	if src == "" {
		return nil, errors.New("empty JSONata expression")
	}
	e, err := newJSONataProgram(src)
	if err != nil {
		return nil, err
	}
	je := &jsonataExpr{src: src}
	seen := map[string]bool{"states": true}
	for _, m := range jsonataVarRef.FindAllStringSubmatch(src, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			je.vars = append(je.vars, m[1])
		}
	}
	sort.Strings(je.vars)
	if jsonataSimplePath.MatchString(src) {
		je.path = strings.Split(src[1:], ".")
	}
	je.pool.Put(e)
	return je, nil
}

// ParseJSONata checks the text of a JSONata expression (without the "{% %}"
// delimiters) the way a definition's expressions are checked.
func ParseJSONata(src string) error {
	_, err := compileJSONata("{%" + src + "%}")
	return err
}

func newJSONataProgram(src string) (e *jsonata.Expr, err error) {
	defer func() {
		if p := recover(); p != nil {
			e, err = nil, fmt.Errorf("invalid JSONata expression: %v", p)
		}
	}()
	e, err = jsonata.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("invalid JSONata expression %q: %v", src, err)
	}
	if err := e.RegisterExts(sfnFunctions); err != nil {
		return nil, err
	}
	return e, nil
}

// jsonataEvalError is a failed evaluation; kind tells which Step Functions
// message applies.
type jsonataEvalError struct {
	kind string // "undefined", "error", "unsupported"
	msg  string
}

func (e *jsonataEvalError) Error() string { return e.kind + ": " + e.msg }

// eval evaluates the expression with $states bound to states (already in
// the library's representation) and the workflow variables it names.
func (je *jsonataExpr) eval(states any, ec *evalCtx) (out any, err error) {
	if je.path != nil {
		if v, ok := je.evalPath(states, ec); ok {
			return v, nil
		}
	}
	prog, _ := je.pool.Get().(*jsonata.Expr)
	if prog == nil {
		if prog, err = newJSONataProgram(je.src); err != nil {
			return nil, &jsonataEvalError{kind: "error", msg: err.Error()}
		}
	}
	vars := make(map[string]any, len(je.vars)+1)
	vars["states"] = states
	for _, n := range je.vars {
		if v, ok := ec.lookupVar(n); ok {
			vars[n] = toJSONataValue(v)
		}
	}
	_ = prog.RegisterVars(vars)
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, &jsonataEvalError{kind: "error", msg: fmt.Sprint(p)}
		}
		// Drop references to this evaluation's data before pooling (an
		// invalid reflect.Value reads as undefined, so a variable bound
		// now is unbound for the next use).
		for k := range vars {
			vars[k] = nil
		}
		_ = prog.RegisterVars(vars)
		je.pool.Put(prog)
	}()
	v, err := prog.Eval(nil)
	if err != nil {
		if errors.Is(err, jsonata.ErrUndefined) {
			return nil, &jsonataEvalError{kind: "undefined"}
		}
		return nil, &jsonataEvalError{kind: "error", msg: jsonataErrorText(err)}
	}
	res, ok := fromJSONataValue(reflect.ValueOf(v))
	if !ok {
		return nil, &jsonataEvalError{kind: "unsupported"}
	}
	return res, nil
}

// jsonataErrorText renders a library error with the code and wording of the
// reference JSONata implementation, which Step Functions reports.
func jsonataErrorText(err error) string {
	var ee *jsonata.EvalError
	if errors.As(err, &ee) {
		return evalErrorText(ee)
	}
	var ev jsonata.EvalError
	if errors.As(err, &ev) {
		return evalErrorText(&ev)
	}
	var pe *jparse.Error
	if errors.As(err, &pe) {
		return "S0201: " + pe.Error()
	}
	var ae *jsonata.ArgCountError
	if errors.As(err, &ae) {
		return "T0410: " + err.Error()
	}
	var at *jsonata.ArgTypeError
	if errors.As(err, &at) {
		return "T0410: " + err.Error()
	}
	return err.Error()
}

func evalErrorText(e *jsonata.EvalError) string {
	switch e.Type {
	case jsonata.ErrNonCallable, jsonata.ErrNonCallableApply, jsonata.ErrNonCallablePartial:
		return "T1006: Attempted to invoke a non-function"
	case jsonata.ErrNonNumberLHS:
		return fmt.Sprintf("T2001: The left side of the %q operator must evaluate to a number", e.Value)
	case jsonata.ErrNonNumberRHS:
		return fmt.Sprintf("T2002: The right side of the %q operator must evaluate to a number", e.Value)
	case jsonata.ErrNonIntegerLHS:
		return "T2003: The left side of the range operator (..) must evaluate to an integer"
	case jsonata.ErrNonIntegerRHS:
		return "T2004: The right side of the range operator (..) must evaluate to an integer"
	case jsonata.ErrNonComparableLHS, jsonata.ErrNonComparableRHS:
		return fmt.Sprintf("T2010: The expressions either side of operator %q must evaluate to numeric or string values", e.Value)
	case jsonata.ErrTypeMismatch:
		return fmt.Sprintf("T2009: The values either side of operator %q must be of the same data type", e.Value)
	case jsonata.ErrNumberInf, jsonata.ErrNumberNaN:
		return "D1001: Number out of range"
	case jsonata.ErrMaxRangeItems:
		return "D2014: The size of the sequence allocated by the range operator (..) must not exceed 1e7"
	case jsonata.ErrIllegalKey:
		return "T1003: Key in object structure must evaluate to a string"
	case jsonata.ErrDuplicateKey:
		return fmt.Sprintf("D1009: Multiple key definitions evaluate to same key: %v", e.Value)
	}
	return e.Error()
}

// toJSONataValue copies a value into the library's representation (JSON
// null as jsonataNull).
func toJSONataValue(v any) any {
	switch t := v.(type) {
	case nil:
		return jsonataNull
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = toJSONataValue(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = toJSONataValue(e)
		}
		return s
	}
	return v
}

// fromJSONataValue converts a result back into a JSON value; false means it
// holds something JSON cannot (a function).
func fromJSONataValue(v reflect.Value) (any, bool) {
	if !v.IsValid() {
		return nil, true
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Ptr:
		if v.IsNil() {
			return nil, true
		}
		if v.Type().Implements(reflect.TypeFor[jtypes.Callable]()) {
			return nil, false
		}
		return fromJSONataValue(v.Elem())
	case reflect.Bool:
		return v.Bool(), true
	case reflect.String:
		return v.String(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
		return f, true
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			e, ok := fromJSONataValue(v.Index(i))
			if !ok {
				return nil, false
			}
			out[i] = e
		}
		return out, true
	case reflect.Map:
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			for k.Kind() == reflect.Interface {
				k = k.Elem()
			}
			if k.Kind() != reflect.String {
				return nil, false
			}
			val := it.Value()
			// Undefined members are dropped, as JSONata does.
			if r := val; r.Kind() == reflect.Interface && r.IsNil() {
				continue
			}
			e, ok := fromJSONataValue(val)
			if !ok {
				return nil, false
			}
			out[k.String()] = e
		}
		return out, true
	case reflect.Struct, reflect.Func:
		return nil, false
	}
	return nil, false
}

// ---- Step Functions' JSONata functions ----

func jsonNum(v any) (float64, bool) {
	if p, ok := v.(*interface{}); ok && p != nil {
		v = *p
	}
	return toFloat(normalize(v))
}

func jfnPartition(arr []any, size any) ([]any, error) {
	n, ok := jsonNum(size)
	if !ok || n != math.Trunc(n) || n <= 0 {
		return nil, fmt.Errorf("the chunk size must be a positive integer")
	}
	k := int(n)
	out := []any{}
	for i := 0; i < len(arr); i += k {
		end := min(i+k, len(arr))
		out = append(out, append([]any(nil), arr[i:end]...))
	}
	return out, nil
}

func jfnRange(start, end, step any) ([]any, error) {
	a, ok1 := jsonNum(start)
	b, ok2 := jsonNum(end)
	s, ok3 := jsonNum(step)
	if !ok1 || !ok2 || !ok3 || a != math.Trunc(a) || b != math.Trunc(b) || s != math.Trunc(s) {
		return nil, fmt.Errorf("$range arguments must be integers")
	}
	if s == 0 {
		return nil, fmt.Errorf("the step of $range cannot be zero")
	}
	out := []any{}
	for x := a; (s > 0 && x <= b) || (s < 0 && x >= b); x += s {
		if len(out) >= 1000 {
			return nil, fmt.Errorf("$range produced more than 1000 items")
		}
		out = append(out, x)
	}
	return out, nil
}

func jfnHash(data string, algorithm string) (string, error) {
	sum, ok := hashHex(algorithm, data)
	if !ok {
		return "", fmt.Errorf("the hash algorithm %q is not supported (MD5, SHA-1, SHA-256, SHA-384, SHA-512)", algorithm)
	}
	return sum, nil
}

func jfnRandom(seed jtypes.OptionalInterface) (float64, error) {
	if !seed.IsSet() {
		return mrand.Float64(), nil
	}
	n, ok := jsonNum(seed.Interface)
	if !ok || n != math.Trunc(n) {
		return 0, fmt.Errorf("the seed of $random must be an integer")
	}
	return mrand.New(mrand.NewPCG(uint64(int64(n)), 0)).Float64(), nil
}

func jfnParse(s string) (any, error) {
	v, err := ParseJSON([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("$parse: %v", err)
	}
	return toJSONataValue(v), nil
}

// ---- templates: JSON values with "{% %}" strings anywhere inside ----

// jsonataTemplate is a compiled JSONata-mode field value (Arguments, Output,
// Assign, ItemSelector, ...): a literal, an expression, or an object/array
// holding some.
type jsonataTemplate struct {
	literal any
	static  bool
	expr    *jsonataExpr
	keys    []string
	fields  []*jsonataTemplate
	items   []*jsonataTemplate
	isArray bool
}

func compileJSONataTemplate(v any) (*jsonataTemplate, error) {
	switch t := v.(type) {
	case string:
		if isJSONataString(t) {
			e, err := compileJSONata(t)
			if err != nil {
				return nil, err
			}
			return &jsonataTemplate{expr: e}, nil
		}
	case map[string]any:
		tm := &jsonataTemplate{}
		dynamic := false
		for _, k := range sortedKeys(t) {
			sub, err := compileJSONataTemplate(t[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			dynamic = dynamic || !sub.static
			tm.keys = append(tm.keys, k)
			tm.fields = append(tm.fields, sub)
		}
		if !dynamic {
			return &jsonataTemplate{literal: t, static: true}, nil
		}
		return tm, nil
	case []any:
		tm := &jsonataTemplate{isArray: true}
		dynamic := false
		for _, e := range t {
			sub, err := compileJSONataTemplate(e)
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || !sub.static
			tm.items = append(tm.items, sub)
		}
		if !dynamic {
			return &jsonataTemplate{literal: t, static: true}, nil
		}
		return tm, nil
	}
	return &jsonataTemplate{literal: v, static: true}, nil
}

// jsonataFieldError is a failed expression inside a template, with the
// field path Step Functions names ("Output/result").
type jsonataFieldError struct {
	field string
	expr  *jsonataExpr
	err   *jsonataEvalError
}

func (e *jsonataFieldError) Error() string { return e.field + ": " + e.err.Error() }

func (t *jsonataTemplate) eval(field string, states any, ec *evalCtx) (any, error) {
	switch {
	case t.static:
		return t.literal, nil
	case t.expr != nil:
		v, err := t.expr.eval(states, ec)
		if err != nil {
			var je *jsonataEvalError
			if errors.As(err, &je) {
				return nil, &jsonataFieldError{field: field, expr: t.expr, err: je}
			}
			return nil, err
		}
		return v, nil
	case t.isArray:
		out := make([]any, len(t.items))
		for i, it := range t.items {
			v, err := it.eval(fmt.Sprintf("%s[%d]", field, i), states, ec)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	out := make(map[string]any, len(t.fields))
	for i, f := range t.fields {
		v, err := f.eval(field+"/"+t.keys[i], states, ec)
		if err != nil {
			return nil, err
		}
		out[t.keys[i]] = v
	}
	return out, nil
}

// jsonataStates builds the $states variable of one evaluation.
type jsonataStates struct {
	input, result, errorOutput any
	hasResult, hasErrorOutput  bool
}

// states returns $states in the library's representation; the context
// object comes from ec.
func (s *jsonataStates) value(ec *evalCtx) any {
	m := map[string]any{
		"input":   toJSONataValue(s.input),
		"context": toJSONataValue(ec.contextValue()),
	}
	if s.hasResult {
		m["result"] = toJSONataValue(s.result)
	}
	if s.hasErrorOutput {
		m["errorOutput"] = toJSONataValue(s.errorOutput)
	}
	return m
}
