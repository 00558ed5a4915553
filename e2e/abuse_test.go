package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/verify"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/contract"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// guarded is the local platform with the production limits (none loosened),
// on a fake clock, reached through the local gateway as clients reach API
// Gateway.
type guarded struct {
	p     *platform.Platform
	clock *asl.FakeClock
}

func startGuarded(t *testing.T, limitSetting ...string) *guarded {
	t.Helper()
	clock := asl.NewFakeClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Clock: clock, Log: logs, Limits: strings.Join(limitSetting, ",")}, logs.String)
	return &guarded{p: p, clock: clock}
}

// from sends a request from the client at the loopback address ip
// (127.0.0.x: each a different client to the gateway).
func (g *guarded) from(t *testing.T, ip, method, path string, body any, headers map[string]string) response {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	r, err := send(contract.Client(t, &http.Transport{DialContext: dialer.DialContext}), g.p.APIURL, method, path, body, headers)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (a response) code() string {
	var p struct{ Code string }
	_ = json.Unmarshal(a.body, &p)
	return p.Code
}

// limited checks a 429 with a Retry-After the window bears out.
func (a response) limited(t *testing.T, what string, atMost time.Duration) {
	t.Helper()
	s, err := strconv.Atoi(a.header.Get("Retry-After"))
	if a.status != 429 || a.code() != "rate_limited" || err != nil || s < 1 || time.Duration(s)*time.Second > atMost {
		t.Fatalf("%s: %d %q Retry-After %q, want 429 within %v: %s", what, a.status, a.code(), a.header.Get("Retry-After"), atMost, a.body)
	}
}

// sentTo counts the messages the edge captured for a phone number (E.164)
// or an e-mail address.
func (g *guarded) sentTo(t *testing.T, recipient string) int {
	t.Helper()
	if strings.HasPrefix(recipient, "+") {
		var s struct {
			SMS map[string][]struct{ Message string } `json:"sms_messages"`
		}
		localtest.GetJSON(t, g.p.EdgeURL+"/_aws/sns/sms-messages", &s)
		return len(s.SMS[recipient])
	}
	var m struct {
		Messages []struct {
			Destination struct{ ToAddresses []string }
		} `json:"messages"`
	}
	localtest.GetJSON(t, g.p.EdgeURL+"/_aws/ses", &m)
	n := 0
	for _, x := range m.Messages {
		if slices.Contains(x.Destination.ToAddresses, recipient) {
			n++
		}
	}
	return n
}

// The SMS-pumping attack of the red-team pass: five emergency-keyword tickets
// naming a stranger's phone and address used to send five SMS and five
// e-mails to them. Now nothing goes to a contact nobody verified, and a
// verification for one's own address does not cover the stranger's.
func TestNoMessageGoesToAnUnverifiedContact(t *testing.T) {
	g := startGuarded(t)
	const victimPhone, victimMail = "13700001111", "victim@example.com"
	emergency := func() map[string]any {
		return map[string]any{"type": "help", "channel": "web", "content": "楼下饭店着火了，火很大，浓烟滚滚，请快来人！",
			"contact": map[string]any{"phone": victimPhone, "email": victimMail}}
	}
	for i := range 5 {
		a := g.from(t, "127.0.0.1", "POST", "/v1/tickets", emergency(), nil)
		if a.status != 400 || a.code() != "verification_required" {
			t.Fatalf("ticket %d without verification: %d %s", i, a.status, a.body)
		}
	}
	// The attacker verifies an address of their own and names the victim's.
	mine := inbox.ClientPoster(contract.Client(t, nil), g.p.APIURL)
	own, err := inbox.Verify(g.p.EdgeURL, mine, map[string]any{"channel": "web", "contact": map[string]any{"email": "attacker@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	forged := emergency()
	forged["verification"] = own["verification"]
	if a := g.from(t, "127.0.0.1", "POST", "/v1/tickets", forged, nil); a.status != 400 || a.code() != "verification_required" {
		t.Fatalf("another's verification: %d %s", a.status, a.body)
	}
	if n, m := g.sentTo(t, "+86"+victimPhone), g.sentTo(t, victimMail); n != 0 || m != 0 {
		t.Fatalf("the stranger got %d SMS and %d e-mails", n, m)
	}

	// Guessing: five wrong codes kill a verification; the right one is then refused too.
	sent := g.from(t, "127.0.0.2", "POST", "/v1/verifications", map[string]string{"email": "citizen@example.com"}, nil)
	var v struct{ VerificationID string }
	if err := json.Unmarshal(sent.body, &v); sent.status != 202 || err != nil {
		t.Fatalf("verification: %d %s", sent.status, sent.body)
	}
	code, err := inbox.CodeSentTo(g.p.EdgeURL, "citizen@example.com")
	if err != nil {
		t.Fatal(err)
	}
	sub := map[string]any{"type": "complaint", "channel": "web", "content": "小区门口的路灯坏了很久了，晚上很黑。", "contact": map[string]any{"email": "citizen@example.com"}}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for range verify.MaxFailures {
		sub["verification"] = map[string]string{"id": v.VerificationID, "code": wrong}
		if a := g.from(t, "127.0.0.2", "POST", "/v1/tickets", sub, nil); a.code() != "verification_required" {
			t.Fatalf("wrong code: %d %s", a.status, a.body)
		}
	}
	sub["verification"] = map[string]string{"id": v.VerificationID, "code": code}
	if a := g.from(t, "127.0.0.2", "POST", "/v1/tickets", sub, nil); a.code() != "verification_required" {
		t.Fatalf("the right code after %d wrong ones: %d %s", verify.MaxFailures, a.status, a.body)
	}

	// A verified citizen files; the receipt goes to the verified address.
	delete(sub, "verification")
	ok, err := inbox.Verify(g.p.EdgeURL, mine, sub)
	if err != nil {
		t.Fatal(err)
	}
	if a := g.from(t, "127.0.0.2", "POST", "/v1/tickets", ok, nil); a.status != 201 {
		t.Fatalf("verified ticket: %d %s", a.status, a.body)
	}
	// Two codes and the receipt went to the citizen.
	if n := g.sentTo(t, "citizen@example.com"); n != 3 {
		t.Fatalf("%d messages to the citizen, want 2 codes and the receipt", n)
	}
}

// Codes are limited per recipient and per client; filing is limited per
// client, and each client is counted apart. Each 429 says when to retry, and
// the window's end lifts it.
func TestClientsAndRecipientsAreLimited(t *testing.T) {
	g := startGuarded(t)
	rules := limits.Defaults()

	// One phone: three codes in ten minutes, from any clients.
	for i := range rules[limits.RuleVerifyRecipient].Limit {
		ip := "127.0.0." + strconv.Itoa(10+i)
		if a := g.from(t, ip, "POST", "/v1/verifications", map[string]string{"phone": "13912345678"}, nil); a.status != 202 {
			t.Fatalf("code %d: %d %s", i, a.status, a.body)
		}
	}
	g.from(t, "127.0.0.20", "POST", "/v1/verifications", map[string]string{"phone": "13912345678"}, nil).
		limited(t, "a fourth code to the phone", rules[limits.RuleVerifyRecipient].Window)
	if n := g.sentTo(t, "+8613912345678"); n != rules[limits.RuleVerifyRecipient].Limit {
		t.Fatalf("%d SMS to the phone", n)
	}
	g.clock.Advance(rules[limits.RuleVerifyRecipient].Window)
	if a := g.from(t, "127.0.0.20", "POST", "/v1/verifications", map[string]string{"phone": "13912345678"}, nil); a.status != 202 {
		t.Fatalf("after the window: %d %s", a.status, a.body)
	}

	// One client: ten codes an hour, whatever the recipients.
	for i := range rules[limits.RuleVerify].Limit {
		if a := g.from(t, "127.0.0.30", "POST", "/v1/verifications", map[string]string{"email": "c" + strconv.Itoa(i) + "@example.com"}, nil); a.status != 202 {
			t.Fatalf("code %d: %d %s", i, a.status, a.body)
		}
	}
	g.from(t, "127.0.0.30", "POST", "/v1/verifications", map[string]string{"email": "more@example.com"}, nil).
		limited(t, "an eleventh code from the client", rules[limits.RuleVerify].Window)

	// One client files at most twenty tickets an hour (anonymous tickets too).
	anon := map[string]any{"type": "suggestion", "channel": "web", "anonymous": true, "content": "建议在公园里多设几个垃圾桶，方便游客。"}
	for i := range rules[limits.RuleFile].Limit {
		if a := g.from(t, "127.0.0.40", "POST", "/v1/tickets", anon, nil); a.status != 201 {
			t.Fatalf("ticket %d: %d %s", i, a.status, a.body)
		}
	}
	g.from(t, "127.0.0.40", "POST", "/v1/tickets", anon, nil).limited(t, "a 21st ticket", rules[limits.RuleFile].Window)
	if a := g.from(t, "127.0.0.41", "POST", "/v1/tickets", anon, nil); a.status != 201 {
		t.Fatalf("another client: %d %s", a.status, a.body)
	}
	// An operator entering calls is not a client filing: no limit.
	op, err := g.p.Issuer.Sign(auth.Claims{Subject: "op-1", Role: auth.RoleOperator}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	call := map[string]any{"type": "complaint", "channel": "phone", "anonymous": true, "content": "市民来电：小区门口的路灯坏了很久了。"}
	if a := g.from(t, "127.0.0.40", "POST", "/v1/tickets", call, map[string]string{"Authorization": "Bearer " + op}); a.status != 201 {
		t.Fatalf("operator call: %d %s", a.status, a.body)
	}
}

// Wrong access codes lock a ticket id for the rest of the hour, for every
// client — whether a ticket has the id or not, so the lock tells nothing.
func TestWrongAccessCodesLockTheTicket(t *testing.T) {
	g := startGuarded(t)
	anon := map[string]any{"type": "suggestion", "channel": "web", "anonymous": true, "content": "建议在公园里多设几个垃圾桶，方便游客。"}
	a := g.from(t, "127.0.0.1", "POST", "/v1/tickets", anon, nil)
	var rec receipt
	if err := json.Unmarshal(a.body, &rec); a.status != 201 || err != nil {
		t.Fatalf("file: %d %s", a.status, a.body)
	}
	rule := limits.Defaults()[limits.RuleCodeFailures]
	for _, id := range []string{rec.ID, "260302ZZZZZZ"} {
		for i := range rule.Limit {
			ip := "127.0.0." + strconv.Itoa(50+i) // a botnet: every guess from another address
			if a := g.from(t, ip, "GET", "/v1/tickets/"+id, nil, map[string]string{"X-Access-Code": "WRONG000"}); a.status != 404 {
				t.Fatalf("%s guess %d: %d %s", id, i, a.status, a.body)
			}
		}
		g.from(t, "127.0.0.99", "GET", "/v1/tickets/"+id, nil, map[string]string{"X-Access-Code": rec.AccessCode}).
			limited(t, "the locked id "+id, rule.Window)
	}
	g.clock.Advance(rule.Window)
	if a := g.from(t, "127.0.0.99", "GET", "/v1/tickets/"+rec.ID, nil, map[string]string{"X-Access-Code": rec.AccessCode}); a.status != 200 {
		t.Fatalf("after the lock: %d %s", a.status, a.body)
	}
}

// A recipient gets a bounded number of messages a day, whoever asks: past the
// cap nothing is sent, and staff see on the timeline that the citizen must be
// told by phone.
func TestMessagesPerRecipientAreCapped(t *testing.T) {
	g := startGuarded(t, "messages=2/24h")
	op, err := g.p.Issuer.Sign(auth.Claims{Subject: "op-1", Role: auth.RoleOperator}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	call := map[string]any{"type": "complaint", "channel": "phone", "content": "市民来电：小区门口的路灯坏了很久了。",
		"contact": map[string]any{"email": "caller@example.com"}}
	var ids []string
	for range 3 {
		a := g.from(t, "127.0.0.1", "POST", "/v1/tickets", call, map[string]string{"Authorization": "Bearer " + op})
		var rec receipt
		if err := json.Unmarshal(a.body, &rec); a.status != 201 || err != nil {
			t.Fatalf("file: %d %s", a.status, a.body)
		}
		ids = append(ids, rec.ID)
	}
	if n := g.sentTo(t, "caller@example.com"); n != 2 {
		t.Fatalf("%d messages to the recipient, want the cap of 2", n)
	}
	var staff struct{ Timeline []struct{ Kind string } }
	a := g.from(t, "127.0.0.1", "GET", "/v1/tickets/"+ids[2], nil, map[string]string{"Authorization": "Bearer " + op})
	if err := json.Unmarshal(a.body, &staff); err != nil || !slices.ContainsFunc(staff.Timeline, func(e struct{ Kind string }) bool { return e.Kind == "receipt.failed" }) {
		t.Fatalf("the capped receipt is not on the staff timeline: %s", a.body)
	}
}
