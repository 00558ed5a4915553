// Package e2e drives the whole platform over HTTP only: the API a citizen and a
// department use, the department's SQS queue and the captured e-mail and SMS on
// the AWS edge. By default it starts the platform in-process on free ports;
// HOTLINE_E2E_API_URL and HOTLINE_E2E_EDGE_URL point it at another deployment
// (LocalStack) instead.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/adapters/workflow"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/authorizer"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/contract"
	"github.com/hotline12345/hotline/internal/testfixtures/deptschema"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
	"github.com/hotline12345/hotline/openapi"
)

type target struct {
	api, edge string
	issuer    auth.Signer
	logs      *localtest.Logs // nil for remote targets
	sfnArn    string
	// client sends every request to the API; it checks each exchange
	// against openapi/openapi.yaml and fails the test of a violation.
	client *http.Client
}

func start(t *testing.T) *target {
	t.Helper()
	if api := os.Getenv("HOTLINE_E2E_API_URL"); api != "" {
		return &target{api: api, edge: os.Getenv("HOTLINE_E2E_EDGE_URL"), issuer: remoteSigner(t), client: contract.Client(t, nil)}
	}
	logs := &localtest.Logs{}
	p := localtest.StartPlatform(t, platform.Options{Log: logs, Limits: platform.LooseLimits}, logs.String)
	return &target{api: p.APIURL, edge: p.EdgeURL, issuer: p.Issuer, logs: logs, sfnArn: p.StateMachineArn, client: contract.Client(t, nil)}
}

// remoteSigner signs the staff tokens a deployed stack accepts. With
// HOTLINE_E2E_TOKEN_KEY (an RSA private key file, PEM) it signs RS256 like the
// identity provider whose JWKS the stack's authorizers fetch, for
// HOTLINE_E2E_TOKEN_ISSUER (JwtIssuer) and HOTLINE_E2E_TOKEN_AUDIENCE
// (JwtAudience, default hotline-api); localstack/run.sh sets all three.
// Without it, HS256 with HOTLINE_JWT_SECRET as the local gateway checks.
func remoteSigner(t *testing.T) auth.Signer {
	t.Helper()
	keyPath := os.Getenv("HOTLINE_E2E_TOKEN_KEY")
	if keyPath == "" {
		return auth.NewIssuer(os.Getenv("HOTLINE_JWT_SECRET"), time.Now)
	}
	issuer, audience := os.Getenv("HOTLINE_E2E_TOKEN_ISSUER"), os.Getenv("HOTLINE_E2E_TOKEN_AUDIENCE")
	if issuer == "" {
		t.Fatal("HOTLINE_E2E_TOKEN_KEY is set but HOTLINE_E2E_TOKEN_ISSUER (the stack's JwtIssuer) is not")
	}
	if audience == "" {
		audience = auth.DefaultAudience
	}
	pemKey, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatalf("HOTLINE_E2E_TOKEN_KEY: %v", err)
	}
	key, err := auth.ParseRSAPrivateKey(pemKey)
	if err != nil {
		t.Fatalf("HOTLINE_E2E_TOKEN_KEY %s: %v", keyPath, err)
	}
	return auth.NewRSASigner(key, os.Getenv("HOTLINE_E2E_TOKEN_KID"), issuer, audience, time.Now)
}

