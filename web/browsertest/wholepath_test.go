package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// verifyOnPage opens the citizen page and verifies email with the code the
// edge captured, up to the form.
func verifyOnPage(t *testing.T, ctx context.Context, p *platform.Platform, email string) {
	t.Helper()
	do(t, ctx, "send the code",
		chromedp.Navigate(p.APIURL+"/"),
		chromedp.WaitVisible(chromedp.ID("contact")),
		typeIn(chromedp.ID("contact"), email),
		chromedp.Click(chromedp.ID("send-code")),
		chromedp.WaitVisible(chromedp.ID("code")),
	)
	code, err := inbox.CodeSentTo(p.EdgeURL, email)
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "enter the code",
		typeIn(chromedp.ID("code"), code),
		chromedp.Click(chromedp.ID("verify-next")),
		chromedp.WaitVisible(chromedp.ID("content")),
	)
}

// switchTo signs the console's last person out, as the next one at the
// desk would, and signs in as role.
func switchTo(t *testing.T, ctx context.Context, p *platform.Platform, role, dept string) {
	t.Helper()
	do(t, ctx, "sign out",
		chromedp.Navigate(p.APIURL+"/console/"),
		chromedp.WaitVisible(chromedp.ID("signout")),
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("signin-form")),
	)
	signIn(t, ctx, p, role, dept)
}

// The whole path with nothing but the pages, each step by the person whose
// step it is: a citizen verifies an e-mail and files on the citizen page; an
// operator reviews it in the console and dispatches it; the department
// accepts and replies in the console; the citizen rates the reply on the
// citizen page; the supervisor's dashboard shows the department's rates move.
func TestWholePathThroughThePages(t *testing.T) {
	ctx := browser(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)
	do(t, ctx, "desk size", chromedp.EmulateViewport(1280, 900))

	// The supervisor's dashboard before: nothing rated at market.
	signIn(t, ctx, p, "supervisor", "")
	supervisorDashboard(t, ctx)
	if rated, rate := cell(t, ctx, "market", "rated"), cell(t, ctx, "market", "satisfactionRate"); rated != "0" || rate != "—" {
		t.Fatalf("before: market rated %q, satisfaction %q", rated, rate)
	}

	// The citizen: verify, file in a category the screening leaves to an
	// operator, keep the receipt.
	const email = "whole-path@example.com"
	verifyOnPage(t, ctx, p, email)
	do(t, ctx, "citizen: file",
		chromedp.WaitReady(chromedp.CSS(`#category option[value="other.general"]`)),
		chromedp.SetValue(chromedp.ID("category"), "other.general"),
		typeIn(chromedp.ID("content"), "小区门口的超市出售过期酸奶，要求退货被拒绝，请处理。"),
		chromedp.Click(chromedp.ID("submit-ticket")),
		chromedp.WaitVisible(chromedp.ID("receipt-code")),
	)
	rec := localtest.Receipt{ID: text(t, ctx, "receipt-id"), AccessCode: text(t, ctx, "receipt-code")}
	if !ticketID.MatchString(rec.ID) || !accessCode.MatchString(rec.AccessCode) {
		t.Fatalf("receipt %+v", rec)
	}
	waiting := waitForNewStep(t, p, rec.ID, nil)

	// The operator: the ticket waits in the review queue; dispatch it.
	switchTo(t, ctx, p, "operator", "")
	row := `#tickets li[data-id="` + rec.ID + `"]`
	do(t, ctx, "operator: open the ticket",
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.ID("review-form")),
		chromedp.SetValue(chromedp.ID("review-category"), "consumer.refund"),
		chromedp.WaitReady(chromedp.CSS(`#review-department option[value="market"]`)),
		chromedp.SetValue(chromedp.ID("review-department"), "market"),
	)
	submit(t, ctx, "operator: review", "review-form", "审核已提交。")
	waiting = waitForNewStep(t, p, rec.ID, waiting)

	// The department: accept, then reply.
	switchTo(t, ctx, p, "department", "market")
	do(t, ctx, "department: open the ticket",
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.ID("accept-form")),
	)
	submit(t, ctx, "department: accept", "accept-form", "已签收。")
	do(t, ctx, "department: write the reply",
		typeIn(chromedp.ID("reply-message"), "经核查，超市已下架过期酸奶，并为您办理了退货。"),
	)
	submit(t, ctx, "department: reply", "reply-form", "答复已提交。")
	waitForNewStep(t, p, rec.ID, waiting)

	// The citizen: the reply is there; rate it.
	lookUp(t, ctx, p, rec)
	do(t, ctx, "citizen: rate",
		chromedp.WaitVisible(chromedp.ID("rate-form")),
		chromedp.SetValue(chromedp.ID("score"), "5"),
		chromedp.Click(chromedp.ID("resolved")),
	)
	submit(t, ctx, "citizen: the rating", "rate-form", "感谢您的评价。")

	// The supervisor: the rating moved market's rates.
	switchTo(t, ctx, p, "supervisor", "")
	supervisorDashboard(t, ctx)
	for col, want := range map[string]string{"rated": "1", "satisfied": "1", "resolved": "1", "satisfactionRate": "100.0%", "resolutionRate": "100.0%", "onTimeRate": "100.0%"} {
		if got := cell(t, ctx, "market", col); got != want {
			t.Errorf("after the rating: market %s = %q, want %q", col, got, want)
		}
	}
	pg.check(t)
}
