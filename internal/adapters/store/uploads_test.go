package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func upID(n int) string { return fmt.Sprintf("%032x", n) }

func issue(t *testing.T, e *env, id string, life time.Duration) {
	t.Helper()
	u := ports.Upload{ID: id, Purpose: ticket.PurposeSupplement, Owner: "ticket:T1", ContentType: "image/jpeg",
		MaxBytes: 1 << 20, Name: "坑.jpg", ExpiresAt: e.clock.Now().Add(life)}
	if err := e.store.PutUpload(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

func TestUploadsRoundTripAndIdsAreNotReused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	issue(t, e, upID(1), time.Hour)
	if err := e.store.PutUpload(ctx, ports.Upload{ID: upID(1), ExpiresAt: e.clock.Now()}); err == nil {
		t.Error("an upload id was issued twice")
	}
	got, err := e.store.GetUploads(ctx, []string{upID(1), upID(2), "not an id"})
	if err != nil {
		t.Fatal(err)
	}
	u, ok := got[upID(1)]
	if len(got) != 1 || !ok || u.Status != ports.UploadIssued || u.Owner != "ticket:T1" || u.Name != "坑.jpg" || u.MaxBytes != 1<<20 ||
		!u.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Errorf("read %+v", got)
	}
}

func attachment(id string) ticket.Attachment {
	return ticket.Attachment{ID: id, ContentType: "image/jpeg", Size: 100, Purpose: ticket.PurposeTicket, By: ticket.ActorCitizen}
}

// An upload becomes one attachment of one ticket: the create or save that
// attaches it marks it used, and a second one fails whole.
func TestAnUploadIsAttachedOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	issue(t, e, upID(1), time.Hour)
	t1 := newTicket("T1", e.clock.Now())
	t1.Attachments = []ticket.Attachment{attachment(upID(1))}
	if _, err := e.store.CreateTicket(ctx, t1, firstEvent(t1), nil); err != nil {
		t.Fatal(err)
	}
	got, _ := e.store.GetUploads(ctx, []string{upID(1)})
	if u := got[upID(1)]; u.Status != ports.UploadUsed || u.TicketID != "T1" {
		t.Errorf("after attaching: %+v", u)
	}
	t2 := newTicket("T2", e.clock.Now())
	t2.Attachments = []ticket.Attachment{attachment(upID(1))}
	_, err := e.store.CreateTicket(ctx, t2, firstEvent(t2), nil)
	var used *ports.UploadUsedError
	if !errors.As(err, &used) || used.ID != upID(1) {
		t.Fatalf("second ticket with the same upload: %v", err)
	}
	if _, err := e.store.GetTicket(ctx, "T2"); err == nil {
		t.Error("the second ticket was written")
	}
	// Saving the first ticket again keeps its file and touches no upload.
	if err := e.store.SaveTicket(ctx, t1, ticket.StatusReceived); err != nil {
		t.Fatalf("resave: %v", err)
	}
}

func TestAnExpiredUploadIsNotAttached(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	issue(t, e, upID(5), time.Minute)
	tk := newTicket("T1", e.clock.Now())
	if _, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(2 * time.Minute)
	tk.Attachments = []ticket.Attachment{attachment(upID(5))}
	note := tk.Note("supplement", ticket.Actor{Role: ticket.ActorCitizen}, e.clock.Now(), ticket.Verbatim("照片"), true)
	var used *ports.UploadUsedError
	if err := e.store.SaveTicket(ctx, tk, ticket.StatusReceived, note); !errors.As(err, &used) {
		t.Fatalf("expired upload: %v", err)
	}
	evs, _ := e.store.Events(ctx, "T1")
	if len(evs) != 1 {
		t.Errorf("the refused save wrote %d events", len(evs)-1)
	}
}

// Two tickets racing to attach one upload: exactly one gets it.
func TestRacingSavesAttachAnUploadOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const racers = 6
	issue(t, e, upID(9), time.Hour)
	tickets := make([]*ticket.Ticket, racers)
	for i := range tickets {
		tickets[i] = newTicket(fmt.Sprintf("T%d", i), e.clock.Now())
		if _, err := e.store.CreateTicket(ctx, tickets[i], firstEvent(tickets[i]), nil); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i, tk := range tickets {
		wg.Go(func() {
			tk.Attachments = []ticket.Attachment{attachment(upID(9))}
			errs[i] = e.store.SaveTicket(ctx, tk, ticket.StatusReceived, tk.Note("supplement", ticket.Actor{Role: ticket.ActorCitizen}, e.clock.Now(), ticket.Verbatim("照片"), true))
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		var used *ports.UploadUsedError
		switch {
		case err == nil:
			won++
		case !errors.As(err, &used):
			t.Errorf("racer %d: %v", i, err)
		}
	}
	withFile := 0
	for _, tk := range tickets {
		got, err := e.store.GetTicket(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		withFile += len(got.Attachments)
	}
	if won != 1 || withFile != 1 {
		t.Errorf("%d saves won, %d tickets hold the file; want 1 and 1", won, withFile)
	}
}

// A check settles an upload once: a racing second check gets the first's
// outcome, and a ready upload is attached like an issued one.
func TestSettleUploadKeepsTheFirstOutcome(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	issue(t, e, upID(3), time.Hour)
	ready := ports.Upload{ID: upID(3), Status: ports.UploadReady, Clean: &ports.CleanFile{ContentType: "image/jpeg", Size: 1234, Width: 40, Height: 30, Thumbnail: true}}
	got, err := e.store.SettleUpload(ctx, ready)
	if err != nil || got.Status != ports.UploadReady {
		t.Fatalf("settle: %+v, %v", got, err)
	}
	second, err := e.store.SettleUpload(ctx, ports.Upload{ID: upID(3), Status: ports.UploadRejected, Reason: "corrupt", Message: "damaged"})
	if err != nil || second.Status != ports.UploadReady || second.Clean == nil || *second.Clean != *ready.Clean || second.Owner != "ticket:T1" {
		t.Errorf("second settle: %+v, %v", second, err)
	}
	if _, err := e.store.SettleUpload(ctx, ports.Upload{ID: upID(4), Status: ports.UploadRejected}); !errors.As(err, new(*ports.NotFoundError)) {
		t.Errorf("settling an unknown upload: %v", err)
	}
	tk := newTicket("T1", e.clock.Now())
	tk.Attachments = []ticket.Attachment{attachment(upID(3))}
	if _, err := e.store.CreateTicket(ctx, tk, firstEvent(tk), nil); err != nil {
		t.Fatalf("attaching a ready upload: %v", err)
	}
}
