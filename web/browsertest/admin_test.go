package browsertest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// adminCall is another admin's request over the API: the answer's status,
// body and ETag. ifMatch goes in If-Match when not empty.
func adminCall(t *testing.T, p *platform.Platform, method, path, ifMatch, body string) (int, []byte, string) {
	t.Helper()
	tok, err := p.Issuer.Sign(auth.Claims{Subject: "other-admin", Role: auth.RoleAdmin}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, p.APIURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out, resp.Header.Get("ETag")
}

// waitText waits until the element's text is want (a message replacing the
// last one in the same element).
func waitText(t *testing.T, ctx context.Context, id, want string) {
	t.Helper()
	js, _ := json.Marshal(want)
	idJS, _ := json.Marshal(id)
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](
		`(document.getElementById(`+string(idJS)+`)?.textContent || '').trim() === `+string(js),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("#%s never said %q (it says %q): %v", id, want, text(t, ctx, chromedp.ID(id)), err)
	}
}

// setField sets an input's or a select's value as typing or choosing would,
// with its input and change events; chromedp.SetValue refuses "".
func setField(id, v string) chromedp.Action[chromedp.Void] {
	idJS, _ := json.Marshal(id)
	vJS, _ := json.Marshal(v)
	return chromedp.Evaluate[chromedp.Void](`(() => {
		const e = document.getElementById(` + string(idJS) + `);
		e.value = ` + string(vJS) + `;
		e.dispatchEvent(new Event('input', {bubbles: true}));
		e.dispatchEvent(new Event('change', {bubbles: true}));
	})()`)
}

