package av

import (
	"errors"

	"github.com/cockroachdb/apd/v3"
)

// AppendKey appends the order-preserving byte form of a key value (S, N or
// B): for two values of one kind, bytes.Compare of their forms is Compare of
// the values, and each form ends itself, so a composite key (partition
// value, then sort value) sorts as its parts do and a partition's items are
// one contiguous range of the store.
//
// Strings and binaries: their bytes with 0x00 escaped as 0x00 0xFF, ended by
// 0x00 0x01. Numbers: a sign byte, then for positives the exponent of the
// first significant digit and the digits ended by 0x00; negatives the same
// with every byte inverted, so larger magnitudes sort first.
func AppendKey(dst []byte, v Value) []byte {
	switch v.Kind {
	case S:
		return appendEscaped(dst, []byte(v.S))
	case B:
		return appendEscaped(dst, v.B)
	case N:
		return appendNumberKey(dst, v.S)
	}
	panic("av.AppendKey: " + v.Kind.String() + " is not a key type")
}

func appendEscaped(dst, b []byte) []byte {
	for _, c := range b {
		if c == 0x00 {
			dst = append(dst, 0x00, 0xFF)
			continue
		}
		dst = append(dst, c)
	}
	return append(dst, 0x00, 0x01)
}

const (
	numNegative = 0x01
	numZero     = 0x02
	numPositive = 0x03
)

func appendNumberKey(dst []byte, s string) []byte {
	d, err := parseDecimal(s)
	if err != nil {
		panic("av.AppendKey: not a number: " + s)
	}
	var r apd.Decimal
	r.Reduce(d)
	if r.IsZero() {
		return append(dst, numZero)
	}
	digits := r.Coeff.String() // the significant digits, no sign
	exp := int64(r.Exponent) + int64(len(digits)) - 1
	// exp is within ±200 for any DynamoDB number; biased to fit a uint16.
	e := uint16(exp + 0x8000)
	neg := r.Negative
	flip := func(c byte) byte {
		if neg {
			return ^c
		}
		return c
	}
	if neg {
		dst = append(dst, numNegative)
	} else {
		dst = append(dst, numPositive)
	}
	dst = append(dst, flip(byte(e>>8)), flip(byte(e)))
	for i := 0; i < len(digits); i++ {
		dst = append(dst, flip(digits[i]))
	}
	return append(dst, flip(0x00))
}

// errKeyForm is a stored key the engine cannot read back: a bug or a
// damaged store.
var errKeyForm = errors.New("av: damaged key form")

// ReadKey reads one key value of kind k from the front of b, as AppendKey
// wrote it, and returns it with the rest of b.
func ReadKey(b []byte, k Kind) (Value, []byte, error) {
	switch k {
	case S, B:
		var out []byte
		for i := 0; i < len(b); i++ {
			if b[i] != 0x00 {
				out = append(out, b[i])
				continue
			}
			if i+1 >= len(b) {
				return Value{}, nil, errKeyForm
			}
			switch b[i+1] {
			case 0xFF:
				out = append(out, 0x00)
				i++
			case 0x01:
				if k == S {
					return Value{Kind: S, S: string(out)}, b[i+2:], nil
				}
				if out == nil {
					out = []byte{}
				}
				return Value{Kind: B, B: out}, b[i+2:], nil
			default:
				return Value{}, nil, errKeyForm
			}
		}
		return Value{}, nil, errKeyForm
	case N:
		if len(b) == 0 {
			return Value{}, nil, errKeyForm
		}
		switch b[0] {
		case numZero:
			return Value{Kind: N, S: "0"}, b[1:], nil
		case numPositive, numNegative:
		default:
			return Value{}, nil, errKeyForm
		}
		neg := b[0] == numNegative
		flip := func(c byte) byte {
			if neg {
				return ^c
			}
			return c
		}
		if len(b) < 4 {
			return Value{}, nil, errKeyForm
		}
		exp := int64(uint16(flip(b[1]))<<8|uint16(flip(b[2]))) - 0x8000
		var digits []byte
		i := 3
		for ; i < len(b) && flip(b[i]) != 0x00; i++ {
			digits = append(digits, flip(b[i]))
		}
		if i >= len(b) || len(digits) == 0 {
			return Value{}, nil, errKeyForm
		}
		var d apd.Decimal
		if _, ok := d.Coeff.SetString(string(digits), 10); !ok {
			return Value{}, nil, errKeyForm
		}
		d.Exponent = int32(exp - int64(len(digits)) + 1)
		d.Negative = neg
		c, err := canonical(&d)
		if err != nil {
			return Value{}, nil, errKeyForm
		}
		return Value{Kind: N, S: c}, b[i+1:], nil
	}
	return Value{}, nil, errKeyForm
}
