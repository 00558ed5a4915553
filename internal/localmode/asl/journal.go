package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Journal keeps executions across restarts of the engine's process (local
// mode's --data). The engine saves an execution when it starts (StartExecution
// answers only after that save), when it enters a top-level state, when a
// callback task has been submitted and waits for its token, when a Wait
// state begins, and when it finishes; Restore picks the running ones up
// where their last save left them.
//
// Save is called from the execution's own line of work, one save of an
// execution at a time. Its error fails StartExecution when the start cannot
// be saved; later saves' errors are the journal's to report (the execution
// goes on in memory).
//
// wait asks for the record to be on disk before Save returns: the start and
// a callback's answer, which a caller is told have happened. The other
// saves may reach the disk a moment later (the next waiting save takes them
// along): one lost in a crash makes the execution resume at an earlier
// state and run its tasks again, as a retry does, and tasks are idempotent.
type Journal interface {
	Save(rec *ExecutionRecord, wait bool) error
}

// HistoryReader is a Journal that also reads an execution's kept events:
// Restore then takes records without their events (EventCount says how
// many there are), and GetExecutionHistory reads them when asked, so a
// restart does not read every history it keeps.
type HistoryReader interface {
	History(executionArn string) ([]RecordedEvent, error)
}

// ExecutionRecord is what a Journal keeps of an execution.
type ExecutionRecord struct {
	ExecutionArn    string
	StateMachineArn string
	Name            string
	Input           string
	StartDate       time.Time
	Status          string
	Output          string    `json:",omitempty"`
	Error           string    `json:",omitempty"`
	Cause           string    `json:",omitempty"`
	StopDate        time.Time `json:",omitzero"`
	// Events are the history events recorded since the previous save (the
	// journal appends them); Restore takes the whole history, or none with
	// a HistoryReader.
	Events []RecordedEvent `json:",omitempty"`
	// EventCount is how many events the execution has kept, these included.
	EventCount int
	// At is where a running execution resumes.
	At *ResumePoint `json:",omitempty"`
}

// RecordedEvent is a history event with its time.
type RecordedEvent struct {
	At    time.Time
	Event HistoryEvent
}

// ResumePoint is a top-level state to run again on restore, with the input
// it was entered with and the workflow's variables. A callback task that had
// been submitted resumes waiting on the same token until the same deadline
// (its function is not invoked again); a Wait state resumes until its end.
// Any other state runs again from its input, as a retried state does: a
// Task's function may so run twice, as it may in Step Functions.
type ResumePoint struct {
	State string
	Input json.RawMessage
	Vars  map[string]json.RawMessage `json:",omitempty"`
	// Token is the task token a submitted callback task waits on.
	Token string `json:",omitempty"`
	// Until is when the callback task times out, or the Wait state ends
	// (zero: never), on the engine's clock.
	Until time.Time `json:",omitzero"`
	// Retries are the retriers' attempt counts so far.
	Retries []int64 `json:",omitempty"`
	// Outcome is the answer to Token (SendTaskSuccess or SendTaskFailure)
	// that arrived before the execution could act on it.
	Outcome *TaskOutcome `json:",omitempty"`
}

// TaskOutcome is a callback's answer.
type TaskOutcome struct {
	Output json.RawMessage `json:",omitempty"`
	Failed bool            `json:",omitempty"`
	Error  string          `json:",omitempty"`
	Cause  string          `json:",omitempty"`
}

func (o *TaskOutcome) taskOutcome() (taskOutcome, error) {
	if o.Failed {
		return taskOutcome{failed: true, errName: o.Error, cause: o.Cause}, nil
	}
	v, err := ParseJSON(o.Output)
	if err != nil {
		return taskOutcome{}, fmt.Errorf("saved task output: %w", err)
	}
	return taskOutcome{output: v}, nil
}

