package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/edge"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/contract"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// soakTickets is how many tickets the soak takes through their whole life.
const soakTickets = 40

// soaked is one citizen's ticket as the soak drives it.
type soaked struct {
	email, phone, key string
	body              map[string]any // the verified submission, resent as it was on a retry
	id, code          string
	stage             int // 0 file, 1 accept, 2 reply, 3 rate, 4 wait for closed, 5 done
}

// The platform survives a bad day of AWS: with 10% of the calls to DynamoDB,
// SQS, SES, SNS and Step Functions failing (throttling and 5xx, which the SDK
// retries, and what it cannot retry away), citizens and a department retrying
// as clients do take every ticket from filing to closed. No ticket is lost or
// filed twice, each citizen gets the department's answer exactly once, and
// every counter of the statistics is exact.
func TestSoakWithInjectedFaults(t *testing.T) {
	faults, err := edge.ParseFaults("all=0.1", 12345)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) // Monday 09:00 in Beijing
	clock := asl.NewFakeClock(start)
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Clock: clock, Log: logs, Limits: platform.LooseLimits, Faults: faults, SweepInterval: time.Minute}, logs.String)
	tg := &target{api: p.APIURL, edge: p.EdgeURL, issuer: p.Issuer, logs: logs, client: contract.Client(t, nil)}
	market, super := tg.token(t, auth.RoleDepartment, "market"), tg.token(t, auth.RoleSupervisor, "")
	const answer = "经核查，商家已同意退货并退款。"

	requests, failed := 0, 0
	call := func(method, path, token string, headers map[string]string, body any) (response, bool) {
		requests++
		r, err := tg.call(method, path, token, headers, body)
		if err != nil || r.status >= 500 {
			failed++ // what the SDK could not retry away reached the client: it tries again
			return r, false
		}
		return r, true
	}
	statusOf := func(id string) string {
		r, ok := call("GET", "/v1/tickets/"+id, super, nil, nil)
		var v struct{ Status string }
		if !ok || json.Unmarshal(r.body, &v) != nil {
			return ""
		}
		return v.Status
	}

	tickets := make([]*soaked, soakTickets)
	for i := range tickets {
		// Half the citizens verify a mobile number (SMS), half an address (e-mail).
		tickets[i] = &soaked{email: fmt.Sprintf("soak-%d@example.com", i), key: fmt.Sprintf("soak-%d", i)}
		if i%2 == 0 {
			tickets[i].email, tickets[i].phone = "", fmt.Sprintf("1391234%04d", i)
		}
	}
	rounds := 0
	for tick := 0; ; tick++ {
		rounds = tick + 1
		if tick == 600 {
			var left []string
			for _, s := range tickets {
				if s.stage < 5 {
					left = append(left, fmt.Sprintf("%s at stage %d (%s)", s.id, s.stage, statusOf(s.id)))
				}
			}
			t.Fatalf("after %d rounds still open: %v", tick, left)
		}
		open := 0
		for _, s := range tickets {
			switch s.stage {
			case 0:
				if s.body == nil {
					sub := map[string]any{"type": "complaint", "category": "consumer.refund", "channel": "web", "language": "zh",
						"content": "我在某某超市购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理（" + s.key + "）。",
						"contact": map[string]any{"email": s.email}}
					if s.phone != "" {
						sub["contact"] = map[string]any{"phone": s.phone}
					}
					requests++
					v, err := inbox.Verify(p.EdgeURL, tg.poster(), sub)
					if err != nil {
						break // a refused verification request: ask again next round
					}
					s.body = v
				}
				r, ok := call("POST", "/v1/tickets", "", map[string]string{"Idempotency-Key": s.key}, s.body)
				var rec receipt
				if ok && json.Unmarshal(r.body, &rec) == nil && rec.ID != "" {
					s.id, s.code, s.stage = rec.ID, rec.AccessCode, 1
				} else if ok && r.status != 429 {
					t.Fatalf("file %s: %d %s", s.key, r.status, r.body)
				}
			case 1:
				if r, ok := call("POST", "/v1/tickets/"+s.id+"/accept", market, nil, nil); ok && (r.status == 200 || statusOf(s.id) == "accepted") {
					s.stage = 2
				}
			case 2:
				if r, ok := call("POST", "/v1/tickets/"+s.id+"/reply", market, nil, map[string]any{"result": "resolved", "message": answer}); ok && (r.status == 200 || statusOf(s.id) == "replied") {
					s.stage = 3
				}
			case 3:
				r, ok := call("POST", "/v1/tickets/"+s.id+"/rating", "", map[string]string{"X-Access-Code": s.code}, map[string]any{"satisfied": true, "resolved": true, "score": 5})
				if ok && (r.status == 200 || strings.Contains(string(r.body), "already rated")) {
					s.stage = 4
				}
			case 4:
				if statusOf(s.id) == string(ticket.StatusClosed) {
					s.stage = 5
				}
			}
			if s.stage < 5 {
				open++
			}
		}
		if open == 0 {
			break
		}
		// The workflow runs between rounds. Time passes for the sweep and
		// the deadlines only while no task runs, so no task times out because
		// the clock jumped while it worked.
		time.Sleep(20 * time.Millisecond) // polling the running workflow, not waiting for time to pass
		if p.Engine.Busy() == 0 {
			clock.Advance(30 * time.Second)
		}
	}

	// No ticket lost or filed twice: the search finds each once.
	day := func(at time.Time) string { return at.In(ticket.China).Format("2006-01-02") }
	var found []string
	for cursor := ""; ; {
		path := "/v1/tickets?limit=100&from=" + day(start) + "&to=" + day(clock.Now())
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r, ok := call("GET", path, super, nil, nil)
		if !ok {
			continue
		}
		var page struct {
			Tickets    []struct{ ID string }
			NextCursor string
		}
		if r.status != 200 || json.Unmarshal(r.body, &page) != nil {
			t.Fatalf("search: %d %s", r.status, r.body)
		}
		for _, x := range page.Tickets {
			found = append(found, x.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	slices.Sort(found)
	var ids []string
	for _, s := range tickets {
		ids = append(ids, s.id)
	}
	slices.Sort(ids)
	if !slices.Equal(found, ids) {
		t.Fatalf("the search finds %d tickets %v, want the %d filed %v", len(found), found, len(ids), ids)
	}

	// Every counter exact.
	var stats struct{ Total map[string]any }
	for {
		r, ok := call("GET", "/v1/stats?from="+day(start)+"&to="+day(clock.Now()), super, nil, nil)
		if ok && r.status == http.StatusOK && json.Unmarshal(r.body, &stats) == nil {
			break
		}
	}
	for _, metric := range []string{"received", "dispatched", "due", "repliedOnTime", "replied", "rated", "satisfied", "resolved"} {
		if n, _ := stats.Total[metric].(float64); int(n) != soakTickets {
			t.Errorf("total %s = %v, want %d", metric, stats.Total[metric], soakTickets)
		}
	}

	// Each citizen got the answer exactly once, on the one channel they
	// verified; the receipt went at most once; nothing went elsewhere.
	var mail struct{ Messages []edge.SentEmail }
	localtest.GetJSON(t, p.EdgeURL+"/_aws/ses", &mail)
	var sms struct {
		SMS map[string][]edge.SMSMessage `json:"sms_messages"`
	}
	localtest.GetJSON(t, p.EdgeURL+"/_aws/sns/sms-messages", &sms)
	messages := 0
	for _, s := range tickets {
		var texts []string
		for _, m := range mail.Messages {
			if slices.Contains(m.Destination.ToAddresses, s.email) && strings.Contains(m.Subject, s.id) && m.Body.TextPart != nil {
				texts = append(texts, *m.Body.TextPart)
			}
		}
		for _, m := range sms.SMS["+86"+s.phone] {
			if strings.Contains(m.Message, s.id) {
				texts = append(texts, m.Message)
			}
		}
		messages += len(texts)
		answers, receipts := 0, 0
		for _, text := range texts {
			if strings.Contains(text, "已受理") {
				receipts++
			} else {
				answers++
			}
		}
		if answers != 1 || receipts > 1 {
			t.Errorf("%s: %d answers and %d receipts, want the answer once and the receipt at most once: %q", s.id, answers, receipts, texts)
		}
	}
	calls, injected := faults.Counts()
	total := 0
	for _, n := range injected {
		total += n
	}
	t.Logf("soak: %d tickets closed in %d rounds; %d client requests, %d of them failed and retried; %d AWS calls with %d faults injected %v of %v; %d messages naming the tickets; 0 lost, 0 duplicated",
		soakTickets, rounds, requests, failed, sum(calls), total, injected, calls, messages)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
