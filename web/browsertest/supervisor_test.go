package browsertest

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// apiAs sends a request with a token of role (and dept) and returns the
// status and the body.
func apiAs(t *testing.T, p *platform.Platform, role auth.Role, dept, method, path, body string) (int, string) {
	t.Helper()
	tok, err := p.Issuer.Sign(auth.Claims{Subject: string(role) + "-test", Role: role, Dept: dept}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, p.APIURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// downloads lets the tab save files into a temporary directory and reports
// each finished download: the name the page gave it and what it holds.
type downloads struct {
	dir  string
	mu   sync.Mutex
	name map[string]string // download id → suggested name
	done chan string       // download ids, as they complete
}

func allowDownloads(t *testing.T, ctx context.Context) *downloads {
	t.Helper()
	d := &downloads{dir: t.TempDir(), name: map[string]string{}, done: make(chan string, 8)}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *cdpbrowser.EventDownloadWillBegin:
			d.mu.Lock()
			d.name[ev.GUID] = ev.SuggestedFilename
			d.mu.Unlock()
		case *cdpbrowser.EventDownloadProgress:
			if ev.State == cdpbrowser.DownloadProgressStateCompleted {
				d.done <- ev.GUID
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	on := true
	// AllowAndName saves under the download's id; the page's name comes
	// with downloadWillBegin.
	if _, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: d.dir, EventsEnabled: &on,
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

// click presses an export button and waits for its file.
func (d *downloads) click(t *testing.T, ctx context.Context, button string) (name, content string) {
	t.Helper()
	do(t, ctx, "export "+button, chromedp.Click(chromedp.ID(button)))
	select {
	case id := <-d.done:
		b, err := os.ReadFile(filepath.Join(d.dir, id))
		if err != nil {
			t.Fatal(err)
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.name[id], string(b)
	case <-ctx.Done():
		t.Fatalf("export %s: no download: %v", button, ctx.Err())
		return "", ""
	}
}

// cell reads a cell of the dashboard's table: the row of a department and
// the column of a figure.
func cell(t *testing.T, ctx context.Context, dept, col string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#stats-rows tr[data-dept="`+dept+`"] td[data-col="`+col+`"]`)))
	if err != nil {
		t.Fatalf("dashboard %s %s: %v", dept, col, err)
	}
	return strings.TrimSpace(s)
}

// supervisorDashboard waits until the dashboard shows a period's figures.
func supervisorDashboard(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "dashboard", chromedp.WaitVisible(chromedp.CSS(`#sup-dashboard[data-shown] #stats-rows tr[data-dept="market"]`)))
}

// The whole path: a citizen's ticket is reviewed by an operator,
// accepted and answered by the department, rated by the citizen on the
// citizen page; the supervisor sees the rates move, finds the category among
// the hotspots, finds the ticket by its words, exports, and approves a
// department's request for more time.
func TestSupervisorSeesTheRatesMove(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)
	do(t, ctx, "desk size", chromedp.EmulateViewport(1280, 900))
	files := allowDownloads(t, ctx)

	// Filed by a citizen in a category the screening leaves to an operator,
	// who dispatches it to market (over the API).
	rec := fileOverAPI(t, p, "mooncake@example.com", "other.general", "超市出售的月饼已经发霉，要求退货被拒绝，请处理。")
	waiting := waitForNewStep(t, p, rec.ID, nil)
	if st, body := apiAs(t, p, auth.RoleOperator, "", http.MethodPost, "/v1/tickets/"+rec.ID+"/review",
		`{"decision":"accept","category":"consumer.refund","departmentId":"market","urgency":"normal"}`); st != http.StatusOK {
		t.Fatalf("review: %d %s", st, body)
	}
	waitForNewStep(t, p, rec.ID, waiting)
	// The department accepts and replies.
	staff(t, p, "/v1/tickets/"+rec.ID+"/accept", "")
	staff(t, p, "/v1/tickets/"+rec.ID+"/reply", `{"result":"resolved","message":"经核查，超市已下架发霉月饼并为您退货。"}`)

	// The supervisor's dashboard before the citizen rates: nothing rated.
	signIn(t, ctx, p, "supervisor", "")
	supervisorDashboard(t, ctx)
	if h := text(t, ctx, "sup-heading"); h != "督办工作台" {
		t.Errorf("supervisor heading %q", h)
	}
	// The market row names the department, not its id.
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#stats-rows tr[data-dept="market"] th`))); s != "市市场监督管理局" {
		t.Errorf("market row is named %q", s)
	}
	ratedBefore, rateBefore := cell(t, ctx, "market", "rated"), cell(t, ctx, "market", "satisfactionRate")
	if ratedBefore != "0" || rateBefore != "—" {
		t.Errorf("before the rating market shows rated %q, satisfaction %q; want 0 and —", ratedBefore, rateBefore)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#rates-chart svg[role="img"] rect').length`)); n == 0 {
		t.Error("the rates chart draws no bar")
	}
	shot(t, ctx, dir, "console-sup-01-dashboard")
	assertAccessible(t, ctx, "console-sup-01-dashboard")

	// The citizen rates the reply on the citizen page.
	lookUp(t, ctx, p, rec)
	do(t, ctx, "rate",
		chromedp.WaitVisible(chromedp.ID("rate-form")),
		chromedp.SetValue(chromedp.ID("score"), "5"),
		chromedp.Click(chromedp.ID("resolved")),
		typeIn(chromedp.ID("comment"), "处理得很好。"),
	)
	submit(t, ctx, "sending the rating", "rate-form", "感谢您的评价。")

	// Back on the console (the session lasts in the tab), the rates moved.
	do(t, ctx, "console again", chromedp.Navigate(p.APIURL+"/console/"))
	supervisorDashboard(t, ctx)
	if rated, rate := cell(t, ctx, "market", "rated"), cell(t, ctx, "market", "satisfactionRate"); rated != "1" || rate != "100.0%" {
		t.Errorf("after the rating market shows rated %q, satisfaction %q; want 1 and 100.0%%", rated, rate)
	}
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#stats-total td[data-col="satisfactionRate"]`))); strings.TrimSpace(s) != "100.0%" {
		t.Errorf("the total row's satisfaction %q", s)
	}
	got, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#rates-chart svg`), "aria-label"))
	label := got.Value
	if !strings.Contains(label, "市市场监督管理局：") || !strings.Contains(label, "满意率 100.0%") {
		t.Errorf("the chart is described as %q", label)
	}
	shot(t, ctx, dir, "console-sup-02-dashboard-rated")

	// The stats as CSV: a file the browser saves, with the export's header.
	name, csv := files.click(t, ctx, "stats-csv")
	if !strings.HasPrefix(name, "stats-") || !strings.HasSuffix(name, ".csv") {
		t.Errorf("stats export named %q", name)
	}
	if head, _, _ := strings.Cut(strings.TrimPrefix(csv, "\uFEFF"), "\r\n"); !strings.Contains(head, "satisfaction") || !strings.Contains(csv, "market") {
		t.Errorf("stats CSV starts %q", head)
	}
	if s := text(t, ctx, "status"); s != "已导出 "+name+"。" {
		t.Errorf("after the export the console says %q", s)
	}
	// And as Excel: a workbook is a zip file.
	if name, xlsx := files.click(t, ctx, "stats-xlsx"); !strings.HasSuffix(name, ".xlsx") || !strings.HasPrefix(xlsx, "PK") {
		t.Errorf("Excel export %q starts %q", name, xlsx[:min(len(xlsx), 4)])
	}

	// Hotspots: the ticket's category, rising from nothing before.
	hot := `#hotspots-list li[data-key="consumer.refund"]`
	do(t, ctx, "hotspots",
		chromedp.Click(chromedp.CSS(`#sup-tabs button[data-tab="hotspots"]`)),
		chromedp.WaitVisible(chromedp.CSS(hot)),
		chromedp.WaitNotVisible(chromedp.ID("status")),
	)
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(hot))); !strings.Contains(s, "上升") {
		t.Errorf("the hotspot reads %q: not said to be rising", s)
	}
	if cur, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#sup-tabs button[data-tab="hotspots"]`), "aria-current")); cur.Value != "page" {
		t.Errorf("hotspots tab aria-current %q", cur.Value)
	}
	shot(t, ctx, dir, "console-sup-03-hotspots")
	assertAccessible(t, ctx, "console-sup-03-hotspots")

	// Search by the ticket's words, open it, and come back.
	row := `#search-results li[data-id="` + rec.ID + `"]`
	do(t, ctx, "search",
		chromedp.Click(chromedp.CSS(`#sup-tabs button[data-tab="search"]`)),
		chromedp.WaitVisible(chromedp.ID("search-form")),
		typeIn(chromedp.ID("search-q"), "发霉"),
		chromedp.Click(chromedp.ID("search-submit")),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	if s := text(t, ctx, "results-heading"); s != "查询结果：1 件" {
		t.Errorf("search results heading %q", s)
	}
	shot(t, ctx, dir, "console-sup-04-search")
	assertAccessible(t, ctx, "console-sup-04-search")
	name, csv = files.click(t, ctx, "search-csv")
	if head, _, _ := strings.Cut(strings.TrimPrefix(csv, "\uFEFF"), "\r\n"); name != "tickets.csv" || !strings.HasPrefix(head, "工单编号 id,") || !strings.Contains(csv, rec.ID) {
		t.Errorf("search export %q starts %q, holds the ticket: %v", name, head, strings.Contains(csv, rec.ID))
	}
	do(t, ctx, "open the ticket",
		chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.ID("d-content")),
	)
	if s := text(t, ctx, "d-content"); !strings.Contains(s, "月饼") {
		t.Errorf("the ticket shows %q", s)
	}
	if s := text(t, ctx, "back"); s != "返回督办工作台" {
		t.Errorf("back reads %q", s)
	}
	shot(t, ctx, dir, "console-sup-05-ticket")
	assertAccessible(t, ctx, "console-sup-05-ticket")
	do(t, ctx, "back to the search",
		chromedp.Click(chromedp.ID("back")),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	// The quick search for overdue tickets: none is overdue yet.
	do(t, ctx, "overdue tickets",
		chromedp.Click(chromedp.ID("quick-overdue")),
		chromedp.WaitNotPresent(chromedp.CSS(row)),
	)
	if s := text(t, ctx, "results-heading"); s != "没有符合条件的工单。" {
		t.Errorf("overdue search says %q", s)
	}
	if on, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('search-overdue').checked && !document.getElementById('search-q').value`)); !on {
		t.Error("the quick search does not show what it searched for")
	}

	// A department asks for more time (over the API); the supervisor
	// approves it on the console and the reply deadline moves.
	ext := fileByAPI(t, p, "extension@example.com")
	staff(t, p, "/v1/tickets/"+ext.ID+"/accept", "")
	if st, body := apiAs(t, p, auth.RoleDepartment, "market", http.MethodPost, "/v1/tickets/"+ext.ID+"/extension",
		`{"days":5,"reason":"需要会同区市场监管所现场核查。"}`); st != http.StatusAccepted {
		t.Fatalf("extension request: %d %s", st, body)
	}
	extRow := `#extensions-list li[data-id="` + ext.ID + `"]`
	do(t, ctx, "extension requests",
		chromedp.Click(chromedp.CSS(`#sup-tabs button[data-tab="extensions"]`)),
		chromedp.WaitVisible(chromedp.CSS(extRow)),
	)
	shot(t, ctx, dir, "console-sup-06-extensions")
	assertAccessible(t, ctx, "console-sup-06-extensions")
	do(t, ctx, "open the request",
		chromedp.Click(chromedp.CSS(extRow+" button")),
		chromedp.WaitVisible(chromedp.ID("extension-decision-form")),
	)
	if s := text(t, ctx, "extdec-request"); !strings.Contains(s, "5 个工作日") || !strings.Contains(s, "现场核查") {
		t.Errorf("the request reads %q", s)
	}
	deadline := func() string {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#d-facts dt')]
			.find((dt) => dt.textContent === '答复期限')?.nextElementSibling?.textContent || ''`))
		if err != nil || s == "" {
			t.Fatalf("reply deadline %q: %v", s, err)
		}
		return s
	}
	before := deadline()
	// Rejecting needs a reason: said next to the input, nothing sent.
	do(t, ctx, "reject without a reason",
		chromedp.Click(chromedp.CSS(`#extension-decision-form input[name="approve"][value="false"]`)),
		chromedp.Click(chromedp.ID("extension-decision-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#extension-decision-reason[aria-invalid="true"]`)),
	)
	if s := text(t, ctx, "err-extension-decision-reason"); s != "不同意延期时请填写理由。" {
		t.Errorf("rejecting without a reason says %q", s)
	}
	do(t, ctx, "approve",
		chromedp.Click(chromedp.CSS(`#extension-decision-form input[name="approve"][value="true"]`)),
		typeIn(chromedp.ID("extension-decision-reason"), "同意延期。"),
	)
	if s := text(t, ctx, "err-extension-decision-reason"); s != "" {
		t.Errorf("approving still says %q", s)
	}
	shot(t, ctx, dir, "console-sup-07-extension-decision")
	assertAccessible(t, ctx, "console-sup-07-extension-decision")
	submit(t, ctx, "the decision", "extension-decision-form", "延期审批已提交。")
	if after := deadline(); after == before {
		t.Errorf("the reply deadline stayed %q", after)
	}
	shot(t, ctx, dir, "console-sup-08-extension-approved")
	do(t, ctx, "back to the requests",
		chromedp.Click(chromedp.ID("back")),
		chromedp.WaitVisible(chromedp.ID("extensions-empty")),
	)

	// English, on the dashboard: the screen is drawn again.
	do(t, ctx, "English",
		chromedp.Click(chromedp.CSS(`#sup-tabs button[data-tab="dashboard"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sup-dashboard[data-shown]`)),
		chromedp.Click(chromedp.ID("lang")),
	)
	// The department names come from the catalog, so the heading follows a
	// moment after the switch.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('stats-heading').textContent.startsWith('Departments (')`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("English dashboard heading %q: %v", text(t, ctx, "stats-heading"), err)
	}
	shot(t, ctx, dir, "console-sup-09-english")
	assertAccessible(t, ctx, "console-sup-09-english")
	pg.check(t)
}

// An operator finds a department's request for more time in the review
// queue and rejects it with a reason; the deadline stays, and "back" goes
// back to the queue as before.
func TestSupervisorExtensionRejectedByAnOperator(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)
	do(t, ctx, "desk size", chromedp.EmulateViewport(1280, 900))

	rec := fileByAPI(t, p, "reject-extension@example.com")
	staff(t, p, "/v1/tickets/"+rec.ID+"/accept", "")
	if st, body := apiAs(t, p, auth.RoleDepartment, "market", http.MethodPost, "/v1/tickets/"+rec.ID+"/extension",
		`{"days":3,"reason":"需要等待检测报告。"}`); st != http.StatusAccepted {
		t.Fatalf("extension request: %d %s", st, body)
	}

	signIn(t, ctx, p, "operator", "")
	row := `#tickets li[data-id="` + rec.ID + `"]`
	do(t, ctx, "open the request from the queue",
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.ID("extension-decision-form")),
	)
	if s := text(t, ctx, "back"); s != "返回列表" {
		t.Errorf("the operator's back reads %q", s)
	}
	before := text(t, ctx, "d-facts")
	do(t, ctx, "reject",
		chromedp.Click(chromedp.CSS(`#extension-decision-form input[name="approve"][value="false"]`)),
		typeIn(chromedp.ID("extension-decision-reason"), "事实清楚，请在原期限内答复。"),
	)
	shot(t, ctx, dir, "console-sup-10-operator-rejects-extension")
	submit(t, ctx, "the rejection", "extension-decision-form", "延期审批已提交。")
	if after := text(t, ctx, "d-facts"); after != before {
		t.Errorf("after a rejection the facts changed from %q to %q", before, after)
	}
	if s := text(t, ctx, "d-timeline"); !strings.Contains(s, "事实清楚") {
		t.Errorf("the timeline does not give the reason: %q", s)
	}
	do(t, ctx, "back to the queue",
		chromedp.Click(chromedp.ID("back")),
		chromedp.WaitVisible(chromedp.ID("list-heading")),
	)
	pg.check(t)
}
