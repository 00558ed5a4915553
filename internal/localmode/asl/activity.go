package asl

import (
	"context"
	"fmt"
	"sync"
)

// activity counts Lambda invocations in progress. A FakeClock driver must
// not move time while a handler is running, or a task deadline could fire
// before a handler that would have returned in time; see AdvanceUntil.
type activity struct {
	mu      sync.Mutex
	n       int
	changed chan struct{}
}

type activityKey struct{}

func (a *activity) add(d int) {
	a.mu.Lock()
	a.n += d
	if a.changed != nil {
		close(a.changed)
		a.changed = nil
	}
	a.mu.Unlock()
}

func (a *activity) state() (int, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.changed == nil {
		a.changed = make(chan struct{})
	}
	return a.n, a.changed
}

// Blocking tells the engine that the Lambda handler owning ctx is about to
// wait on the engine's clock (e.g. a test handler simulating a slow
// function), so fake time may advance meanwhile. Call the returned function
// when the wait is over. Outside an engine invocation it does nothing.
func Blocking(ctx context.Context) (resume func()) {
	a, ok := ctx.Value(activityKey{}).(*activity)
	if !ok {
		return func() {}
	}
	a.add(-1)
	return func() { a.add(1) }
}

// AdvanceUntil drives a FakeClock for one execution until pred holds: each
// time no Lambda handler is running and a timer is pending, the clock jumps
// to the earliest timer. Without pending timers it waits for progress (e.g.
// SendTaskSuccess from another goroutine) until ctx ends.
func (e *Engine) AdvanceUntil(ctx context.Context, clk *FakeClock, arn string, pred func(*ExecutionInfo) bool) (*ExecutionInfo, error) {
	x, err := e.execution(arn)
	if err != nil {
		return nil, err
	}
	for {
		execChanged := x.changeSignal()
		clockChanged := clk.Changed()
		busy, actChanged := e.act.state()
		d := x.describe()
		if pred(d) {
			return d, nil
		}
		if busy == 0 && clk.Pending() > 0 {
			clk.AdvanceToNext()
			continue
		}
		select {
		case <-execChanged:
		case <-clockChanged:
		case <-actChanged:
		case <-ctx.Done():
			return d, fmt.Errorf("advance execution %s: %w", arn, ctx.Err())
		}
	}
}

// Busy reports how many Lambda handlers the engine is running now (those
// waiting on the clock through Blocking not counted): a driver of a fake
// clock jumps only while it is 0, so no task times out because time jumped
// while it worked.
func (e *Engine) Busy() int {
	busy, _ := e.act.state()
	return busy
}
