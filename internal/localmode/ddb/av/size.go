package av

// Size is the item's size as DynamoDB counts it for its 400 KB limit and
// capacity units: each attribute name's UTF-8 bytes plus its value's size.
func (it Item) Size() int {
	n := 0
	for k, v := range it {
		n += len(k) + v.Size()
	}
	return n
}

// Size is the value's size by DynamoDB's rules: strings and binaries their
// bytes, numbers about a byte per two digits plus one, BOOL and NULL one
// byte, maps and lists three bytes plus a byte per element and the
// elements (with their names, for maps), sets their elements.
func (v Value) Size() int {
	switch v.Kind {
	case S:
		return len(v.S)
	case N:
		return numberSize(v.S)
	case B:
		return len(v.B)
	case BOOL, NULL:
		return 1
	case M:
		n := 3
		for k, x := range v.M {
			n += 1 + len(k) + x.Size()
		}
		return n
	case L:
		n := 3
		for _, x := range v.L {
			n += 1 + x.Size()
		}
		return n
	case SS:
		n := 0
		for _, s := range v.Strs {
			n += len(s)
		}
		return n
	case NS:
		n := 0
		for _, s := range v.Strs {
			n += numberSize(s)
		}
		return n
	case BS:
		n := 0
		for _, b := range v.Bins {
			n += len(b)
		}
		return n
	}
	return 0
}