// save hands the execution's record to the journal, with the events since
// the last save. at is where it resumes; nil saves a finished execution.
// A checkpoint of an execution that has meanwhile finished is dropped (the
// finish saves its own record). wait: see Journal.
func (x *execution) save(at *ResumePoint, wait bool) error {
	j := x.e.opts.Journal
	if j == nil {
		return nil
	}
	x.jmu.Lock()
	defer x.jmu.Unlock()
	x.mu.Lock()
	if (at != nil) != (x.status == StatusRunning) {
		x.mu.Unlock()
		return nil
	}
	rec := &ExecutionRecord{
		ExecutionArn: x.arn, StateMachineArn: x.m.info.StateMachineArn, Name: x.name, Input: x.inputJSON,
		StartDate: x.startTime, Status: x.status, Output: x.output, Error: x.errName, Cause: x.cause, StopDate: x.stopDate, At: at,
	}
	saved := len(x.events)
	rec.EventCount = x.eventBase + saved
	loc := x.startTime.Location()
	for i := x.savedEvents; i < saved; i++ {
		h := x.events[i].historyEvent(x.inputJSON, x.m.info.RoleArn, x.output, loc)
		rec.Events = append(rec.Events, RecordedEvent{At: h.Timestamp, Event: h})
	}
	x.mu.Unlock()
	if err := j.Save(rec, wait); err != nil {
		return err
	}
	x.savedEvents, x.lastAt = saved, at // guarded by jmu
	return nil
}

// saveOutcome keeps a callback's answer with the resume point that waits for
// it, before the caller is told it arrived: a restart then delivers it
// rather than waiting again for an answer that was already given.
func (x *execution) saveOutcome(tok string, o taskOutcome) error {
	if x.e.opts.Journal == nil {
		return nil
	}
	x.jmu.Lock()
	last := x.lastAt
	x.jmu.Unlock()
	if last == nil || last.Token != tok {
		return nil // not a top-level wait the journal resumes
	}
	at := *last
	at.Outcome = &TaskOutcome{Failed: o.failed, Error: o.errName, Cause: o.cause}
	if !o.failed {
		at.Outcome.Output = MarshalJSON(o.output)
	}
	return x.save(&at, true)
}

// checkpoint saves a running execution's resume point at a top-level state.
func (x *execution) checkpoint(st *State, input any, scope *varScope, token string, until time.Time, retries []int64) {
	if x.e.opts.Journal == nil {
		return
	}
	at := &ResumePoint{State: st.Name, Input: MarshalJSON(input), Token: token, Until: until}
	if len(retries) > 0 {
		at.Retries = append([]int64(nil), retries...)
	}
	scope.mu.RLock()
	if len(scope.vars) > 0 {
		at.Vars = make(map[string]json.RawMessage, len(scope.vars))
		for k, v := range scope.vars {
			at.Vars[k] = MarshalJSON(v)
		}
	}
	scope.mu.RUnlock()
	_ = x.save(at, false) // the journal reports its own failures
}

// RestoreError lists the executions Restore could not take back.
type RestoreError struct{ Problems []error }

func (e *RestoreError) Error() string {
	return fmt.Sprintf("%d executions not restored: %v", len(e.Problems), errors.Join(e.Problems...))
}

// Restore takes back executions a Journal kept: finished ones for
// DescribeExecution, ListExecutions and GetExecutionHistory, and running
// ones, which carry on from their resume point. Their state machines must
// exist (created again, as local mode does at every start). It returns how
// many executions resumed; a RestoreError lists the records it could not
// take back, the others are restored regardless.
func (e *Engine) Restore(recs []*ExecutionRecord) (resumed int, err error) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].StartDate.Before(recs[j].StartDate) })
	var problems []error
	var running []*execution
	for _, rec := range recs {
		x, err := e.restoreOne(rec)
		switch {
		case err != nil:
			problems = append(problems, fmt.Errorf("%s: %w", rec.ExecutionArn, err))
		case x.resumeAt != nil:
			running = append(running, x)
		default:
			e.retire(x)
		}
	}
	for _, x := range running {
		go x.run()
	}
	if len(problems) > 0 {
		return len(running), &RestoreError{Problems: problems}
	}
	return len(running), nil
}

