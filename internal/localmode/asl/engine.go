package asl

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// Execution statuses as Step Functions reports them.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// DefaultMaxPayloadBytes is Step Functions' 256 KiB state payload limit.
const DefaultMaxPayloadBytes = 256 * 1024

// Resolver maps a Lambda function ARN (possibly qualified) or bare function
// name to an in-process handler; it reports false for unknown functions.
type Resolver func(nameOrArn string) (lambda.Handler, bool)

// MapResolver resolves functions registered under their name or ARN. Lookups
// by ARN fall back to the function name (qualifiers such as :$LATEST are
// ignored), so a map keyed by name serves both forms.
func MapResolver(functions map[string]lambda.Handler) Resolver {
	return func(ref string) (lambda.Handler, bool) {
		if h, ok := functions[ref]; ok {
			return h, true
		}
		name := FunctionName(ref)
		if h, ok := functions[name]; ok {
			return h, true
		}
		for k, h := range functions {
			if FunctionName(k) == name {
				return h, true
			}
		}
		return nil, false
	}
}

// FunctionName extracts the function name from a Lambda ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) or partial ARN;
// anything else is returned unchanged.
func FunctionName(ref string) string {
	// Same as splitting on ":" and taking the part after the first
	// "function" part that has one (or the first of exactly two parts),
	// without building the parts.
	after, found := strings.CutPrefix(ref, "function:")
	if !found {
		if i := strings.Index(ref, ":function:"); i >= 0 {
			after, found = ref[i+len(":function:"):], true
		}
	}
	if found {
		name, _, _ := strings.Cut(after, ":")
		return name
	}
	if strings.Count(ref, ":") == 1 { // NAME:QUALIFIER
		name, _, _ := strings.Cut(ref, ":")
		return name
	}
	return ref
}

// Options configure an Engine. Zero values get sensible defaults.
type Options struct {
	Clock           Clock    // default: &RealClock{}
	Resolver        Resolver // default: no functions
	Region          string   // default: us-east-1
	Account         string   // default: 123456789012
	MaxPayloadBytes int      // default: DefaultMaxPayloadBytes
	// TaskClock times what is technical rather than part of the workflow's
	// business: a Lambda invocation's TimeoutSeconds and a task's
	// HeartbeatSeconds. A waitForTaskToken task's callback wait (a reply
	// deadline) and Wait states stay on Clock. Local mode passes real time
	// here when it speeds Clock up, so a function is not cut off after
	// TimeoutSeconds/speed of real time. Default: Clock.
	TaskClock Clock
	// Random returns a number in [0, n) for States.MathRandom and retry
	// jitter; seed is non-nil when the definition passes a seed. Default:
	// math/rand/v2, seeded deterministically when seed is given.
	Random func(seed *int64, n int64) int64
	// RetainFinished is how many finished executions the engine keeps
	// (across all state machines) for DescribeExecution,
	// GetExecutionHistory and ListExecutions; when more have finished, the
	// ones that finished first are forgotten (the calls then report
	// ExecutionDoesNotExist, and the name may be used again). Running
	// executions are always kept. Default (0): DefaultRetainFinished;
	// negative: keep every execution (memory grows without bound).
	RetainFinished int
	// Journal, when set, keeps executions across restarts (see Journal and
	// Engine.Restore).
	Journal Journal
}

// DefaultRetainFinished is the number of finished executions an engine keeps
// by default: plenty for local runs and tests (running executions are kept
// regardless), yet bounded, so a long-lived engine (or a benchmark) does not
// grow its heap forever, and small enough that the retained histories stay
// cheap for the garbage collector, which rescans them on every cycle (with
// thousands retained, that rescanning costs a short execution more than
// running it). Set Options.RetainFinished to keep more.
const DefaultRetainFinished = 256

// Engine runs state machines. It is safe for concurrent use.
type Engine struct {
	opts  Options
	clock Clock
	// taskClock is Options.TaskClock; oneClock is true when that is clock,
	// so a task arms one deadline timer (as Step Functions has one deadline).
	taskClock Clock
	oneClock  bool

	mu         sync.Mutex
	machines   map[string]*machine
	executions map[string]*execution
	tokens     map[string]*taskWait
	doneTokens map[string]struct{}
	act        activity
	// finished holds retained finished executions in finish order from
	// finishedHead on (see Options.RetainFinished).
	finished     []*execution
	finishedHead int

	// transitions counts states entered, what Step Functions Standard bills.
	transitions atomic.Int64
}

