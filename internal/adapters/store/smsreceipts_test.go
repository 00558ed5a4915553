package store

import (
	"context"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// A link names its ticket and kind until it expires; unknown and malformed
// serial numbers find nothing.
func TestSMSReceiptLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.store.KeepSMSReceipt(ctx, "5000:1045710669157053657849499619", "261130AAAAAA", ports.SMSReplied); err != nil {
		t.Fatal(err)
	}
	id, kind, ok, err := e.store.SMSReceiptTicket(ctx, "5000:1045710669157053657849499619")
	if err != nil || !ok || id != "261130AAAAAA" || kind != ports.SMSReplied {
		t.Fatalf("link = %q %q %v %v", id, kind, ok, err)
	}
	for _, serial := range []string{"5000:unknown", "", "a#b"} {
		if _, _, ok, err := e.store.SMSReceiptTicket(ctx, serial); ok || err != nil {
			t.Errorf("%q: found %v, %v", serial, ok, err)
		}
	}
	if err := e.store.KeepSMSReceipt(ctx, "a#b", "261130AAAAAA", ports.SMSReplied); err == nil {
		t.Error("a serial number with # was kept")
	}
	e.clock.Add(SMSReceiptLinkLifetime + time.Second)
	if _, _, ok, _ := e.store.SMSReceiptTicket(ctx, "5000:1045710669157053657849499619"); ok {
		t.Error("an expired link was found")
	}
}
