package asl

import (
	"errors"
	"fmt"
	"time"
)

// Execution of states whose QueryLanguage is JSONata: Arguments instead of
// InputPath/Parameters, Output instead of ResultSelector/ResultPath/
// OutputPath, Assign and Catch Output/Assign evaluated against $states.

// queryError is States.QueryEvaluationError for the current state.
func (sc *stateRun) queryError(msg string) *StateError {
	return &StateError{Name: ErrQueryEvaluationError, Cause: sc.runtime(msg).Cause}
}

// jsonataError translates a template evaluation failure into the error
// Step Functions reports.
func (sc *stateRun) jsonataError(err error) *StateError {
	var fe *jsonataFieldError
	if !errors.As(err, &fe) {
		return sc.queryError(err.Error())
	}
	return sc.queryError(jsonataMessage(fe.expr, fe.field, fe.err))
}

func jsonataMessage(e *jsonataExpr, field string, err *jsonataEvalError) string {
	switch err.kind {
	case "undefined":
		return fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", e.src, field)
	case "unsupported":
		return fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unsupported result type.", e.src, field)
	}
	return fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %s", e.src, field, err.msg)
}

// jeval evaluates a template field; an absent field yields def.
func (sc *stateRun) jeval(t *jsonataTemplate, field string, states *jsonataStates, def any) (any, *StateError) {
	if t == nil {
		return def, nil
	}
	if t.static {
		return t.literal, nil
	}
	v, err := t.eval(field, sc.jstatesValue(states), sc.ec)
	if err != nil {
		return nil, sc.jsonataError(err)
	}
	return v, nil
}

// jstatesValue converts $states once per distinct jsonataStates.
func (sc *stateRun) jstatesValue(s *jsonataStates) any {
	if sc.jstatesFor == s && sc.jstatesVal != nil {
		return sc.jstatesVal
	}
	sc.jstatesFor, sc.jstatesVal = s, s.value(sc.ec)
	return sc.jstatesVal
}

// jexprValue evaluates a single-expression field (TimeoutSeconds, Items
// when written as one expression, ...).
func (sc *stateRun) jexprValue(e *jsonataExpr, field string, states *jsonataStates) (any, *StateError) {
	v, err := e.eval(sc.jstatesValue(states), sc.ec)
	if err != nil {
		var je *jsonataEvalError
		if errors.As(err, &je) {
			return nil, sc.queryError(jsonataMessage(e, field, je))
		}
		return nil, sc.queryError(err.Error())
	}
	return v, nil
}

// unexpectedType is the message for an expression whose result has the
// wrong JSON type.
func unexpectedType(e *jsonataExpr, field, want string, v any) string {
	return fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected '%s', but was '%s' for value: %s",
		e.src, field, want, typeName(v), MarshalJSON(v))
}

// jIntField evaluates an integer field that may be an expression.
func (sc *stateRun) jIntField(e *jsonataExpr, field string, states *jsonataStates, fixed, minimum int64) (int64, *StateError) {
	if e == nil {
		return fixed, nil
	}
	v, serr := sc.jexprValue(e, field, states)
	if serr != nil {
		return 0, serr
	}
	n, ok := asInteger(v)
	if !ok || n < minimum {
		want := "integer"
		if minimum > 0 {
			want = "positive integer"
		}
		return 0, sc.queryError(unexpectedType(e, field, want, v))
	}
	return n, nil
}

// jfinish evaluates Assign and Output of a state that completed normally.
func (sc *stateRun) jfinish(states *jsonataStates, def any) (any, *StateError) {
	js := sc.st.js
	if js.assign != nil {
		v, serr := sc.jeval(js.assign, "Assign", states, nil)
		if serr != nil {
			return nil, serr
		}
		sc.jassign = v
	}
	return sc.jeval(js.output, "Output", states, def)
}

func (sc *stateRun) jsonataPass(input any) (any, *StateError) {
	return sc.jfinish(&jsonataStates{input: input}, input)
}

