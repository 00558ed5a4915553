package asl

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// maxInlineConcurrency bounds "unlimited" inline Map iterations, as Step
// Functions does (40).
const maxInlineConcurrency = 40

func (sc *stateRun) mapState(input any) (any, string, *StateError) {
	st := sc.st
	if st.js != nil {
		arr, concurrency, toleratedCount, toleratedPct, serr := sc.jsonataMapSetup(input)
		if serr != nil {
			return nil, "", serr
		}
		if concurrency <= 0 || concurrency > maxInlineConcurrency {
			concurrency = maxInlineConcurrency
		}
		return sc.jsonataWithRetry(input, func() (any, *StateError) {
			return sc.runIterations(input, arr, nil, st.js.itemSelector, int(concurrency), toleratedCount, toleratedPct)
		})
	}
	eff, serr := sc.inputPath(input)
	if serr != nil {
		return nil, "", serr
	}
	items := eff
	if st.ItemsPath != nil {
		v, err := st.ItemsPath.get(eff, sc.ec)
		if err != nil {
			return nil, "", sc.pathErr(st.ItemsPath, err)
		}
		items = v
	}
	arr, ok := items.([]any)
	if !ok {
		return nil, "", sc.runtime("Map state input must be an array but was: " + javaString(items))
	}
	concurrency := st.MaxConcurrency
	if st.MaxConcurrencyPath != nil {
		v, err := st.MaxConcurrencyPath.get(eff, sc.ec)
		if err != nil {
			return nil, "", sc.pathErr(st.MaxConcurrencyPath, err)
		}
		n, ok := lenientInt(v)
		if !ok || n < 0 {
			return nil, "", sc.runtime(fmt.Sprintf("The MaxConcurrencyPath field refers to value %s which is not a valid integer: %s", quoteValue(v), st.MaxConcurrencyPath.src))
		}
		concurrency = n
	}
	if concurrency <= 0 || concurrency > maxInlineConcurrency {
		concurrency = maxInlineConcurrency
	}
	toleratedCount := int64(-1)
	if st.ToleratedFailureCount != nil {
		toleratedCount = *st.ToleratedFailureCount
	}
	if st.ToleratedFailureCountPath != nil {
		v, err := st.ToleratedFailureCountPath.get(eff, sc.ec)
		if err != nil {
			return nil, "", sc.pathErr(st.ToleratedFailureCountPath, err)
		}
		n, ok := lenientInt(v)
		if !ok {
			return nil, "", sc.runtime(fmt.Sprintf("The ToleratedFailureCountPath field refers to value %s which is not a valid integer: %s", quoteValue(v), st.ToleratedFailureCountPath.src))
		}
		toleratedCount = n
	}
	if toleratedCount < -1 || (toleratedCount < 0 && (st.ToleratedFailureCount != nil || st.ToleratedFailureCountPath != nil)) {
		return nil, "", sc.runtime("ToleratedFailureCount cannot be negative.")
	}
	toleratedPct := -1.0
	if st.ToleratedFailurePercentage != nil {
		toleratedPct = *st.ToleratedFailurePercentage
	}
	if st.ToleratedFailurePercentagePath != nil {
		v, err := st.ToleratedFailurePercentagePath.get(eff, sc.ec)
		if err != nil {
			return nil, "", sc.pathErr(st.ToleratedFailurePercentagePath, err)
		}
		f, ok := lenientFloat(v)
		if !ok {
			return nil, "", sc.runtime(fmt.Sprintf("The ToleratedFailurePercentagePath field refers to value %s which is not a valid float: %s", quoteValue(v), st.ToleratedFailurePercentagePath.src))
		}
		toleratedPct = f
	}
	if (st.ToleratedFailurePercentage != nil || st.ToleratedFailurePercentagePath != nil) && (toleratedPct < 0 || toleratedPct > 100) {
		return nil, "", sc.runtime("ToleratedFailurePercentage must be between 0 and 100.")
	}
	selector := st.ItemSelector
	if selector == nil {
		selector = st.Parameters
	}
	return sc.withRetry(input, func() (any, *StateError) {
		return sc.runIterations(eff, arr, selector, nil, int(concurrency), toleratedCount, toleratedPct)
	})
}

