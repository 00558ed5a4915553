package expr

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// Condition is a parsed ConditionExpression or FilterExpression.
type Condition struct{ root *cond }

type condKind uint8

const (
	cAnd condKind = iota
	cOr
	cNot
	cCmp
	cBetween
	cIn
	cExists
	cNotExists
	cType
	cBeginsWith
	cContains
	cFalse // an unknown function, refused at parse time
)

type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

var cmpNames = [...]string{"=", "<>", "<", "<=", ">", ">="}

// cond is one node of a condition: AND, OR and NOT over conditions, or a
// comparison or function over operands.
type cond struct {
	kind condKind
	cmp  cmpOp
	l, r *cond
	ops  []operand
	typ  av.Kind // attribute_type's type
	// paren says the condition stood in parentheses: parentheses around
	// it again are redundant, which DynamoDB refuses.
	paren bool
}

// maxIn is how many values IN may list (DynamoDB: 100).
const maxIn = 100

// ParseCondition parses a ConditionExpression.
func ParseCondition(s string, n Names, v Values, used *Used) (*Condition, error) {
	return parseCondition(s, "ConditionExpression", n, v, used)
}

// ParseFilter parses a FilterExpression: the condition language, with
// DynamoDB's messages naming the filter.
func ParseFilter(s string, n Names, v Values, used *Used) (*Condition, error) {
	return parseCondition(s, "FilterExpression", n, v, used)
}

func parseCondition(s, kind string, n Names, v Values, used *Used) (*Condition, error) {
	p := newParser(s, kind, condMode, n, v, used)
	defer p.release()
	var c *cond
	if err := p.run(func() { c = p.or() }); err != nil {
		return nil, err
	}
	return &Condition{root: c}, nil
}

// or, and, not and primary are the grammar by precedence: OR binds
// loosest, then AND, then NOT, then comparisons and functions.
func (p *parser) or() *cond {
	c := p.and()
	for p.isKeyword(p.peek(), "OR") {
		p.next()
		c = &cond{kind: cOr, l: c, r: p.and()}
	}
	return c
}

func (p *parser) and() *cond {
	c := p.not()
	for p.isKeyword(p.peek(), "AND") {
		p.next()
		c = &cond{kind: cAnd, l: c, r: p.not()}
	}
	return c
}

func (p *parser) not() *cond {
	if p.isKeyword(p.peek(), "NOT") {
		p.next()
		return &cond{kind: cNot, l: p.not()}
	}
	return p.primary()
}

func (p *parser) primary() *cond {
	if p.peek().kind == tLParen && !p.parenOperand() {
		p.next()
		c := p.or()
		p.expect(tRParen)
		if c.paren {
			p.failClass(clsParens, errorf(p.kind, "The expression has redundant parentheses;"))
		}
		c.paren = true
		return c
	}
	if p.isCall() {
		// An unknown function, or an update function, is read as a
		// condition so that its name, not the syntax after it, is what
		// the refusal says.
		if info, ok := functions[p.text(p.peek())]; !ok || info.boolean || info.update {
			name := p.text(p.peek())
			c := p.boolFunc()
			if !p.atComparison() {
				return c
			}
			p.failClass(clsMisusedFn, errorf(p.kind, "The function is not allowed to be used this way in an expression; function: %s", name))
			p.comparison(operand{kind: oBoolFunc, ref: name})
			return c
		}
	}
	left := p.operand()
	if !p.atComparison() && left.kind == oSize {
		p.failClass(clsMisusedFn, errorf(p.kind, "The function is not allowed to be used this way in an expression; function: size"))
		return &cond{kind: cFalse}
	}
	return p.comparison(left)
}

// parenOperand says whether the ( the parser is at opens an operand, as
// in (a) = :v, rather than a condition: whether its ) is followed by a
// comparator, BETWEEN or IN.
func (p *parser) parenOperand() bool {
	depth := 0
	for i := p.pos; i < len(p.toks); i++ {
		switch p.toks[i].kind {
		case tLParen:
			depth++
		case tRParen:
			depth--
			if depth == 0 {
				t := p.toks[min(i+1, len(p.toks)-1)]
				return t.kind >= tEq && t.kind <= tGe || p.isKeyword(t, "BETWEEN") || p.isKeyword(t, "IN")
			}
		case tEOF:
			return false
		}
	}
	return false
}

// atComparison says whether a comparator, BETWEEN or IN follows.
func (p *parser) atComparison() bool {
	t := p.peek()
	return t.kind >= tEq && t.kind <= tGe || p.isKeyword(t, "BETWEEN") || p.isKeyword(t, "IN")
}