// Transitions is how many states every execution has entered so far: the
// state transitions Step Functions Standard bills for.
func (e *Engine) Transitions() int64 { return e.transitions.Load() }

// New creates an engine.
func New(opts Options) *Engine {
	if opts.Clock == nil {
		opts.Clock = &RealClock{}
	}
	oneClock := opts.TaskClock == nil
	if oneClock {
		opts.TaskClock = opts.Clock
	}
	if opts.Resolver == nil {
		opts.Resolver = func(string) (lambda.Handler, bool) { return nil, false }
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	if opts.MaxPayloadBytes <= 0 {
		opts.MaxPayloadBytes = DefaultMaxPayloadBytes
	}
	if opts.Random == nil {
		opts.Random = defaultRandom
	}
	if opts.RetainFinished == 0 {
		opts.RetainFinished = DefaultRetainFinished
	}
	return &Engine{
		opts:       opts,
		clock:      opts.Clock,
		taskClock:  opts.TaskClock,
		oneClock:   oneClock,
		machines:   map[string]*machine{},
		executions: map[string]*execution{},
		tokens:     map[string]*taskWait{},
		doneTokens: map[string]struct{}{},
	}
}

func defaultRandom(seed *int64, n int64) int64 {
	if n <= 0 {
		return 0
	}
	if seed != nil {
		return mrand.New(mrand.NewPCG(uint64(*seed), 0)).Int64N(n)
	}
	return mrand.Int64N(n)
}

// Clock returns the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

type machine struct {
	info StateMachineInfo
	def  *StateMachine
	// executions in start order, for ListExecutions.
	executions []*execution
	// execPrefix is the ARN of its executions without the execution name.
	execPrefix string
	// forgotten counts entries of executions that retention has dropped
	// (compacted away once they are half of the slice).
	forgotten int
}

// retire records a finished execution and forgets the oldest finished ones
// beyond Options.RetainFinished.
func (e *Engine) retire(x *execution) {
	limit := e.opts.RetainFinished
	if limit < 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.finished = append(e.finished, x)
	for len(e.finished)-e.finishedHead > limit {
		old := e.finished[e.finishedHead]
		e.finished[e.finishedHead] = nil
		e.finishedHead++
		delete(e.executions, old.arn) // still old's: its name is taken until now
		old.forgotten = true
		m := old.m
		m.forgotten++
		if m.forgotten > 32 && m.forgotten > len(m.executions)/2 {
			kept := m.executions[:0]
			for _, y := range m.executions {
				if !y.forgotten {
					kept = append(kept, y)
				}
			}
			clear(m.executions[len(kept):])
			m.executions, m.forgotten = kept, 0
		}
	}
	if e.finishedHead > 32 && e.finishedHead > len(e.finished)/2 {
		n := copy(e.finished, e.finished[e.finishedHead:])
		clear(e.finished[n:])
		e.finished, e.finishedHead = e.finished[:n], 0
	}
}

// StateMachineInfo describes a registered state machine.
type StateMachineInfo struct {
	StateMachineArn string
	Name            string
	Definition      string
	RoleArn         string
	Type            string // STANDARD
	Status          string // ACTIVE
	CreationDate    time.Time
}

// validName applies the Step Functions naming rule for machines and executions.
func validName(n string) bool {
	if n == "" || len(n) > 80 {
		return false
	}
	for i := 0; i < len(n); i++ { // bytes: any non-ASCII byte fails anyway
		c := n[i]
		if !(c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return true
}

// StateMachineArn returns the ARN a state machine with this name gets.
func (e *Engine) StateMachineArn(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", e.opts.Region, e.opts.Account, name)
}

// CreateStateMachine validates and registers a state machine. Registering the
// same name again with the same definition and role returns the existing one
// (as Step Functions does); a different definition is StateMachineAlreadyExists.
func (e *Engine) CreateStateMachine(name string, definition []byte, roleArn string) (*StateMachineInfo, error) {
	if !validName(name) {
		return nil, &InvalidNameError{Name: name}
	}
	def, err := Parse(definition)
	if err != nil {
		return nil, fmt.Errorf("create state machine %s: %w", name, err)
	}
	arn := e.StateMachineArn(name)
	e.mu.Lock()
	defer e.mu.Unlock()
	if m, ok := e.machines[arn]; ok {
		if m.info.Definition == string(definition) && m.info.RoleArn == roleArn {
			info := m.info
			return &info, nil
		}
		return nil, &StateMachineAlreadyExistsError{StateMachineArn: arn}
	}
	m := &machine{
		def:        def,
		execPrefix: fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:", e.opts.Region, e.opts.Account, name),
		info: StateMachineInfo{
			StateMachineArn: arn, Name: name, Definition: string(definition), RoleArn: roleArn,
			Type: "STANDARD", Status: "ACTIVE", CreationDate: e.clock.Now(),
		},
	}
	e.machines[arn] = m
	info := m.info
	return &info, nil
}

// DescribeStateMachine returns a registered state machine.
func (e *Engine) DescribeStateMachine(arn string) (*StateMachineInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.machines[arn]
	if !ok {
		return nil, &StateMachineDoesNotExistError{StateMachineArn: arn}
	}
	info := m.info
	return &info, nil
}

// ListStateMachines lists registered machines sorted by name.
func (e *Engine) ListStateMachines() []StateMachineInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]StateMachineInfo, 0, len(e.machines))
	for _, m := range e.machines {
		out = append(out, m.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ExecutionInfo describes an execution (DescribeExecution).
type ExecutionInfo struct {
	ExecutionArn    string
	StateMachineArn string
	Name            string
	Status          string
	Input           string
	Output          string // set when SUCCEEDED
	Error           string // set when FAILED/TIMED_OUT/ABORTED with an error
	Cause           string
	StartDate       time.Time
	StopDate        time.Time // zero while RUNNING
	// WaitingTokens are the task tokens the execution currently waits on.
	WaitingTokens []string
}

// StartExecution starts an execution. name may be empty (a random name is
// used). Starting a name that exists returns the running execution if its
// input is identical, otherwise ExecutionAlreadyExistsError.
func (e *Engine) StartExecution(smArn, name string, input []byte) (*ExecutionInfo, error) {
	x, started, err := e.start(smArn, name, input)
	if err != nil {
		return nil, err
	}
	if started {
		go x.run()
	}
	return x.describe(), nil
}

// start registers a new execution without running it (started) or finds
// the running one with the same name and input (!started).
func (e *Engine) start(smArn, name string, input []byte) (x *execution, started bool, err error) {
	if name == "" {
		name = newUUID()
	}
	if !validName(name) {
		return nil, false, &InvalidNameError{Name: name}
	}
	if len(input) == 0 {
		input = []byte("{}")
	}
	if len(input) > e.opts.MaxPayloadBytes {
		return nil, false, &InvalidExecutionInputError{Msg: "input exceeds the maximum payload size"}
	}
	in, inputJSON, err := parseJSONText(input)
	if err != nil {
		return nil, false, &InvalidExecutionInputError{Msg: err.Error()}
	}
	if inputJSON == "" {
		inputJSON = toJSONString(in)
	}
	e.mu.Lock()
	m, ok := e.machines[smArn]
	if !ok {
		e.mu.Unlock()
		return nil, false, &StateMachineDoesNotExistError{StateMachineArn: smArn}
	}
	arn := m.execPrefix + name
	if x, ok := e.executions[arn]; ok {
		e.mu.Unlock()
		x.mu.Lock()
		same := x.status == StatusRunning && x.inputJSON == inputJSON
		x.mu.Unlock()
		if same {
			return x, false, nil
		}
		return nil, false, &ExecutionAlreadyExistsError{ExecutionArn: arn}
	}
	x = &execution{
		e: e, m: m, arn: arn, name: name, input: in, inputJSON: inputJSON,
		startTime: e.clock.Now(), status: StatusRunning,
	}
	x.ctx = &x.xctx
	x.events = x.eventBuf[:0]
	e.executions[arn] = x
	m.executions = append(m.executions, x)
	e.mu.Unlock()

	x.record(&thread{}, event{kind: evExecutionStarted})
	if e.opts.Journal != nil {
		// Started means kept: a restart must not lose what the caller was
		// told has started.
		if err := x.save(&ResumePoint{State: m.def.StartAt, Input: []byte(inputJSON)}, true); err != nil {
			e.mu.Lock()
			delete(e.executions, arn)
			if i := len(m.executions) - 1; i >= 0 && m.executions[i] == x {
				m.executions[i] = nil
				m.executions = m.executions[:i]
			}
			e.mu.Unlock()
			return nil, false, fmt.Errorf("keep execution %s: %w", arn, err)
		}
	}
	return x, true, nil
}

func (e *Engine) execution(arn string) (*execution, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.executions[arn]
	if !ok {
		return nil, &ExecutionDoesNotExistError{ExecutionArn: arn}
	}
	return x, nil
}

// DescribeExecution returns the current state of an execution.
func (e *Engine) DescribeExecution(arn string) (*ExecutionInfo, error) {
	x, err := e.execution(arn)
	if err != nil {
		return nil, err
	}
	return x.describe(), nil
}

// ListExecutions lists a machine's executions, newest first, optionally
// filtered by status ("" for all).
func (e *Engine) ListExecutions(smArn, status string) ([]ExecutionInfo, error) {
	e.mu.Lock()
	m, ok := e.machines[smArn]
	if !ok {
		e.mu.Unlock()
		return nil, &StateMachineDoesNotExistError{StateMachineArn: smArn}
	}
	xs := make([]*execution, 0, len(m.executions)-m.forgotten)
	for _, x := range m.executions {
		if !x.forgotten {
			xs = append(xs, x)
		}
	}
	e.mu.Unlock()
	out := make([]ExecutionInfo, 0, len(xs))
	for i := len(xs) - 1; i >= 0; i-- {
		d := xs[i].describe()
		if status == "" || d.Status == status {
			out = append(out, *d)
		}
	}
	return out, nil
}

// GetExecutionHistory returns a copy of the execution's events in order.
func (e *Engine) GetExecutionHistory(arn string) ([]HistoryEvent, error) {
	x, err := e.execution(arn)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	stored := append([]event(nil), x.events...)
	output := x.output
	x.mu.Unlock()
	events := make([]HistoryEvent, 0, x.eventBase+len(stored))
	loc := x.startTime.Location()
	if x.eventBase > 0 {
		// A restored execution's earlier events stay with the journal
		// until someone reads them.
		kept, err := e.keptHistory(x)
		if err != nil {
			return nil, err
		}
		for _, ev := range kept {
			h := ev.Event
			h.Timestamp = ev.At.In(loc)
			events = append(events, h)
		}
	}
	for i := range stored {
		events = append(events, stored[i].historyEvent(x.inputJSON, x.m.info.RoleArn, output, loc))
	}
	return events, nil
}

// StopExecution aborts a running execution. Stopping a finished execution is
// a no-op that returns its stop date.
func (e *Engine) StopExecution(arn, errName, cause string) (time.Time, error) {
	x, err := e.execution(arn)
	if err != nil {
		return time.Time{}, err
	}
	x.finish(StatusAborted, "", errName, cause, &thread{prev: x.lastID()})
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.stopDate, nil
}

// WaitFor blocks until pred holds for the execution's description (checked
// after every history event) or ctx ends. It never sleeps: it is woken by
// the execution's own progress.
func (e *Engine) WaitFor(ctx context.Context, arn string, pred func(*ExecutionInfo) bool) (*ExecutionInfo, error) {
	x, err := e.execution(arn)
	if err != nil {
		return nil, err
	}
	for {
		ch := x.changeSignal()
		d := x.describe()
		if pred(d) {
			return d, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return d, fmt.Errorf("wait for execution %s: %w", arn, ctx.Err())
		}
	}
}

// changeSignal returns a channel closed at the execution's next change.
func (x *execution) changeSignal() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.changed == nil {
		x.changed = make(chan struct{})
	}
	return x.changed
}

// Done is a WaitFor predicate: the execution has finished.
func Done(d *ExecutionInfo) bool { return d.Status != StatusRunning }

// WaitingForToken is a WaitFor predicate: the execution has submitted a
// callback task and waits for SendTask* with its token (or has finished).
func WaitingForToken(d *ExecutionInfo) bool {
	return len(d.WaitingTokens) > 0 || d.Status != StatusRunning
}

// Run starts an execution and waits for it to finish.
//
// When ctx can never be cancelled (ctx.Done() is nil, as for
// context.Background()), Run would wait for the very end anyway, so it runs
// the execution on the calling goroutine instead of starting one: the
// execution behaves the same (it is visible to DescribeExecution,
// StopExecution, SendTask* and the other calls from other goroutines while
// it runs), it just costs no goroutine hand-off.
func (e *Engine) Run(ctx context.Context, smArn, name string, input []byte) (*ExecutionInfo, error) {
	x, started, err := e.start(smArn, name, input)
	if err != nil {
		return nil, err
	}
	if started && ctx.Done() == nil {
		x.run()
	} else if started {
		go x.run()
	}
	// Woken once, when the execution finishes (WaitFor wakes per event).
	select {
	case <-x.doneChan():
		return x.describe(), nil
	case <-ctx.Done():
		return x.describe(), fmt.Errorf("wait for execution %s: %w", x.arn, ctx.Err())
	}
}

// ---- task tokens ----

type taskOutcome struct {
	output    any
	errName   string
	cause     string
	failed    bool
	heartbeat bool
}

type taskWait struct {
	token string
	x     *execution
	ch    chan taskOutcome // buffered; heartbeats and the final outcome
}

const tokenRawLen = 48

func newToken() string {
	var b [tokenRawLen]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func wellFormedToken(t string) bool {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(b) == tokenRawLen
}

func (e *Engine) registerToken(x *execution) (string, *taskWait) {
	tok := newToken()
	w := &taskWait{x: x, ch: make(chan taskOutcome, 16)}
	e.mu.Lock()
	e.tokens[tok] = w
	e.mu.Unlock()
	return tok, w
}

// markWaiting lists tok in ExecutionInfo.WaitingTokens once the task has
// been submitted and only waits for its callback.
// A token answered before its task was submitted (a function that answers
// its own step) is not listed: it no longer waits. The check holds x.mu, so
// releaseToken (which takes e.mu, then x.mu) either ran before it or
// unlists the token after it.
func (x *execution) markWaiting(tok string) {
	x.mu.Lock()
	if x.status == StatusRunning {
		x.e.mu.Lock()
		_, waiting := x.e.tokens[tok]
		x.e.mu.Unlock()
		if waiting {
			if x.tokens == nil {
				x.tokens = map[string]struct{}{}
			}
			x.tokens[tok] = struct{}{}
		}
	}
	x.mu.Unlock()
	x.notify()
}

// releaseToken retires tok; it reports whether tok was still waiting (only
// one caller wins it).
func (e *Engine) releaseToken(tok string) bool {
	e.mu.Lock()
	w := e.tokens[tok]
	delete(e.tokens, tok)
	e.doneTokens[tok] = struct{}{}
	e.mu.Unlock()
	if w != nil {
		w.x.mu.Lock()
		delete(w.x.tokens, tok)
		w.x.mu.Unlock()
		w.x.notify()
	}
	return w != nil
}

func (e *Engine) lookupToken(tok string) (*taskWait, error) {
	if !wellFormedToken(tok) {
		return nil, &InvalidTokenError{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if w, ok := e.tokens[tok]; ok {
		return w, nil
	}
	if _, ok := e.doneTokens[tok]; ok {
		return nil, &TaskTimedOutError{}
	}
	return nil, &TaskDoesNotExistError{}
}

func (e *Engine) deliver(tok string, o taskOutcome) error {
	w, err := e.lookupToken(tok)
	if err != nil {
		return err
	}
	if !o.heartbeat {
		// Only the first outcome counts: release now so a second call gets TaskTimedOut.
		if !e.releaseToken(tok) {
			return &TaskTimedOutError{}
		}
		// Kept before the caller hears it arrived; a failed save is the
		// journal's to report, the answer still counts in this run.
		_ = w.x.saveOutcome(tok, o)
	}
	select {
	case w.ch <- o:
	default:
		if !o.heartbeat {
			return &TaskTimedOutError{}
		}
	}
	return nil
}

// SendTaskSuccess completes the task waiting on token with output (JSON).
func (e *Engine) SendTaskSuccess(token string, output []byte) error {
	v, err := ParseJSON(output)
	if err != nil {
		if _, terr := e.lookupToken(token); terr != nil {
			return terr
		}
		return &InvalidOutputError{Msg: err.Error()}
	}
	return e.deliver(token, taskOutcome{output: v})
}

// SendTaskFailure fails the task waiting on token.
func (e *Engine) SendTaskFailure(token, errName, cause string) error {
	return e.deliver(token, taskOutcome{failed: true, errName: errName, cause: cause})
}

// SendTaskHeartbeat resets the heartbeat timer of the task waiting on token.
func (e *Engine) SendTaskHeartbeat(token string) error {
	return e.deliver(token, taskOutcome{heartbeat: true})
}

// ---- execution ----

type execution struct {
	e         *Engine
	m         *machine
	arn, name string
	forgotten bool // dropped by retention; guarded by e.mu
	input     any
	inputJSON string
	startTime time.Time
	ctx       context.Context // &xctx
	xctx      execContext

	mu       sync.Mutex
	status   string
	output   string
	errName  string
	cause    string
	stopDate time.Time
	events   []event
	// changed is closed on the next event; created only when someone waits,
	// so executions nobody watches do not allocate a channel per event.
	changed chan struct{}
	// done is closed when the execution finishes; created only when someone
	// waits for that (see doneChan).
	done    chan struct{}
	tokens  map[string]struct{}
	ctxBase map[string]any

	// eventBase is how many of a restored execution's events the journal
	// holds and memory does not (events has the later ones).
	eventBase int
	// jmu orders the execution's saves to the journal; savedEvents (how
	// many of events the journal has) and lastAt (the last resume point
	// saved) are guarded by it.
	jmu         sync.Mutex
	savedEvents int
	lastAt      *ResumePoint
	// resumeAt is where a restored execution carries on (run takes it),
	// resumeWait the callback wait it resumes with, if any.
	resumeAt   *ResumePoint
	resumeWait *taskWait

	// th and scope are the top-level thread and variables (kept here to
	// save allocations per execution); only run uses them.
	th    thread
	scope varScope
	// eventBuf holds the first events (most executions need no more).
	eventBuf [16]event
}

// thread tracks previousEventId along one line of execution (Parallel
// branches and Map iterations each have their own).
type thread struct{ prev int64 }

func (x *execution) broadcastLocked() {
	if x.changed != nil {
		close(x.changed)
		x.changed = nil
	}
}

// execContext is an execution's context, cancelled when it finishes. It
// lives inside the execution (no allocation) and makes its Done channel
// only when something waits on it.
type execContext struct {
	mu       sync.Mutex
	done     chan struct{}
	canceled atomic.Bool
}

func (c *execContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *execContext) Value(any) any               { return nil }

func (c *execContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		if c.canceled.Load() {
			return closedChan
		}
		c.done = make(chan struct{})
	}
	return c.done
}

func (c *execContext) Err() error {
	if c.canceled.Load() {
		return context.Canceled
	}
	return nil
}

func (c *execContext) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.canceled.Load() {
		return
	}
	c.canceled.Store(true)
	if c.done != nil {
		close(c.done)
	}
}

func (c *execContext) String() string { return "asl.execContext" }

// closedChan is a closed channel.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// doneChan returns a channel closed when the execution has finished.
func (x *execution) doneChan() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.status != StatusRunning {
		return closedChan
	}
	if x.done == nil {
		x.done = make(chan struct{})
	}
	return x.done
}

func (x *execution) notify() {
	x.mu.Lock()
	x.broadcastLocked()
	x.mu.Unlock()
}

func (x *execution) lastID() int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return int64(x.eventBase + len(x.events))
}

// addEvent appends an event; events after the execution ended are dropped
// (e.g. a branch still unwinding after StopExecution).
func (x *execution) addEvent(th *thread, ev HistoryEvent) int64 {
	return x.record(th, event{kind: evFull, payload: &ev})
}

// addStateEvent records one of the compact event kinds (see eventKind).
func (x *execution) addStateEvent(th *thread, kind eventKind, st *State, payload any) int64 {
	return x.record(th, event{kind: kind, st: st, payload: payload})
}

func (x *execution) record(th *thread, ev event) int64 {
	id, _ := x.recordAt(th, ev)
	return id
}

// recordAt is record that also returns the event's time (now, if the
// execution has ended and the event was dropped).
func (x *execution) recordAt(th *thread, ev event) (int64, time.Time) {
	x.mu.Lock()
	now := x.e.clock.Now()
	if x.status != StatusRunning {
		x.mu.Unlock()
		return th.prev, now
	}
	ev.id = int32(x.eventBase + len(x.events) + 1)
	ev.prev = int32(th.prev)
	ev.ts = now.UnixNano()
	x.events = append(x.events, ev)
	th.prev = int64(ev.id)
	x.broadcastLocked()
	x.mu.Unlock()
	return int64(ev.id), now
}

func (x *execution) describe() *ExecutionInfo {
	x.mu.Lock()
	defer x.mu.Unlock()
	d := &ExecutionInfo{
		ExecutionArn: x.arn, StateMachineArn: x.m.info.StateMachineArn, Name: x.name,
		Status: x.status, Input: x.inputJSON, Output: x.output, Error: x.errName, Cause: x.cause,
		StartDate: x.startTime, StopDate: x.stopDate,
	}
	for t := range x.tokens {
		d.WaitingTokens = append(d.WaitingTokens, t)
	}
	sort.Strings(d.WaitingTokens)
	return d
}

// finish records the final status once; later calls are ignored.
func (x *execution) finish(status, output, errName, cause string, th *thread) {
	x.finishAt(status, output, errName, cause, th, time.Time{})
}

// finishAt is finish with an explicit stop time (zero: now).
func (x *execution) finishAt(status, output, errName, cause string, th *thread, at time.Time) {
	var ev event
	switch status {
	case StatusSucceeded:
		ev.kind = evExecutionSucceeded // its output is x.output
	case StatusFailed:
		ev.payload = &HistoryEvent{Type: "ExecutionFailed", ExecutionFailedEventDetails: &FailureDetails{Error: errName, Cause: cause}}
	case StatusAborted:
		ev.payload = &HistoryEvent{Type: "ExecutionAborted", ExecutionAbortedEventDetails: &FailureDetails{Error: errName, Cause: cause}}
	case StatusTimedOut:
		ev.payload = &HistoryEvent{Type: "ExecutionTimedOut", ExecutionTimedOutEventDetails: &FailureDetails{Error: errName, Cause: cause}}
	}
	x.mu.Lock()
	if x.status != StatusRunning {
		x.mu.Unlock()
		return
	}
	now := at
	if now.IsZero() {
		now = x.e.clock.Now()
	}
	ev.id = int32(x.eventBase + len(x.events) + 1)
	ev.prev = int32(th.prev)
	ev.ts = now.UnixNano()
	x.events = append(x.events, ev)
	x.status, x.output, x.errName, x.cause, x.stopDate = status, output, errName, cause, now
	toks := make([]string, 0, len(x.tokens))
	for t := range x.tokens {
		toks = append(toks, t)
	}
	x.broadcastLocked()
	if x.done != nil {
		close(x.done)
	}
	x.mu.Unlock()
	_ = x.save(nil, false) // the journal reports its own failures
	for _, t := range toks {
		x.e.releaseToken(t)
	}
	x.xctx.cancel()
	x.e.retire(x)
}

func (x *execution) run() {
	th := &x.th
	th.prev = 1
	if x.resumeAt != nil {
		th.prev = x.lastID()
	}
	var deadline time.Time
	if ts := x.m.def.TimeoutSeconds; ts > 0 {
		deadline = x.startTime.Add(time.Duration(ts) * time.Second)
		// A restored execution has less of its time left.
		timer := x.e.clock.NewTimer(deadline.Sub(x.e.clock.Now()))
		defer timer.Stop()
		go func() {
			select {
			case <-timer.C():
				x.finishAt(StatusTimedOut, "", ErrTimeout, "", &thread{prev: x.lastID()}, deadline)
			case <-x.ctx.Done():
			}
		}()
	}
	out, outText, serr := x.runMachineText(x.ctx, th, x.m.def, x.input, nil, &x.scope)
	// A result that arrives after the deadline (timer delivery races the
	// last state) still counts as a timeout.
	if !deadline.IsZero() && !x.e.clock.Now().Before(deadline) {
		x.finishAt(StatusTimedOut, "", ErrTimeout, "", th, deadline)
		return
	}
	if serr != nil {
		if serr.aborted {
			return
		}
		name := serr.Name
		if serr.noName {
			name = ""
		}
		x.finish(StatusFailed, "", name, serr.Cause, th)
		return
	}
	if outText == "" {
		outText = toJSONString(out)
	}
	x.finish(StatusSucceeded, outText, "", "", th)
}

// contextBase is the execution-wide part of the context object.
func (x *execution) contextBase() map[string]any {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ctxBase == nil {
		x.ctxBase = map[string]any{
			"Execution": map[string]any{
				"Id": x.arn, "Input": x.input, "Name": x.name, "RoleArn": x.m.info.RoleArn,
				"StartTime": formatTime(x.startTime), "RedriveCount": int64(0),
			},
			"StateMachine": map[string]any{"Id": x.m.info.StateMachineArn, "Name": x.m.info.Name},
		}
	}
	return x.ctxBase
}

func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
