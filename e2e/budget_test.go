package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hotline12345/hotline/client"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/workflow"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/ddb"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/contract"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// The budget of one happy-path ticket, in what AWS bills: a citizen verifies
// an e-mail address and files; review routes it; the department accepts and
// replies; the citizen rates it satisfied and it closes. docs/cost.md prices
// these counts; a change that spends more fails here and must say why.
//
// Measured when set (2026-11-30): 5 transitions, 9 invocations, 46–49
// requests, 93 WRU, 25–28 RRU (the requests and reads vary with how often
// a step finds its ticket changed and reads it again). Before issue 14's
// lean ticket: 10 transitions, 10 invocations, 46 requests, 217 WRU, 26 RRU.
const (
	budgetTransitions = 5
	budgetInvocations = 9
	budgetRequests    = 52
	budgetWRU         = 96.0
	budgetRRU         = 30.0
	budgetMessages    = 3
)

func TestHappyPathTicketStaysInBudget(t *testing.T) {
	meter := &ddb.Meter{}
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits, Meter: meter, SweepInterval: -1}, logs.String)
	tg := &target{api: p.APIURL, edge: p.EdgeURL, issuer: p.Issuer, logs: logs, sfnArn: p.StateMachineArn, client: contract.Client(t, nil)}
	ctx := context.Background()
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: platform.Region, EndpointURL: tg.edge})
	if err != nil {
		t.Fatal(err)
	}
	flow := workflow.SFNClient(cfg)
	citizen := tg.goClient(t, client.WithLanguage("zh"))
	dept := tg.staffClient(t, auth.RoleDepartment, "market")

	// The first ticket warms caches (catalog, keys) as a running system has
	// them warm; the budget is the mean of the tickets after it.
	const measured = 3
	var before platform.Usage
	var mailsBefore, logBefore int
	for i := range measured + 1 {
		if i == 1 {
			before, mailsBefore, logBefore = p.Usage(), capturedMail(t, tg.edge), len(logs.String())
		}
		rec, _ := tg.fileVerified(t, citizen, fmt.Sprintf("budget-%d@example.com", i), fmt.Sprintf("预算测试工单 %d：购买的商品质量有问题，商家拒绝退货。", i))
		// Waiting reads the workflow's history, which nothing bills per ticket.
		parked(t, flow, p.StateMachineArn, rec.ID, "AwaitReply")
		if _, err := dept.Accept(ctx, rec.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := dept.Reply(ctx, rec.ID, client.ReplyRequest{Result: client.ResultResolved, Message: "已责令商家退货。"}); err != nil {
			t.Fatal(err)
		}
		parked(t, flow, p.StateMachineArn, rec.ID, "Feedback")
		if _, err := citizen.Rate(ctx, rec.ID, rec.AccessCode, client.RatingRequest{Satisfied: true, Score: 5}); err != nil {
			t.Fatal(err)
		}
		finished(t, flow, p.StateMachineArn, rec.ID)
	}
	after := p.Usage()
	mails := float64(capturedMail(t, tg.edge)-mailsBefore) / measured
	logBytes := float64(len(logs.String())-logBefore) / measured

	per := func(a, b int64) float64 { return float64(a-b) / measured }
	transitions := per(after.Transitions, before.Transitions)
	var invocations float64
	byFunction := map[string]float64{}
	for name, n := range after.Invocations {
		if d := per(n, before.Invocations[name]); d > 0 {
			byFunction[name], invocations = d, invocations+d
		}
	}
	requests := float64(after.DynamoDB.RequestCount()-before.DynamoDB.RequestCount()) / measured
	byOp, unitsByOp := map[string]float64{}, map[string]float64{}
	for op, n := range after.DynamoDB.Requests {
		if d := float64(n-before.DynamoDB.Requests[op]) / measured; d > 0 {
			byOp[op] = d
			unitsByOp[op] = (after.DynamoDB.Units[op] - before.DynamoDB.Units[op]) / measured
		}
	}
	wru := (after.DynamoDB.WriteUnits - before.DynamoDB.WriteUnits) / measured
	rru := (after.DynamoDB.ReadUnits - before.DynamoDB.ReadUnits) / measured
	t.Logf("per happy-path ticket: %.1f state transitions; %.1f Lambda invocations %s; %.1f DynamoDB requests %s; %.1f WRU; %.1f RRU; units by operation %s",
		transitions, invocations, sorted(byFunction), requests, sorted(byOp), wru, rru, sorted(unitsByOp))
	t.Logf("per happy-path ticket: %.1f e-mails, %.0f bytes of logs", mails, logBytes)
	for _, c := range []struct {
		what      string
		got, most float64
	}{
		{"state transitions", transitions, budgetTransitions},
		{"Lambda invocations", invocations, budgetInvocations},
		{"DynamoDB requests", requests, budgetRequests},
		{"write request units", wru, budgetWRU},
		{"read request units", rru, budgetRRU},
		// The code, the receipt and the answer; each costs (SES, or an SMS).
		{"messages to the citizen", mails, budgetMessages},
	} {
		if c.got > c.most {
			t.Errorf("%s per ticket: %.1f, over the budget of %.0f", c.what, c.got, c.most)
		}
	}
}

