package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// axePath is axe-core as npm installs it from the repository's package.json
// (pinned there; .ci/run runs npm ci). It is read at test time, never
// committed.
var axePath = filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js")

var axeSource = sync.OnceValues(func() ([]byte, error) { return os.ReadFile(axePath) })

// axeTags are the rules run: WCAG 2.0 and 2.1, levels A and AA.
const axeTags = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']`

// axeCore is axe-core's source; without it the test skips, or fails in CI.
func axeCore(t *testing.T) []byte {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core: %v (CI=true: npm ci must install it)", err)
		}
		t.Skipf("axe-core not installed (%v): accessibility checks skipped; npm ci installs it", err)
	}
	return src
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// assertAccessible runs axe-core (WCAG 2.1 A and AA rules) on the screen the
// tab shows now and fails the test on every violation of impact serious or
// critical, naming the rule, its help and the elements; lesser ones are
// logged. screen names the screen in the messages. Call it once the screen
// is visible and settled: axe checks what is rendered (hidden elements are
// skipped). Without node_modules/axe-core it skips the test, except in CI
// (CI=true), where it fails: run npm ci at the repository's root.
func assertAccessible(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	src := axeCore(t)
	// Through DevTools, so the page's Content-Security-Policy (no inline or
	// foreign script) stays as it is for the page itself.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("typeof axe === 'object'"))
	if err != nil {
		t.Fatalf("%s: %v", screen, err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(src)+"\n;undefined")); err != nil {
			t.Fatalf("%s: injecting axe-core: %v", screen, err)
		}
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {
		runOnly: {type: 'tag', values: `+axeTags+`},
		resultTypes: ['violations'],
	}).then((r) => JSON.stringify({violations: r.violations, passes: r.passes.length}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", screen, err)
	}
	var res struct {
		Violations []axeViolation `json:"violations"`
		Passes     int            `json:"passes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%s: axe result: %v", screen, err)
	}
	// No rule passing means axe checked nothing (a wrong tag, an empty
	// document): that is no evidence of accessibility.
	if res.Passes == 0 {
		t.Fatalf("%s: axe passed no rule at all", screen)
	}
	for _, v := range res.Violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprintf("%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		msg := fmt.Sprintf("%s: axe %s (%s): %s <%s>\n\t%s", screen, v.ID, v.Impact, v.Help, v.URL, strings.Join(targets, "\n\t"))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// The citizen page's screens pass axe's WCAG 2.1 A and AA rules: the start
// (verification and code), the filing form (also with a field error), the
// receipt and the ticket, in Chinese and in English.
func TestCitizenPageAccessibility(t *testing.T) {
	axeCore(t)
	ctx := browser(t)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	pg := watch(t, ctx)

	do(t, ctx, "open /",
		chromedp.Navigate(p.APIURL+"/"),
		chromedp.WaitVisible(chromedp.ID("contact")),
		chromedp.WaitReady(chromedp.CSS("#category optgroup")),
	)
	assertAccessible(t, ctx, "start")

	const email = "a11y@example.com"
	do(t, ctx, "send the code",
		typeIn(chromedp.ID("contact"), email+"\r"),
		chromedp.WaitVisible(chromedp.ID("code")),
	)
	assertAccessible(t, ctx, "code")
	code, err := inbox.CodeSentTo(p.EdgeURL, email)
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "enter the code",
		typeIn(chromedp.ID("code"), code+"\r"),
		chromedp.WaitVisible(chromedp.ID("content")),
	)
	assertAccessible(t, ctx, "form")
	// The server refuses a content too short: its message is shown under the field.
	do(t, ctx, "file too short",
		typeIn(chromedp.ID("content"), "太短了"),
		chromedp.Click(chromedp.ID("submit-ticket")),
		chromedp.WaitVisible(chromedp.CSS(`#content[aria-invalid="true"]`)),
	)
	assertAccessible(t, ctx, "form with a field error")

	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.getElementById('content').value = ''; undefined`)); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "fill the form and submit",
		chromedp.SetValue(chromedp.ID("category"), "consumer.refund"),
		chromedp.SetValue(chromedp.ID("region"), "110105"),
		typeIn(chromedp.ID("address"), "朝阳区某某路1号"),
		typeIn(chromedp.ID("content"), "购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理。"),
		chromedp.Click(chromedp.ID("submit-ticket")),
		chromedp.WaitVisible(chromedp.ID("receipt-code")),
	)
	assertAccessible(t, ctx, "receipt")

	do(t, ctx, "view the ticket",
		chromedp.Click(chromedp.ID("receipt-view")),
		chromedp.WaitVisible(chromedp.ID("ticket-heading")),
		chromedp.WaitVisible(chromedp.ID("supplement")),
	)
	assertAccessible(t, ctx, "ticket")

	do(t, ctx, "switch to English",
		chromedp.Click(chromedp.ID("lang")),
		chromedp.WaitVisible(chromedp.ID("ticket-heading")),
	)
	assertAccessible(t, ctx, "ticket (English)")
	pg.check(t, "status of 400")
}
