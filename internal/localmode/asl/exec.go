package asl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// evalCtx carries what expressions may read besides the state input: the
// context object pieces and randomness.
type evalCtx struct {
	x           *execution
	scope       *varScope
	state       *State
	enteredTime time.Time
	retryCount  int
	token       string
	item        *mapItem
	ctxObj      any
}

type mapItem struct {
	index int
	value any
}

func (ec *evalCtx) contextValue() any {
	if ec == nil || ec.x == nil {
		return map[string]any{}
	}
	if ec.ctxObj != nil {
		return ec.ctxObj
	}
	base := ec.x.contextBase()
	m := map[string]any{
		"Execution":    base["Execution"],
		"StateMachine": base["StateMachine"],
		"State":        map[string]any{"Name": ec.state.Name, "EnteredTime": formatTime(ec.enteredTime)},
	}
	if t := ec.state.Type; t == "Task" || t == "Parallel" || t == "Map" {
		// Step Functions only exposes RetryCount where Retry applies.
		m["State"].(map[string]any)["RetryCount"] = int64(ec.retryCount)
	}
	if ec.token != "" {
		m["Task"] = map[string]any{"Token": ec.token}
	}
	if ec.item != nil {
		m["Map"] = map[string]any{"Item": map[string]any{"Index": int64(ec.item.index), "Value": ec.item.value}}
	}
	ec.ctxObj = m
	return m
}

// varScope holds workflow variables. Map iterations and Parallel branches
// get a child scope: they read outer variables, their assignments stay local.
type varScope struct {
	mu     sync.RWMutex
	vars   map[string]any
	parent *varScope
}

func (s *varScope) child() *varScope { return &varScope{parent: s} }

func (s *varScope) lookup(name string) (any, bool) {
	for ; s != nil; s = s.parent {
		s.mu.RLock()
		v, ok := s.vars[name]
		s.mu.RUnlock()
		if ok {
			return v, true
		}
	}
	return nil, false
}

func (s *varScope) assign(vals map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vars == nil {
		s.vars = make(map[string]any, len(vals))
	}
	for k, v := range vals {
		s.vars[k] = v
	}
}

func (ec *evalCtx) lookupVar(name string) (any, bool) {
	if ec == nil || ec.scope == nil {
		return nil, false
	}
	return ec.scope.lookup(name)
}

func (ec *evalCtx) random(seed *int64, n int64) int64 {
	if ec == nil || ec.x == nil {
		return defaultRandom(seed, n)
	}
	return ec.x.e.opts.Random(seed, n)
}

// abortedError marks an execution stopped from outside; it unwinds without
// recording anything further.
func abortedError() *StateError { return &StateError{Name: "aborted", terminal: true, aborted: true} }

// verifySizes makes runState check every output size it works out without
// measuring against the rendered text (tests turn it on, benchmarks off).
var verifySizes atomic.Bool

// stateRunPool recycles stateRuns: one serves every state of a line of
// execution in turn, and nothing keeps it once its state has returned (the
// goroutines a state starts are waited for before it returns).
var stateRunPool = sync.Pool{New: func() any { return new(stateRun) }}

func (x *execution) runMachine(ctx context.Context, th *thread, sm *StateMachine, input any, item *mapItem, scope *varScope) (any, *StateError) {
	out, _, serr := x.runMachineText(ctx, th, sm, input, item, scope)
	return out, serr
}