func sorted(m map[string]float64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %.1f", k, m[k]))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// history is the ticket's execution history, newest event first.
func history(t *testing.T, flow *sfn.Client, smArn, ticketID string) []string {
	t.Helper()
	arn := strings.Replace(smArn, ":stateMachine:", ":execution:", 1) + ":" + ticketID
	out, err := flow.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), ReverseOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, ev := range out.Events {
		name := string(ev.Type)
		if d := ev.StateEnteredEventDetails; d != nil {
			name += " " + aws.ToString(d.Name)
		}
		events = append(events, name)
	}
	return events
}

// parked waits until the workflow waits for a task token in state.
func parked(t *testing.T, flow *sfn.Client, smArn, ticketID, state string) {
	t.Helper()
	eventually(t, "the workflow to wait in "+state, func() bool {
		for _, ev := range history(t, flow, smArn, ticketID) {
			switch {
			case ev == "TaskSubmitted":
				continue
			case strings.HasSuffix(ev, "StateEntered "+state):
				return true
			}
			if !strings.HasPrefix(ev, "Task") {
				return false
			}
		}
		return false
	})
}

// finished waits until the ticket's workflow has ended.
func finished(t *testing.T, flow *sfn.Client, smArn, ticketID string) {
	t.Helper()
	eventually(t, "the workflow to end", func() bool {
		h := history(t, flow, smArn, ticketID)
		return len(h) > 0 && h[0] == "ExecutionSucceeded"
	})
}

// capturedMail counts the e-mails the edge has captured.
func capturedMail(t *testing.T, edge string) int {
	t.Helper()
	var m struct {
		Messages []json.RawMessage `json:"messages"`
	}
	localtest.GetJSON(t, edge+"/_aws/ses", &m)
	return len(m.Messages)
}

// fileVerified verifies email as a citizen does (the code from the captured
// mail) and files a consumer complaint with it, routed to market; it returns
// the receipt and the code.
func (tg *target) fileVerified(t *testing.T, citizen *client.Client, email, content string) (client.Receipt, string) {
	t.Helper()
	ctx := context.Background()
	sent, err := citizen.RequestVerification(ctx, client.VerificationRequest{Email: email})
	if err != nil {
		t.Fatal(err)
	}
	code, err := inbox.CodeSentTo(tg.edge, email)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := citizen.FileTicket(ctx, client.Submission{
		Type: client.TypeComplaint, Channel: client.ChannelWeb, Category: "consumer.refund", Language: client.LanguageZH,
		Content: content, Contact: &client.Contact{Email: email},
		Verification: &client.VerificationProof{ID: sent.VerificationID, Code: code},
	})
	if err != nil {
		t.Fatal(err)
	}
	return *rec, code
}
