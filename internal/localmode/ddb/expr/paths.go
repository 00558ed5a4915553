package expr

// ProjectionOf is the projection of paths, as if they were a
// ProjectionExpression: UpdateItem's UPDATED_OLD and UPDATED_NEW answer the
// paths an update changed, projected from the item before or after it.
func ProjectionOf(paths []Path) *Projection {
	pr := &Projection{paths: paths, root: &projNode{}}
	for _, path := range paths {
		n := pr.root
		for _, e := range path {
			n = n.child(e)
		}
		n.all = true
	}
	return pr
}
