package browsertest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// fileByAPI files a complaint as a citizen would over the API, and waits
// until its workflow waits for the department's reply.
func fileByAPI(t *testing.T, p *platform.Platform, email string) localtest.Receipt {
	t.Helper()
	rec := fileOverAPI(t, p, email, "consumer.refund", "买的电饭煲坏了，商家不给退货，请处理。")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	arn := strings.Replace(p.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + rec.ID
	if _, err := p.Engine.WaitFor(ctx, arn, func(d *asl.ExecutionInfo) bool {
		return d.Status != asl.StatusRunning || len(d.WaitingTokens) > 0
	}); err != nil {
		t.Fatal(err)
	}
	return rec
}

// submit sends a form with its button (the form's id with -submit for
// -form), waits until the form is gone, and checks what the page then says
// in #status.
func submit(t *testing.T, ctx context.Context, what, form, want string) {
	t.Helper()
	do(t, ctx, what,
		chromedp.Click(chromedp.ID(strings.TrimSuffix(form, "-form")+"-submit")),
		chromedp.WaitNotVisible(chromedp.ID(form)),
		chromedp.WaitVisible(chromedp.ID("status")),
	)
	if s := text(t, ctx, "status"); s != want {
		t.Errorf("after %s the page says %q, want %q", what, s, want)
	}
}

// fileOverAPI files a complaint in category with a verified e-mail, over
// the API, and returns its receipt.
func fileOverAPI(t *testing.T, p *platform.Platform, email, category, content string) localtest.Receipt {
	t.Helper()
	body := localtest.VerifiedBody(t, p.EdgeURL, inbox.HTTPPoster(p.APIURL),
		`{"type":"complaint","category":"`+category+`","channel":"web","content":"`+content+`","contact":{"email":"`+email+`"}}`)
	resp, err := http.Post(p.APIURL+"/v1/tickets", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rec localtest.Receipt
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("file: %d %v", resp.StatusCode, err)
	}
	return rec
}

// staff sends a department's request and fails unless it is a 200.
func staff(t *testing.T, p *platform.Platform, path, body string) {
	t.Helper()
	if st, got := apiAs(t, p, auth.RoleDepartment, "market", http.MethodPost, path, body); st != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, st, got)
	}
}

// lookUp opens /?id= and looks the ticket up with its access code.
func lookUp(t *testing.T, ctx context.Context, p *platform.Platform, rec localtest.Receipt) {
	t.Helper()
	do(t, ctx, "look up "+rec.ID,
		chromedp.Navigate(p.APIURL+"/?id="+rec.ID),
		chromedp.WaitVisible(chromedp.ID("lookup-code")),
		typeIn(chromedp.ID("lookup-code"), rec.AccessCode),
		chromedp.Click(chromedp.ID("lookup-submit")),
		chromedp.WaitVisible(chromedp.ID("ticket-heading")),
	)
}

// A refused field is shown next to its input; a citizen withdraws one
// ticket and rates the department's reply to another.
func TestCitizenFieldErrorsWithdrawalAndRating(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)

	// Content under 10 characters: the API's problem names the field, and
	// the page puts it under the text box.
	const email = "field@example.com"
	verifyOnPage(t, ctx, p, email)
	do(t, ctx, "file too short",
		typeIn(chromedp.ID("content"), "太短了"),
		chromedp.Click(chromedp.ID("submit-ticket")),
		chromedp.WaitVisible(chromedp.CSS(`#content[aria-invalid="true"]`)),
	)
	if s := text(t, ctx, "err-content"); s == "" {
		t.Error("no message under the content")
	}
	shot(t, ctx, dir, "10-field-error")
	pg.check(t, "status of 400")

	// Withdrawal: asked once more in the page, then final.
	w := fileByAPI(t, p, "withdraw@example.com")
	lookUp(t, ctx, p, w)
	do(t, ctx, "withdraw",
		typeIn(chromedp.ID("reason"), "商家已经主动联系我退款了。"),
		chromedp.Click(chromedp.ID("withdraw-submit")),
		chromedp.WaitVisible(chromedp.ID("withdraw-warning")),
	)
	shot(t, ctx, dir, "11-withdraw-confirm")
	submit(t, ctx, "confirming the withdrawal", "withdraw-form", "工单已撤回。")
	shot(t, ctx, dir, "12-withdrawn")

	// Rating: the department accepts and replies, the citizen rates.
	r := fileByAPI(t, p, "rate@example.com")
	staff(t, p, "/v1/tickets/"+r.ID+"/accept", "")
	staff(t, p, "/v1/tickets/"+r.ID+"/reply", `{"result":"resolved","message":"经核查，商家已同意退货并退款。"}`)
	lookUp(t, ctx, p, r)
	do(t, ctx, "rate",
		chromedp.WaitVisible(chromedp.ID("rate-form")),
		chromedp.SetValue(chromedp.ID("score"), "4"),
		chromedp.Click(chromedp.ID("resolved")),
		typeIn(chromedp.ID("comment"), "处理很及时，谢谢！"),
	)
	shot(t, ctx, dir, "13-rate")
	submit(t, ctx, "sending the rating", "rate-form", "感谢您的评价。")
	shot(t, ctx, dir, "14-rated")
	pg.check(t)
}
