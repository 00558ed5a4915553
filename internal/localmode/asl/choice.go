package asl

import (
	"fmt"
	"strings"
	"time"
)

// evalRule evaluates a Choice rule against the state's effective input.
func (sc *stateRun) evalRule(r *ChoiceRule, input any) (bool, *StateError) {
	switch r.Operator {
	case "And":
		for _, c := range r.Children {
			ok, err := sc.evalRule(c, input)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "Or":
		for _, c := range r.Children {
			ok, err := sc.evalRule(c, input)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case "Not":
		ok, err := sc.evalRule(r.Children[0], input)
		return !ok, err
	}
	v, verr := r.Variable.get(input, sc.ec)
	switch r.Operator {
	case "IsPresent":
		return (verr == nil) == r.Operand.(bool), nil
	}
	if verr != nil {
		if strings.HasPrefix(r.Operator, "Is") {
			// A missing variable is neither null, numeric, string, ...
			return !r.Operand.(bool), nil
		}
		return false, sc.runtime(fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable.src))
	}
	operand := r.Operand
	if r.OperandPath != nil {
		ov, err := r.OperandPath.get(input, sc.ec)
		if err != nil {
			return false, sc.runtime(fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.OperandPath.src))
		}
		operand = ov
		if strings.HasPrefix(r.Operator, "Timestamp") {
			s, ok := ov.(string)
			if !ok {
				return false, nil
			}
			t, err := parseTimestamp(s)
			if err != nil {
				return false, nil
			}
			operand = t
		}
	}
	return compare(r, v, operand), nil
}

func compare(r *ChoiceRule, v, operand any) bool {
	op := r.Operator
	switch op {
	case "IsNull":
		return (v == nil) == operand.(bool)
	case "IsNumeric":
		return isNumber(v) == operand.(bool)
	case "IsString":
		_, ok := v.(string)
		return ok == operand.(bool)
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == operand.(bool)
	case "IsTimestamp":
		s, ok := v.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == operand.(bool)
	case "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		s, ok := v.(string)
		return ok && r.pattern != nil && r.pattern.MatchString(s)
	}
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		return cmpResult(strings.Compare(a, b), strings.TrimPrefix(op, "String"))
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := toFloat(v)
		b, ok2 := toFloat(operand)
		if !ok1 || !ok2 {
			return false
		}
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return cmpResult(c, strings.TrimPrefix(op, "Numeric"))
	case strings.HasPrefix(op, "Timestamp"):
		s, ok := v.(string)
		if !ok {
			return false
		}
		a, err := parseTimestamp(s)
		if err != nil {
			return false
		}
		b, ok := operand.(time.Time)
		if !ok {
			return false
		}
		return cmpResult(a.Compare(b), strings.TrimPrefix(op, "Timestamp"))
	}
	return false
}

func cmpResult(c int, rel string) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "GreaterThan":
		return c > 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}
