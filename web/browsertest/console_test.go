package browsertest

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/web"
)

// waitForNewStep waits until the ticket's workflow waits on a task token
// other than those in before (or has ended), and returns what it waits on.
func waitForNewStep(t *testing.T, p *platform.Platform, id string, before []string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	arn := strings.Replace(p.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + id
	d, err := p.Engine.WaitFor(ctx, arn, func(d *asl.ExecutionInfo) bool {
		if d.Status != asl.StatusRunning {
			return true
		}
		return slices.ContainsFunc(d.WaitingTokens, func(tok string) bool { return !slices.Contains(before, tok) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return d.WaitingTokens
}

// fileForReview files, over the API, a complaint whose category is one the
// screening leaves to an operator (config/screening.json's
// ambiguousCategories), and waits until it waits for the review.
func fileForReview(t *testing.T, p *platform.Platform, email string) (localtest.Receipt, []string) {
	t.Helper()
	rec := fileOverAPI(t, p, email, "other.general", "小区门口的超市卖过期牛奶，找店家退货被拒绝，请处理。")
	return rec, waitForNewStep(t, p, rec.ID, nil)
}

// signIn uses the console's local development sign-in.
func signIn(t *testing.T, ctx context.Context, p *platform.Platform, role, dept string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(p.APIURL + "/console/"),
		chromedp.WaitVisible(chromedp.ID("signin-form")),
		chromedp.SetValue(chromedp.ID("signin-role"), role),
		// SetValue fires no change event; the page shows the department
		// field on change, so send one as a person choosing would.
		chromedp.Evaluate[chromedp.Void](`document.getElementById('signin-role').dispatchEvent(new Event('change'))`),
	}
	if dept != "" {
		// From the keyboard: Enter in the department field signs in.
		steps = append(steps, chromedp.WaitVisible(chromedp.ID("signin-dept")), typeIn(chromedp.ID("signin-dept"), dept+kb.Enter))
	} else {
		steps = append(steps, chromedp.Click(chromedp.ID("signin-submit")))
	}
	steps = append(steps, chromedp.WaitVisible(chromedp.ID("session")))
	do(t, ctx, "sign in as "+role, steps...)
}

// An operator finds a ticket the screening could not place in the review
// queue, with its reason, and dispatches it; the department accepts and
// replies; the citizen sees the reply.
func TestConsoleOperatorDispatchesDepartmentReplies(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)
	// The console is used at a desk.
	do(t, ctx, "desk size", chromedp.EmulateViewport(1280, 900))

	rec, waiting := fileForReview(t, p, "console@example.com")

	do(t, ctx, "open the console",
		chromedp.Navigate(p.APIURL+"/console/"),
		chromedp.WaitVisible(chromedp.ID("signin-form")),
	)
	if lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); lang != "zh-CN" {
		t.Errorf("lang %q, want zh-CN", lang)
	}
	// Every control has a label a screen reader reads, the hidden ones too.
	unlabelled, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('input, select, textarea')]
		.filter((e) => e.labels.length === 0 && !e.closest('label') && !e.getAttribute('aria-label'))
		.map((e) => e.id || e.name)`))
	if err != nil || len(unlabelled) > 0 {
		t.Errorf("controls without a label: %v %v", unlabelled, err)
	}
	shot(t, ctx, dir, "console-01-signin")
	assertAccessible(t, ctx, "console-01-signin")

	// A department that does not exist: the sign-in says so under the field.
	do(t, ctx, "unknown department",
		chromedp.SetValue(chromedp.ID("signin-role"), "department"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('signin-role').dispatchEvent(new Event('change'))`),
		chromedp.WaitVisible(chromedp.ID("signin-dept")),
		typeIn(chromedp.ID("signin-dept"), "nowhere"),
		chromedp.Click(chromedp.ID("signin-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#signin-dept[aria-invalid="true"]`)),
	)
	if s := text(t, ctx, "err-dept"); !strings.HasPrefix(s, "没有承办单位 nowhere") || !strings.Contains(s, "market") {
		t.Errorf("unknown department says %q", s)
	}
	shot(t, ctx, dir, "console-02-signin-error")
	pg.check(t, "status of 400")

	// The operator: the review queue, with the reason.
	signIn(t, ctx, p, "operator", "")
	row := `#tickets li[data-id="` + rec.ID + `"]`
	do(t, ctx, "review queue", chromedp.WaitVisible(chromedp.CSS(row)))
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(row))); !strings.Contains(s, "分类不明确") {
		t.Errorf("queue row %q gives no reason", s)
	}
	shot(t, ctx, dir, "console-03-review-queue")
	assertAccessible(t, ctx, "console-03-review-queue")

	do(t, ctx, "open the ticket",
		chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.ID("review-form")),
	)
	if s := text(t, ctx, "d-content"); !strings.Contains(s, "过期牛奶") {
		t.Errorf("ticket content %q", s)
	}
	shot(t, ctx, dir, "console-04-ticket-review")
	assertAccessible(t, ctx, "console-04-ticket-review")

	do(t, ctx, "accept and dispatch",
		chromedp.SetValue(chromedp.ID("review-category"), "consumer.refund"),
		chromedp.WaitReady(chromedp.CSS(`#review-department option[value="market"]`)),
		chromedp.SetValue(chromedp.ID("review-department"), "market"),
	)
	submit(t, ctx, "review", "review-form", "审核已提交。")
	shot(t, ctx, dir, "console-05-reviewed")
	waitForNewStep(t, p, rec.ID, waiting)

	do(t, ctx, "sign out",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("signin-form")),
	)
	if tok, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("sessionStorage.getItem('hotline.staff') || ''")); tok != "" {
		t.Errorf("signed out, the session still holds %q", tok)
	}

	// The department: the new ticket under 待签收.
	signIn(t, ctx, p, "department", "market")
	do(t, ctx, "inbox", chromedp.WaitVisible(chromedp.CSS(row)))
	// Staff see the department's name, not its id.
	if h, who := text(t, ctx, "list-heading"), text(t, ctx, "whoami"); h != "市市场监督管理局 工单" || !strings.HasSuffix(who, "承办单位 · 市市场监督管理局") {
		t.Errorf("inbox heading %q, signed in as %q", h, who)
	}
	shot(t, ctx, dir, "console-06-inbox")
	assertAccessible(t, ctx, "console-06-inbox")
	do(t, ctx, "open and accept",
		chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.ID("accept-form")),
	)
	shot(t, ctx, dir, "console-07-department-ticket")
	assertAccessible(t, ctx, "console-07-department-ticket")
	// A colleague accepted it meanwhile (over the API): the console's own
	// accept gets a 409, says so in plain words and shows the ticket as it is.
	staff(t, p, "/v1/tickets/"+rec.ID+"/accept", "")
	do(t, ctx, "accept, too late",
		chromedp.Click(chromedp.ID("accept-submit")),
		chromedp.WaitVisible(chromedp.ID("reply-form")),
		chromedp.WaitVisible(chromedp.CSS("#status.error")),
	)
	if s := text(t, ctx, "status"); !strings.HasPrefix(s, "工单状态已变化") {
		t.Errorf("after a conflicting accept the console says %q", s)
	}
	shot(t, ctx, dir, "console-08-conflict")
	pg.check(t, "status of 409")

	// A return with a one-letter reason: the API's problem names the field
	// and the console puts it under the input.
	do(t, ctx, "return too short",
		typeIn(chromedp.ID("return-reason"), "x"),
		chromedp.Click(chromedp.ID("return-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#return-reason[aria-invalid="true"]`)),
	)
	if s := text(t, ctx, "err-return-reason"); s == "" {
		t.Error("no message under the return reason")
	}
	pg.check(t, "status of 400")

	// A staff note and a request for more time, each confirmed.
	do(t, ctx, "staff note",
		typeIn(chromedp.ID("note-text"), "已电话联系超市负责人。"),
		chromedp.Click(chromedp.ID("note-submit")),
		chromedp.WaitVisible(chromedp.CSS("#status:not(.error)")),
	)
	if s := text(t, ctx, "status"); s != "备注已添加。" {
		t.Errorf("after the note the console says %q", s)
	}
	do(t, ctx, "ask for more time",
		typeIn(chromedp.ID("extension-reason"), "需要现场核查进货记录。"),
	)
	submit(t, ctx, "asking for time", "extension-form", "延期申请已提交。")

	const reply = "经核查，超市已下架过期牛奶并为您办理退货。"
	do(t, ctx, "write the reply",
		typeIn(chromedp.ID("reply-message"), reply),
	)
	shot(t, ctx, dir, "console-09-reply")
	assertAccessible(t, ctx, "console-09-reply")
	submit(t, ctx, "the reply", "reply-form", "答复已提交。")
	shot(t, ctx, dir, "console-10-replied")

	// English, on the same screen.
	do(t, ctx, "English",
		chromedp.Click(chromedp.ID("lang")),
		chromedp.WaitVisible(chromedp.ID("d-heading")),
	)
	if s := text(t, ctx, "d-heading"); s != "Ticket "+rec.ID {
		t.Errorf("English heading %q", s)
	}
	shot(t, ctx, dir, "console-11-english")
	assertAccessible(t, ctx, "console-11-english")
	do(t, ctx, "back to Chinese", chromedp.Click(chromedp.ID("lang")))

	// Supervisors get their own screens (supervisor_test.go).
	do(t, ctx, "sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("signin-form")))
	signIn(t, ctx, p, "supervisor", "")
	do(t, ctx, "supervisor", chromedp.WaitVisible(chromedp.CSS("#sup-dashboard[data-shown]")))
	pg.check(t)

	// The citizen sees the department's reply.
	lookUp(t, ctx, p, rec)
	if s := text(t, ctx, "ticket-texts"); !strings.Contains(s, reply) {
		t.Errorf("the citizen's view shows %q, not the reply", s)
	}
	pg.check(t)
}

// Deployed (config.json without localMode) the console offers no
// development sign-in; without the OIDC settings (TestConsoleOIDCSignIn)
// it says sign-in is not set up rather than offer a button that fails.
func TestConsoleDeployedHasNoLocalSignIn(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	pages, err := web.New(web.Config{Issuer: "https://auth.example.invalid"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pages)
	t.Cleanup(srv.Close)
	pg := watch(t, ctx)
	do(t, ctx, "open the console",
		chromedp.Navigate(srv.URL+"/console/"),
		chromedp.WaitVisible(chromedp.ID("signin-oidc-missing")),
		chromedp.WaitNotVisible(chromedp.ID("signin-form")),
		chromedp.WaitNotVisible(chromedp.ID("signin-oidc-start")),
	)
	if s := text(t, ctx, "signin-oidc-missing"); s != "本站点尚未配置工作人员登录，请联系系统管理员。" {
		t.Errorf("deployed without sign-in settings the console says %q", s)
	}
	shot(t, ctx, dir, "console-00-deployed-signin")
	pg.check(t)
}

// A department returns a ticket that is not its own; the operator finds it
// in the queue and reassigns it to another department.
func TestConsoleOperatorReassignsAReturnedTicket(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)
	do(t, ctx, "desk size", chromedp.EmulateViewport(1280, 900))

	rec := fileByAPI(t, p, "returned@example.com")
	waiting := waitForNewStep(t, p, rec.ID, nil)
	staff(t, p, "/v1/tickets/"+rec.ID+"/return", `{"reason":"此事不属于市场监管职责，应由住建部门处理。"}`)
	waitForNewStep(t, p, rec.ID, waiting)

	signIn(t, ctx, p, "operator", "")
	row := `#tickets li[data-id="` + rec.ID + `"]`
	do(t, ctx, "open the returned ticket",
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.ID("reassign-form")),
		chromedp.WaitReady(chromedp.CSS(`#reassign-department option[value="housing"]`)),
		chromedp.SetValue(chromedp.ID("reassign-department"), "housing"),
		typeIn(chromedp.ID("reassign-reason"), "按退回原因改派住建。"),
	)
	shot(t, ctx, dir, "console-13-reassign")
	assertAccessible(t, ctx, "console-13-reassign")
	submit(t, ctx, "reassigning", "reassign-form", "已重新派单。")
	shot(t, ctx, dir, "console-14-reassigned")
	pg.check(t)
}