// runMachineText is runMachine that also returns the output's JSON text
// when it is known without rendering (else "").
func (x *execution) runMachineText(ctx context.Context, th *thread, sm *StateMachine, input any, item *mapItem, scope *varScope) (any, string, *StateError) {
	sc := stateRunPool.Get().(*stateRun)
	defer func() {
		*sc = stateRun{}
		stateRunPool.Put(sc)
	}()
	cur := sm.StartAt
	// inSize is the exact size of the input's JSON text when known (else
	// -1), so outputs derived from it simply need not be measured again.
	inSize := -1
	if sm == x.m.def && sameValue(input, x.input) {
		inSize = len(x.inputJSON)
	}
	// The journal keeps the top-level line of execution: its states are
	// where a restored execution resumes.
	top := th == &x.th
	var resume *ResumePoint
	if top && x.resumeAt != nil {
		resume, x.resumeAt = x.resumeAt, nil
		in, vars, err := resume.values()
		if err != nil {
			return nil, "", &StateError{Name: ErrRuntime, Cause: "cannot resume: " + err.Error(), terminal: true}
		}
		cur, input, inSize = resume.State, in, -1
		if vars != nil {
			scope.assign(vars)
		}
	}
	first := true
	var (
		knownVal  any
		knownText string
	)
	for {
		if ctx.Err() != nil {
			return nil, "", abortedError()
		}
		st := sm.States[cur]
		if top && !first && checkpointed(st.Type) {
			x.checkpoint(st, input, scope, "", time.Time{}, nil)
		}
		first = false
		sc.resume, resume = resume, nil
		out, next, serr := x.runState(sc, ctx, th, st, input, inSize, item, scope)
		if serr != nil {
			return nil, "", serr
		}
		// Follow a value whose text is known through the states that pass
		// it on unchanged.
		switch {
		case sc.withinText != "" && sameValue(out, sc.within):
			knownVal, knownText = out, sc.withinText
		case knownText != "" && !sameValue(out, knownVal):
			knownVal, knownText = nil, ""
		}
		if next == "" {
			return out, knownText, nil
		}
		cur, input, inSize = next, out, sc.outSize
	}
}

// stateRun is one visit of a state.
type stateRun struct {
	x         *execution
	ctx       context.Context
	th        *thread
	st        *State
	enteredID int64
	ec        *evalCtx
	ecv       evalCtx
	// assign/assignSrc are the Assign block chosen by the state's outcome
	// and the value "$" refers to in it.
	assign    *Template
	assignSrc any
	// JSONata states: the evaluated Assign values to commit (nil if none)
	// and the converted $states of the last evaluation.
	jassign    any
	jstatesFor *jsonataStates
	jstatesVal any
	// within is a value known to render within the payload limit (a task
	// result parsed from short enough text), so an output that is this
	// very value needs no measuring; withinText is its JSON text if known.
	within     any
	withinText string
	// inSize is the exact JSON size of the state's input (-1: unknown);
	// sized/sizedN a value computed from it whose exact size is known;
	// outSize the exact size of the state's output (-1: unknown).
	inSize, sizedN, outSize int
	sized                   any
	in                      any // the state's input
	// resume is the resume point a restored execution re-enters this
	// state with (nil otherwise); attempts are the retriers' counts.
	resume   *ResumePoint
	attempts []int64
}

// checkpointed are the state types whose entry the journal keeps: the ones
// that call out or take time. The others are worked out again from the
// last kept state's output.
func checkpointed(stateType string) bool {
	switch stateType {
	case "Task", "Parallel", "Map":
		return true
	}
	return false
}