func (e *Engine) restoreOne(rec *ExecutionRecord) (*execution, error) {
	in, err := ParseJSON([]byte(rec.Input))
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.machines[rec.StateMachineArn]
	if !ok {
		return nil, &StateMachineDoesNotExistError{StateMachineArn: rec.StateMachineArn}
	}
	if _, dup := e.executions[rec.ExecutionArn]; dup {
		return nil, &ExecutionAlreadyExistsError{ExecutionArn: rec.ExecutionArn}
	}
	x := &execution{
		e: e, m: m, arn: rec.ExecutionArn, name: rec.Name, input: in, inputJSON: rec.Input,
		startTime: rec.StartDate, status: rec.Status, output: rec.Output, errName: rec.Error, cause: rec.Cause, stopDate: rec.StopDate,
	}
	x.ctx = &x.xctx
	if len(rec.Events) == 0 && rec.EventCount > 0 {
		if _, ok := e.opts.Journal.(HistoryReader); !ok {
			return nil, errors.New("a record without its events, and no journal to read them from")
		}
		x.eventBase = rec.EventCount
	} else {
		x.events = make([]event, 0, len(rec.Events)+16)
		for i := range rec.Events {
			h := rec.Events[i].Event
			x.events = append(x.events, event{kind: evFull, payload: &h, id: int32(h.ID), prev: int32(h.PreviousEventID), ts: rec.Events[i].At.UnixNano()})
		}
		x.savedEvents = len(x.events)
	}
	if rec.Status == StatusRunning {
		if rec.At == nil {
			return nil, errors.New("a running execution without a resume point")
		}
		if _, ok := m.def.States[rec.At.State]; !ok {
			return nil, fmt.Errorf("its state machine no longer has the state %q it was in", rec.At.State)
		}
		x.resumeAt, x.lastAt = rec.At, rec.At
		if tok := rec.At.Token; tok != "" {
			w := &taskWait{token: tok, x: x, ch: make(chan taskOutcome, 16)}
			e.tokens[tok] = w
			if o := rec.At.Outcome; o != nil {
				// Answered before the stop: the answer is the task's, as
				// it was when the caller was told it arrived.
				out, err := o.taskOutcome()
				if err != nil {
					return nil, err
				}
				delete(e.tokens, tok)
				e.doneTokens[tok] = struct{}{}
				w.ch <- out
			} else {
				x.tokens = map[string]struct{}{tok: {}}
			}
			x.resumeWait = w
		}
	}
	e.executions[x.arn] = x
	m.executions = append(m.executions, x)
	return x, nil
}

// values are the resume point's input and variables as values.
func (at *ResumePoint) values() (input any, vars map[string]any, err error) {
	if input, err = ParseJSON(at.Input); err != nil {
		return nil, nil, fmt.Errorf("resume input: %w", err)
	}
	if len(at.Vars) > 0 {
		vars = make(map[string]any, len(at.Vars))
		for k, raw := range at.Vars {
			if vars[k], err = ParseJSON(raw); err != nil {
				return nil, nil, fmt.Errorf("resume variable %s: %w", k, err)
			}
		}
	}
	return input, vars, nil
}

// keptHistory reads a restored execution's events the journal holds.
func (e *Engine) keptHistory(x *execution) ([]RecordedEvent, error) {
	r, ok := e.opts.Journal.(HistoryReader)
	if !ok {
		return nil, errors.New("no journal to read the history of a restored execution from")
	}
	kept, err := r.History(x.arn)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", x.arn, err)
	}
	if len(kept) < x.eventBase {
		return nil, fmt.Errorf("history of %s: the journal has %d of its %d earlier events", x.arn, len(kept), x.eventBase)
	}
	return kept[:x.eventBase], nil
}
