package sfnlocal

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/durable"
)

// Journal keeps the engine's executions in a durable store (asl.Journal):
// one record per execution under "sfn\x00x\x00<arn>", and its history
// events under "sfn\x00e\x00<arn>\x00<id, 10 digits>", appended as the
// execution saves them.
type Journal struct {
	store *durable.Store
	log   *slog.Logger
}

// NewJournal keeps executions in store; failed saves are logged to log.
func NewJournal(store *durable.Store, log *slog.Logger) *Journal {
	return &Journal{store: store, log: log}
}

var recordPrefix = durable.Key("sfn", "x", "")

// Save implements asl.Journal.
func (j *Journal) Save(rec *asl.ExecutionRecord, wait bool) error {
	head := *rec
	head.Events = nil
	write := j.store.WriteLazy
	if wait {
		write = j.store.Write
	}
	err := write(func(b *durable.Batch) error {
		if err := b.PutJSON(durable.Key("sfn", "x", rec.ExecutionArn), &head); err != nil {
			return err
		}
		for i := range rec.Events {
			key := durable.Key("sfn", "e", rec.ExecutionArn, fmt.Sprintf("%010d", rec.Events[i].Event.ID))
			if err := b.PutJSON(key, &rec.Events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, durable.ErrClosed) {
		// The platform is stopping: executions still running in memory
		// carry on unkept, without an error logged for each.
		return err
	}
	if err != nil {
		// The execution's name, not its input: names are ticket ids.
		j.log.Error("could not keep a workflow execution; a restart resumes it from an earlier point", "execution", rec.Name, "status", rec.Status, "error", err.Error())
		return fmt.Errorf("keep execution %s: %w", rec.Name, err)
	}
	return nil
}

// Load reads every kept execution, without its history (the engine asks
// for that when it is read: History).
func (j *Journal) Load() ([]*asl.ExecutionRecord, error) {
	var recs []*asl.ExecutionRecord
	err := durable.ScanJSON(j.store, recordPrefix, func(_ []byte, rec *asl.ExecutionRecord) error {
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read kept executions: %w", err)
	}
	return recs, nil
}

// History implements asl.HistoryReader.
func (j *Journal) History(executionArn string) ([]asl.RecordedEvent, error) {
	var events []asl.RecordedEvent
	err := durable.ScanJSON(j.store, durable.Key("sfn", "e", executionArn, ""), func(_ []byte, ev *asl.RecordedEvent) error {
		events = append(events, *ev)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the history of %s: %w", executionArn, err)
	}
	return events, nil
}