func (x *execution) runState(sc *stateRun, ctx context.Context, th *thread, st *State, input any, inSize int, item *mapItem, scope *varScope) (any, string, *StateError) {
	enteredID, now := x.recordAt(th, event{kind: evStateEntered, st: st, payload: input})
	x.e.transitions.Add(1)
	*sc = stateRun{x: x, ctx: ctx, th: th, st: st, enteredID: enteredID, in: input, inSize: inSize, outSize: -1, resume: sc.resume,
		ecv: evalCtx{x: x, scope: scope, state: st, enteredTime: now, item: item}}
	sc.ec = &sc.ecv // one allocation for both
	var (
		out  any
		next = st.Next
		serr *StateError
	)
	jsonata := st.js != nil
	switch st.Type {
	case "Pass":
		if jsonata {
			out, serr = sc.jsonataPass(input)
		} else {
			out, serr = sc.pass(input)
		}
	case "Task":
		if jsonata {
			out, next, serr = sc.jsonataTask(input)
		} else {
			out, next, serr = sc.task(input)
		}
	case "Choice":
		if jsonata {
			out, next, serr = sc.jsonataChoice(input)
		} else {
			out, next, serr = sc.choice(input)
		}
	case "Wait":
		if jsonata {
			out, serr = sc.jsonataWait(input)
		} else {
			out, serr = sc.wait(input)
		}
	case "Succeed":
		if jsonata {
			out, serr = sc.jsonataSucceed(input)
		} else {
			out, serr = sc.succeed(input)
		}
		next = ""
	case "Fail":
		if jsonata {
			return nil, "", sc.jsonataFail(input)
		}
		return nil, "", sc.fail(input)
	case "Parallel":
		out, next, serr = sc.parallel(input)
	case "Map":
		out, next, serr = sc.mapState(input)
	default:
		serr = sc.runtime("unsupported state type " + st.Type)
	}
	if serr != nil {
		return nil, "", serr
	}
	if sc.assign != nil {
		// Evaluated against the variables as they were when the state ran,
		// then committed together.
		vals, serr := sc.template(sc.assign, sc.assignSrc, "Assign")
		if serr != nil {
			return nil, "", serr
		}
		if m, ok := vals.(map[string]any); ok {
			scope.assign(m)
		}
	}
	if m, ok := sc.jassign.(map[string]any); ok {
		scope.assign(m)
	}
	// The output's size: known from where it came from, else measured.
	limit := x.e.opts.MaxPayloadBytes
	size, within := -1, false
	switch {
	case inSize >= 0 && sameValue(out, input):
		size = inSize
	case sc.withinText != "" && sameValue(out, sc.within):
		size = len(sc.withinText)
	case sc.within != nil && sameValue(out, sc.within):
		within = true // bounded, exact size unknown
	case sc.sized != nil && sameValue(out, sc.sized):
		size = sc.sizedN
	default:
		size, within = jsonSize(out, limit)
		if !within {
			size = limit + 1
		}
	}
	if verifySizes.Load() && size >= 0 && size <= limit && size != len(MarshalJSON(out)) {
		panic(fmt.Sprintf("asl: state %s: output size worked out as %d, is %d: %s", st.Name, size, len(MarshalJSON(out)), MarshalJSON(out)))
	}
	sc.outSize = size
	if !within && size > limit {
		return nil, "", &StateError{
			Name:     ErrDataLimitExceeded,
			Cause:    fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name),
			terminal: true,
		}
	}
	x.addStateEvent(th, evStateExited, st, out)
	return out, next, nil
}

func (sc *stateRun) runtime(msg string) *StateError {
	return runtimeError(sc.st.Name, sc.enteredID, msg)
}

func (sc *stateRun) pathErr(p *Path, err error) *StateError {
	return sc.runtime(fmt.Sprintf("Invalid path '%s' : %s", p.src, err.Error()))
}

func (sc *stateRun) inputPath(input any) (any, *StateError) {
	st := sc.st
	if st.InputPathNull {
		return map[string]any{}, nil
	}
	if st.InputPath == nil {
		return input, nil
	}
	v, err := st.InputPath.get(input, sc.ec)
	if err != nil {
		return nil, sc.pathErr(st.InputPath, err)
	}
	return v, nil
}

func (sc *stateRun) outputPath(v any) (any, *StateError) {
	st := sc.st
	if st.OutputPathNull {
		return map[string]any{}, nil
	}
	if st.OutputPath == nil {
		return v, nil
	}
	out, err := st.OutputPath.get(v, sc.ec)
	if err != nil {
		return nil, sc.pathErr(st.OutputPath, err)
	}
	return out, nil
}

func (sc *stateRun) resultPath(raw, result any, p *Path, null bool) (any, *StateError) {
	if null {
		return raw, nil
	}
	if p == nil {
		return result, nil
	}
	v, err := p.Set(raw, result)
	if err != nil {
		return nil, &StateError{Name: ErrResultPathMatchFailure, Cause: sc.runtime(err.Error()).Cause}
	}
	sc.sizeResultPath(raw, result, v, p)
	return v, nil
}

