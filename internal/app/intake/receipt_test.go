package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	intakewiring "github.com/hotline12345/hotline/internal/wiring/intake"
)

type refusingTexter struct{}

func (refusingTexter) Send(context.Context, string, ports.SMS) (string, error) {
	return "", errors.New("InvalidParameter")
}

// A receipt that cannot go out never undoes the ticket: the caller gets the
// code in the answer, and staff see on the timeline that the citizen must be
// told it by phone. A sent receipt writes nothing more.
func TestReceiptThatCannotGoOutIsNotedForStaff(t *testing.T) {
	e := localtest.Start(t)
	ctx := context.Background()
	h, err := intakewiring.Build(ctx, e.P.Getenv, e.Options)
	if err != nil {
		t.Fatal(err)
	}
	file := func() string {
		body := `{"type":"complaint","category":"consumer.refund","channel":"web","content":"我在某某超市购买的电饭煲三天就坏了，商家拒绝退货。","contact":{"phone":"13800138000"}}`
		body = localtest.VerifiedBody(t, e.P.EdgeURL, localtest.HandlerPoster(h), body)
		resp, err := h.Handle(ctx, events.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/tickets", Body: body})
		var rec struct{ ID, AccessCode string }
		if err != nil || resp.StatusCode != 201 || json.Unmarshal([]byte(resp.Body), &rec) != nil || rec.AccessCode == "" {
			t.Fatalf("file: %v %d %s", err, resp.StatusCode, resp.Body)
		}
		return rec.ID
	}
	sent := file()
	if _, sms := e.Sent(t, sent); sms != 1 || localtest.CountKind(e.Events(t, sent), "receipt.failed") != 0 {
		t.Fatalf("sent receipt: %d SMS", sms)
	}
	h.Texter = refusingTexter{}
	failed := file()
	evs := e.Events(t, failed)
	if localtest.CountKind(evs, "receipt.failed") != 1 {
		t.Fatalf("no staff note of the failed receipt: %+v", evs)
	}
	for _, ev := range evs {
		if ev.Kind == "receipt.failed" && ev.Public {
			t.Fatal("the failed-receipt note is shown to the citizen")
		}
	}
}
