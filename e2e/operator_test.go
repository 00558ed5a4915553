package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/localmode/platform"
)

// file files a submission and returns its receipt.
func (tg *target) file(t *testing.T, sub map[string]any) receipt {
	t.Helper()
	r := tg.do(t, "POST", "/v1/tickets", sub, nil)
	if r.status != 201 {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	var rec receipt
	r.decode(t, &rec)
	return rec
}

// inReviewQueue polls GET /v1/review-queue for the ticket.
func (tg *target) inReviewQueue(t *testing.T, op, id string) bool {
	t.Helper()
	r := tg.do(t, "GET", "/v1/review-queue?limit=100", nil, bearer(op))
	if r.status != 200 {
		t.Fatalf("review queue: %d %s", r.status, r.body)
	}
	var q struct {
		Tickets []struct{ ID string } `json:"tickets"`
	}
	r.decode(t, &q)
	return slices.ContainsFunc(q.Tickets, func(x struct{ ID string }) bool { return x.ID == id })
}

// queueFor returns a reader of the department's queue.
func (tg *target) queueFor(t *testing.T, dept string) func(id string) deptmsg.Message {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: platform.Region, EndpointURL: tg.edge})
	if err != nil {
		t.Fatal(err)
	}
	sq := queue.SQSClient(cfg)
	u, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(platform.QueuePrefix + dept)})
	if err != nil {
		t.Fatal(err)
	}
	return func(id string) deptmsg.Message { return receiveFor(t, sq, aws.ToString(u.QueueUrl), id) }
}

func noCategory() map[string]any {
	sub := complaint()
	delete(sub, "category")
	sub["content"] = "小区门口的早餐店每天把污水倒在人行道上，气味很大，希望有关部门管一管。"
	return sub
}

// A ticket without a category waits for an operator, who dispatches it by
// hand; the department returns it; the operator reassigns it.
func TestOperatorReviewsReturnsAndReassigns(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	rec := tg.file(t, noCategory())
	eventually(t, "the manual review", func() bool { return tg.inReviewQueue(t, op, rec.ID) })
	if s := tg.citizen(t, rec.ID, rec.AccessCode).Status; s != "in_review" {
		t.Fatalf("status %s", s)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "accept", "departmentId": "nowhere"}, bearer(op)); r.status != 400 {
		t.Fatalf("unknown department: %d %s", r.status, r.body)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "accept", "category": "urban.garbage", "departmentId": "urban_mgmt"}, bearer(op)); r.status != 200 {
		t.Fatalf("review: %d %s", r.status, r.body)
	}
	if tg.inReviewQueue(t, op, rec.ID) {
		t.Fatal("still in the review queue after the decision")
	}
	msg := tg.queueFor(t, "urban_mgmt")(rec.ID)
	if msg.Type != deptmsg.TypeDispatched || msg.Category != "urban.garbage" {
		t.Fatalf("message %+v", msg)
	}

	dept := tg.token(t, auth.RoleDepartment, "urban_mgmt")
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/return", map[string]any{"reason": "应由城管执法局处理"}, bearer(dept)); r.status != 200 {
		t.Fatalf("return: %d %s", r.status, r.body)
	}
	eventually(t, "the returned ticket in the review queue", func() bool { return tg.inReviewQueue(t, op, rec.ID) })
	// The citizen sees a reassignment under way, not the departments' argument.
	if v := tg.citizen(t, rec.ID, rec.AccessCode); v.Status != "reassigning" || v.StatusText != "正在重新派单" {
		t.Fatalf("citizen sees a returned ticket as %q %q", v.Status, v.StatusText)
	}
	// The reassignment may come before the workflow has parked its operator step: then it is a 409 to retry.
	eventually(t, "the reassignment", func() bool {
		r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reassign", map[string]any{"departmentId": "urban_enforcement", "reason": "城管执法"}, bearer(op))
		if r.status != 200 && r.status != 409 {
			t.Fatalf("reassign: %d %s", r.status, r.body)
		}
		return r.status == 200
	})
	msg = tg.queueFor(t, "urban_enforcement")(rec.ID)
	if msg.DepartmentID != "urban_enforcement" || msg.Role != deptmsg.RoleLead {
		t.Fatalf("message %+v", msg)
	}
	v := tg.citizen(t, rec.ID, rec.AccessCode)
	if v.Status != "dispatched" || v.Department == nil || v.Department.ID != "urban_enforcement" {
		t.Fatalf("after reassignment: %+v", v)
	}
	// The old department lost access; the new one can act.
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/accept", nil, bearer(dept)); r.status != 404 {
		t.Fatalf("old department accepts: %d", r.status)
	}
	enforcement := tg.token(t, auth.RoleDepartment, "urban_enforcement")
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/accept", nil, bearer(enforcement)); r.status != 200 {
		t.Fatalf("new department accepts: %d %s", r.status, r.body)
	}

	// The citizen is not satisfied with the answer: the ticket reopens at the
	// department that last handled it, not where the routing rules would send it.
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", map[string]any{"result": "explained", "message": "已责令整改。"}, bearer(enforcement)); r.status != 200 {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/rating", map[string]any{"satisfied": false, "score": 1, "comment": "还在倒"}, map[string]string{"X-Access-Code": rec.AccessCode}); r.status != 200 || !strings.Contains(string(r.body), `"reopened":true`) {
		t.Fatalf("rating: %d %s", r.status, r.body)
	}
	msg = tg.queueFor(t, "urban_enforcement")(rec.ID)
	if msg.Type != deptmsg.TypeReopened || msg.DepartmentID != "urban_enforcement" {
		t.Fatalf("reopen message %+v", msg)
	}
	v = tg.citizen(t, rec.ID, rec.AccessCode)
	if v.Status != "dispatched" || v.Department == nil || v.Department.ID != "urban_enforcement" {
		t.Fatalf("after reopen: %+v", v)
	}
}