// The token plumbing for deployed stacks: with HOTLINE_E2E_TOKEN_* set the
// suite's tokens pass the optional-staff authorizer's RS256/JWKS check for
// that issuer and audience; without, they are the local gateway's HS256.
func TestRemoteSignerFollowsEnvironment(t *testing.T) {
	key, pemKey, err := auth.GenerateRSAKey()
	if err != nil {
		t.Fatal(err)
	}
	keyPath := t.TempDir() + "/key.pem"
	if err := os.WriteFile(keyPath, pemKey, 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := auth.JWKS(auth.Thumbprint(&key.PublicKey), &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(set) }))
	defer srv.Close()
	t.Setenv("HOTLINE_E2E_TOKEN_KEY", keyPath)
	t.Setenv("HOTLINE_E2E_TOKEN_ISSUER", "http://issuer.test/b")
	t.Setenv("HOTLINE_E2E_TOKEN_AUDIENCE", "aud-ls")
	t.Setenv("HOTLINE_E2E_TOKEN_KID", "")
	tg := &target{issuer: remoteSigner(t)}
	v := &authorizer.JWKSVerifier{Issuer: "http://issuer.test/b", Audience: "aud-ls", URL: srv.URL, Client: srv.Client(), Now: time.Now}
	c, err := v.Verify(context.Background(), tg.token(t, auth.RoleDepartment, "market"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Role != auth.RoleDepartment || c.Dept != "market" {
		t.Fatalf("claims = %+v", c)
	}

	t.Setenv("HOTLINE_E2E_TOKEN_KEY", "")
	t.Setenv("HOTLINE_JWT_SECRET", "e2e-secret")
	tok := (&target{issuer: remoteSigner(t)}).token(t, auth.RoleOperator, "")
	if _, err := auth.NewIssuer("e2e-secret", time.Now).Verify(tok); err != nil {
		t.Fatalf("without HOTLINE_E2E_TOKEN_KEY: %v, want an HS256 token for HOTLINE_JWT_SECRET", err)
	}
}

// verified is the submission with its contact verified.
func (tg *target) verified(t *testing.T, sub map[string]any) map[string]any {
	t.Helper()
	return localtest.Verified(t, tg.edge, tg.poster(), sub)
}

func (tg *target) token(t *testing.T, role auth.Role, dept string) string {
	t.Helper()
	tok, err := tg.issuer.Sign(auth.Claims{Subject: "e2e-" + string(role) + dept, Role: role, Dept: dept}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	body   []byte
	header http.Header
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (tg *target) do(t *testing.T, method, path string, body any, headers map[string]string) response {
	t.Helper()
	r, err := send(tg.client, tg.api, method, path, tg.asCitizen(method, path, body), headers)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// asCitizen verifies the contact of a ticket a citizen files, as the web page
// makes them; a contact that cannot be verified goes as it is, for the API to
// refuse. Other bodies are left alone.
func (tg *target) asCitizen(method, path string, body any) any {
	if sub, ok := body.(map[string]any); ok && method == "POST" && path == "/v1/tickets" {
		if v, err := inbox.Verify(tg.edge, tg.poster(), sub); err == nil {
			return v
		}
	}
	return body
}

// poster asks the API for verification codes as a web page does.
func (tg *target) poster() inbox.Poster { return inbox.ClientPoster(tg.client, tg.api) }

// send makes one JSON request to the API with client.
func send(client *http.Client, api, method, path string, body any, headers map[string]string) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, api+path, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: b, header: resp.Header}, err
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// eventually polls an asynchronous outcome (the workflow runs on its own
// goroutines or in another process) until it holds or the deadline passes.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for wait := time.Millisecond; ; wait = min(wait*2, 100*time.Millisecond) {
		if check() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(wait) // polling an outside process, not waiting for time to pass
	}
}

type citizenView struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	StatusText string `json:"statusText"`
	Department *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"department"`
	Reply *struct {
		Result  string `json:"result"`
		Message string `json:"message"`
	} `json:"reply"`
	Notice   string `json:"notice"`
	Timeline []struct {
		Status string `json:"status"`
		Kind   string `json:"kind"`
	} `json:"timeline"`
}

func (tg *target) citizen(t *testing.T, id, code string) citizenView {
	t.Helper()
	r := tg.do(t, "GET", "/v1/tickets/"+id, nil, map[string]string{"X-Access-Code": code})
	if r.status != 200 {
		t.Fatalf("citizen view: %d %s", r.status, r.body)
	}
	var v citizenView
	r.decode(t, &v)
	return v
}

type receipt struct {
	ID         string `json:"id"`
	AccessCode string `json:"accessCode"`
	Status     string `json:"status"`
}

const (
	citizenName  = "张三丰"
	citizenPhone = "13912345678"
	citizenEmail = "zhang.sanfeng@example.com"
	content      = "我在某某超市购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理。"
)

func complaint() map[string]any {
	return map[string]any{
		"type": "complaint", "category": "consumer.refund", "channel": "web", "content": content,
		"involvedUnit": "某某超市", "location": map[string]any{"region": "110105", "address": "朝阳区某某路1号"},
		"contact":  map[string]any{"name": citizenName, "phone": citizenPhone, "email": citizenEmail},
		"language": "zh",
	}
}

func TestTicketTravelsFromCitizenToDepartmentAndBack(t *testing.T) {
	tg := start(t)
	ctx := context.Background()

	// File the complaint, twice with the same Idempotency-Key.
	began := time.Now()
	// One verification for the three requests: a replay repeats the body.
	sub := tg.verified(t, complaint())
	r := tg.do(t, "POST", "/v1/tickets", sub, map[string]string{"Idempotency-Key": "e2e-key-1"})
	submitLatency := time.Since(began)
	if r.status != 201 {
		t.Fatalf("file ticket: %d %s", r.status, r.body)
	}
	var rec receipt
	r.decode(t, &rec)
	if rec.ID == "" || rec.AccessCode == "" || rec.Status != "received" {
		t.Fatalf("receipt = %+v", rec)
	}
	chinaTimes(t, "receipt", r.body)
	again := tg.do(t, "POST", "/v1/tickets", sub, map[string]string{"Idempotency-Key": "e2e-key-1"})
	var rec2 receipt
	again.decode(t, &rec2)
	if again.status != 200 || rec2 != rec {
		t.Fatalf("replay: %d %+v, want 200 %+v", again.status, rec2, rec)
	}
	changed := maps.Clone(sub)
	changed["content"] = content + "补充：发票也在。"
	if c := tg.do(t, "POST", "/v1/tickets", changed, map[string]string{"Idempotency-Key": "e2e-key-1"}); c.status != 409 {
		t.Fatalf("same key, other body: %d %s", c.status, c.body)
	}

	// The routing rules send consumer complaints to market regulation.
	const dept = "market"
	awsCfg, err := awsconf.Load(ctx, awsconf.Settings{Region: platform.Region, EndpointURL: tg.edge})
	if err != nil {
		t.Fatal(err)
	}
	sq := queue.SQSClient(awsCfg)
	qurl, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(platform.QueuePrefix + dept)})
	if err != nil {
		t.Fatal(err)
	}
	msg := receiveFor(t, sq, aws.ToString(qurl.QueueUrl), rec.ID)
	dispatchedAfter := time.Since(began)
	if msg.Type != deptmsg.TypeDispatched || msg.DepartmentID != dept || msg.Role != deptmsg.RoleLead || msg.Deadline.IsZero() {
		t.Fatalf("department message = %+v", msg)
	}
	v := tg.citizen(t, rec.ID, rec.AccessCode)
	if v.Status != "dispatched" || v.Department == nil || v.Department.ID != dept {
		t.Fatalf("after dispatch: %+v", v)
	}

	// Wrong or missing access codes never reveal the ticket.
	for _, code := range []string{"", "WRONG-CODE", strings.ToLower(rec.AccessCode) + "x"} {
		h := map[string]string{}
		if code != "" {
			h["X-Access-Code"] = code
		}
		if w := tg.do(t, "GET", "/v1/tickets/"+rec.ID, nil, h); w.status != 404 {
			t.Errorf("access code %q: %d", code, w.status)
		}
	}
	if w := tg.do(t, "GET", "/v1/tickets/261127ZZZZZZ", nil, map[string]string{"X-Access-Code": rec.AccessCode}); w.status != 404 {
		t.Errorf("unknown ticket: %d", w.status)
	}

	// Another department can neither read nor act; for its tickets it is
	// told what a missing ticket gets, so it learns not even that they exist.
	other := tg.token(t, auth.RoleDepartment, "housing")
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/v1/tickets/" + rec.ID, 404}, {"POST", "/v1/tickets/" + rec.ID + "/accept", 404},
		{"GET", "/v1/tickets/261130ZZZZZZ", 404},
		{"GET", "/v1/departments/" + dept + "/tickets", 403},
	} {
		if w := tg.do(t, c.method, c.path, nil, bearer(other)); w.status != c.want {
			t.Errorf("%s %s by another department: %d %s", c.method, c.path, w.status, w.body)
		}
	}
	if w := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", map[string]any{"result": "resolved", "message": "不是我们的"}, bearer(other)); w.status != 404 {
		t.Errorf("reply by another department: %d", w.status)
	}

	// The department finds it in its inbox, accepts and replies.
	mine := tg.token(t, auth.RoleDepartment, dept)
	var inbox struct {
		Tickets []struct{ ID string } `json:"tickets"`
	}
	ib := tg.do(t, "GET", "/v1/departments/"+dept+"/tickets?status=dispatched", nil, bearer(mine))
	ib.decode(t, &inbox)
	if ib.status != 200 || !slices.ContainsFunc(inbox.Tickets, func(x struct{ ID string }) bool { return x.ID == rec.ID }) {
		t.Fatalf("inbox: %d %s", ib.status, ib.body)
	}
	chinaTimes(t, "inbox", ib.body)
	var staff struct {
		Content string `json:"content"`
		Contact struct {
			Phone string `json:"phone"`
		} `json:"contact"`
	}
	sv := tg.do(t, "GET", "/v1/tickets/"+rec.ID, nil, bearer(mine))
	sv.decode(t, &staff)
	if sv.status != 200 || staff.Content != content || staff.Contact.Phone != "139****5678" {
		t.Fatalf("staff view: %d %s", sv.status, sv.body)
	}
	chinaTimes(t, "staff view", sv.body)
	if w := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/accept", nil, bearer(mine)); w.status != 200 {
		t.Fatalf("accept: %d %s", w.status, w.body)
	}
	if w := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/accept", nil, bearer(mine)); w.status != 409 {
		t.Fatalf("second accept: %d %s", w.status, w.body)
	}
	const answer = "经核查，商家已同意退货并退款。"
	if w := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", map[string]any{"result": "resolved", "message": answer}, bearer(mine)); w.status != 200 {
		t.Fatalf("reply: %d %s", w.status, w.body)
	}

	// The citizen gets the answer by e-mail, the contact they verified; the
	// phone number they gave beside it was not verified and gets nothing.
	var mail sesMessage
	eventually(t, "the e-mail to the citizen", func() bool {
		var ok bool
		mail, ok = findMail(t, tg.edge, citizenEmail, rec.ID, answer)
		return ok
	})
	if !strings.Contains(mail.Body.TextPart, answer) || !strings.Contains(mail.Subject, rec.ID) {
		t.Errorf("e-mail = %+v", mail)
	}
	if findSMS(t, tg.edge, "+86"+citizenPhone, rec.ID) {
		t.Error("an SMS went to a number that was not verified")
	}

	// Satisfied: the ticket closes with a complete timeline.
	if w := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/rating", map[string]any{"satisfied": true, "score": 5}, map[string]string{"X-Access-Code": rec.AccessCode}); w.status != 200 {
		t.Fatalf("rating: %d %s", w.status, w.body)
	}
	eventually(t, "the ticket to close", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "closed" })
	v = tg.citizen(t, rec.ID, rec.AccessCode)
	var steps []string
	for _, e := range v.Timeline {
		if len(steps) == 0 || steps[len(steps)-1] != e.Status {
			steps = append(steps, e.Status)
		}
	}
	chinaTimes(t, "citizen view", tg.do(t, "GET", "/v1/tickets/"+rec.ID, nil, map[string]string{"X-Access-Code": rec.AccessCode}).body)
	want := []string{"received", "in_review", "dispatched", "accepted", "replied", "closed"}
	if !slices.Equal(steps, want) {
		t.Errorf("timeline statuses = %v, want %v", steps, want)
	}
	if v.Reply == nil || v.Reply.Message != answer {
		t.Errorf("reply in citizen view = %+v", v.Reply)
	}
	if w := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/rating", map[string]any{"satisfied": true, "score": 4}, map[string]string{"X-Access-Code": rec.AccessCode}); w.status != 409 {
		t.Errorf("rating a closed ticket: %d", w.status)
	}
	t.Logf("submit latency %v; submit to department message %v", submitLatency, dispatchedAfter)

	if tg.logs != nil {
		assertNoPersonalData(t, "logs", tg.logs.String())
		history := executionHistory(t, awsCfg, tg.sfnArn, rec.ID)
		assertNoPersonalData(t, "workflow history", history)
	}
}

func assertNoPersonalData(t *testing.T, where, s string) {
	t.Helper()
	if s == "" {
		t.Fatalf("%s are empty; the check would prove nothing", where)
	}
	for _, pd := range []string{citizenName, citizenPhone, "139 1234 5678", citizenEmail, "zhang.sanfeng", content[:30], "朝阳区某某路"} {
		if strings.Contains(s, pd) {
			t.Errorf("%s contain personal data %q", where, pd)
		}
	}
}

func executionHistory(t *testing.T, cfg aws.Config, smArn, name string) string {
	t.Helper()
	arn := strings.Replace(smArn, ":stateMachine:", ":execution:", 1) + ":" + name
	out, err := workflow.SFNClient(cfg).GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out.Events)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) < 10 {
		t.Fatalf("history has only %d events", len(out.Events))
	}
	return string(b)
}

// receiveFor long-polls the queue (the edge answers as soon as a message
// arrives) until the message for this ticket comes, and deletes it.
func receiveFor(t *testing.T, sq *sqs.Client, url, ticketID string) deptmsg.Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, err := sq.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 5, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			body := aws.ToString(m.Body)
			assertNoPersonalData(t, "queue message", body)
			deptschema.Check(t, []byte(body))
			msg, err := deptmsg.Decode([]byte(body))
			if err != nil {
				t.Fatalf("department message %s: %v", body, err)
			}
			if msg.TicketID != ticketID {
				continue
			}
			if _, err := sq.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
			return msg
		}
	}
	t.Fatalf("no department message for ticket %s", ticketID)
	return deptmsg.Message{}
}

type sesMessage struct {
	Source      string `json:"Source"`
	Subject     string `json:"Subject"`
	Destination struct {
		ToAddresses []string `json:"ToAddresses"`
	} `json:"Destination"`
	Body struct {
		TextPart string `json:"text_part"`
		HTMLPart string `json:"html_part"`
	} `json:"Body"`
}

// findMail returns the first e-mail to the address whose subject names the
// ticket and whose text holds every one of also.
func findMail(t *testing.T, edge, to, ticketID string, also ...string) (sesMessage, bool) {
	var out struct {
		Messages []sesMessage `json:"messages"`
	}
	localtest.GetJSON(t, edge+"/_aws/ses", &out)
	for _, m := range out.Messages {
		if slices.Contains(m.Destination.ToAddresses, to) && strings.Contains(m.Subject, ticketID) && containsAll(m.Body.TextPart, also) {
			return m, true
		}
	}
	return sesMessage{}, false
}

// findSMS reports whether the phone got an SMS naming the ticket and every
// one of also.
func findSMS(t *testing.T, edge, phone, ticketID string, also ...string) bool {
	var out struct {
		SMS map[string][]struct {
			PhoneNumber string `json:"PhoneNumber"`
			Message     string `json:"Message"`
		} `json:"sms_messages"`
	}
	localtest.GetJSON(t, edge+"/_aws/sns/sms-messages", &out)
	for _, msgs := range out.SMS {
		for _, m := range msgs {
			if m.PhoneNumber == phone && strings.Contains(m.Message, ticketID) && containsAll(m.Message, also) {
				return true
			}
		}
	}
	return false
}

func TestInvalidSubmissionGetsFieldErrors(t *testing.T) {
	tg := start(t)
	bad := map[string]any{"type": "gripe", "channel": "web", "content": "短", "contact": map[string]any{"email": "not-an-email"}}
	r := tg.do(t, "POST", "/v1/tickets", bad, nil)
	var e struct {
		Code   string            `json:"code"`
		Fields map[string]string `json:"fields"`
	}
	r.decode(t, &e)
	if r.status != 400 || e.Code != "validation_failed" || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, f := range []string{"type", "content", "contact.email"} {
		if e.Fields[f] == "" {
			t.Errorf("no field error for %s: %v", f, e.Fields)
		}
	}
	if r := tg.do(t, "POST", "/v1/tickets", map[string]any{"type": "complaint", "extra": 1}, nil); r.status != 400 {
		t.Errorf("unknown field: %d", r.status)
	}
	phone := complaint()
	phone["channel"] = "phone"
	if r := tg.do(t, "POST", "/v1/tickets", phone, nil); r.status != 403 {
		t.Errorf("phone ticket without operator token: %d %s", r.status, r.body)
	}
	if r := tg.do(t, "POST", "/v1/tickets", phone, bearer(tg.token(t, auth.RoleOperator, ""))); r.status != 201 {
		t.Errorf("phone ticket by an operator: %d %s", r.status, r.body)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// reviewQueue lists the operator's review queue, first page.
func (tg *target) reviewQueue(t *testing.T, op string) []queueEntry {
	t.Helper()
	r := tg.do(t, "GET", "/v1/review-queue?limit=100", nil, bearer(op))
	if r.status != 200 {
		t.Fatalf("review queue: %d %s", r.status, r.body)
	}
	var q struct {
		Tickets []queueEntry `json:"tickets"`
	}
	r.decode(t, &q)
	return q.Tickets
}

type queueEntry struct {
	ID                 string   `json:"id"`
	ReviewReason       string   `json:"reviewReason"`
	SuspectedEmergency []string `json:"suspectedEmergency"`
	SameMatter         []string `json:"sameMatter"`
}

// fileSuspectedEmergency files sub and waits until the citizen has been told
// by e-mail (the verified contact) which number to call and the ticket waits for an operator,
// first in the review queue.
func (tg *target) fileSuspectedEmergency(t *testing.T, op string, sub map[string]any, number string) receipt {
	t.Helper()
	// An ordinary ticket filed first must not stay ahead of the emergency.
	tg.file(t, noCategory())
	rec := tg.file(t, sub)
	eventually(t, "the e-mail naming "+number, func() bool {
		_, ok := findMail(t, tg.edge, citizenEmail, rec.ID, number)
		return ok
	})
	eventually(t, "the suspected emergency first in the review queue", func() bool {
		q := tg.reviewQueue(t, op)
		return len(q) > 0 && q[0].ID == rec.ID
	})
	first := tg.reviewQueue(t, op)[0]
	if len(first.SuspectedEmergency) != 1 || first.SuspectedEmergency[0] != number || !strings.HasPrefix(first.ReviewReason, "emergency_") {
		t.Fatalf("queue entry %+v", first)
	}
	v := tg.citizen(t, rec.ID, rec.AccessCode)
	if v.Status != "in_review" || !strings.Contains(v.Notice, number) {
		t.Fatalf("citizen sees %+v", v)
	}
	return rec
}

// An emergency keyword is never a final rejection on its own: the citizen is
// told at once which number to call, and an operator confirms the emergency.
func TestSuspectedEmergencyConfirmedByAnOperator(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	sub := complaint()
	sub["category"] = ""
	sub["content"] = "楼下饭店着火了，火很大，浓烟滚滚，请快来人！"
	rec := tg.fileSuspectedEmergency(t, op, sub, "119")

	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "reject"}, bearer(op)); r.status != 200 {
		t.Fatalf("confirm the emergency: %d %s", r.status, r.body)
	}
	eventually(t, "the rejection", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "rejected" })
	if v := tg.citizen(t, rec.ID, rec.AccessCode); !strings.Contains(v.Notice, "119") || !strings.Contains(v.Notice, "经核实") {
		t.Errorf("notice = %q", v.Notice)
	}
}

// A keyword that hits an ordinary complaint (an ambulance's fee, not an
// ambulance call) is ruled out by the operator and handled as usual.
func TestFalseEmergencyKeywordHandledAsOrdinary(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	sub := complaint()
	sub["category"] = ""
	sub["content"] = "120急救中心的救护车收费太高，一公里收了一百多元。"
	rec := tg.fileSuspectedEmergency(t, op, sub, "120")

	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "accept", "category": "consumer.price"}, bearer(op)); r.status != 200 {
		t.Fatalf("rule out the emergency: %d %s", r.status, r.body)
	}
	eventually(t, "the dispatch", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "dispatched" })
	v := tg.citizen(t, rec.ID, rec.AccessCode)
	if v.Notice != "" || v.Department == nil {
		t.Errorf("after ruling out: %+v", v)
	}
	for _, q := range tg.reviewQueue(t, op) {
		if q.ID == rec.ID {
			t.Error("still in the review queue")
		}
	}
}

func TestReplayedKeyNeverCreatesTwoTickets(t *testing.T) {
	tg := start(t)
	const n = 8
	ids := make([]string, n)
	sub := tg.verified(t, complaint())
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := tg.do(t, "POST", "/v1/tickets", sub, map[string]string{"Idempotency-Key": "race-key"})
			var rec receipt
			if err := json.Unmarshal(r.body, &rec); err != nil || (r.status != 201 && r.status != 200) {
				t.Errorf("request %d: %d %s", i, r.status, r.body)
				return
			}
			ids[i] = rec.ID
		}()
	}
	wg.Wait()
	for i := range ids {
		if ids[i] != ids[0] {
			t.Fatalf("racing replays gave different tickets: %v", ids)
		}
	}
}

// timestampPattern is an RFC 3339 date-time as the API writes them.
var timestampPattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)

// chinaTimes checks that every time in a JSON answer is in the one
// convention of the API: RFC 3339 at +08:00, China time.
func chinaTimes(t *testing.T, what string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	found := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case string:
			if timestampPattern.MatchString(x) {
				found++
				if !strings.HasSuffix(x, "+08:00") {
					t.Errorf("%s%s = %s, want +08:00", what, path, x)
				}
			}
		}
	}
	walk("", v)
	if found == 0 {
		t.Errorf("%s carries no time: %s", what, body)
	}
}

// The API serves the OpenAPI document it is tested against, and revalidates
// it by its ETag.
func TestOpenAPIDocumentIsServed(t *testing.T) {
	tg := start(t)
	r := tg.do(t, "GET", "/openapi.json", nil, nil)
	if r.status != 200 || !bytes.Equal(r.body, openapi.JSON()) || r.header.Get("ETag") == "" {
		t.Fatalf("GET /openapi.json: %d %v (%d bytes)", r.status, r.header, len(r.body))
	}
	again := tg.do(t, "GET", "/openapi.json", nil, map[string]string{"If-None-Match": r.header.Get("ETag")})
	if again.status != 304 || len(again.body) != 0 {
		t.Fatalf("If-None-Match: %d %q", again.status, again.body)
	}
}
