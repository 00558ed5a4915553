package av

import (
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// DynamoDB numbers: up to 38 significant digits, magnitudes from 1E-130 to
// just under 1E+126. Decimal arithmetic (cockroachdb/apd) rather than
// float64, which would lose digits DynamoDB keeps.
const (
	maxDigits   = 38
	minExponent = -130 // smallest magnitude 1E-130
	maxExponent = 125  // largest magnitude 9.99…E+125
)

// The errors DynamoDB gives for numbers, with its words. They are
// InvalidErrors, so a number refused in arithmetic (SET a = a + :v, ADD)
// answers as a ValidationException like one refused on the wire.
var (
	ErrNotANumber     error = &InvalidError{Msg: "A value provided cannot be converted into a number"}
	ErrTooManyDigits  error = &InvalidError{Msg: "Attempting to store more than 38 significant digits in a Number"}
	ErrNumberOverflow error = &InvalidError{Msg: "Number overflow. Attempting to store a number with magnitude larger than supported range"}
	ErrUnderflow      error = &InvalidError{Msg: "Number underflow. Attempting to store a number with magnitude smaller than supported range"}
)

// wide is enough precision that sums and differences of two DynamoDB
// numbers are exact; canonical then says whether the result fits.
var wide = apd.BaseContext.WithPrecision(300)

func parseDecimal(s string) (*apd.Decimal, error) {
	// DynamoDB takes plain and exponent notation, a leading sign, no
	// spaces, no Infinity or NaN.
	if s == "" || strings.TrimSpace(s) != s {
		return nil, ErrNotANumber
	}
	d, _, err := apd.NewFromString(s)
	if err != nil || d.Form != apd.Finite {
		return nil, ErrNotANumber
	}
	return d, nil
}

// canonicalNumber checks a number's text and gives DynamoDB's form of it:
// no exponent, no leading or trailing zeros, no sign on zero ("1.50" and
// "15E-1" are both "1.5").
func canonicalNumber(s string) (string, error) {
	d, err := parseDecimal(s)
	if err != nil {
		return "", err
	}
	return canonical(d)
}

func canonical(d *apd.Decimal) (string, error) {
	var r apd.Decimal
	r.Reduce(d)
	if r.IsZero() {
		return "0", nil
	}
	// The magnitude's exponent: that of its first significant digit.
	adjusted := int64(r.Exponent) + r.NumDigits() - 1
	if adjusted > maxExponent {
		return "", ErrNumberOverflow
	}
	if adjusted < minExponent {
		return "", ErrUnderflow
	}
	if r.NumDigits() > maxDigits {
		return "", ErrTooManyDigits
	}
	return r.Text('f'), nil
}

// ParseNumber is a number value from its wire text, checked and canonical.
func ParseNumber(s string) (Value, error) {
	c, err := canonicalNumber(s)
	if err != nil {
		return Value{}, err
	}
	return Value{Kind: N, S: c}, nil
}

// Add and Sub are DynamoDB's number arithmetic (SET a = b + c, ADD): exact,
// and an error when the result does not fit a DynamoDB number.
func Add(a, b Value) (Value, error) { return arith(a, b, false) }

// Sub is a - b.
func Sub(a, b Value) (Value, error) { return arith(a, b, true) }

func arith(a, b Value, minus bool) (Value, error) {
	x, err := parseDecimal(a.S)
	if err != nil {
		return Value{}, err
	}
	y, err := parseDecimal(b.S)
	if err != nil {
		return Value{}, err
	}
	var r apd.Decimal
	if minus {
		_, err = wide.Sub(&r, x, y)
	} else {
		_, err = wide.Add(&r, x, y)
	}
	if err != nil {
		return Value{}, ErrNumberOverflow
	}
	c, err := canonical(&r)
	if err != nil {
		return Value{}, err
	}
	return Value{Kind: N, S: c}, nil
}

// compareNumbers orders two canonical numbers by value.
func compareNumbers(a, b string) int {
	if a == b {
		return 0
	}
	x, err1 := parseDecimal(a)
	y, err2 := parseDecimal(b)
	if err1 != nil || err2 != nil {
		return strings.Compare(a, b)
	}
	return x.Cmp(y)
}

// numberSize is the bytes DynamoDB counts for a number: about one byte per
// two significant digits, plus one.
func numberSize(s string) int {
	// The digits left when the sign and point are dropped and zeros trimmed
	// from both ends, counted in place: this runs for every number of every
	// item written.
	digits, zeros, leading := 0, 0, true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-' || c == '.':
		case c == '0' && leading:
		case c == '0':
			digits++
			zeros++
		default:
			leading = false
			digits++
			zeros = 0
		}
	}
	digits -= zeros
	if digits == 0 {
		return 1
	}
	return (digits+1)/2 + 1
}