func TestOperatorRejectsWithReason(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	sub := noCategory()
	sub["category"] = "other.general" // ambiguous: manual review too
	rec := tg.file(t, sub)
	eventually(t, "the manual review", func() bool { return tg.inReviewQueue(t, op, rec.ID) })
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "reject"}, bearer(op)); r.status != 400 {
		t.Fatalf("reject without reason: %d", r.status)
	}
	const reason = "您反映的问题属于民事纠纷，请通过人民法院解决。"
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "reject", "reason": reason}, bearer(op)); r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	eventually(t, "the rejection e-mail", func() bool {
		_, ok := findMail(t, tg.edge, citizenEmail, rec.ID, reason)
		return ok
	})
	if v := tg.citizen(t, rec.ID, rec.AccessCode); v.Status != "rejected" || v.Notice != reason {
		t.Fatalf("citizen view %+v", v)
	}
}

func TestOperatorMergesIntoAnOpenTicket(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	open := tg.file(t, complaint())
	eventually(t, "the first ticket's dispatch", func() bool { return tg.citizen(t, open.ID, open.AccessCode).Status == "dispatched" })
	rec := tg.file(t, noCategory())
	eventually(t, "the manual review", func() bool { return tg.inReviewQueue(t, op, rec.ID) })
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "merge", "mergeInto": rec.ID}, bearer(op)); r.status != 400 {
		t.Fatalf("merge into itself: %d", r.status)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "merge", "mergeInto": open.ID}, bearer(op)); r.status != 200 {
		t.Fatalf("merge: %d %s", r.status, r.body)
	}
	eventually(t, "the merge e-mail", func() bool {
		_, ok := findMail(t, tg.edge, citizenEmail, rec.ID, open.ID)
		return ok
	})
	if v := tg.citizen(t, rec.ID, rec.AccessCode); v.Status != "merged" {
		t.Fatalf("status %s", v.Status)
	}
}

func TestKnowledgeBaseAnswerIsRatedAndClosed(t *testing.T) {
	tg := start(t)
	sub := complaint()
	sub["type"], sub["category"] = "consultation", "labour.social_insurance"
	sub["content"] = "我的社保卡丢了，请问怎么补办？需要带什么材料？"
	rec := tg.file(t, sub)
	eventually(t, "the answer e-mail", func() bool {
		_, ok := findMail(t, tg.edge, citizenEmail, rec.ID, "补办")
		return ok
	})
	if s := tg.citizen(t, rec.ID, rec.AccessCode).Status; s != "answered" {
		t.Fatalf("status %s", s)
	}
	eventually(t, "the rating", func() bool {
		r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/rating", map[string]any{"satisfied": true, "score": 5}, map[string]string{"X-Access-Code": rec.AccessCode})
		return r.status == 200
	})
	eventually(t, "the ticket to close", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "closed" })
}