// sizeResultPath works out the exact JSON size of v, which is raw with
// result set at the top-level field of p, from raw's known size.
func (sc *stateRun) sizeResultPath(raw, result, v any, p *Path) {
	m, isMap := raw.(map[string]any)
	if sc.inSize < 0 || !isMap || len(p.segs) != 1 || !sameValue(raw, sc.in) {
		return
	}
	key, isKey := p.segs[0].(string)
	if !isKey {
		return
	}
	limit := sc.x.e.opts.MaxPayloadBytes
	rn, ok := jsonSize(result, limit)
	if !ok {
		return
	}
	n := sc.inSize + rn
	if old, had := m[key]; had {
		on, _ := jsonSize(old, sc.inSize)
		n -= on
	} else {
		n += jsonStringLen(key) + 1 // "key":
		if len(m) > 0 {
			n++ // ,
		}
	}
	sc.sized, sc.sizedN = v, n
}

// template evaluates a payload template, translating failures into the
// errors Step Functions reports.
func (sc *stateRun) template(t *Template, input any, what string) (any, *StateError) {
	v, err := t.eval(input, sc.ec)
	if err == nil {
		return v, nil
	}
	var ie *IntrinsicError
	if errors.As(err, &ie) {
		return nil, &StateError{Name: ErrIntrinsicFailure, Cause: sc.runtime(ie.Msg).Cause}
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		if pe, ok := fe.expr.(pathExpr); ok {
			return nil, sc.runtime(fmt.Sprintf("The JSONPath '%s' specified for the field '%s.$' could not be found in the input '%s'",
				pe.p.src, fe.field, MarshalJSON(input)))
		}
	}
	return nil, sc.runtime(fmt.Sprintf("%s: %v", what, err))
}

func (sc *stateRun) pass(input any) (any, *StateError) {
	st := sc.st
	eff, serr := sc.inputPath(input)
	if serr != nil {
		return nil, serr
	}
	if st.Parameters != nil {
		if eff, serr = sc.template(st.Parameters, eff, "Parameters"); serr != nil {
			return nil, serr
		}
	}
	result := eff
	if st.HasResult {
		result = st.Result
	}
	sc.assign, sc.assignSrc = st.Assign, result
	v, serr := sc.resultPath(input, result, st.ResultPath, st.ResultPathNull)
	if serr != nil {
		return nil, serr
	}
	return sc.outputPath(v)
}

func (sc *stateRun) succeed(input any) (any, *StateError) {
	eff, serr := sc.inputPath(input)
	if serr != nil {
		return nil, serr
	}
	return sc.outputPath(eff)
}

func (sc *stateRun) fail(input any) *StateError {
	st := sc.st
	se := &StateError{Name: st.Error, Cause: st.Cause, noName: st.Error == "" && st.ErrorPath == nil, noCause: st.Cause == "" && st.CausePath == nil}
	for _, f := range []struct {
		e   expr
		dst *string
		fld string
	}{{st.ErrorPath, &se.Name, "ErrorPath"}, {st.CausePath, &se.Cause, "CausePath"}} {
		if f.e == nil {
			continue
		}
		v, err := f.e.eval(input, sc.ec)
		if err != nil {
			if pe, ok := f.e.(pathExpr); ok {
				return sc.pathErr(pe.p, err)
			}
			return sc.runtime(fmt.Sprintf("The %s field could not be evaluated: %v", f.fld, err))
		}
		s, ok := v.(string)
		if !ok {
			return sc.runtime(fmt.Sprintf("The %s field must resolve to a string, but was %s", f.fld, MarshalJSON(v)))
		}
		*f.dst = s
	}
	return se
}

// waitState is a Wait state's wait of d from now. At the top level the
// journal keeps its end, and a restored Wait waits until that same end.
func (sc *stateRun) waitState(now time.Time, d time.Duration) bool {
	if sc.th == &sc.x.th {
		until := now.Add(d)
		if r := sc.resume; r != nil && !r.Until.IsZero() {
			until, d = r.Until, r.Until.Sub(now)
		}
		sc.x.checkpoint(sc.st, sc.in, sc.ec.scope, "", until, nil)
	}
	return sc.sleep(d)
}

