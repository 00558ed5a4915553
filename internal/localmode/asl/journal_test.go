package asl

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// memJournal keeps records as a durable journal would: the latest record of
// each execution, with every event appended.
type memJournal struct {
	mu    sync.Mutex
	recs  map[string]*ExecutionRecord
	fail  error
	onRec func(*ExecutionRecord, bool) // called after a save, outside the lock
	// waited lists each save's wait, in order.
	waited []bool
}

func newMemJournal() *memJournal { return &memJournal{recs: map[string]*ExecutionRecord{}} }

func (j *memJournal) Save(rec *ExecutionRecord, wait bool) error {
	j.mu.Lock()
	if j.fail != nil {
		j.mu.Unlock()
		return j.fail
	}
	kept := *rec
	j.waited = append(j.waited, wait)
	if old, ok := j.recs[rec.ExecutionArn]; ok {
		kept.Events = append(append([]RecordedEvent(nil), old.Events...), rec.Events...)
	}
	j.recs[rec.ExecutionArn] = &kept
	on := j.onRec
	j.mu.Unlock()
	if on != nil {
		on(&kept, wait)
	}
	return nil
}

// snapshot is what a restart would read: copies, so the old engine's later
// saves do not reach it.
func (j *memJournal) snapshot() []*ExecutionRecord {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*ExecutionRecord
	for _, r := range j.recs {
		c := *r
		c.Events = append([]RecordedEvent(nil), r.Events...)
		out = append(out, &c)
	}
	return out
}

const callbackMachine = `{
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Pass", "Result": "ready", "ResultPath": "$.prep", "Next": "Await"},
    "Await": {
      "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
      "TimeoutSeconds": 3600, "ResultPath": "$.answer",
      "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Late"}],
      "Next": "Finish"
    },
    "Finish": {"Type": "Pass", "End": true},
    "Late": {"Type": "Pass", "Result": "late", "ResultPath": "$.late", "End": true}
  }
}`

// tokenCatcher is the "notify" function: it hands out the token it gets and
// counts its calls.
type tokenCatcher struct {
	calls  atomic.Int32
	tokens chan string
}

func newTokenCatcher() *tokenCatcher { return &tokenCatcher{tokens: make(chan string, 4)} }

func (c *tokenCatcher) handler() lambda.Handler {
	return lambda.NewHandler(func(_ context.Context, in struct {
		Token string `json:"token"`
	}) (map[string]any, error) {
		c.calls.Add(1)
		c.tokens <- in.Token
		return map[string]any{"sent": true}, nil
	})
}

func journaledEngine(t *testing.T, clk Clock, j Journal, fns map[string]lambda.Handler) (*Engine, string) {
	t.Helper()
	eng := New(Options{Clock: clk, Journal: j, Resolver: MapResolver(fns), RetainFinished: -1})
	sm, err := eng.CreateStateMachine("kept", []byte(callbackMachine), "arn:aws:iam::123456789012:role/r")
	if err != nil {
		t.Fatal(err)
	}
	return eng, sm.StateMachineArn
}

func waitDesc(t *testing.T, eng *Engine, arn string, pred func(*ExecutionInfo) bool) *ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := eng.WaitFor(ctx, arn, pred)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A workflow parked on a task token survives a restart: the new engine
// waits on the same token, does not invoke the function again, and the
// answer given after the restart completes it, its history continuing the
// old one.
func TestRestoredExecutionWaitsOnItsTokenAcrossARestart(t *testing.T) {
	clk := NewFakeClock(testStart())
	j := newMemJournal()
	before := newTokenCatcher()
	old, smArn := journaledEngine(t, clk, j, map[string]lambda.Handler{"notify": before.handler()})
	info, err := old.StartExecution(smArn, "t-1", []byte(`{"n": 7}`))
	if err != nil {
		t.Fatal(err)
	}
	waitDesc(t, old, info.ExecutionArn, WaitingForToken)
	token := <-before.tokens
	oldHistory, _ := old.GetExecutionHistory(info.ExecutionArn)

	after := newTokenCatcher()
	eng, _ := journaledEngine(t, clk, newMemJournal(), map[string]lambda.Handler{"notify": after.handler()})
	resumed, err := eng.Restore(j.snapshot())
	if err != nil || resumed != 1 {
		t.Fatalf("restore: %d resumed, %v", resumed, err)
	}
	d := waitDesc(t, eng, info.ExecutionArn, WaitingForToken)
	if len(d.WaitingTokens) != 1 || d.WaitingTokens[0] != token {
		t.Fatalf("restored execution waits on %v, want the token handed out before (%s)", d.WaitingTokens, token)
	}
	if err := eng.SendTaskSuccess(token, []byte(`{"reply":"done"}`)); err != nil {
		t.Fatal(err)
	}
	d = waitDesc(t, eng, info.ExecutionArn, Done)
	if d.Status != StatusSucceeded || !strings.Contains(d.Output, `"answer":{"reply":"done"}`) || !strings.Contains(d.Output, `"prep":"ready"`) {
		t.Fatalf("after the answer: %s %s", d.Status, d.Output)
	}
	if n := after.calls.Load(); n != 0 {
		t.Fatalf("the function was invoked %d times again after the restart", n)
	}
	history, err := eng.GetExecutionHistory(info.ExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) <= len(oldHistory) {
		t.Fatalf("history: %d events after, %d before", len(history), len(oldHistory))
	}
	for i, ev := range history {
		if ev.ID != int64(i+1) {
			t.Fatalf("event %d has id %d", i, ev.ID)
		}
		if i < len(oldHistory) && ev.Type != oldHistory[i].Type {
			t.Fatalf("event %d is %s, was %s before the restart", i+1, ev.Type, oldHistory[i].Type)
		}
	}
	if last := history[len(history)-1]; last.Type != "ExecutionSucceeded" {
		t.Fatalf("last event %s", last.Type)
	}
	// The old token is now spent.
	if err := eng.SendTaskSuccess(token, []byte(`{}`)); !errors.As(err, new(*TaskTimedOutError)) {
		t.Fatalf("second answer: %v", err)
	}
}

