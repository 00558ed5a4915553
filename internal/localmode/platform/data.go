package platform

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/ddb"
	"github.com/hotline12345/hotline/internal/localmode/durable"
	"github.com/hotline12345/hotline/internal/localmode/sfnlocal"
)

// The data folder (Options.DataDir) holds:
//
//	dynamodb/   the tables (the DynamoDB engine's Pebble store)
//	state/      queues, captured mail and SMS, workflow executions, the clock
//	keys.json   the keys that seal and look up personal data (mode 0600)
const (
	tablesDir = "dynamodb"
	stateDir  = "state"
	// objectsDir holds the bodies of the attachments bucket's objects.
	objectsDir = "objects"
	keysFile   = "keys.json"
)

// keptData is what a platform keeps its data in: in memory (store nil) or
// in the data folder.
type keptData struct {
	tables *ddb.Engine
	store  *durable.Store
}

func (k keptData) close() {
	_ = k.store.Close()
	_ = k.tables.Close()
}

// clockKey holds the workflow clock's last reading, so a sped-up clock
// continues from it when the platform starts again.
var clockKey = durable.Key("platform", "clock")

// openData opens the tables and the state store, in o.DataDir or in memory.
// A data folder's writes wait for the disk: nothing a client was told is
// kept is lost in a crash.
func openData(o Options) (keptData, error) {
	opts := ddb.Options{Now: o.WallClock.Now, Region: Region, Account: Account, Meter: o.Meter}
	if o.DataDir == "" {
		tables, err := ddb.Open(opts)
		return keptData{tables: tables}, err
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return keptData{}, fmt.Errorf("data folder: %w", err)
	}
	store, err := durable.Open(filepath.Join(o.DataDir, stateDir))
	if inUse := (*durable.InUseError)(nil); errors.As(err, &inUse) {
		return keptData{}, &durable.InUseError{Dir: o.DataDir}
	}
	if err != nil {
		return keptData{}, fmt.Errorf("data folder: %w", err)
	}
	opts.Dir, opts.Sync = filepath.Join(o.DataDir, tablesDir), true
	tables, err := ddb.Open(opts)
	if err != nil {
		_ = store.Close()
		return keptData{}, fmt.Errorf("data folder: %w", err)
	}
	if c, ok := o.Clock.(interface{ ContinueFrom(time.Time) }); ok {
		var last time.Time
		err := store.Scan(clockKey, func(_, v []byte) error { return json.Unmarshal(v, &last) })
		if err != nil {
			keptData{tables, store}.close()
			return keptData{}, fmt.Errorf("data folder: the clock: %w", err)
		}
		c.ContinueFrom(last)
	}
	return keptData{tables: tables, store: store}, nil
}

// saveClock keeps the workflow clock's reading (see clockKey).
func (p *Platform) saveClock() error {
	if p.store == nil {
		return nil
	}
	return p.store.WriteLazy(func(b *durable.Batch) error { return b.PutJSON(clockKey, p.clock.Now()) })
}

// localKeysFile is keys.json.
type localKeysFile struct {
	Seal  []byte `json:"seal"`
	Blind []byte `json:"blind"`
}

// localKeys reads the data folder's keys, or makes and keeps new ones: data
// sealed in one run must open in the next. It returns them as the random
// source Env takes its keys from. The file is the owner's alone (0600); a
// file others may read is refused, as ssh refuses a private key others can
// read.
func localKeys(dir string, random io.Reader) (io.Reader, error) {
	path := filepath.Join(dir, keysFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k := localKeysFile{Seal: make([]byte, 32), Blind: make([]byte, 32)}
		if random == nil {
			random = rand.Reader
		}
		if _, err := io.ReadFull(random, k.Seal); err != nil {
			return nil, fmt.Errorf("local keys: %w", err)
		}
		if _, err := io.ReadFull(random, k.Blind); err != nil {
			return nil, fmt.Errorf("local keys: %w", err)
		}
		b, _ = json.Marshal(k)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("local keys: %w", err)
		}
		_, werr := f.Write(b)
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return nil, fmt.Errorf("local keys: write %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("local keys: %w", err)
	} else if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("local keys: %w", err)
	} else if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("local keys: %s can be read by others (mode %v); it holds the key that seals personal data: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	var k localKeysFile
	if err := json.Unmarshal(b, &k); err != nil || len(k.Seal) != 32 || len(k.Blind) != 32 {
		return nil, fmt.Errorf("local keys: %s is not a keys file of this platform (two 32-byte keys, seal and blind)", path)
	}
	return io.MultiReader(bytes.NewReader(k.Seal), bytes.NewReader(k.Blind)), nil
}

// resume takes back the kept workflow executions; those it cannot take back
// are logged (by name, a ticket id) and left, the platform starts
// regardless.
func resume(engine *asl.Engine, journal *sfnlocal.Journal, log *slog.Logger) (int, error) {
	recs, err := journal.Load()
	if err != nil {
		return 0, err
	}
	n, err := engine.Restore(recs)
	var rerr *asl.RestoreError
	if errors.As(err, &rerr) {
		for _, p := range rerr.Problems {
			log.Warn("a kept workflow execution was not resumed", "error", p.Error())
		}
		err = nil
	}
	if n > 0 {
		log.Info("workflow executions resumed from the data folder", "resumed", n, "kept", len(recs))
	}
	return n, err
}

// Housekeeping: the workflow clock's reading is kept every clockEvery, and
// expired DynamoDB items (TTL) are deleted every expireEvery, as DynamoDB
// deletes them in the background. Its cadence is real time whatever the
// platform's clocks (a chore, not a deadline); what has expired is judged
// on the edge's clock.
const (
	clockEvery  = 5 * time.Second
	expireEvery = time.Minute
)

func (p *Platform) housekeep(log *slog.Logger) {
	defer close(p.housekept)
	var sinceExpiry time.Duration
	tick := time.NewTicker(clockEvery)
	defer tick.Stop()
	for {
		select {
		case <-p.stopSweep:
			return
		case <-tick.C:
		}
		if err := p.saveClock(); err != nil {
			log.Error("could not keep the clock", "error", err.Error())
		}
		if sinceExpiry += clockEvery; sinceExpiry >= expireEvery {
			sinceExpiry = 0
			if n, err := p.tables.ExpireItems(); err != nil {
				log.Error("could not delete expired items", "error", err.Error())
			} else if n > 0 {
				log.Debug("expired items deleted", "items", n)
			}
		}
	}
}