// Unsatisfied ratings reopen the ticket for the same department, at most
// twice; the third unsatisfied rating closes it.
func TestUnsatisfiedRatingsReopenThenClose(t *testing.T) {
	tg := start(t)
	rec := tg.file(t, complaint())
	next := tg.queueFor(t, "market")
	mine := tg.token(t, auth.RoleDepartment, "market")
	ops := tg.token(t, auth.RoleOperator, "")
	for round := range 3 {
		msg := next(rec.ID)
		want := deptmsg.TypeDispatched
		if round > 0 {
			want = deptmsg.TypeReopened
		}
		if msg.Type != want {
			t.Fatalf("round %d: message %s, want %s", round, msg.Type, want)
		}
		var staff struct {
			Status      string `json:"status"`
			ReopenCount int    `json:"reopenCount"`
		}
		tg.do(t, "GET", "/v1/tickets/"+rec.ID, nil, bearer(ops)).decode(t, &staff)
		if staff.Status != "dispatched" || staff.ReopenCount != round {
			t.Fatalf("round %d: %+v", round, staff)
		}
		if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", map[string]any{"result": "explained", "message": "已解释说明。"}, bearer(mine)); r.status != 200 {
			t.Fatalf("round %d reply: %d %s", round, r.status, r.body)
		}
		var rated struct {
			Reopened bool `json:"reopened"`
		}
		eventually(t, "the rating", func() bool {
			r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/rating", map[string]any{"satisfied": false, "score": 1}, map[string]string{"X-Access-Code": rec.AccessCode})
			if r.status == 200 {
				r.decode(t, &rated)
			}
			return r.status == 200
		})
		if rated.Reopened != (round < 2) {
			t.Fatalf("round %d: reopened %v", round, rated.Reopened)
		}
	}
	eventually(t, "the ticket to close", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "closed" })
}

// A gas leak filed without a category is urgent: it waits ahead of ordinary
// tickets, cannot be accepted without a category, and its deadlines count
// hours (the gas keyword rule's level), not a complaint's working days.
func TestGasLeakWithoutCategoryIsUrgent(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	ordinary := tg.file(t, noCategory())
	leak := noCategory()
	leak["content"] = "我们单元楼道里燃气味很重，怀疑燃气泄漏，物业联系不上。"
	rec := tg.file(t, leak)
	eventually(t, "both tickets in the review queue", func() bool {
		return tg.inReviewQueue(t, op, rec.ID) && tg.inReviewQueue(t, op, ordinary.ID)
	})
	if q := tg.reviewQueue(t, op); q[0].ID != rec.ID {
		t.Fatalf("the gas leak is not first in the review queue: %+v", q)
	}

	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "accept"}, bearer(op)); r.status != 400 || !strings.Contains(string(r.body), `"category"`) {
		t.Fatalf("accept without a category: %d %s", r.status, r.body)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/review", map[string]any{"decision": "accept", "category": "other.general"}, bearer(op)); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	eventually(t, "the dispatch", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "dispatched" })
	var staff struct {
		DepartmentID string    `json:"departmentId"`
		RuleID       string    `json:"ruleId"`
		Urgency      string    `json:"urgency"`
		DispatchedAt time.Time `json:"dispatchedAt"`
		Deadlines    struct {
			Accept time.Time `json:"accept"`
			Reply  time.Time `json:"reply"`
		} `json:"deadlines"`
	}
	tg.do(t, "GET", "/v1/tickets/"+rec.ID, nil, bearer(op)).decode(t, &staff)
	if staff.DepartmentID != "urban_mgmt" || staff.RuleID != "gas-keywords" || staff.Urgency != "urgent" {
		t.Fatalf("routed %+v", staff)
	}
	if got := staff.Deadlines.Reply.Sub(staff.DispatchedAt); got != 4*time.Hour {
		t.Errorf("reply due %v after dispatch, want 4h", got)
	}
	if got := staff.Deadlines.Accept.Sub(staff.DispatchedAt); got != time.Hour {
		t.Errorf("accept due %v after dispatch, want 1h", got)
	}
}

