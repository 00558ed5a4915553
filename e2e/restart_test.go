package e2e

import (
	"context"
	"os"
	"testing"

	"github.com/hotline12345/hotline/client"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/contract"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// startKept starts a local platform on dataDir; the caller closes it.
func startKept(t *testing.T, dataDir string) (*platform.Platform, *target) {
	t.Helper()
	logs := &localtest.Logs{}
	p, err := platform.Start(context.Background(), platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0",
		Log: logs, Limits: platform.LooseLimits, DataDir: dataDir, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("platform logs:\n%s", logs.String())
		}
	})
	return p, &target{api: p.APIURL, edge: p.EdgeURL, issuer: p.Issuer, logs: logs, sfnArn: p.StateMachineArn, client: contract.Client(t, nil)}
}

// hotline serve --data: a ticket filed and dispatched before a restart is
// there after it, with the mail the edge captured and the department's
// queue message; its workflow still waits for the department, the
// department's reply after the restart reaches the citizen (whose address
// only the kept sealing key opens), and the ticket closes.
func TestTicketCarriesOnAcrossARestart(t *testing.T) {
	if os.Getenv("HOTLINE_E2E_API_URL") != "" {
		t.Skip("restarts a local platform")
	}
	ctx := context.Background()
	dir := t.TempDir()
	const email = "restart@example.com"

	p, tg := startKept(t, dir)
	citizen := tg.goClient(t)
	rec, code := tg.fileVerified(t, citizen, email, "网上买的电暖器用了两天就坏了，商家拒绝退货，请帮忙处理。")
	dept := tg.staffClient(t, auth.RoleDepartment, "market")
	eventually(t, "the ticket in the department's inbox", func() bool {
		_, ok := has(t, dept.DepartmentInboxAll(ctx, "market", client.InboxQuery{Status: client.InboxDispatched}), rec.ID)
		return ok
	})
	if st, err := dept.Accept(ctx, rec.ID); err != nil || st.Status != client.StatusAccepted {
		t.Fatalf("accept = %+v, %v", st, err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	p, tg = startKept(t, dir)
	defer func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	}()
	if p.Resumed < 1 {
		t.Fatalf("%d workflow executions resumed, want the ticket's", p.Resumed)
	}
	// The edge kept the mail it captured and the department's queue.
	if again, err := inbox.CodeSentTo(tg.edge, email); err != nil || again != code {
		t.Fatalf("the verification mail after the restart: %q, %v; want the code %q", again, err, code)
	}
	if msg := tg.queueFor(t, "market")(rec.ID); msg.TicketID != rec.ID {
		t.Fatalf("department message %+v", msg)
	}
	citizen = tg.goClient(t)
	view, err := citizen.GetTicket(ctx, rec.ID, rec.AccessCode)
	if err != nil || view.Status != client.StatusAccepted {
		t.Fatalf("after the restart: %+v, %v", view, err)
	}
	dept = tg.staffClient(t, auth.RoleDepartment, "market")
	const answer = "已联系商家，商家同意退货退款。"
	settle(t, "the reply", func() error {
		_, err := dept.Reply(ctx, rec.ID, client.ReplyRequest{Result: client.ResultResolved, Message: answer})
		return err
	})
	eventually(t, "the citizen to see the reply", func() bool {
		v, err := citizen.GetTicket(ctx, rec.ID, rec.AccessCode)
		if err != nil {
			t.Fatal(err)
		}
		return v.Status == client.StatusReplied && v.Reply != nil && v.Reply.Message == answer
	})
	eventually(t, "the reply's notice to the citizen's address", func() bool {
		_, ok := findMail(t, tg.edge, email, rec.ID)
		return ok
	})
	settle(t, "the rating", func() error {
		_, err := citizen.Rate(ctx, rec.ID, rec.AccessCode, client.RatingRequest{Satisfied: true, Score: 5})
		return err
	})
	eventually(t, "the ticket to close", func() bool {
		v, err := citizen.GetTicket(ctx, rec.ID, rec.AccessCode)
		if err != nil {
			t.Fatal(err)
		}
		return v.Status == client.StatusClosed
	})
}