// rowText is the text of a table row of the admin screens.
func rowText(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// An admin renames a department, adds an inactive one, sees another admin's
// change after a refused save (412) without losing the edit, adds a holiday,
// moves a routing rule to another department, and changes a category's
// time limit; refused fields show next to their inputs.
func TestConsoleAdminEditsTheCatalog(t *testing.T) {
	ctx := browser(t)
	dir := screenshots(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)
	do(t, ctx, "desk size", chromedp.EmulateViewport(1280, 900))

	signIn(t, ctx, p, "admin", "")
	do(t, ctx, "departments", chromedp.WaitVisible(chromedp.CSS(`#adm-dept-rows tr[data-id="housing"]`)))
	if s := text(t, ctx, "admin-heading"); s != "目录管理" {
		t.Errorf("admin heading %q", s)
	}
	if cur, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("adm-tab-departments"), "aria-current")); cur.Value != "page" {
		t.Errorf("departments tab aria-current %q", cur.Value)
	}
	shot(t, ctx, dir, "console-admin-01-departments")
	assertAccessible(t, ctx, "console-admin-01-departments")

	// Rename a department: the list shows the new name.
	const housing = "市住房和城乡建设局"
	do(t, ctx, "rename housing",
		chromedp.Click(chromedp.CSS(`#adm-dept-rows tr[data-id="housing"] button`)),
		chromedp.WaitVisible(chromedp.ID("adm-dept-form")),
		setField("adm-dept-name", housing),
	)
	shot(t, ctx, dir, "console-admin-02-department-edit")
	assertAccessible(t, ctx, "console-admin-02-department-edit")
	submit(t, ctx, "saving housing", "adm-dept-form", "已保存："+housing+"。")
	if s := rowText(t, ctx, `#adm-dept-rows tr[data-id="housing"]`); !strings.Contains(s, housing) {
		t.Errorf("housing's row says %q", s)
	}

	// Add an inactive department.
	do(t, ctx, "add a department",
		chromedp.Click(chromedp.ID("adm-dept-add")),
		chromedp.WaitVisible(chromedp.ID("adm-dept-form")),
		typeIn(chromedp.ID("adm-dept-id"), "port"),
		typeIn(chromedp.ID("adm-dept-name"), "市港口管理局"),
		typeIn(chromedp.ID("adm-dept-nameEn"), "Municipal Port Authority"),
	)
	if on, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('adm-dept-active').checked`)); on {
		t.Error("a new department starts active")
	}
	submit(t, ctx, "saving the new department", "adm-dept-form", "已保存：市港口管理局。")
	if s := rowText(t, ctx, `#adm-dept-rows tr[data-id="port"]`); !strings.Contains(s, "市港口管理局") || !strings.Contains(s, "已停用") {
		t.Errorf("the new department's row says %q", s)
	}
	shot(t, ctx, dir, "console-admin-03-department-added")

	// The conflict: the page has read the departments; another admin renames
	// market over the API; the page's edit of market's English name is
	// refused with a plain message and kept.
	status, body, etag := adminCall(t, p, http.MethodGet, "/v1/admin/departments/market", "", "")
	if status != http.StatusOK || etag == "" {
		t.Fatalf("GET market: %d %q %s", status, etag, body)
	}
	do(t, ctx, "edit market",
		chromedp.Click(chromedp.CSS(`#adm-dept-rows tr[data-id="market"] button`)),
		chromedp.WaitVisible(chromedp.ID("adm-dept-form")),
		setField("adm-dept-nameEn", "Market Regulation Bureau"),
	)
	const otherName = "市市场监管局"
	if status, body, _ := adminCall(t, p, http.MethodPut, "/v1/admin/departments/market", etag,
		`{"name":"`+otherName+`","nameEn":"Municipal Administration for Market Regulation","active":true}`); status != http.StatusOK {
		t.Fatalf("the other admin's PUT: %d %s", status, body)
	}
	do(t, ctx, "save market, too late",
		chromedp.Click(chromedp.ID("adm-dept-submit")),
		chromedp.WaitVisible(chromedp.ID("adm-conflict")),
	)
	if s := text(t, ctx, "adm-conflict-text"); !strings.HasPrefix(s, "未保存：在您打开承办单位之后，其他人已经修改并保存了它。您的修改仍保留在下方") {
		t.Errorf("the conflict says %q", s)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("adm-dept-nameEn"))); v != "Market Regulation Bureau" {
		t.Errorf("after the conflict the English name is %q, not the typed edit", v)
	}
	shot(t, ctx, dir, "console-admin-04-conflict")
	assertAccessible(t, ctx, "console-admin-04-conflict")
	pg.check(t, "status of 412")

	do(t, ctx, "load the latest",
		chromedp.Click(chromedp.ID("adm-latest")),
		chromedp.WaitVisible(chromedp.ID("adm-stored")),
	)
	if s := text(t, ctx, "adm-stored-list"); !strings.Contains(s, "已修改："+otherName+"（market）") {
		t.Errorf("stored now: %q", s)
	}
	if s := rowText(t, ctx, `#adm-dept-rows tr[data-id="market"]`); !strings.Contains(s, otherName) {
		t.Errorf("after loading the latest, market's row says %q", s)
	}
	// The typed edit stays, the untouched name takes the other admin's.
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("adm-dept-nameEn"))); v != "Market Regulation Bureau" {
		t.Errorf("after loading the latest the English name is %q", v)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("adm-dept-name"))); v != otherName {
		t.Errorf("after loading the latest the name is %q", v)
	}
	shot(t, ctx, dir, "console-admin-05-latest")
	submit(t, ctx, "saving market again", "adm-dept-form", "已保存："+otherName+"。")
	do(t, ctx, "conflict box gone", chromedp.WaitNotVisible(chromedp.ID("adm-conflict")))
	if s := rowText(t, ctx, `#adm-dept-rows tr[data-id="market"]`); !strings.Contains(s, otherName) || !strings.Contains(s, "Market Regulation Bureau") {
		t.Errorf("after saving again market's row says %q", s)
	}

	// Calendar: add a holiday to 2026 and save.
	do(t, ctx, "calendar",
		chromedp.Click(chromedp.ID("adm-tab-calendar")),
		chromedp.WaitReady(chromedp.CSS(`#adm-cal-year option[value="2026"]`)),
		chromedp.SetValue(chromedp.ID("adm-cal-year"), "2026"),
		chromedp.Click(chromedp.ID("adm-cal-open")),
		chromedp.WaitVisible(chromedp.ID("adm-cal-form")),
		chromedp.SetValue(chromedp.ID("adm-cal-holiday-new"), "2026-12-31"),
		chromedp.Click(chromedp.ID("adm-cal-holiday-add")),
		chromedp.WaitVisible(chromedp.CSS(`#adm-cal-holidays time[datetime="2026-12-31"]`)),
	)
	shot(t, ctx, dir, "console-admin-06-calendar")
	assertAccessible(t, ctx, "console-admin-06-calendar")
	do(t, ctx, "save the calendar", chromedp.Click(chromedp.ID("adm-cal-submit")))
	waitText(t, ctx, "status", "2026 年的日历已保存。")
	if _, body, _ := adminCall(t, p, http.MethodGet, "/v1/admin/calendar/2026", "", ""); !strings.Contains(string(body), "2026-12-31") {
		t.Errorf("the stored 2026 calendar: %s", body)
	}

	// A year not set yet: opened empty, set by saving.
	do(t, ctx, "a new year",
		chromedp.WaitReady(chromedp.CSS(`#adm-cal-year option[value="2027"]`)),
		chromedp.SetValue(chromedp.ID("adm-cal-year"), "2027"),
		chromedp.Click(chromedp.ID("adm-cal-open")),
		chromedp.WaitVisible(chromedp.ID("adm-cal-new")),
		chromedp.SetValue(chromedp.ID("adm-cal-holiday-new"), "2027-01-01"),
		chromedp.Click(chromedp.ID("adm-cal-holiday-add")),
		chromedp.WaitVisible(chromedp.CSS(`#adm-cal-holidays time[datetime="2027-01-01"]`)),
		chromedp.Click(chromedp.ID("adm-cal-submit")),
	)
	waitText(t, ctx, "status", "2027 年的日历已保存。")
	if s := text(t, ctx, "adm-cal-coverage"); s != "已设置节假日安排的年份：2026、2027。" {
		t.Errorf("after setting 2027 the coverage says %q", s)
	}
	pg.check(t, "status of 404")

	// Routing rules: traffic-signal goes to urban_mgmt instead.
	const rule = `#adm-rule-rows tr[data-id="traffic-signal"]`
	do(t, ctx, "routing rules",
		chromedp.Click(chromedp.ID("adm-tab-rules")),
		chromedp.WaitVisible(chromedp.CSS(rule)),
		chromedp.Click(chromedp.CSS(rule+" button")),
		chromedp.WaitVisible(chromedp.ID("adm-rule-form")),
		setField("adm-rule-dept", "urban_mgmt"),
	)
	if s := rowText(t, ctx, rule); !strings.Contains(s, "市城市管理委员会") {
		t.Errorf("the edited rule's row says %q", s)
	}
	shot(t, ctx, dir, "console-admin-07-rules")
	assertAccessible(t, ctx, "console-admin-07-rules")
	// Another admin changes a department meanwhile: the catalog's version
	// moves on, but not the rules the page edits, so the save goes through.
	_, _, etag = adminCall(t, p, http.MethodGet, "/v1/admin/departments/transport", "", "")
	if status, body, _ := adminCall(t, p, http.MethodPut, "/v1/admin/departments/transport", etag,
		`{"name":"市交通委员会","nameEn":"Beijing Municipal Commission of Transport","active":true}`); status != http.StatusOK {
		t.Fatalf("the other admin's PUT of transport: %d %s", status, body)
	}
	do(t, ctx, "save the rules", chromedp.Click(chromedp.ID("adm-rule-submit")))
	waitText(t, ctx, "status", "分派规则已保存。")
	if _, body, _ := adminCall(t, p, http.MethodGet, "/v1/admin/routing-rules", "", ""); !strings.Contains(string(body), `"id":"traffic-signal","priority":100,"categories":["public_safety.traffic_signal"],"departmentId":"urban_mgmt"`) {
		t.Errorf("the stored rules: %s", body)
	}
	if visible, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById('adm-conflict').hidden`)); visible {
		t.Error("a change to another part of the catalog shows as a conflict")
	}
	// The first try's 412, answered by saving again at the new version.
	pg.check(t, "status of 412")

	// A rule naming no department: the refusal shows next to the select.
	do(t, ctx, "a rule without a department",
		chromedp.Click(chromedp.CSS(rule+" button")),
		chromedp.WaitVisible(chromedp.ID("adm-rule-form")),
		setField("adm-rule-dept", ""),
		chromedp.Click(chromedp.ID("adm-rule-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#adm-rule-dept[aria-invalid="true"]`)),
	)
	if s := text(t, ctx, "err-adm-rule-dept"); !strings.Contains(s, "department") && !strings.Contains(s, "单位") {
		t.Errorf("next to the department: %q", s)
	}
	shot(t, ctx, dir, "console-admin-08-rule-error")
	assertAccessible(t, ctx, "console-admin-08-rule-error")
	pg.check(t, "status of 400")
	do(t, ctx, "undo", chromedp.Click(chromedp.ID("adm-rule-reset")), chromedp.WaitNotVisible(chromedp.ID("adm-rule-form")))

	// Reordering from the keyboard: gas-company before gas-keywords.
	do(t, ctx, "move a rule up",
		chromedp.Focus(chromedp.CSS(`#adm-rule-rows tr[data-id="gas-company"] button[aria-label="将规则 gas-company 上移"]`)),
		chromedp.KeyEvent("\r"),
	)
	waitText(t, ctx, "status", "规则 gas-company 现在排第 3 位，保存后生效。")
	if ids, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#adm-rule-rows tr[data-id]')].slice(0, 4).map((r) => r.dataset.id)`)); strings.Join(ids, " ") != "gas-category traffic-signal gas-company gas-keywords" {
		t.Errorf("after moving gas-company up the rules are %v", ids)
	}
	do(t, ctx, "undo the move", chromedp.Click(chromedp.ID("adm-rule-reset")))

	// A conflict on the rules: another admin raises gas-company to 75; the
	// page's edit of subway-unit is refused, the latest version shows the
	// other change, and the admin gives up the edit for it.
	status, body, etag = adminCall(t, p, http.MethodGet, "/v1/admin/routing-rules", "", "")
	raised := strings.Replace(string(body), `"id":"gas-company","priority":70`, `"id":"gas-company","priority":75`, 1)
	if status != http.StatusOK || raised == string(body) {
		t.Fatalf("GET routing rules: %d %s", status, body)
	}
	do(t, ctx, "edit subway-unit",
		chromedp.Click(chromedp.CSS(`#adm-rule-rows tr[data-id="subway-unit"] button`)),
		chromedp.WaitVisible(chromedp.ID("adm-rule-form")),
		setField("adm-rule-priority", "65"),
	)
	if status, body, _ := adminCall(t, p, http.MethodPut, "/v1/admin/routing-rules", etag, raised); status != http.StatusOK {
		t.Fatalf("the other admin's PUT of the rules: %d %s", status, body)
	}
	do(t, ctx, "save the rules, too late",
		chromedp.Click(chromedp.ID("adm-rule-submit")),
		chromedp.WaitVisible(chromedp.ID("adm-conflict")),
	)
	if s := text(t, ctx, "adm-conflict-text"); !strings.HasPrefix(s, "未保存：在您打开分派规则之后，其他人已经修改并保存了它。") {
		t.Errorf("the rules' conflict says %q", s)
	}
	do(t, ctx, "see the latest rules",
		chromedp.Click(chromedp.ID("adm-latest")),
		chromedp.WaitVisible(chromedp.ID("adm-stored")),
	)
	if s := text(t, ctx, "adm-stored-list"); !strings.HasPrefix(s, "已修改：gas-company（75）") {
		t.Errorf("stored rules now: %q", s)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("adm-rule-priority"))); v != "65" {
		t.Errorf("after loading the latest the edited priority is %q", v)
	}
	shot(t, ctx, dir, "console-admin-09-rules-conflict")
	assertAccessible(t, ctx, "console-admin-09-rules-conflict")
	do(t, ctx, "discard the edit", chromedp.Click(chromedp.ID("adm-discard")), chromedp.WaitNotVisible(chromedp.ID("adm-conflict")))
	waitText(t, ctx, "status", "已放弃未保存的修改，显示的是最新版本。")
	if s := rowText(t, ctx, `#adm-rule-rows tr[data-id="gas-company"]`); !strings.HasPrefix(strings.TrimSpace(s), "75") {
		t.Errorf("after discarding, gas-company's row says %q", s)
	}
	if s := rowText(t, ctx, `#adm-rule-rows tr[data-id="subway-unit"]`); !strings.HasPrefix(strings.TrimSpace(s), "70") {
		t.Errorf("after discarding, subway-unit's row says %q", s)
	}
	pg.check(t, "status of 412")

	// Categories: consumer.refund's reply limit from 13 to 10 working days.
	const refund = `#adm-cat-tree li[data-code="consumer.refund"]`
	do(t, ctx, "categories",
		chromedp.Click(chromedp.ID("adm-tab-categories")),
		chromedp.WaitVisible(chromedp.CSS(refund)),
		chromedp.Click(chromedp.CSS(refund+" button")),
		chromedp.WaitVisible(chromedp.ID("adm-cat-form")),
		setField("adm-cat-days", "10"),
	)
	if s := rowText(t, ctx, refund); !strings.Contains(s, "答复 10 个工作日") {
		t.Errorf("the edited category says %q", s)
	}
	shot(t, ctx, dir, "console-admin-10-categories")
	assertAccessible(t, ctx, "console-admin-10-categories")
	do(t, ctx, "save the categories", chromedp.Click(chromedp.ID("adm-cat-submit")))
	waitText(t, ctx, "status", "分类已保存。")
	if _, body, _ := adminCall(t, p, http.MethodGet, "/v1/admin/categories", "", ""); !strings.Contains(string(body), `"code":"consumer.refund","name":"退换货","nameEn":"Returns and refunds","types":["complaint","consultation"],"serviceLevel":{"acceptHours":24,"replyWorkingDays":10}`) {
		t.Errorf("the stored categories: %s", body)
	}

	// An invalid time limit: the refusal shows next to the time limits.
	do(t, ctx, "a category with no acknowledgement time",
		chromedp.Click(chromedp.CSS(refund+" button")),
		chromedp.WaitVisible(chromedp.ID("adm-cat-form")),
		setField("adm-cat-accept", "0"),
		chromedp.Click(chromedp.ID("adm-cat-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#adm-cat-accept[aria-invalid="true"]`)),
	)
	if s := text(t, ctx, "err-adm-cat-accept"); s != "办理时限有误：签收时限须为 1–720 小时" {
		t.Errorf("next to the time limits: %q", s)
	}
	shot(t, ctx, dir, "console-admin-11-category-error")
	assertAccessible(t, ctx, "console-admin-11-category-error")
	pg.check(t, "status of 400")

	// A new subcategory under "other".
	do(t, ctx, "add a subcategory",
		chromedp.Click(chromedp.ID("adm-cat-reset")),
		chromedp.Click(chromedp.CSS(`#adm-cat-tree li[data-code="other"] button.add`)),
		chromedp.WaitVisible(chromedp.ID("adm-cat-form")),
		setField("adm-cat-code", "other.lost_found"),
		setField("adm-cat-name", "失物招领"),
		setField("adm-cat-nameEn", "Lost and found"),
		chromedp.WaitVisible(chromedp.CSS(`#adm-cat-tree li[data-code="other.lost_found"]`)),
		chromedp.Click(chromedp.ID("adm-cat-submit")),
	)
	waitText(t, ctx, "status", "分类已保存。")
	if _, body, _ := adminCall(t, p, http.MethodGet, "/v1/admin/categories", "", ""); !strings.Contains(string(body), `"code":"other.lost_found","name":"失物招领"`) {
		t.Errorf("the stored categories: %s", body)
	}

	// English, on the same screen.
	do(t, ctx, "English", chromedp.Click(chromedp.ID("lang")), chromedp.WaitVisible(chromedp.ID("adm-cat-tree")))
	if s := text(t, ctx, "admin-heading"); s != "Catalog administration" {
		t.Errorf("English heading %q", s)
	}
	shot(t, ctx, dir, "console-admin-12-english")
	assertAccessible(t, ctx, "console-admin-12-english")
	do(t, ctx, "back to Chinese", chromedp.Click(chromedp.ID("lang")))
	pg.check(t)
}