// A phone caller gets the receipt (ticket id and access code) by SMS at
// intake, and is rated by an operator on a return call (回访).
func TestPhoneCallerGetsAReceiptAndIsRatedByAnOperator(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	call := complaint()
	call["channel"] = "phone"
	call["contact"] = map[string]any{"name": "王五", "phone": "+86 139 1234 5678"}
	r := tg.do(t, "POST", "/v1/tickets", call, bearer(op))
	if r.status != 201 {
		t.Fatalf("phone ticket: %d %s", r.status, r.body)
	}
	var rec receipt
	r.decode(t, &rec)
	if !findSMS(t, tg.edge, "+8613912345678", rec.ID, rec.AccessCode) {
		t.Fatal("no SMS receipt with the ticket id and the access code")
	}

	market := tg.token(t, auth.RoleDepartment, "market")
	tg.queueFor(t, "market")(rec.ID)
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", map[string]any{"result": "resolved", "message": "商家已退款。"}, bearer(market)); r.status != 200 {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	// The operator calls back and records what the citizen says.
	rating := map[string]any{"satisfied": true, "score": 5, "comment": "电话回访：满意", "method": "phone"}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/rating", rating, bearer(market)); r.status != 403 {
		t.Fatalf("a department rates its own answer: %d %s", r.status, r.body)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/rating", rating, bearer(op)); r.status != 200 {
		t.Fatalf("phone rating: %d %s", r.status, r.body)
	}
	eventually(t, "the ticket to close", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "closed" })
	var staff struct {
		Rating struct {
			Method string `json:"method"`
			By     string `json:"by"`
		} `json:"rating"`
	}
	tg.do(t, "GET", "/v1/tickets/"+rec.ID, nil, bearer(op)).decode(t, &staff)
	if staff.Rating.Method != "phone" || staff.Rating.By == "" {
		t.Errorf("rating %+v", staff.Rating)
	}
}

// Another citizen reports the same matter: the operator merges it into the
// open ticket. Its citizen is told which ticket it joined, then that ticket's
// result, and the merged ticket closes with it.
func TestMergedCitizenIsToldTheResult(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	master := tg.file(t, complaint())
	tg.queueFor(t, "market")(master.ID)

	// Another citizen, same category and place, nearly the same words: review
	// flags it with the open ticket as candidate, and does not merge it itself.
	const otherEmail, otherPhone = "li.si@example.com", "13700137000"
	same := complaint()
	same["content"] = content + "我也遇到了同样的情况。"
	same["contact"] = map[string]any{"name": "李四", "phone": otherPhone, "email": otherEmail}
	dup := tg.file(t, same)
	eventually(t, "the second ticket in review", func() bool { return tg.inReviewQueue(t, op, dup.ID) })
	// The operator's queue says why it waits and names the candidate.
	for _, q := range tg.reviewQueue(t, op) {
		if q.ID == dup.ID && (q.ReviewReason != "same_matter_nearby" || len(q.SameMatter) != 1 || q.SameMatter[0] != master.ID) {
			t.Fatalf("queue entry %+v", q)
		}
	}
	var staff struct {
		Status     string   `json:"status"`
		SameMatter []string `json:"sameMatter"`
	}
	tg.do(t, "GET", "/v1/tickets/"+dup.ID, nil, bearer(op)).decode(t, &staff)
	if staff.Status != "in_review" || len(staff.SameMatter) != 1 || staff.SameMatter[0] != master.ID {
		t.Fatalf("candidates %+v", staff)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+dup.ID+"/review", map[string]any{"decision": "merge", "mergeInto": master.ID}, bearer(op)); r.status != 200 {
		t.Fatalf("merge: %d %s", r.status, r.body)
	}
	eventually(t, "the merge notice naming the open ticket", func() bool {
		_, ok := findMail(t, tg.edge, otherEmail, dup.ID, master.ID, "无需重复提交")
		return ok
	})

	market := tg.token(t, auth.RoleDepartment, "market")
	const answer = "经核查，商家已同意为购买该批次电饭煲的顾客退货。"
	if r := tg.do(t, "POST", "/v1/tickets/"+master.ID+"/reply", map[string]any{"result": "resolved", "message": answer}, bearer(market)); r.status != 200 {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	eventually(t, "the result e-mail to the merged ticket's citizen", func() bool {
		_, ok := findMail(t, tg.edge, otherEmail, dup.ID, answer)
		return ok
	})
	if findSMS(t, tg.edge, "+86"+otherPhone, dup.ID) {
		t.Error("an SMS went to a number that was not verified")
	}

	if r := tg.do(t, "POST", "/v1/tickets/"+master.ID+"/rating", map[string]any{"satisfied": true, "score": 5}, map[string]string{"X-Access-Code": master.AccessCode}); r.status != 200 {
		t.Fatalf("rating: %d %s", r.status, r.body)
	}
	eventually(t, "the merged ticket to close with its master", func() bool {
		return tg.citizen(t, dup.ID, dup.AccessCode).Status == "closed"
	})
	if s := tg.citizen(t, master.ID, master.AccessCode).Status; s != "closed" {
		t.Errorf("master %s", s)
	}
}

// A caller who left only a landline cannot be told the result by e-mail or
// SMS: the ticket goes on to the rating wait and onto the operator's queue for
// a phone call; the operator calls, records the call and the citizen's rating.
func TestUndeliverableNoticeEndsOnTheOperatorQueue(t *testing.T) {
	tg := start(t)
	op := tg.token(t, auth.RoleOperator, "")
	sub := complaint()
	sub["channel"] = "phone"
	sub["contact"] = map[string]any{"name": "赵六", "phone": "010-6234 5678"}
	r := tg.do(t, "POST", "/v1/tickets", sub, bearer(op))
	if r.status != 201 {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	var rec receipt
	r.decode(t, &rec)
	tg.queueFor(t, "market")(rec.ID)
	market := tg.token(t, auth.RoleDepartment, "market")
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", map[string]any{"result": "resolved", "message": "商家已退款。"}, bearer(market)); r.status != 200 {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	eventually(t, "the ticket on the operator's queue for a phone call", func() bool {
		for _, q := range tg.reviewQueue(t, op) {
			if q.ID == rec.ID {
				return true
			}
		}
		return false
	})
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/phone-call", map[string]any{"note": "已电话告知办理结果，市民表示满意"}, bearer(op)); r.status != 200 {
		t.Fatalf("phone call: %d %s", r.status, r.body)
	}
	for _, q := range tg.reviewQueue(t, op) {
		if q.ID == rec.ID {
			t.Fatal("still on the queue after the call")
		}
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/rating", map[string]any{"satisfied": true, "score": 4, "method": "phone"}, bearer(op)); r.status != 200 {
		t.Fatalf("phone rating: %d %s", r.status, r.body)
	}
	eventually(t, "the ticket to close", func() bool { return tg.citizen(t, rec.ID, rec.AccessCode).Status == "closed" })
}

