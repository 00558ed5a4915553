package browsertest

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/web"
)

// The deployed shape: the pages as `hotline site` writes them, on their own
// origin (as from CloudFront), and the API on another that answers CORS for
// that origin alone. The header CSP is as broad as CloudFront's (any port of
// the API's host, like the region's execute-api hosts); the <meta> policy
// `hotline site` adds must narrow it to the one API.
func TestStaticSiteUsesTheAPIAcrossOrigins(t *testing.T) {
	ctx := browser(t)
	dir := filepath.Join(t.TempDir(), "site")
	site := httptest.NewUnstartedServer(nil)
	site.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", web.CSP+"; connect-src 'self' http://127.0.0.1:*")
		w.Header().Set("Cache-Control", "no-cache")
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
	})
	site.Start()
	t.Cleanup(site.Close)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits, CORSOrigins: []string{site.URL}}, logs.String)
	if err := web.WriteSite(dir, web.Config{APIURL: p.APIURL, Issuer: "https://idp.example.gov.cn"}); err != nil {
		t.Fatal(err)
	}
	pg := watch(t, ctx)

	do(t, ctx, "open the site",
		chromedp.Navigate(site.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("contact")),
		chromedp.WaitReady(chromedp.CSS("#category optgroup")),
	)
	const email = "site@example.com"
	do(t, ctx, "send the code",
		typeIn(chromedp.ID("contact"), email+"\r"),
		chromedp.WaitVisible(chromedp.ID("code")),
	)
	code, err := inbox.CodeSentTo(p.EdgeURL, email)
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "file a ticket",
		typeIn(chromedp.ID("code"), code+"\r"),
		chromedp.WaitVisible(chromedp.ID("content")),
		chromedp.SetValue(chromedp.ID("category"), "consumer.refund"),
		chromedp.SetValue(chromedp.ID("region"), "110105"),
		typeIn(chromedp.ID("address"), "朝阳区某某路1号"),
		typeIn(chromedp.ID("content"), "购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理。"),
		chromedp.Click(chromedp.ID("submit-ticket")),
		chromedp.WaitVisible(chromedp.ID("receipt-code")),
	)
	if id := text(t, ctx, "receipt-id"); !ticketID.MatchString(id) {
		t.Errorf("receipt id %q", id)
	}

	// Another port of the same host passes the header policy but not the
	// page's own: the browser refuses it before any request. (Were it
	// allowed, no violation would come and the test would time out.)
	directive, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise((resolve) => {
		document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective + ' ' + e.blockedURI), {once: true});
		fetch('`+p.EdgeURL+`/').then(() => resolve('fetched'), () => {});
	})`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(directive, "connect-src "+p.EdgeURL) {
		t.Errorf("fetch of %s from the site: %q %v; want a connect-src violation", p.EdgeURL, directive, err)
	}

	do(t, ctx, "open the console",
		chromedp.Navigate(site.URL+"/console/"),
		chromedp.WaitReady(chromedp.CSS("main")),
	)
	pg.check(t, "Content Security Policy", "Refused to connect")
}
