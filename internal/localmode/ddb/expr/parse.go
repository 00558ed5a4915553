package expr

import (
	"encoding/base64"
	"slices"
	"strings"
	"sync"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// mode is which expression language a parser reads: they share paths,
// operands and most of the condition grammar but allow different functions.
type mode uint8

const (
	condMode mode = iota
	updateMode
	keyMode
	projMode
)

// parser reads one expression. Syntax errors stop it at once (a bail panic,
// recovered by the Parse function); other refusals (an undefined name, a
// reserved word, a literal of the wrong type) are kept, the first of each
// class, and reported once the whole expression has parsed: a syntax error
// anywhere is what DynamoDB reports first, then the classes in order.
type parser struct {
	src    string
	kind   string // "ConditionExpression", ... for messages
	mode   mode
	toks   []token
	pos    int
	names  Names
	values Values
	used   *Used
	errs   [numClasses]*Error
	elems  []PathElem // one backing array for the expression's paths
	vals   []av.Value // the literal values the expression uses, in order
	nvals  int        // how many :value tokens it has
	tokBuf [24]token
}

// maxExprSize is the longest expression DynamoDB takes, in bytes (4 KB).
const maxExprSize = 4096

// The classes of refusal, in the order DynamoDB reports them when an
// expression has several.
const (
	clsParens    = iota // redundant parentheses
	clsUnknownFn        // a function name that is none
	clsMisusedFn        // a function where it cannot stand
	clsReserved         // a reserved word as a name
	clsOther            // undefined names and values, operand counts and types, ...
	numClasses
)

// bail carries a syntax error out of the recursive descent.
type bail struct{ err *Error }

// parsers keeps parsers, with their token buffers, from one request to the
// next: the engine parses several expressions per request.
var parsers = sync.Pool{New: func() any { return new(parser) }}

func newParser(s, kind string, m mode, n Names, v Values, used *Used) *parser {
	p := parsers.Get().(*parser)
	toks := p.toks[:0]
	if cap(toks) == 0 {
		toks = p.tokBuf[:0]
	}
	// Field by field rather than *p = parser{...}: that would clear the
	// token buffer too, which lex overwrites anyway.
	p.src, p.kind, p.mode, p.names, p.values, p.used = s, kind, m, n, v, used
	p.pos, p.errs, p.vals, p.nvals = 0, [numClasses]*Error{}, nil, 0
	if len(s) > maxExprSize {
		s = "" // refused by run; not worth reading
	}
	p.toks = lex(s, toks)
	names := 0
	for _, t := range p.toks {
		switch t.kind {
		case tValue:
			p.nvals++
		case tIdent, tName, tLBrack:
			names++
		}
	}
	// At most one path step per name or [: one array for every path.
	p.elems = make([]PathElem, 0, names)
	return p
}

// undefined is the value of an operand whose :value is not defined: the
// parse is refused, but checks after it read the operand's kind.
var undefined av.Value

// release returns the parser to the pool. What it parsed keeps its paths
// (p.elems), which the next parse must not share.
func (p *parser) release() {
	if cap(p.toks) > 256 {
		p.toks = nil // a rare long expression: let it go
	}
	// Drop what the parse made and what the request owns; the next parse
	// sets the rest.
	p.src, p.names, p.values, p.used, p.elems, p.vals = "", nil, nil, nil, nil, nil
	p.errs = [numClasses]*Error{}
	parsers.Put(p)
}

// run parses with f, turning a bail into its error.
func (p *parser) run(f func()) (err error) {
	if strings.TrimSpace(p.src) == "" {
		return errorf(p.kind, "The expression can not be empty;")
	}
	if len(p.src) > maxExprSize {
		return errorf(p.kind, "Expression size has exceeded the maximum allowed size; expression size: %d", len(p.src))
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	f()
	if p.peek().kind != tEOF {
		p.syntax()
	}
	for _, e := range p.errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) peekAt(i int) token {
	if p.pos+i < len(p.toks) {
		return p.toks[p.pos+i]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) text(t token) string { return p.src[t.start:t.end] }

// syntax bails with DynamoDB's syntax error for the current token, near
// the tokens either side of it.
func (p *parser) syntax() {
	t := p.peek()
	tok := p.text(t)
	if t.kind == tEOF {
		tok = "<EOF>"
	}
	from, to := t.start, t.end
	if p.pos > 0 {
		from = p.toks[p.pos-1].start
	}
	if t.kind != tEOF {
		to = p.peekAt(1).end
	}
	// Quoted as they stand, as DynamoDB does, not Go-escaped.
	panic(bail{errorf(p.kind, "Syntax error; token: \"%s\", near: \"%s\"", tok, p.src[from:to])})
}

func (p *parser) expect(k tokKind) token {
	if p.peek().kind != k {
		p.syntax()
	}
	return p.next()
}

// fail keeps the first refusal of the clsOther class; failClass the first
// of another class.
func (p *parser) fail(e *Error) { p.failClass(clsOther, e) }

func (p *parser) failClass(cls int, e *Error) {
	if p.errs[cls] == nil {
		p.errs[cls] = e
	}
}

// failed says whether a refusal has been kept.
func (p *parser) failed() bool {
	for _, e := range p.errs {
		if e != nil {
			return true
		}
	}
	return false
}

// isKeyword says whether t is the keyword kw (keywords ignore case).
func (p *parser) isKeyword(t token, kw string) bool {
	return t.kind == tIdent && t.end-t.start == len(kw) && strings.EqualFold(p.text(t), kw)
}

// isOperator says whether t is one of the words the grammar itself uses,
// which can never start a path.
func (p *parser) isOperator(t token) bool {
	if t.kind != tIdent {
		return false
	}
	for _, kw := range [...]string{"AND", "OR", "NOT", "BETWEEN", "IN"} {
		if p.isKeyword(t, kw) {
			return true
		}
	}
	if p.mode == updateMode {
		for _, kw := range [...]string{"SET", "REMOVE", "ADD", "DELETE"} {
			if p.isKeyword(t, kw) {
				return true
			}
		}
	}
	return false
}

// pathName reads one name of a path: a bare name (not a reserved word) or
// an expression attribute name.
func (p *parser) pathName() string {
	t := p.peek()
	switch t.kind {
	case tIdent:
		p.next()
		name := p.text(t)
		if isReserved(name) {
			p.failClass(clsReserved, errorf(p.kind, "Attribute name is a reserved keyword; reserved keyword: %s", name))
		}
		return name
	case tName:
		p.next()
		ref := p.text(t)
		p.used.name(ref)
		name, ok := p.names[ref]
		if !ok {
			p.fail(errorf(p.kind, "An expression attribute name used in the document path is not defined; attribute name: %s", ref))
		}
		return name
	}
	p.syntax()
	return ""
}

// path reads a document path: a name, then .name and [index] steps.
func (p *parser) path() Path {
	start := len(p.elems)
	p.elems = append(p.elems, PathElem{Name: p.pathName()})
	for {
		switch p.peek().kind {
		case tDot:
			p.next()
			p.elems = append(p.elems, PathElem{Name: p.pathName()})
		case tLBrack:
			p.next()
			t := p.expect(tInt)
			i := atoi(p.text(t))
			if i < 0 {
				p.pos--
				p.syntax()
			}
			p.expect(tRBrack)
			p.elems = append(p.elems, PathElem{Index: i, IsIndex: true})
		default:
			path := p.elems[start:len(p.elems):len(p.elems)]
			if len(path) > maxDepth {
				p.fail(errorf(p.kind, "The document path has too many nesting levels; nesting levels: %d", len(path)))
			}
			return path
		}
	}
}

// operandKind is what an operand is: a path, a literal value, or a
// function or arithmetic over operands.
type operandKind uint8

const (
	oPath operandKind = iota
	oValue
	oSize
	oIfNotExists
	oListAppend
	oPlus
	oMinus
	oBoolFunc // a condition function where an operand belongs: refused
)

// operand is one operand of an expression.
type operand struct {
	kind operandKind
	path Path
	val  *av.Value // for oValue: in the parse's vals, never changed
	ref  string    // the :value's or function's name, for messages
	args []operand // function arguments, or the two sides of + and -
}

// function names (case-sensitive, as in DynamoDB) and what they are.
type fnInfo struct {
	boolean bool // a condition, not an operand
	update  bool // allowed in update expressions only
	args    int
}

var functions = map[string]fnInfo{
	"attribute_exists":     {boolean: true, args: 1},
	"attribute_not_exists": {boolean: true, args: 1},
	"attribute_type":       {boolean: true, args: 2},
	"begins_with":          {boolean: true, args: 2},
	"contains":             {boolean: true, args: 2},
	"size":                 {args: 1},
	"if_not_exists":        {update: true, args: 2},
	"list_append":          {update: true, args: 2},
}

// isCall says whether the parser is at a function call: a bare name and (.
func (p *parser) isCall() bool {
	return p.peek().kind == tIdent && p.peekAt(1).kind == tLParen
}

// call reads name(arg, ...) and checks what every function needs: a known
// name, one allowed here, its number of arguments, a path where it reads
// one, distinct operands.
func (p *parser) call() (string, []operand) {
	name := p.text(p.next())
	p.expect(tLParen)
	var args []operand
	if p.peek().kind != tRParen {
		for {
			args = append(args, p.operand())
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
	}
	p.expect(tRParen)
	info, ok := functions[name]
	switch {
	case !ok:
		p.failClass(clsUnknownFn, errorf(p.kind, "Invalid function name; function: %s", name))
		return name, args
	case p.mode == updateMode && !info.update:
		p.failClass(clsMisusedFn, errorf(p.kind, "The function is not allowed in an update expression; function: %s", name))
	case p.mode != updateMode && info.update:
		p.failClass(clsMisusedFn, errorf(p.kind, "The function is not allowed in a condition expression; function: %s", name))
	}
	for _, a := range args {
		if a.kind == oBoolFunc {
			p.failClass(clsMisusedFn, errorf(p.kind, "The function is not allowed to be used this way in an expression; function: %s", a.ref))
		}
	}
	if len(args) != info.args {
		p.fail(errorf(p.kind, "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args)))
		return name, args
	}
	switch name {
	case "attribute_exists", "attribute_not_exists", "if_not_exists":
		// (attribute_type takes a literal first too, though the guide
		// says a path: DynamoDB answers it.)
		if args[0].kind != oPath {
			p.fail(errorf(p.kind, "Operator or function requires a document path; operator or function: %s", name))
		}
	}
	if name != "list_append" && len(args) == 2 {
		p.distinct(name, args[0], args[1:])
	}
	return name, args
}

// distinct refuses an operator or function whose first operand is a path
// that a later operand repeats (a = a, contains(a, a)): DynamoDB does.
func (p *parser) distinct(op string, first operand, rest []operand) {
	if first.kind != oPath {
		return
	}
	for _, o := range rest {
		if o.kind == oPath && slices.Equal(o.path, first.path) {
			p.fail(errorf(p.kind, "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", op, first.path))
			return
		}
	}
}

// operand reads a path, a :value, or a function giving a value (size in
// conditions; if_not_exists and list_append in updates).
func (p *parser) operand() operand {
	t := p.peek()
	switch t.kind {
	case tValue:
		p.next()
		ref := p.text(t)
		p.used.value(ref)
		v, ok := p.values[ref]
		if !ok {
			p.fail(errorf(p.kind, "An expression attribute value used in expression is not defined; attribute value: %s", ref))
			return operand{kind: oValue, val: &undefined, ref: ref}
		}
		if p.vals == nil {
			p.vals = make([]av.Value, 0, p.nvals)
		}
		p.vals = append(p.vals, v) // within its capacity: never moves
		return operand{kind: oValue, val: &p.vals[len(p.vals)-1], ref: ref}
	case tName:
		return operand{kind: oPath, path: p.path()}
	case tLParen:
		// An operand may stand in parentheses, once.
		if p.mode == updateMode || p.mode == projMode {
			break
		}
		p.next()
		if p.peek().kind == tLParen {
			p.failClass(clsParens, errorf(p.kind, "The expression has redundant parentheses;"))
		}
		o := p.operand()
		p.expect(tRParen)
		return o
	case tIdent:
		if p.isOperator(t) {
			p.syntax()
		}
		if !p.isCall() {
			return operand{kind: oPath, path: p.path()}
		}
		name, args := p.call()
		o := operand{args: args, ref: name}
		switch name {
		case "size":
			o.kind = oSize
			if len(args) == 1 && args[0].kind == oValue {
				switch k := args[0].val.Kind; k {
				case av.N, av.BOOL, av.NULL:
					p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator or function: size, operand type: %s", k))
				}
			}
		case "if_not_exists":
			o.kind = oIfNotExists
		case "list_append":
			o.kind = oListAppend
			for _, a := range args {
				if a.kind == oListAppend {
					p.failClass(clsMisusedFn, errorf(p.kind, "The function is not allowed to be used this way in an expression; function: list_append"))
				}
				if a.kind == oValue && a.val.Kind != av.L && a.val.Kind != 0 {
					p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator or function: list_append, operand type: %s", a.val.Kind))
				}
			}
		default:
			// A condition function where an operand belongs: whoever
			// reads the operand refuses it (unknown names are already).
			o.kind = oBoolFunc
		}
		return o
	}
	p.syntax()
	return operand{}
}

// literal renders a literal value as DynamoDB's messages show one.
func literal(v av.Value) string {
	switch v.Kind {
	case av.S, av.N:
		return "AttributeValue: {" + v.Kind.String() + ":" + v.S + "}"
	case av.B:
		return "AttributeValue: {B:" + base64.StdEncoding.EncodeToString(v.B) + "}"
	}
	return "AttributeValue: {" + v.Kind.String() + "}"
}
