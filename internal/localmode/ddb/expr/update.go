package expr

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// Update is a parsed UpdateExpression.
type Update struct {
	set    []setAction
	remove []Path // in the order Apply removes them
	add    []setAction
	del    []setAction
	paths  []Path // every path the update changes, as written
}

// setAction is SET path = value, or ADD and DELETE path :value.
type setAction struct {
	path Path
	val  operand
}

// The refusals of an update that parsed but cannot apply to the item, in
// DynamoDB's words.
var (
	errInvalidPath = &Error{Msg: "The document path provided in the update expression is invalid for update"}
	errMissing     = &Error{Msg: "The provided expression refers to an attribute that does not exist in the item"}
	errType        = &Error{Msg: "An operand in the update expression has an incorrect data type"}
)

var sections = [...]string{"SET", "REMOVE", "ADD", "DELETE"}

// ParseUpdate parses an UpdateExpression: SET, REMOVE, ADD and DELETE
// sections, each at most once, in any order.
func ParseUpdate(s string, n Names, v Values, used *Used) (*Update, error) {
	p := newParser(s, "UpdateExpression", updateMode, n, v, used)
	defer p.release()
	u := &Update{}
	err := p.run(func() {
		var seen [len(sections)]bool
		for p.peek().kind != tEOF {
			sec := -1
			for i, kw := range sections {
				if p.isKeyword(p.peek(), kw) {
					sec = i
				}
			}
			if sec < 0 {
				p.syntax()
			}
			if seen[sec] {
				p.fail(errorf(p.kind, "The %q section can only be used once in an update expression;", sections[sec]))
			}
			seen[sec] = true
			p.next()
			for {
				p.action(u, sec)
				if p.peek().kind != tComma {
					break
				}
				p.next()
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if err := checkPaths(p.kind, u.paths); err != nil {
		return nil, err
	}
	// REMOVE's list indexes count in the list as it was, so removing the
	// higher indexes first keeps the lower ones in place; SETs past a
	// list's end append in the order of their indexes, as DynamoDB's
	// guide says, so SETs apply in path order (they cannot overlap, so
	// nothing else depends on their order).
	slices.SortStableFunc(u.remove, func(a, b Path) int { return -comparePaths(a, b) })
	slices.SortStableFunc(u.set, func(a, b setAction) int { return comparePaths(a.path, b.path) })
	return u, nil
}

// action reads one action of section sec.
func (p *parser) action(u *Update, sec int) {
	if t := p.peek(); t.kind != tIdent && t.kind != tName || p.isOperator(t) {
		p.syntax()
	}
	path := p.path()
	u.paths = append(u.paths, path)
	switch sections[sec] {
	case "SET":
		p.expect(tEq)
		u.set = append(u.set, setAction{path, p.setValue()})
	case "REMOVE":
		u.remove = append(u.remove, path)
	case "ADD", "DELETE":
		if p.peek().kind != tValue {
			p.syntax()
		}
		o := p.operand()
		k := o.val.Kind
		if sec == 2 {
			if k != 0 && k != av.N && !o.val.IsSet() {
				p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator: ADD, operand type: %s, typeSet: ALLOWED_FOR_ADD_OPERAND", typeName(k)))
			}
			u.add = append(u.add, setAction{path, o})
		} else {
			if k != 0 && !o.val.IsSet() {
				p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator: DELETE, operand type: %s, typeSet: ALLOWED_FOR_DELETE_OPERAND", typeName(k)))
			}
			u.del = append(u.del, setAction{path, o})
		}
	}
}

// setValue reads SET's value: an operand, or two with + or - between,
// which may stand in parentheses, once.
func (p *parser) setValue() operand {
	if p.peek().kind == tLParen {
		p.next()
		if p.peek().kind == tLParen {
			p.failClass(clsParens, errorf(p.kind, "The expression has redundant parentheses;"))
		}
		o := p.setValue()
		p.expect(tRParen)
		return o
	}
	o := p.operand()
	t := p.peek()
	if t.kind != tPlus && t.kind != tMinus {
		return o
	}
	p.next()
	r := operand{kind: oPlus, args: []operand{o, p.operand()}}
	if t.kind == tMinus {
		r.kind = oMinus
	}
	for _, a := range r.args {
		switch {
		case a.kind == oListAppend:
			p.failClass(clsMisusedFn, errorf(p.kind, "The function is not allowed to be used this way in an expression; function: list_append"))
		case a.kind == oValue && a.val.Kind != 0 && a.val.Kind != av.N:
			p.fail(errorf(p.kind, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", p.text(t), a.val.Kind))
		}
	}
	return r
}

// comparePaths orders paths step by step: names as strings, indexes as
// numbers, a name before an index.
func comparePaths(a, b Path) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x.IsIndex != y.IsIndex:
			if x.IsIndex {
				return 1
			}
			return -1
		case x.IsIndex && x.Index != y.Index:
			if x.Index < y.Index {
				return -1
			}
			return 1
		case !x.IsIndex && x.Name != y.Name:
			return strings.Compare(x.Name, y.Name)
		}
	}
	return len(a) - len(b)
}

// Paths is every document path the update changes, so the engine can
// refuse one that starts at a key attribute.
func (u *Update) Paths() []Path { return u.paths }

// Apply is the item after the update, a new item: item is not changed
// (nil or empty for an item that does not exist yet)
// (unchanged values are shared between the two, and with the Values the
// update was parsed with, so neither may be changed in place). Every SET
// value is worked out from the item as it was, then SET, REMOVE, ADD and
// DELETE apply in turn.
func (u *Update) Apply(item av.Item) (av.Item, error) {
	var buf [4]av.Value
	vals := buf[:0]
	for _, a := range u.set {
		v, err := a.val.eval(item)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	out := make(av.Item, len(item)+len(u.set)+len(u.add))
	maps.Copy(out, item)
	for i, a := range u.set {
		if err := modifyItem(out, a.path, &leaf{op: lSet, v: &vals[i]}); err != nil {
			return nil, err
		}
	}
	for _, p := range u.remove {
		if len(item) == 0 && len(p) > 1 {
			// DynamoDB ignores REMOVE a.b on an item that does not
			// exist, though it refuses it on one without a.
			continue
		}
		if err := modifyItem(out, p, &leaf{op: lRemove}); err != nil {
			return nil, err
		}
	}
	for _, a := range u.add {
		if err := modifyItem(out, a.path, &leaf{op: lAdd, v: a.val.val}); err != nil {
			return nil, err
		}
	}
	for _, a := range u.del {
		if err := modifyItem(out, a.path, &leaf{op: lDelete, v: a.val.val}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// leaf is what an action does at its path: from the value there (if any)
// to the new value, or to none (present false).
type leaf struct {
	op uint8
	v  *av.Value
}

const (
	lSet uint8 = iota
	lRemove
	lAdd
	lDelete
)

func (f *leaf) apply(old av.Value, exists bool) (v av.Value, present bool, err error) {
	switch f.op {
	case lSet:
		return *f.v, true, nil
	case lAdd:
		return add(old, exists, *f.v)
	case lDelete:
		return del(old, exists, *f.v)
	}
	return av.Value{}, false, nil
}

func modifyItem(out av.Item, p Path, f *leaf) error {
	name := p[0].Name
	cur, ok := out[name]
	v, present, err := modify(cur, ok, p[1:], f)
	switch {
	case err != nil:
		return err
	case present:
		out[name] = v
	case ok:
		delete(out, name)
	}
	return nil
}

// modify is cur with f applied at rest, copying each map or list on the
// way rather than changing it: they may be shared with the input item.
// Every step but the last must exist and be a map (for a name) or a list
// (for an index); a list index past the end appends, as DynamoDB does.
func modify(cur av.Value, exists bool, rest Path, f *leaf) (av.Value, bool, error) {
	if len(rest) == 0 {
		return f.apply(cur, exists)
	}
	if !exists {
		return av.Value{}, false, errInvalidPath
	}
	e := rest[0]
	if e.IsIndex {
		if cur.Kind != av.L {
			return av.Value{}, false, errInvalidPath
		}
		in := e.Index < len(cur.L)
		var child av.Value
		if in {
			child = cur.L[e.Index]
		}
		v, present, err := modify(child, in, rest[1:], f)
		if err != nil {
			return av.Value{}, false, err
		}
		var l []av.Value
		switch {
		case present && in:
			l = slices.Clone(cur.L)
			l[e.Index] = v
		case present:
			l = append(slices.Clip(cur.L), v)
		case in:
			l = slices.Delete(slices.Clone(cur.L), e.Index, e.Index+1)
		default:
			return cur, true, nil
		}
		return av.Value{Kind: av.L, L: l}, true, nil
	}
	if cur.Kind != av.M {
		return av.Value{}, false, errInvalidPath
	}
	child, in := cur.M[e.Name]
	v, present, err := modify(child, in, rest[1:], f)
	if err != nil {
		return av.Value{}, false, err
	}
	if !present && !in {
		return cur, true, nil
	}
	m := maps.Clone(cur.M)
	if present {
		m[e.Name] = v
	} else {
		delete(m, e.Name)
	}
	return av.Value{Kind: av.M, M: m}, true, nil
}

// eval is a SET value in item: a path must exist there, + and - take
// numbers, list_append lists.
func (o *operand) eval(item av.Item) (av.Value, error) {
	switch o.kind {
	case oPath:
		v, ok := get(item, o.path)
		if !ok {
			return av.Value{}, errMissing
		}
		return v, nil
	case oValue:
		return *o.val, nil
	case oIfNotExists:
		if v, ok := get(item, o.args[0].path); ok {
			return v, nil
		}
		return o.args[1].eval(item)
	case oListAppend:
		a, err := o.args[0].eval(item)
		if err != nil {
			return av.Value{}, err
		}
		b, err := o.args[1].eval(item)
		if err != nil {
			return av.Value{}, err
		}
		if a.Kind != av.L || b.Kind != av.L {
			return av.Value{}, errType
		}
		l := make([]av.Value, 0, len(a.L)+len(b.L))
		return av.Value{Kind: av.L, L: append(append(l, a.L...), b.L...)}, nil
	case oPlus, oMinus:
		a, err := o.args[0].eval(item)
		if err != nil {
			return av.Value{}, err
		}
		b, err := o.args[1].eval(item)
		if err != nil {
			return av.Value{}, err
		}
		if a.Kind != av.N || b.Kind != av.N {
			return av.Value{}, errType
		}
		var r av.Value
		if o.kind == oPlus {
			r, err = av.Add(a, b)
		} else {
			r, err = av.Sub(a, b)
		}
		if err != nil {
			return av.Value{}, &Error{Msg: err.Error()}
		}
		return r, nil
	}
	return av.Value{}, errType // unreachable: the parser allows no other operand in SET
}

// add is ADD's change: a number added (to 0 when there is none), a set's
// new elements joined to the set.
func add(old av.Value, exists bool, x av.Value) (av.Value, bool, error) {
	if !exists {
		return x, true, nil
	}
	if old.Kind != x.Kind {
		return av.Value{}, false, errType
	}
	switch old.Kind {
	case av.N:
		r, err := av.Add(old, x)
		if err != nil {
			return av.Value{}, false, &Error{Msg: err.Error()}
		}
		return r, true, nil
	case av.SS, av.NS:
		s := slices.Clip(old.Strs)
		for _, e := range x.Strs {
			if !slices.Contains(old.Strs, e) {
				s = append(s, e)
			}
		}
		return av.Value{Kind: old.Kind, Strs: s}, true, nil
	case av.BS:
		s := slices.Clip(old.Bins)
		for _, e := range x.Bins {
			if !slices.ContainsFunc(old.Bins, func(b []byte) bool { return bytes.Equal(b, e) }) {
				s = append(s, e)
			}
		}
		return av.Value{Kind: old.Kind, Bins: s}, true, nil
	}
	return av.Value{}, false, errType
}

// del is DELETE's change: the set without x's elements, and no attribute
// at all when none are left.
func del(old av.Value, exists bool, x av.Value) (av.Value, bool, error) {
	if !exists {
		return old, false, nil
	}
	if old.Kind != x.Kind || !old.IsSet() {
		return av.Value{}, false, errType
	}
	r := av.Value{Kind: old.Kind}
	if old.Kind == av.BS {
		for _, b := range old.Bins {
			if !slices.ContainsFunc(x.Bins, func(y []byte) bool { return bytes.Equal(b, y) }) {
				r.Bins = append(r.Bins, b)
			}
		}
		return r, len(r.Bins) > 0, nil
	}
	for _, s := range old.Strs {
		if !slices.Contains(x.Strs, s) {
			r.Strs = append(r.Strs, s)
		}
	}
	return r, len(r.Strs) > 0, nil
}
