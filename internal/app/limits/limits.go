// Package limits keeps the platform from being used against people or its
// budget: how often a client may file, ask for verification codes and try
// access codes, how many codes a phone or address gets, and how many
// messages a recipient gets a day. Counts live in the Limiter (DynamoDB in
// production), so every Lambda instance shares them; subjects are keyed
// hashes, so no counter names an address, a number or a client's IP.
package limits

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// Rule names, as written in a limits setting (HOTLINE_LIMITS).
const (
	// RuleFile: tickets a client files (operators filing phone calls are not counted).
	RuleFile = "file"
	// RuleVerify: verification codes a client asks for.
	RuleVerify = "verify"
	// RuleVerifyRecipient, RuleVerifyRecipientDay: codes one phone or address gets.
	RuleVerifyRecipient    = "verify.recipient"
	RuleVerifyRecipientDay = "verify.recipient.day"
	// RuleUpload: files a client asks to upload (POST /v1/uploads).
	RuleUpload = "upload"
	// RuleLookup: requests a client makes with an access code.
	RuleLookup = "lookup"
	// RuleCodeFailures: wrong access codes for one ticket id before it locks.
	RuleCodeFailures = "code.failures"
	// RuleMessages: messages (SMS or e-mail) one recipient gets.
	RuleMessages = "messages"
	// RuleOpen311Key: Open311 requests one API key makes (every POST, and
	// the GETs that carry the key).
	RuleOpen311Key = "open311.key"
	// RuleOpen311Read: Open311 GETs a client makes without an API key.
	RuleOpen311Read = "open311.read"
)

// Rules are the limits in force, by name.
type Rules map[string]ports.LimitRule

// Defaults are sized for people behind shared addresses (carrier-grade NAT
// puts many citizens behind one IP) while keeping a script from pumping
// messages or guessing codes.
func Defaults() Rules {
	return Rules{
		RuleFile:               {Name: RuleFile, Limit: 20, Window: time.Hour},
		RuleVerify:             {Name: RuleVerify, Limit: 10, Window: time.Hour},
		RuleVerifyRecipient:    {Name: RuleVerifyRecipient, Limit: 3, Window: 10 * time.Minute},
		RuleVerifyRecipientDay: {Name: RuleVerifyRecipientDay, Limit: 10, Window: 24 * time.Hour},
		RuleLookup:             {Name: RuleLookup, Limit: 120, Window: time.Hour},
		// Nine photos for each of the tickets a client may file in an
		// hour would be 180; people attach far fewer, and every upload
		// is up to 20 MiB kept a day.
		RuleUpload:       {Name: RuleUpload, Limit: 60, Window: time.Hour},
		RuleCodeFailures: {Name: RuleCodeFailures, Limit: 10, Window: time.Hour},
		RuleMessages:     {Name: RuleMessages, Limit: 20, Window: 24 * time.Hour},
		// An app is one client of many citizens: its key gets what fifty
		// busy citizens would, and its filings still count per client
		// (RuleFile) like everyone's.
		RuleOpen311Key: {Name: RuleOpen311Key, Limit: 1000, Window: time.Hour},
		// A public list read scans up to 90 days of requests: ten a minute
		// is plenty for a map that refreshes.
		RuleOpen311Read: {Name: RuleOpen311Read, Limit: 600, Window: time.Hour},
	}
}

// Names lists the rule names in a stable order.
func Names() []string {
	names := make([]string, 0, len(Defaults()))
	for n := range Defaults() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// SettingError says what is wrong with a limits setting.
type SettingError struct{ Problem string }

func (e *SettingError) Error() string { return "limits: " + e.Problem }

// Parse reads a limits setting over the defaults: comma-separated
// name=count/window, e.g. "file=100/1h,lookup=1000/10m". Windows are Go
// durations from 1s to 24h; counts 1 to 1,000,000.
func Parse(spec string) (Rules, error) {
	rules := Defaults()
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return rules, nil
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(spec, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, &SettingError{Problem: fmt.Sprintf("%q is not name=count/window", clip(part))}
		}
		if _, known := rules[name]; !known {
			return nil, &SettingError{Problem: fmt.Sprintf("unknown limit %q (known: %s)", clip(name), strings.Join(Names(), ", "))}
		}
		if seen[name] {
			return nil, &SettingError{Problem: fmt.Sprintf("%s given twice", name)}
		}
		seen[name] = true
		count, window, ok := strings.Cut(value, "/")
		n, err := strconv.Atoi(count)
		if !ok || err != nil || n < 1 || n > 1_000_000 {
			return nil, &SettingError{Problem: fmt.Sprintf("%s: %q is not count/window with a count of 1 to 1000000", name, clip(value))}
		}
		w, err := time.ParseDuration(window)
		if err != nil || w < time.Second || w > 24*time.Hour || w%time.Second != 0 {
			return nil, &SettingError{Problem: fmt.Sprintf("%s: window %q is not whole seconds from 1s to 24h", name, clip(window))}
		}
		rules[name] = ports.LimitRule{Name: name, Limit: n, Window: w}
	}
	return rules, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Guard applies the rules.
type Guard struct {
	Limiter ports.Limiter
	Rules   Rules
	// Key keys the subject hashes (a server secret).
	Key []byte
	Now func() time.Time
}

// Subject is the counter key of a value (an IP address, a blind index, a
// ticket id): a keyed hash, so counters name nobody.
func (g *Guard) Subject(kind, value string) string {
	m := hmac.New(sha256.New, g.Key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Client is the subject of the client that sent the request: its source IP
// as API Gateway saw it (a client cannot set it).
func (g *Guard) Client(req events.APIGatewayV2HTTPRequest) string {
	return g.Subject("client", req.RequestContext.HTTP.SourceIP)
}

// Take counts one for the subject under the named rule; a full window is a
// *ports.RateLimitedError saying what was limited.
func (g *Guard) Take(ctx context.Context, rule, subject, what string) error {
	r := g.Rules[rule]
	ok, wait, err := g.Limiter.Take(ctx, r, subject, g.Now())
	if err != nil {
		return fmt.Errorf("limit %s: %w", rule, err)
	}
	if !ok {
		return &ports.RateLimitedError{What: what, RetryAfter: wait}
	}
	return nil
}

// Check answers *ports.RateLimitedError when the subject's window under the
// rule is full, counting nothing.
func (g *Guard) Check(ctx context.Context, rule, subject, what string) error {
	full, wait, err := g.Limiter.Full(ctx, g.Rules[rule], subject, g.Now())
	if err != nil {
		return fmt.Errorf("limit %s: %w", rule, err)
	}
	if full {
		return &ports.RateLimitedError{What: what, RetryAfter: wait}
	}
	return nil
}