// An answer accepted just before a crash is not lost: it is kept with the
// wait before SendTaskSuccess returns, and delivered on restore.
func TestAnswerAcceptedBeforeACrashIsDeliveredAfterIt(t *testing.T) {
	clk := NewFakeClock(testStart())
	j := newMemJournal()
	var atAnswer []*ExecutionRecord
	j.onRec = func(r *ExecutionRecord, wait bool) {
		if r.At != nil && r.At.Outcome != nil && atAnswer == nil {
			if !wait {
				t.Error("the answer's save did not wait for the disk")
			}
			atAnswer = j.snapshot() // the crash: nothing saved later counts
		}
	}
	catcher := newTokenCatcher()
	old, smArn := journaledEngine(t, clk, j, map[string]lambda.Handler{"notify": catcher.handler()})
	info, err := old.StartExecution(smArn, "t-2", []byte(`{"n": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	waitDesc(t, old, info.ExecutionArn, WaitingForToken)
	token := <-catcher.tokens
	if err := old.SendTaskSuccess(token, []byte(`{"reply":"kept"}`)); err != nil {
		t.Fatal(err)
	}
	if atAnswer == nil {
		t.Fatal("the answer was not saved before SendTaskSuccess returned")
	}
	eng, _ := journaledEngine(t, clk, newMemJournal(), map[string]lambda.Handler{"notify": newTokenCatcher().handler()})
	if _, err := eng.Restore(atAnswer); err != nil {
		t.Fatal(err)
	}
	d := waitDesc(t, eng, info.ExecutionArn, Done)
	if d.Status != StatusSucceeded || !strings.Contains(d.Output, `"reply":"kept"`) {
		t.Fatalf("%s %s", d.Status, d.Output)
	}
}

// A restored callback wait times out at its original deadline, not a fresh
// one.
func TestRestoredWaitKeepsItsDeadline(t *testing.T) {
	clk := NewFakeClock(testStart())
	j := newMemJournal()
	catcher := newTokenCatcher()
	old, smArn := journaledEngine(t, clk, j, map[string]lambda.Handler{"notify": catcher.handler()})
	info, err := old.StartExecution(smArn, "t-3", []byte(`{"n": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	waitDesc(t, old, info.ExecutionArn, WaitingForToken)
	snap := j.snapshot()

	later := NewFakeClock(testStart().Add(50 * time.Minute)) // down for 50 of the 60 minutes
	eng, _ := journaledEngine(t, later, newMemJournal(), map[string]lambda.Handler{"notify": catcher.handler()})
	if _, err := eng.Restore(snap); err != nil {
		t.Fatal(err)
	}
	waitDesc(t, eng, info.ExecutionArn, WaitingForToken)
	if err := later.WaitForTimers(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	later.Advance(10*time.Minute - time.Second)
	if d, _ := eng.DescribeExecution(info.ExecutionArn); d.Status != StatusRunning {
		t.Fatalf("timed out early: %s", d.Status)
	}
	later.Advance(time.Second)
	d := waitDesc(t, eng, info.ExecutionArn, Done)
	if d.Status != StatusSucceeded || !strings.Contains(d.Output, `"late":"late"`) {
		t.Fatalf("at the deadline: %s %s", d.Status, d.Output)
	}
}

const waitMachine = `{
  "StartAt": "Hold",
  "States": {
    "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
    "Done": {"Type": "Succeed"}
  }
}`

// A Wait state resumes until the end it had before the restart.
func TestRestoredWaitStateEndsWhenItWould(t *testing.T) {
	clk := NewFakeClock(testStart())
	j := newMemJournal()
	old := New(Options{Clock: clk, Journal: j})
	sm, err := old.CreateStateMachine("hold", []byte(waitMachine), "arn:aws:iam::123456789012:role/r")
	if err != nil {
		t.Fatal(err)
	}
	info, err := old.StartExecution(sm.StateMachineArn, "w-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := clk.WaitForTimers(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	snap := j.snapshot()

	later := NewFakeClock(testStart().Add(59 * time.Minute))
	eng := New(Options{Clock: later, Journal: newMemJournal()})
	if _, err := eng.CreateStateMachine("hold", []byte(waitMachine), "arn:aws:iam::123456789012:role/r"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if err := later.WaitForTimers(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	later.Advance(59 * time.Second)
	if d, _ := eng.DescribeExecution(info.ExecutionArn); d.Status != StatusRunning {
		t.Fatalf("ended early: %s", d.Status)
	}
	later.Advance(time.Second)
	if d := waitDesc(t, eng, info.ExecutionArn, Done); d.Status != StatusSucceeded {
		t.Fatalf("%s", d.Status)
	}
}

// Finished executions come back as they ended; a start that cannot be kept
// is refused rather than acknowledged.
func TestRestoreKeepsFinishedExecutionsAndRefusesUnkeptStarts(t *testing.T) {
	clk := NewFakeClock(testStart())
	j := newMemJournal()
	catcher := newTokenCatcher()
	// The finish is saved just after the status shows it: the test waits
	// for the save, as a restart reads only what was saved.
	saved := make(chan struct{}, 1)
	j.mu.Lock()
	j.onRec = func(r *ExecutionRecord, _ bool) {
		if r.Status != StatusRunning {
			select {
			case saved <- struct{}{}:
			default:
			}
		}
	}
	j.mu.Unlock()
	old, smArn := journaledEngine(t, clk, j, map[string]lambda.Handler{"notify": catcher.handler()})
	info, err := old.StartExecution(smArn, "done-1", []byte(`{"n": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	waitDesc(t, old, info.ExecutionArn, WaitingForToken)
	if err := old.SendTaskSuccess(<-catcher.tokens, []byte(`{"ok":1}`)); err != nil {
		t.Fatal(err)
	}
	want := waitDesc(t, old, info.ExecutionArn, Done)
	<-saved
	wantHistory, _ := old.GetExecutionHistory(info.ExecutionArn)
	j.mu.Lock()
	waited := slices.Clone(j.waited)
	j.mu.Unlock()
	// The start and the answer wait for the disk, the steps between do not.
	if len(waited) < 4 || !waited[0] || slices.Index(waited[1:], true) < 0 || slices.Index(waited, false) < 0 {
		t.Fatalf("saves waited %v", waited)
	}

	eng, _ := journaledEngine(t, clk, newMemJournal(), nil)
	if n, err := eng.Restore(j.snapshot()); err != nil || n != 0 {
		t.Fatalf("restore: %d resumed, %v", n, err)
	}
	got, err := eng.DescribeExecution(info.ExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != want.Status || got.Output != want.Output || !got.StopDate.Equal(want.StopDate) {
		t.Fatalf("restored %+v, was %+v", got, want)
	}
	history, _ := eng.GetExecutionHistory(info.ExecutionArn)
	a, _ := json.Marshal(history)
	b, _ := json.Marshal(wantHistory)
	if string(a) != string(b) {
		t.Fatalf("history differs after restore:\n%s\n%s", a, b)
	}
	// The name stays taken, with the same input as well as another.
	if _, err := eng.StartExecution(smArn, "done-1", []byte(`{"n": 3}`)); !errors.As(err, new(*ExecutionAlreadyExistsError)) {
		t.Fatalf("restart of a kept name: %v", err)
	}

	j.fail = errors.New("disk full")
	if _, err := old.StartExecution(smArn, "unkept", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("start with a failing journal: %v", err)
	}
	if _, err := old.DescribeExecution(old.StateMachineArn("kept") + ":unkept"); !errors.As(err, new(*ExecutionDoesNotExistError)) {
		t.Fatalf("an unkept start is still listed: %v", err)
	}
}