func (sc *stateRun) jsonataSucceed(input any) (any, *StateError) {
	return sc.jeval(sc.st.js.output, "Output", &jsonataStates{input: input}, input)
}

func (sc *stateRun) jsonataFail(input any) *StateError {
	st := sc.st
	se := &StateError{Name: st.Error, Cause: st.Cause, noName: st.Error == "" && st.js.errorExpr == nil, noCause: st.Cause == "" && st.js.causeExpr == nil}
	states := &jsonataStates{input: input}
	for _, f := range []struct {
		e   *jsonataExpr
		dst *string
		fld string
	}{{st.js.errorExpr, &se.Name, "Error"}, {st.js.causeExpr, &se.Cause, "Cause"}} {
		if f.e == nil {
			continue
		}
		v, serr := sc.jexprValue(f.e, f.fld, states)
		if serr != nil {
			return serr
		}
		s, ok := v.(string)
		if !ok {
			return sc.queryError(unexpectedType(f.e, f.fld, "string", v))
		}
		*f.dst = s
	}
	return se
}

func (sc *stateRun) jsonataWait(input any) (any, *StateError) {
	st := sc.st
	states := &jsonataStates{input: input}
	now := sc.x.e.clock.Now()
	var d time.Duration
	switch {
	case st.js.seconds != nil:
		n, serr := sc.jIntField(st.js.seconds, "Seconds", states, 0, 0)
		if serr != nil {
			return nil, serr
		}
		d = time.Duration(n) * time.Second
	case st.Seconds != nil:
		d = time.Duration(*st.Seconds) * time.Second
	case st.js.timestamp != nil:
		v, serr := sc.jexprValue(st.js.timestamp, "Timestamp", states)
		if serr != nil {
			return nil, serr
		}
		s, ok := v.(string)
		if !ok {
			return nil, sc.queryError(unexpectedType(st.js.timestamp, "Timestamp", "string", v))
		}
		t, err := parseTimestamp(s)
		if err != nil {
			return nil, sc.queryError("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + s)
		}
		d = t.Sub(now)
	case st.TimestampRaw != "":
		if st.Timestamp == nil {
			return nil, sc.queryError("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + st.TimestampRaw)
		}
		d = st.Timestamp.Sub(now)
	}
	if !sc.waitState(now, d) {
		return nil, abortedError()
	}
	return sc.jfinish(states, input)
}

func (sc *stateRun) jsonataChoice(input any) (any, string, *StateError) {
	st := sc.st
	states := &jsonataStates{input: input}
	for i, r := range st.Choices {
		if r.jCondition == nil {
			continue
		}
		field := "Condition"
		v, serr := sc.jexprValue(r.jCondition, field, states)
		if serr != nil {
			return nil, "", serr
		}
		b, ok := v.(bool)
		if !ok {
			return nil, "", sc.queryError(unexpectedType(r.jCondition, field, "boolean", v))
		}
		if !b {
			continue
		}
		_ = i
		if r.jAssign != nil {
			a, serr := sc.jeval(r.jAssign, "Assign", states, nil)
			if serr != nil {
				return nil, "", serr
			}
			sc.jassign = a
		}
		out := input
		switch {
		case r.jOutput != nil:
			out, serr = sc.jeval(r.jOutput, "Output", states, input)
		case st.js.output != nil:
			out, serr = sc.jeval(st.js.output, "Output", states, input)
		}
		return out, r.Next, serr
	}
	if st.Default == "" {
		return nil, "", &StateError{Name: ErrNoChoiceMatched, Cause: fmt.Sprintf("No Matches! (state '%s')", st.Name), terminal: true}
	}
	out, serr := sc.jfinish(states, input)
	return out, st.Default, serr
}

// jsonataWithRetry is withRetry for JSONata states: the result goes through
// Assign and Output with $states.result.
func (sc *stateRun) jsonataWithRetry(input any, work func() (any, *StateError)) (any, string, *StateError) {
	st := sc.st
	attempts := make([]int64, len(st.Retry))
	for {
		result, serr := work()
		if serr == nil {
			out, serr := sc.jfinish(&jsonataStates{input: input, result: result, hasResult: true}, result)
			return out, st.Next, serr
		}
		retry, out, next, herr := sc.handleError(serr, attempts, input)
		if retry {
			continue
		}
		if herr != nil {
			return nil, "", herr
		}
		return out, next, nil
	}
}

// jsonataCatch applies a matching catcher: Assign and Output see
// $states.errorOutput; the output defaults to the error output.
func (sc *stateRun) jsonataCatch(c *Catcher, input any, errOut map[string]any) (any, *StateError) {
	states := &jsonataStates{input: input, errorOutput: errOut, hasErrorOutput: true}
	sc.jassign = nil
	if c.jAssign != nil {
		v, serr := sc.jeval(c.jAssign, "Assign", states, nil)
		if serr != nil {
			return nil, serr
		}
		sc.jassign = v
	}
	return sc.jeval(c.jOutput, "Output", states, errOut)
}

func (sc *stateRun) jsonataTask(input any) (any, string, *StateError) {
	return sc.jsonataWithRetry(input, func() (any, *StateError) { return sc.taskAttempt(input) })
}

// jsonataArguments evaluates Arguments (default: the state input).
func (sc *stateRun) jsonataArguments(input any) (any, *StateError) {
	return sc.jeval(sc.st.js.arguments, "Arguments", &jsonataStates{input: input}, input)
}

// jsonataMapSetup evaluates the Map fields that come before iterating.
func (sc *stateRun) jsonataMapSetup(input any) (arr []any, concurrency, toleratedCount int64, toleratedPct float64, serr *StateError) {
	st := sc.st
	states := &jsonataStates{input: input}
	items := input
	if t := st.js.items; t != nil {
		if items, serr = sc.jeval(t, "Items", states, input); serr != nil {
			return
		}
		if a, ok := items.([]any); ok {
			arr = a
		} else if t.expr != nil {
			serr = sc.queryError(unexpectedType(t.expr, "Items", "array", items))
			return
		} else {
			serr = sc.queryError("Map state input must be an array but was: " + string(MarshalJSON(items)))
			return
		}
	} else {
		a, ok := items.([]any)
		if !ok {
			serr = sc.queryError("Map state input must be an array but was: " + string(MarshalJSON(items)))
			return
		}
		arr = a
	}
	if concurrency, serr = sc.jIntField(st.js.maxConcurrency, "MaxConcurrency", states, st.MaxConcurrency, 0); serr != nil {
		return
	}
	toleratedCount = -1
	if st.ToleratedFailureCount != nil {
		toleratedCount = *st.ToleratedFailureCount
	}
	if st.js.toleratedCount != nil {
		if toleratedCount, serr = sc.jIntField(st.js.toleratedCount, "ToleratedFailureCount", states, 0, 0); serr != nil {
			return
		}
	}
	if toleratedCount < -1 || (toleratedCount < 0 && st.ToleratedFailureCount != nil) {
		serr = sc.runtime("ToleratedFailureCount cannot be negative.")
		return
	}
	toleratedPct = -1
	if st.ToleratedFailurePercentage != nil {
		toleratedPct = *st.ToleratedFailurePercentage
	}
	if e := st.js.toleratedPct; e != nil {
		v, err := sc.jexprValue(e, "ToleratedFailurePercentage", states)
		if err != nil {
			serr = err
			return
		}
		f, ok := toFloat(v)
		if !ok {
			serr = sc.queryError(unexpectedType(e, "ToleratedFailurePercentage", "number", v))
			return
		}
		toleratedPct = f
	}
	if (st.ToleratedFailurePercentage != nil || st.js.toleratedPct != nil) && (toleratedPct < 0 || toleratedPct > 100) {
		serr = sc.runtime("ToleratedFailurePercentage must be between 0 and 100.")
	}
	return
}
