package open311

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
)

func TestKeysAreShownOnceStoredHashedAndRotate(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)}
	st := newStore(t, clk.Now)
	keys := &Keys{Store: st, Secret: bytes.Repeat([]byte{7}, 32), Now: clk.Now, Random: rand.Reader}

	first, created, err := keys.Issue(ctx, "city-app")
	if err != nil || !created {
		t.Fatalf("issue: %+v %v %v", first, created, err)
	}
	if first.Name != "city-app" || !strings.HasPrefix(first.APIKey, "city-app.") || first.CreatedAt != "2026-11-29T09:00:00+08:00" {
		t.Fatalf("issued %+v", first)
	}
	if name, err := keys.Check(ctx, first.APIKey); err != nil || name != "city-app" {
		t.Fatalf("check: %q %v", name, err)
	}
	// Only a keyed hash is stored: neither the key nor its secret.
	var stored json.RawMessage
	if _, err := st.GetConfig(ctx, KeyKind, "city-app", &stored); err != nil {
		t.Fatal(err)
	}
	_, secret, _ := strings.Cut(first.APIKey, ".")
	if bytes.Contains(stored, []byte(secret)) || !bytes.Contains(stored, []byte(`"hash":"`)) {
		t.Fatalf("stored %s", stored)
	}

	// A PUT on the name rotates: the old key stops working.
	clk.Add(time.Hour)
	second, created, err := keys.Issue(ctx, "city-app")
	if err != nil || created || second.APIKey == first.APIKey || second.CreatedAt != "2026-11-29T10:00:00+08:00" {
		t.Fatalf("rotate: %+v %v %v", second, created, err)
	}
	if _, err := keys.Check(ctx, first.APIKey); Classify(err).Status != http.StatusForbidden {
		t.Fatalf("the old key still works: %v", err)
	}
	if name, err := keys.Check(ctx, second.APIKey); err != nil || name != "city-app" {
		t.Fatalf("new key: %q %v", name, err)
	}

	// A key under another secret hash, names that were never issued, junk:
	// all the spec's 403.
	other := &Keys{Store: st, Secret: bytes.Repeat([]byte{8}, 32), Now: clk.Now, Random: rand.Reader}
	for _, k := range []string{"", "  ", "xyz", second.APIKey + "x", "other-app." + secret, "city-app", "city-app.", "CITY-APP." + secret, strings.Replace(second.APIKey, ".", "", 1)} {
		if _, err := keys.Check(ctx, k); Classify(err).Status != http.StatusForbidden {
			t.Errorf("%q: %v", k, err)
		}
	}
	if _, err := other.Check(ctx, second.APIKey); Classify(err).Status != http.StatusForbidden {
		t.Error("a key checks under another server secret")
	}
	if _, err := keys.Check(ctx, ""); !strings.Contains(Classify(err).Problems[0].Description, "api_key is missing") {
		t.Errorf("missing key: %v", err)
	}

	var bad *KeyNameError
	for _, name := range []string{"", "City", "a.b", strings.Repeat("a", 65), "a/b"} {
		if _, _, err := keys.Issue(ctx, name); !errors.As(err, &bad) {
			t.Errorf("name %q: %v", name, err)
		}
	}
}

// Two admins issuing under one name at once: one wins, the other is told.
func TestConcurrentIssueConflicts(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)}
	st := newStore(t, clk.Now)
	keys := &Keys{Store: racingStore{KeyStore: st}, Secret: bytes.Repeat([]byte{7}, 32), Now: clk.Now, Random: rand.Reader}
	_, _, err := keys.Issue(ctx, "city-app")
	var conflict *ports.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("err = %v, want a conflict", err)
	}
}

// racingStore issues a key under the same name between a read and a write.
type racingStore struct{ KeyStore }

func (r racingStore) PutConfig(ctx context.Context, kind, id string, value any, expectedVersion int) error {
	if err := r.KeyStore.PutConfig(ctx, kind, id, storedKey{Hash: "theirs"}, expectedVersion); err != nil {
		return err
	}
	return r.KeyStore.PutConfig(ctx, kind, id, value, expectedVersion)
}
