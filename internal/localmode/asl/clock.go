package asl

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is the engine's source of time. Wait states, retries, task timeouts,
// heartbeats and history timestamps all go through it (task timeouts and
// heartbeats through Options.TaskClock when set), so tests can use a
// FakeClock and never sleep.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer from a Clock.
type Timer interface {
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was pending.
	Stop() bool
}

// RealClock is wall-clock time, optionally sped up by Speed (e.g. 60 makes a
// one-minute Wait take one second) for local demos. Speed <= 0 means 1.
type RealClock struct {
	Speed float64
	once  sync.Once
	base  time.Time
	// from is the time of the first reading of a sped-up clock, when later
	// than the real time then (see ContinueFrom).
	from time.Time
}

// ContinueFrom makes a sped-up clock start at t if t is later than the real
// time at its first reading: a sped-up run that keeps its data must not see
// its time go backwards when it starts again. It must be called before the
// first Now; a clock at normal speed is the real time regardless.
func (c *RealClock) ContinueFrom(t time.Time) { c.from = t }

func (c *RealClock) speed() float64 {
	if c == nil || c.Speed <= 0 {
		return 1
	}
	return c.Speed
}

// Now returns the (possibly accelerated) current time.
func (c *RealClock) Now() time.Time {
	s := c.speed()
	if s == 1 {
		return time.Now()
	}
	c.once.Do(func() {
		c.base = time.Now()
		if c.from.Before(c.base) {
			c.from = c.base
		}
	})
	elapsed := time.Since(c.base)
	return c.from.Add(time.Duration(float64(elapsed) * s))
}

// NewTimer returns a timer that fires after d of (accelerated) time.
func (c *RealClock) NewTimer(d time.Duration) Timer {
	return realTimer{time.NewTimer(time.Duration(float64(d) / c.speed()))}
}

type realTimer struct{ t *time.Timer }

// ScaledClock runs Speed times faster than Base (Speed <= 0 means 1): its
// time moves Speed seconds per second of Base, and a timer for d fires after
// d/Speed of Base. It is RealClock's speed-up over any clock, so tests can
// scale a FakeClock to see what a sped-up run does without sleeping.
type ScaledClock struct {
	Base  Clock
	Speed float64
	once  sync.Once
	start time.Time
}

func (c *ScaledClock) speed() float64 {
	if c.Speed <= 0 {
		return 1
	}
	return c.Speed
}

// Now returns Base's time at the first call plus Speed times Base's time
// since.
func (c *ScaledClock) Now() time.Time {
	now := c.Base.Now()
	c.once.Do(func() { c.start = now })
	return c.start.Add(time.Duration(float64(now.Sub(c.start)) * c.speed()))
}

// NewTimer returns a Base timer for d/Speed.
func (c *ScaledClock) NewTimer(d time.Duration) Timer {
	return c.Base.NewTimer(time.Duration(float64(d) / c.speed()))
}

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// FakeClock is a manually advanced clock for tests.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	changed chan struct{}
}

// NewFakeClock returns a FakeClock set to start.
func NewFakeClock(start time.Time) *FakeClock {
	return &FakeClock{now: start, changed: make(chan struct{})}
}

type fakeTimer struct {
	clock    *FakeClock
	deadline time.Time
	ch       chan time.Time
	fired    bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			c.notifyLocked()
			return true
		}
	}
	return false
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer registers a timer; it fires when the clock is advanced past d.
func (c *FakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, deadline: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.fired = true
		t.ch <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	c.notifyLocked()
	return t
}

func (c *FakeClock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Advance moves time forward by d, firing every timer that falls due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(c.now.Add(d))
}

func (c *FakeClock) setLocked(t time.Time) {
	if t.After(c.now) {
		c.now = t
	}
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].deadline.Before(c.timers[j].deadline) })
	n := 0
	for _, tm := range c.timers {
		if !tm.deadline.After(c.now) {
			tm.fired = true
			tm.ch <- tm.deadline
			continue
		}
		c.timers[n] = tm
		n++
	}
	c.timers = c.timers[:n]
	c.notifyLocked()
}

// Pending returns the number of timers not yet fired.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// AdvanceToNext jumps to the earliest pending deadline and fires the timers
// due then; it reports false if no timer is pending.
func (c *FakeClock) AdvanceToNext() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return false
	}
	next := c.timers[0].deadline
	for _, t := range c.timers[1:] {
		if t.deadline.Before(next) {
			next = t.deadline
		}
	}
	c.setLocked(next)
	return true
}

// WaitForTimers blocks until at least n timers are pending (or ctx ends).
func (c *FakeClock) WaitForTimers(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		have, ch := len(c.timers), c.changed
		c.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Changed returns a channel closed at the next timer registration, stop or advance.
func (c *FakeClock) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}