func (sc *stateRun) runIterations(eff any, arr []any, selector *Template, jselector *jsonataTemplate, concurrency int, toleratedCount int64, toleratedPct float64) (any, *StateError) {
	st, x := sc.st, sc.x
	startID := x.addEvent(sc.th, HistoryEvent{Type: "MapStateStarted", MapStateStartedEventDetails: &MapStateStartedDetails{Length: len(arr)}})
	ctx, cancel := context.WithCancel(sc.ctx)
	defer cancel()
	outs := make([]any, len(arr))
	var (
		mu       sync.Mutex
		firstErr *StateError
		failures int
		wg       sync.WaitGroup
	)
	tolerates := toleratedCount >= 0 || toleratedPct >= 0
	exceeded := func() bool {
		if !tolerates {
			return failures > 0
		}
		if toleratedCount >= 0 && int64(failures) > toleratedCount {
			if toleratedPct < 0 || float64(failures)*100/float64(len(arr)) > toleratedPct {
				return true
			}
		}
		if toleratedCount < 0 && toleratedPct >= 0 && float64(failures)*100/float64(len(arr)) > toleratedPct {
			return true
		}
		return false
	}
	sem := make(chan struct{}, concurrency)
	for i, item := range arr {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			th := &thread{prev: startID}
			itemCtx := &mapItem{index: i, value: item}
			x.addEvent(th, HistoryEvent{Type: "MapIterationStarted", MapIterationStartedEventDetails: &MapIterationDetails{Name: st.Name, Index: i}})
			in := item
			if jselector != nil {
				ec := &evalCtx{x: x, scope: sc.ec.scope, state: st, enteredTime: sc.ec.enteredTime, item: itemCtx}
				states := (&jsonataStates{input: eff}).value(ec)
				v, err := jselector.eval("ItemSelector", states, ec)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = sc.jsonataError(err)
						cancel()
					}
					mu.Unlock()
					return
				}
				in = v
			} else if selector != nil {
				ec := &evalCtx{x: x, scope: sc.ec.scope, state: st, enteredTime: sc.ec.enteredTime, item: itemCtx}
				v, err := selector.eval(eff, ec)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = sc.runtime(fmt.Sprintf("ItemSelector: %v", err))
						cancel()
					}
					mu.Unlock()
					return
				}
				in = v
			}
			out, serr := x.runMachine(ctx, th, st.ItemProcessor, in, itemCtx, sc.ec.scope.child())
			mu.Lock()
			defer mu.Unlock()
			if serr != nil {
				if serr.aborted {
					x.addEvent(th, HistoryEvent{Type: "MapIterationAborted", MapIterationAbortedEventDetails: &MapIterationDetails{Name: st.Name, Index: i}})
					return
				}
				x.addEvent(th, HistoryEvent{Type: "MapIterationFailed", MapIterationFailedEventDetails: &MapIterationDetails{Name: st.Name, Index: i}})
				failures++
				errOut := map[string]any{}
				if !serr.noName {
					errOut["Error"] = serr.Name
				}
				if !serr.noCause {
					errOut["Cause"] = serr.Cause
				}
				outs[i] = errOut
				if firstErr == nil && (serr.terminal || exceeded()) {
					if tolerates && !serr.terminal {
						firstErr = &StateError{Name: ErrExceedToleratedFailure, Cause: "The specified tolerated failure threshold was exceeded"}
					} else {
						firstErr = serr
					}
					cancel()
				}
				return
			}
			x.addEvent(th, HistoryEvent{Type: "MapIterationSucceeded", MapIterationSucceededEventDetails: &MapIterationDetails{Name: st.Name, Index: i}})
			outs[i] = out
		}()
	}
	wg.Wait()
	sc.th.prev = x.lastID()
	if sc.ctx.Err() != nil {
		return nil, abortedError()
	}
	if firstErr != nil {
		x.addEvent(sc.th, HistoryEvent{Type: "MapStateFailed"})
		return nil, firstErr
	}
	x.addEvent(sc.th, HistoryEvent{Type: "MapStateSucceeded"})
	return outs, nil
}

// lenientInt accepts an integral number or a string holding one, as Step
// Functions does for the *Path fields of Map.
func lenientInt(v any) (int64, bool) {
	if s, ok := v.(string); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return n, err == nil
	}
	return asInteger(v)
}

// lenientFloat is lenientInt for ToleratedFailurePercentagePath.
func lenientFloat(v any) (float64, bool) {
	if s, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	return toFloat(v)
}
