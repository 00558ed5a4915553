package sfnlocal

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/durable"
)

// journaled is an engine keeping its executions in the store at dir, with a
// notify function that hands out its tokens.
func journaled(t *testing.T, dir string) (*asl.Engine, *durable.Store, *Journal, string, chan string) {
	t.Helper()
	store, err := durable.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	j := NewJournal(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tokens := make(chan string, 4)
	notify := lambda.NewHandler(func(_ context.Context, ev notifyEvent) (map[string]string, error) {
		tokens <- ev.Token
		return map[string]string{"sent": ev.Ticket}, nil
	})
	eng := asl.New(asl.Options{Journal: j, RetainFinished: -1, Resolver: asl.MapResolver(map[string]lambda.Handler{"notify": notify})})
	sm, err := eng.CreateStateMachine("kept", []byte(callbackDefinition), "arn:aws:iam::000000000000:role/r")
	if err != nil {
		t.Fatal(err)
	}
	return eng, store, j, sm.StateMachineArn, tokens
}

func waitFor(t *testing.T, eng *asl.Engine, arn string, pred func(*asl.ExecutionInfo) bool) *asl.ExecutionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := eng.WaitFor(ctx, arn, pred)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Executions kept in a store come back after it is reopened: a finished one
// with the same history (read from the store when asked), a waiting one
// waiting on its token, carrying on when answered.
func TestJournalKeepsExecutionsInTheStore(t *testing.T) {
	dir := t.TempDir()
	eng, store, _, smArn, tokens := journaled(t, dir)
	done, err := eng.StartExecution(smArn, "done", []byte(`{"ticket":"T1"}`))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, eng, done.ExecutionArn, asl.WaitingForToken)
	if err := eng.SendTaskSuccess(<-tokens, []byte(`{"ok":true}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, eng, done.ExecutionArn, asl.Done)
	want, _ := eng.GetExecutionHistory(done.ExecutionArn)
	waiting, err := eng.StartExecution(smArn, "waiting", []byte(`{"ticket":"T2"}`))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, eng, waiting.ExecutionArn, asl.WaitingForToken)
	token := <-tokens
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	eng, store, j, _, _ := journaled(t, dir)
	defer store.Close()
	recs, err := j.Load()
	if err != nil || len(recs) != 2 {
		t.Fatalf("load: %d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if len(r.Events) != 0 || r.EventCount == 0 {
			t.Fatalf("%s loaded with %d events, count %d: histories are read when asked", r.Name, len(r.Events), r.EventCount)
		}
	}
	if n, err := eng.Restore(recs); err != nil || n != 1 {
		t.Fatalf("restore: %d resumed, %v", n, err)
	}
	got, err := eng.GetExecutionHistory(done.ExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		t.Fatalf("history after reopening:\n%s\nwant\n%s", a, b)
	}
	for i := range got {
		if !got[i].Timestamp.Equal(want[i].Timestamp) {
			t.Fatalf("event %d at %v, was at %v", i+1, got[i].Timestamp, want[i].Timestamp)
		}
	}
	if err := eng.SendTaskSuccess(token, []byte(`{"ok":2}`)); err != nil {
		t.Fatal(err)
	}
	d := waitFor(t, eng, waiting.ExecutionArn, asl.Done)
	if d.Status != asl.StatusSucceeded {
		t.Fatalf("%+v", d)
	}
	h, err := eng.GetExecutionHistory(waiting.ExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range h {
		if ev.ID != int64(i+1) {
			t.Fatalf("event %d has id %d after the restart: %+v", i+1, ev.ID, h)
		}
	}
	if h[0].Type != "ExecutionStarted" || h[len(h)-1].Type != "ExecutionSucceeded" {
		t.Fatalf("history %s … %s", h[0].Type, h[len(h)-1].Type)
	}
}