// A citizen withdraws a ticket (撤单) while the department handles it: the
// department is told on its queue and can no longer act on it.
func TestCitizenWithdrawsATicket(t *testing.T) {
	tg := start(t)
	rec := tg.file(t, complaint())
	market := tg.queueFor(t, "market")
	if msg := market(rec.ID); msg.Type != deptmsg.TypeDispatched {
		t.Fatalf("first message %+v", msg)
	}
	code := map[string]string{"X-Access-Code": rec.AccessCode}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/withdrawal", map[string]any{"reason": "商家已主动联系我退款了"}, map[string]string{"X-Access-Code": "WRONGCOD"}); r.status != 404 {
		t.Fatalf("withdrawal with a wrong code: %d", r.status)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/withdrawal", map[string]any{"reason": "商家已主动联系我退款了"}, code); r.status != 200 || !strings.Contains(string(r.body), `"withdrawn"`) {
		t.Fatalf("withdrawal: %d %s", r.status, r.body)
	}
	if msg := market(rec.ID); msg.Type != deptmsg.TypeWithdrawn || msg.Role != deptmsg.RoleLead {
		t.Fatalf("withdrawal message %+v", msg)
	}
	if v := tg.citizen(t, rec.ID, rec.AccessCode); v.Status != "withdrawn" || v.StatusText != "已撤单" {
		t.Fatalf("citizen sees %q %q", v.Status, v.StatusText)
	}
	dept := tg.token(t, auth.RoleDepartment, "market")
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/reply", map[string]any{"result": "resolved", "message": "已处理"}, bearer(dept)); r.status != 409 {
		t.Fatalf("reply to a withdrawn ticket: %d %s", r.status, r.body)
	}
	if r := tg.do(t, "POST", "/v1/tickets/"+rec.ID+"/withdrawal", map[string]any{"reason": "再撤一次"}, code); r.status != 409 {
		t.Fatalf("second withdrawal: %d %s", r.status, r.body)
	}
}