// sleep waits d on the engine clock; false means the execution was stopped.
func (sc *stateRun) sleep(d time.Duration) bool {
	if d <= 0 {
		return sc.ctx.Err() == nil
	}
	t := sc.x.e.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-sc.ctx.Done():
		return false
	}
}

func (sc *stateRun) wait(input any) (any, *StateError) {
	st := sc.st
	eff, serr := sc.inputPath(input)
	if serr != nil {
		return nil, serr
	}
	now := sc.x.e.clock.Now()
	var d time.Duration
	switch {
	case st.Seconds != nil:
		d = time.Duration(*st.Seconds) * time.Second
	case st.SecondsPath != nil:
		v, err := st.SecondsPath.get(eff, sc.ec)
		if err != nil {
			return nil, sc.runtime("The SecondsPath parameter does not reference an input value: " + st.SecondsPath.src)
		}
		n, ok := asInteger(v)
		if !ok {
			return nil, sc.runtime(fmt.Sprintf("The SecondsPath parameter cannot be parsed as a long value: %s == %s", st.SecondsPath.src, javaString(v)))
		}
		if n < 0 {
			return nil, sc.runtime(fmt.Sprintf("The SecondsPath parameter references a negative value: %s == %d", st.SecondsPath.src, n))
		}
		d = time.Duration(n) * time.Second
	case st.TimestampRaw != "":
		if st.Timestamp == nil {
			return nil, sc.runtime("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + st.TimestampRaw)
		}
		d = st.Timestamp.Sub(now)
	case st.TimestampPath != nil:
		v, err := st.TimestampPath.get(eff, sc.ec)
		if err != nil {
			return nil, sc.runtime("The TimestampPath parameter does not reference an input value: " + st.TimestampPath.src)
		}
		s, _ := v.(string)
		t, perr := parseTimestamp(s)
		if perr != nil {
			return nil, sc.runtime(fmt.Sprintf("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", st.TimestampPath.src, javaString(v)))
		}
		d = t.Sub(now)
	}
	if !sc.waitState(now, d) {
		return nil, abortedError()
	}
	sc.assign, sc.assignSrc = st.Assign, eff
	return sc.outputPath(eff)
}

// handleError applies Retry then Catch. retry=true means run the state's
// work again (the back-off wait has already happened).
func (sc *stateRun) handleError(serr *StateError, attempts []int64, raw any) (retry bool, out any, next string, err *StateError) {
	st := sc.st
	if serr.terminal {
		return false, nil, "", serr
	}
	for i, r := range st.Retry {
		if !serr.matches(r.ErrorEquals) {
			continue
		}
		if attempts[i] < r.MaxAttempts {
			delay := r.IntervalSeconds * math.Pow(r.BackoffRate, float64(attempts[i]))
			if r.MaxDelaySeconds > 0 && delay > r.MaxDelaySeconds {
				delay = r.MaxDelaySeconds
			}
			if r.JitterStrategy == "FULL" {
				delay = float64(sc.ec.random(nil, int64(delay*1000)+1)) / 1000
			}
			attempts[i]++
			sc.ec.retryCount++
			sc.ec.ctxObj = nil
			if !sc.sleep(time.Duration(delay * float64(time.Second))) {
				return false, nil, "", abortedError()
			}
			return true, nil, "", nil
		}
		break
	}
	for _, c := range st.Catch {
		if !serr.matches(c.ErrorEquals) {
			continue
		}
		errOut := map[string]any{}
		if !serr.noName {
			errOut["Error"] = serr.Name
		}
		if !serr.noCause {
			errOut["Cause"] = serr.Cause
		}
		if sc.st.js != nil {
			v, jerr := sc.jsonataCatch(c, raw, errOut)
			if jerr != nil {
				return false, nil, "", jerr
			}
			return false, v, c.Next, nil
		}
		v, rerr := sc.resultPath(raw, errOut, c.ResultPath, c.ResultPathNull)
		if rerr != nil {
			return false, nil, "", rerr
		}
		sc.assign, sc.assignSrc = c.Assign, errOut
		return false, v, c.Next, nil
	}
	return false, nil, "", serr
}

// withRetry runs work (which yields the raw result) under Retry/Catch and
// then applies ResultSelector, ResultPath and OutputPath.
func (sc *stateRun) withRetry(input any, work func() (any, *StateError)) (any, string, *StateError) {
	st := sc.st
	attempts := make([]int64, len(st.Retry))
	if r := sc.resume; r != nil && len(r.Retries) == len(attempts) {
		copy(attempts, r.Retries)
	}
	sc.attempts = attempts
	for {
		result, serr := work()
		if serr == nil {
			if st.ResultSelector != nil {
				if result, serr = sc.template(st.ResultSelector, result, "ResultSelector"); serr != nil {
					return nil, "", serr
				}
			}
			sc.assign, sc.assignSrc = st.Assign, result
			v, serr := sc.resultPath(input, result, st.ResultPath, st.ResultPathNull)
			if serr != nil {
				return nil, "", serr
			}
			out, serr := sc.outputPath(v)
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

func (sc *stateRun) parallel(input any) (any, string, *StateError) {
	st := sc.st
	eff, serr := sc.inputPath(input)
	if serr != nil {
		return nil, "", serr
	}
	withRetry := sc.withRetry
	if st.js != nil {
		withRetry = sc.jsonataWithRetry
	}
	return withRetry(input, func() (any, *StateError) {
		branchInput := eff
		if st.js != nil {
			var serr *StateError
			if branchInput, serr = sc.jsonataArguments(eff); serr != nil {
				return nil, serr
			}
		} else if st.Parameters != nil {
			var serr *StateError
			if branchInput, serr = sc.template(st.Parameters, eff, "Parameters"); serr != nil {
				return nil, serr
			}
		}
		startID := sc.x.addEvent(sc.th, HistoryEvent{Type: "ParallelStateStarted"})
		ctx, cancel := context.WithCancel(sc.ctx)
		defer cancel()
		outs := make([]any, len(st.Branches))
		var (
			mu       sync.Mutex
			firstErr *StateError
			wg       sync.WaitGroup
		)
		for i, br := range st.Branches {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, serr := sc.x.runMachine(ctx, &thread{prev: startID}, br, branchInput, nil, sc.ec.scope.child())
				mu.Lock()
				defer mu.Unlock()
				if serr != nil {
					if firstErr == nil && !(serr.aborted && ctx.Err() != nil && sc.ctx.Err() == nil) {
						firstErr = serr
						cancel()
					}
					return
				}
				outs[i] = out
			}()
		}
		wg.Wait()
		sc.th.prev = sc.x.lastID()
		if sc.ctx.Err() != nil {
			return nil, abortedError()
		}
		if firstErr != nil {
			sc.x.addEvent(sc.th, HistoryEvent{Type: "ParallelStateFailed"})
			return nil, firstErr
		}
		sc.x.addEvent(sc.th, HistoryEvent{Type: "ParallelStateSucceeded"})
		return outs, nil
	})
}

func (sc *stateRun) choice(input any) (any, string, *StateError) {
	st := sc.st
	eff, serr := sc.inputPath(input)
	if serr != nil {
		return nil, "", serr
	}
	next := ""
	for _, r := range st.Choices {
		ok, err := sc.evalRule(r, eff)
		if err != nil {
			return nil, "", err
		}
		if ok {
			next = r.Next
			sc.assign, sc.assignSrc = r.Assign, eff
			break
		}
	}
	if next == "" {
		next = st.Default
		sc.assign, sc.assignSrc = st.Assign, eff
	}
	if next == "" {
		return nil, "", &StateError{Name: ErrNoChoiceMatched, Cause: fmt.Sprintf("No Matches! (state '%s')", st.Name), terminal: true}
	}
	out, serr := sc.outputPath(eff)
	return out, next, serr
}

// quoteValue renders a value for Map's "refers to value" messages.
func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return `"` + s + `"`
	}
	return `"` + strings.ReplaceAll(string(MarshalJSON(v)), `"`, `\"`) + `"`
}
