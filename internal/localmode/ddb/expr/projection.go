package expr

import (
	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// Projection is a parsed ProjectionExpression: the document paths to keep.
type Projection struct {
	paths []Path
	root  *projNode
}

// projNode is the projection's paths as a tree: what to keep of a value.
type projNode struct {
	all     bool // the whole value
	names   map[string]*projNode
	indexes map[int]*projNode
}

// ParseProjection parses a ProjectionExpression: document paths separated
// by commas, none overlapping another.
func ParseProjection(s string, n Names, used *Used) (*Projection, error) {
	p := newParser(s, "ProjectionExpression", projMode, n, nil, used)
	defer p.release()
	pr := &Projection{}
	err := p.run(func() {
		for {
			if t := p.peek(); t.kind != tIdent && t.kind != tName {
				p.syntax()
			}
			pr.paths = append(pr.paths, p.path())
			if p.peek().kind != tComma {
				return
			}
			p.next()
		}
	})
	if err != nil {
		return nil, err
	}
	if err := checkPaths(p.kind, pr.paths); err != nil {
		return nil, err
	}
	pr.root = &projNode{}
	for _, path := range pr.paths {
		n := pr.root
		for _, e := range path {
			n = n.child(e)
		}
		n.all = true
	}
	return pr, nil
}

func (n *projNode) child(e PathElem) *projNode {
	if e.IsIndex {
		if n.indexes == nil {
			n.indexes = map[int]*projNode{}
		}
		c := n.indexes[e.Index]
		if c == nil {
			c = &projNode{}
			n.indexes[e.Index] = c
		}
		return c
	}
	if n.names == nil {
		n.names = map[string]*projNode{}
	}
	c := n.names[e.Name]
	if c == nil {
		c = &projNode{}
		n.names[e.Name] = c
	}
	return c
}

// Paths is the projection's paths, as written.
func (p *Projection) Paths() []Path { return p.paths }

// Apply is the item with only the projected paths, nested as in the item:
// a map keeps the projected keys, a list the projected elements in their
// order, closed up; a path the item lacks projects nothing. Values are
// shared with item, not copied.
func (p *Projection) Apply(item av.Item) av.Item {
	out := av.Item{}
	for name, n := range p.root.names {
		if v, ok := item[name]; ok {
			if w, ok := n.project(v); ok {
				out[name] = w
			}
		}
	}
	return out
}

func (n *projNode) project(v av.Value) (av.Value, bool) {
	if n.all {
		return v, true
	}
	switch {
	case v.Kind == av.M && n.names != nil:
		m := map[string]av.Value{}
		for name, c := range n.names {
			if x, ok := v.M[name]; ok {
				if w, ok := c.project(x); ok {
					m[name] = w
				}
			}
		}
		return av.Value{Kind: av.M, M: m}, len(m) > 0
	case v.Kind == av.L && n.indexes != nil:
		var l []av.Value
		for i, x := range v.L {
			if c := n.indexes[i]; c != nil {
				if w, ok := c.project(x); ok {
					l = append(l, w)
				}
			}
		}
		return av.Value{Kind: av.L, L: l}, len(l) > 0
	}
	return av.Value{}, false
}