// comparison reads what follows an operand: a comparator and an operand,
// BETWEEN, or IN.
func (p *parser) comparison(left operand) *cond {
	t := p.peek()
	switch {
	case t.kind >= tEq && t.kind <= tGe:
		p.next()
		c := &cond{kind: cCmp, cmp: cmpOp(t.kind - tEq), ops: []operand{left, p.operand()}}
		p.operands(c.ops)
		if c.cmp >= opLt {
			p.checkOrdered(cmpNames[c.cmp], c.ops)
		}
		p.distinct(cmpNames[c.cmp], c.ops[0], c.ops[1:])
		return c
	case p.isKeyword(t, "BETWEEN"):
		p.next()
		lo := p.operand()
		if !p.isKeyword(p.peek(), "AND") {
			p.syntax()
		}
		p.next()
		c := &cond{kind: cBetween, ops: []operand{left, lo, p.operand()}}
		p.operands(c.ops)
		p.checkOrdered("BETWEEN", c.ops)
		p.distinct("BETWEEN", c.ops[0], c.ops[1:])
		p.checkBounds(c.ops[1], c.ops[2])
		return c
	case p.isKeyword(t, "IN"):
		p.next()
		p.expect(tLParen)
		ops := []operand{left}
		for {
			ops = append(ops, p.operand())
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		p.expect(tRParen)
		p.operands(ops)
		if len(ops)-1 > maxIn {
			p.fail(errorf(p.kind, "The IN operator is provided with too many operands; number of operands: %d", len(ops)-1))
		}
		p.distinct("IN", ops[0], ops[1:])
		return &cond{kind: cIn, ops: ops}
	}
	p.syntax()
	return nil
}

// operands refuses condition functions standing as operands.
func (p *parser) operands(ops []operand) {
	for _, o := range ops {
		if o.kind == oBoolFunc {
			p.failClass(clsMisusedFn, errorf(p.kind, "The function is not allowed to be used this way in an expression; function: %s", o.ref))
		}
	}
}

// checkOrdered refuses a literal that < <= > >= and BETWEEN cannot order:
// only strings, numbers and binaries have an order.
func (p *parser) checkOrdered(op string, ops []operand) {
	for _, o := range ops {
		if o.kind == oValue && o.val.Kind != 0 && !o.val.IsScalar() {
			p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", op, o.val.Kind))
		}
	}
}

// checkBounds refuses BETWEEN's literal bounds of two types or out of order.
func (p *parser) checkBounds(lo, hi operand) {
	if lo.kind != oValue || hi.kind != oValue || !lo.val.IsScalar() || !hi.val.IsScalar() {
		return
	}
	c, ok := av.Compare(*lo.val, *hi.val)
	if !ok {
		p.fail(errorf(p.kind, "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: %s, upper bound operand: %s", literal(*lo.val), literal(*hi.val)))
	} else if c > 0 {
		p.fail(errorf(p.kind, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: %s, upper bound operand: %s", literal(*lo.val), literal(*hi.val)))
	}
}

// boolFunc reads a condition function and checks its literal arguments.
func (p *parser) boolFunc() *cond {
	name, args := p.call()
	c := &cond{kind: cFalse, ops: args}
	if p.failed() {
		return c // the arguments may not be what the function needs
	}
	switch name {
	case "attribute_exists":
		c.kind = cExists
	case "attribute_not_exists":
		c.kind = cNotExists
	case "attribute_type":
		// The type must be a literal: DynamoDB takes no path there.
		t := args[1]
		if t.kind != oValue {
			p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"))
			break
		}
		k, ok := av.KindOf(t.val.S)
		switch {
		case t.val.Kind != av.S:
			p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: %s", t.val.Kind))
		case !ok:
			p.fail(errorf(p.kind, "Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}", t.val.S))
		}
		c.kind, c.typ = cType, k
	case "begins_with":
		c.kind = cBeginsWith
		for _, a := range args {
			if a.kind == oValue && a.val.Kind != av.S && a.val.Kind != av.B {
				p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s", a.val.Kind))
			}
		}
	case "contains":
		c.kind = cContains
	}
	return c
}

// Paths is every document path the condition reads, so the engine can
// refuse a Query filter on a key attribute.
func (c *Condition) Paths() []Path { return c.root.paths(nil) }

func (c *cond) paths(ps []Path) []Path {
	if c.l != nil {
		ps = c.l.paths(ps)
	}
	if c.r != nil {
		ps = c.r.paths(ps)
	}
	for i := range c.ops {
		ps = c.ops[i].paths(ps)
	}
	return ps
}

func (o *operand) paths(ps []Path) []Path {
	if o.kind == oPath {
		return append(ps, o.path)
	}
	for i := range o.args {
		ps = o.args[i].paths(ps)
	}
	return ps
}

// Eval says whether item satisfies the condition. An attribute the item
// lacks makes a comparison or function false (attribute_not_exists true),
// as do operands of types the comparison or function does not take; there
// is no evaluation error in the condition language, but the signature
// keeps room for one.
func (c *Condition) Eval(item av.Item) (bool, error) {
	return c.root.eval(item), nil
}

func (c *cond) eval(item av.Item) bool {
	switch c.kind {
	case cAnd:
		return c.l.eval(item) && c.r.eval(item)
	case cOr:
		return c.l.eval(item) || c.r.eval(item)
	case cNot:
		return !c.l.eval(item)
	case cCmp:
		a, aok := c.ops[0].value(item)
		b, bok := c.ops[1].value(item)
		if c.cmp == opNe {
			// <> is "not equal": a missing attribute is not equal to
			// anything, so the condition holds.
			return !aok || !bok || !av.Equal(a, b)
		}
		if !aok || !bok {
			return false
		}
		if c.cmp == opEq {
			return av.Equal(a, b)
		}
		r, ok := av.Compare(a, b)
		if !ok {
			return false
		}
		switch c.cmp {
		case opLt:
			return r < 0
		case opLe:
			return r <= 0
		case opGt:
			return r > 0
		}
		return r >= 0
	case cBetween:
		v, ok1 := c.ops[0].value(item)
		lo, ok2 := c.ops[1].value(item)
		hi, ok3 := c.ops[2].value(item)
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		a, ok1 := av.Compare(lo, v)
		b, ok2 := av.Compare(v, hi)
		return ok1 && ok2 && a <= 0 && b <= 0
	case cIn:
		v, ok := c.ops[0].value(item)
		if !ok {
			return false
		}
		for i := range c.ops[1:] {
			if w, ok := c.ops[1+i].value(item); ok && av.Equal(v, w) {
				return true
			}
		}
		return false
	case cExists:
		_, ok := get(item, c.ops[0].path)
		return ok
	case cNotExists:
		_, ok := get(item, c.ops[0].path)
		return !ok
	case cType:
		v, ok := c.ops[0].value(item)
		return ok && v.Kind == c.typ
	case cBeginsWith:
		v, ok1 := c.ops[0].value(item)
		pre, ok2 := c.ops[1].value(item)
		if !ok1 || !ok2 || v.Kind != pre.Kind {
			return false
		}
		switch v.Kind {
		case av.S:
			return strings.HasPrefix(v.S, pre.S)
		case av.B:
			return bytes.HasPrefix(v.B, pre.B)
		}
		return false
	case cContains:
		v, ok1 := c.ops[0].value(item)
		x, ok2 := c.ops[1].value(item)
		if !ok1 || !ok2 {
			return false
		}
		return contains(v, x)
	}
	return false
}

// contains is the contains function: a substring of a string or binary,
// a member of a set, an element of a list.
func contains(v, x av.Value) bool {
	switch v.Kind {
	case av.S:
		return x.Kind == av.S && strings.Contains(v.S, x.S)
	case av.B:
		return x.Kind == av.B && bytes.Contains(v.B, x.B)
	case av.SS:
		return x.Kind == av.S && slices.Contains(v.Strs, x.S)
	case av.NS:
		return x.Kind == av.N && slices.Contains(v.Strs, x.S) // canonical numbers
	case av.BS:
		return x.Kind == av.B && slices.ContainsFunc(v.Bins, func(b []byte) bool { return bytes.Equal(b, x.B) })
	case av.L:
		return slices.ContainsFunc(v.L, func(e av.Value) bool { return av.Equal(e, x) })
	}
	return false
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			n = 0
			for _, r := range s {
				n += utf16.RuneLen(r)
			}
			return n
		}
	}
	return n // ASCII: one unit a byte
}

// value is a condition operand's value in item, if it has one.
func (o *operand) value(item av.Item) (av.Value, bool) {
	switch o.kind {
	case oPath:
		return get(item, o.path)
	case oValue:
		return *o.val, true
	case oSize:
		v, ok := o.args[0].value(item)
		if !ok {
			return av.Value{}, false
		}
		n, ok := size(v)
		if !ok {
			return av.Value{}, false
		}
		return av.Value{Kind: av.N, S: strconv.Itoa(n)}, true
	}
	return av.Value{}, false
}

// size is the size function: a string's length, a binary's bytes, a set's,
// list's or map's number of elements; other types have none. A string's
// length is in UTF-16 code units, as DynamoDB (Java) counts it: "é𝄞" is 3.
func size(v av.Value) (int, bool) {
	switch v.Kind {
	case av.S:
		return utf16Len(v.S), true
	case av.B:
		return len(v.B), true
	case av.SS, av.NS:
		return len(v.Strs), true
	case av.BS:
		return len(v.Bins), true
	case av.L:
		return len(v.L), true
	case av.M:
		return len(v.M), true
	}
	return 0, false
}
