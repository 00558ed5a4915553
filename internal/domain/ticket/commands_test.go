package ticket

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// fakeCatalog knows two departments and one leaf category.
type fakeCatalog struct{}

func (fakeCatalog) CheckCategory(code string, _ Type) error {
	if code != "consumer.refund" {
		return errors.New("not a leaf")
	}
	return nil
}
func (fakeCatalog) HasDepartment(id string) bool { return id == "market" || id == "housing" }
func (fakeCatalog) DepartmentName(id string) string {
	return map[string]string{"market": "市场监管局", "housing": "住建委"}[id]
}

func (c fakeCatalog) DepartmentNameIn(id string, _ Language) string { return c.DepartmentName(id) }

var cmdNow = time.Date(2026, 3, 2, 9, 0, 0, 0, China)

// parked is a ticket whose workflow waits at step for a person's answer.
func parked(status Status, step Step) *Ticket {
	tk := handling(cmdNow)
	tk.Status, tk.WaitingStep, tk.TaskToken = status, step, "tok-1"
	return tk
}

// answered returns the single answer queued for the workflow, decoded into v.
func answered(t *testing.T, tk *Ticket, v any) {
	t.Helper()
	if len(tk.Outbox) != 1 || tk.Outbox[0].Token != "tok-1" {
		t.Fatalf("queued answers %+v, want one to tok-1", tk.Outbox)
	}
	if err := json.Unmarshal(tk.Outbox[0].Output, v); err != nil {
		t.Fatal(err)
	}
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("got %v, want a validation error", err)
	}
	return v.Fields
}

func refused(t *testing.T, err error) {
	t.Helper()
	var r *RefusedError
	var tr *TransitionError
	if !errors.As(err, &r) && !errors.As(err, &tr) {
		t.Fatalf("got %v, want the command refused", err)
	}
}

var dept = Actor{Role: ActorDepartment, ID: "market"}
var op = Actor{Role: ActorOperator, ID: "op1"}

func TestAccept(t *testing.T) {
	tk := parked(StatusDispatched, StepDispatch)
	evs, err := tk.Accept(dept, cmdNow)
	if err != nil || tk.Status != StatusAccepted || !tk.AcceptedAt.Equal(cmdNow) || len(evs) != 1 || evs[0].To != StatusAccepted {
		t.Fatalf("accept: %v %+v %+v", err, tk, evs)
	}
	if len(tk.Outbox) != 0 || tk.TaskToken == "" {
		t.Fatal("accepting must not end the wait for the reply")
	}
	_, err = tk.Accept(dept, cmdNow)
	refused(t, err)
}

func TestRecordReply(t *testing.T) {
	tk := parked(StatusAccepted, StepDispatch)
	if _, err := tk.RequestExtension(2, "需要现场核查", dept, "d1", cmdNow); err != nil {
		t.Fatal(err)
	}
	if f := fieldsOf(t, func() error { _, err := tk.RecordReply("done", " ", nil, dept, "u1", cmdNow); return err }()); f["result"] == "" || f["message"] == "" {
		t.Fatalf("fields %v", f)
	}
	evs, err := tk.RecordReply(ResultResolved, "  已退款。 ", nil, dept, "u1", cmdNow)
	if err != nil || tk.Status != StatusReplied || len(evs) != 1 {
		t.Fatalf("reply: %v %+v", err, tk)
	}
	if tk.Reply.Message != "已退款。" || tk.Reply.DepartmentID != "market" || tk.Reply.By != "u1" {
		t.Fatalf("reply kept as %+v", tk.Reply)
	}
	if tk.ExtensionRequested || tk.Extension.Decision != ExtensionWithdrawn {
		t.Fatal("a reply must withdraw the open extension request")
	}
	var out HandlingOutcome
	answered(t, tk, &out)
	if out.Outcome != "replied" {
		t.Fatalf("answer %+v", out)
	}

	// Not parked yet: the step reads the new status when it parks.
	tk = parked(StatusAccepted, StepNone)
	if _, err := tk.RecordReply(ResultExplained, "已解释。", nil, dept, "u1", cmdNow); err != nil || len(tk.Outbox) != 0 {
		t.Fatalf("reply before the wait: %v %+v", err, tk.Outbox)
	}
}

func TestReturnIsForStaffOnly(t *testing.T) {
	tk := parked(StatusDispatched, StepDispatch)
	_, err := tk.Return("x", dept, cmdNow)
	if fieldsOf(t, err)["reason"] == "" {
		t.Fatal("a one-character reason passed")
	}
	evs, err := tk.Return(" 不属于本部门职责 ", dept, cmdNow)
	if err != nil || tk.Status != StatusReturned || len(evs) != 1 || evs[0].Public || evs[0].Note != "不属于本部门职责" {
		t.Fatalf("return: %v %+v", err, evs)
	}
	var out HandlingOutcome
	answered(t, tk, &out)
	if out.Outcome != "returned" {
		t.Fatalf("answer %+v", out)
	}
}

func TestRate(t *testing.T) {
	yes, no := true, false
	citizen := Actor{Role: ActorCitizen}
	if f := fieldsOf(t, func() error {
		_, _, err := parked(StatusReplied, StepFeedback).Rate(RatingInput{Score: 9}, citizen, cmdNow)
		return err
	}()); f["satisfied"] == "" || f["score"] == "" {
		t.Fatalf("fields %v", f)
	}
	if _, _, err := parked(StatusReplied, StepFeedback).Rate(RatingInput{Satisfied: &yes}, citizen, cmdNow); fieldsOf(t, err)["score"] == "" {
		t.Fatal("a rating without a score passed")
	}
	_, _, err := parked(StatusAccepted, StepNone).Rate(RatingInput{Satisfied: &yes, Score: 5}, citizen, cmdNow)
	refused(t, err)

	for _, tc := range []struct {
		satisfied *bool
		reopens   int
		want      RatingOutcome
	}{
		{&yes, 0, RatingOutcome{Satisfied: true}},
		{&no, 0, RatingOutcome{Reopen: true}},
		{&no, MaxReopens - 1, RatingOutcome{Reopen: true}},
		{&no, MaxReopens, RatingOutcome{}}, // reopens used up: closed unsatisfied
	} {
		tk := parked(StatusReplied, StepFeedback)
		tk.ReopenCount = tc.reopens
		evs, got, err := tk.Rate(RatingInput{Satisfied: tc.satisfied, Score: 4, Comment: " 还行 "}, citizen, cmdNow)
		if err != nil || got != tc.want || len(evs) == 0 || !evs[0].Public {
			t.Fatalf("%d reopens: %v %+v %+v", tc.reopens, err, got, evs)
		}
		var out RatingOutcome
		answered(t, tk, &out)
		if out != tc.want || tk.Rating.Comment != "还行" || tk.Rating.Method != "" {
			t.Fatalf("answer %+v, rating %+v", out, tk.Rating)
		}
		_, _, err = tk.Rate(RatingInput{Satisfied: &yes, Score: 5}, citizen, cmdNow)
		refused(t, err) // once only
		if exhausted := !*tc.satisfied && tc.reopens >= MaxReopens; tk.Escalated != exhausted || (len(evs) == 2) != exhausted {
			t.Fatalf("%d reopens: escalated %v with %d events; the last unsatisfied rating must flag the ticket for supervisors", tc.reopens, tk.Escalated, len(evs))
		}
	}
}

// A citizen who cannot rate online (a phone caller) is rated by an operator
// on a return call (回访); only operators record phone ratings.
func TestPhoneRatingIsAnOperators(t *testing.T) {
	no := false
	tk := parked(StatusReplied, StepFeedback)
	if _, _, err := tk.Rate(RatingInput{Satisfied: &no, Score: 2, Method: RatingMethodPhone}, Actor{Role: ActorCitizen}, cmdNow); fieldsOf(t, err)["method"] == "" {
		t.Fatal("a citizen recorded a phone rating")
	}
	if _, _, err := tk.Rate(RatingInput{Satisfied: &no, Score: 2}, op, cmdNow); fieldsOf(t, err)["method"] == "" {
		t.Fatal("an operator rated without saying it was by phone")
	}
	evs, got, err := tk.Rate(RatingInput{Satisfied: &no, Score: 2, Method: RatingMethodPhone}, op, cmdNow)
	if err != nil || !got.Reopen || tk.Rating.Method != "phone" || tk.Rating.By != "op1" || evs[0].ActorRole != ActorOperator {
		t.Fatalf("phone rating: %v %+v %+v %+v", err, got, tk.Rating, evs)
	}
}

func TestSupplement(t *testing.T) {
	tk := parked(StatusAccepted, StepDispatch)
	if _, err := tk.Supplement("   ", nil, cmdNow); fieldsOf(t, err)["content"] == "" {
		t.Fatal("empty supplement passed")
	}
	evs, err := tk.Supplement(" 补充：发票照片已上传 ", nil, cmdNow)
	if err != nil || len(evs) != 1 || evs[0].Kind != "supplement" || !evs[0].Public || evs[0].Note != "补充：发票照片已上传" || len(tk.Outbox) != 0 {
		t.Fatalf("supplement: %v %+v", err, evs)
	}
	tk.Status = StatusClosed
	_, err = tk.Supplement("再补充", nil, cmdNow)
	refused(t, err)
}

func TestDecideReview(t *testing.T) {
	inReview := func() *Ticket {
		tk := parked(StatusInReview, StepOperator)
		tk.Type, tk.DepartmentID = TypeComplaint, ""
		return tk
	}
	_, err := parked(StatusInReview, StepNone).DecideReview(OperatorReview{Decision: DecisionAccept}, fakeCatalog{}, op, cmdNow)
	refused(t, err)

	for name, tc := range map[string]struct {
		d     OperatorReview
		field string
	}{
		"unknown decision":     {OperatorReview{Decision: "maybe"}, "decision"},
		"category not a leaf":  {OperatorReview{Decision: DecisionAccept, Category: "consumer"}, "category"},
		"unknown lead":         {OperatorReview{Decision: DecisionAccept, DepartmentID: "nasa"}, "departmentId"},
		"lead as co-handler":   {OperatorReview{Decision: DecisionAccept, DepartmentID: "market", CoHandlers: []string{"market"}}, "coHandlers"},
		"reject without words": {OperatorReview{Decision: DecisionReject, Reason: " "}, "reason"},
		"empty answer":         {OperatorReview{Decision: DecisionAnswer, Answer: "a"}, "answer"},
		"merge into itself":    {OperatorReview{Decision: DecisionMerge, MergeInto: "T1"}, "mergeInto"},
	} {
		tk := inReview()
		_, err := tk.DecideReview(tc.d, fakeCatalog{}, op, cmdNow)
		if fieldsOf(t, err)[tc.field] == "" || len(tk.Outbox) != 0 || tk.TaskToken == "" {
			t.Errorf("%s: %v; the wait must stay parked", name, err)
		}
	}

	tk := inReview()
	if _, err := tk.DecideReview(OperatorReview{Decision: DecisionAccept, Category: "consumer.refund", DepartmentID: "market", CoHandlers: []string{"housing"}}, fakeCatalog{}, op, cmdNow); err != nil {
		t.Fatal(err)
	}
	var out ReviewDecision
	answered(t, tk, &out)
	if out.Decision != "accept" || tk.Category != "consumer.refund" || tk.PendingDepartmentID != "market" || tk.PendingCoHandlers[0] != "housing" || tk.TaskToken != "" || tk.Status != StatusInReview {
		t.Fatalf("accept: %+v %+v", out, tk)
	}

	tk = inReview()
	if _, err := tk.DecideReview(OperatorReview{Decision: DecisionReject, Reason: " 请拨打110 "}, fakeCatalog{}, op, cmdNow); err != nil || tk.Status != StatusRejected || tk.ReviewNotice != "请拨打110" {
		t.Fatalf("reject: %v %+v", err, tk)
	}
	tk = inReview()
	if _, err := tk.DecideReview(OperatorReview{Decision: DecisionAnswer, Answer: "可在网上办理。"}, fakeCatalog{}, op, cmdNow); err != nil || tk.Status != StatusAnswered || tk.Answer != "可在网上办理。" {
		t.Fatalf("answer: %v %+v", err, tk)
	}
	tk = inReview()
	if _, err := tk.DecideReview(OperatorReview{Decision: DecisionMerge, MergeInto: "260302abcdef"}, fakeCatalog{}, op, cmdNow); err != nil || tk.Status != StatusMerged || tk.MergedInto != "260302ABCDEF" {
		t.Fatalf("merge: %v %+v", err, tk)
	}
}

func TestReassign(t *testing.T) {
	tk := parked(StatusReturned, StepOperator)
	if _, err := tk.Reassign("nasa", "", "", fakeCatalog{}, op, cmdNow); fieldsOf(t, err)["departmentId"] == "" {
		t.Fatal("unknown department passed")
	}
	evs, err := tk.Reassign("housing", "", "", fakeCatalog{}, op, cmdNow)
	if err != nil || tk.PendingDepartmentID != "housing" || len(evs) != 1 || evs[0].Note != "改派至 住建委" {
		t.Fatalf("reassign: %v %+v %+v", err, tk, evs)
	}
	var out ReviewDecision
	answered(t, tk, &out)
	if out.Decision != "accept" {
		t.Fatalf("answer %+v", out)
	}
	_, err = tk.Reassign("market", "", "", fakeCatalog{}, op, cmdNow)
	refused(t, err) // the wait is answered: nothing left to reassign
}

func TestApprovedExtensionRestartsTheWait(t *testing.T) {
	cal, err := NewCalendar(CalendarFile{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	tk := parked(StatusAccepted, StepDispatch)
	if _, err := tk.RequestExtension(3, "需要现场核查", dept, "d1", cmdNow); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.DecideExtension(false, "", op, cal, cmdNow); fieldsOf(t, err)["reason"] == "" {
		t.Fatal("a rejection without a reason passed")
	}
	if _, err := tk.DecideExtension(true, "", op, cal, cmdNow); err != nil {
		t.Fatal(err)
	}
	var out HandlingOutcome
	answered(t, tk, &out)
	if out.Outcome != OutcomeExtended || tk.TaskToken != "" {
		t.Fatalf("answer %+v, token %q", out, tk.TaskToken)
	}
}

func TestNextHandler(t *testing.T) {
	tk := parked(StatusInReview, StepNone)
	tk.DepartmentID = ""
	if _, _, _, ok := tk.NextHandler(); ok {
		t.Fatal("a first dispatch without an operator's choice is the rules' to decide")
	}
	tk.PendingDepartmentID, tk.PendingCoHandlers = "housing", []string{"market"}
	if d, co, rule, ok := tk.NextHandler(); !ok || d != "housing" || co[0] != "market" || rule != "operator" {
		t.Fatalf("operator's choice: %s %v %s %v", d, co, rule, ok)
	}

	// Reopened after a reply: back to whoever handled it last, co-handlers too.
	tk = parked(StatusReplied, StepFeedback)
	tk.DepartmentID, tk.CoHandlers, tk.RuleID = "urban_enforcement", []string{"chaoyang"}, "operator"
	if d, co, _, ok := tk.NextHandler(); !ok || d != "urban_enforcement" || len(co) != 1 || co[0] != "chaoyang" {
		t.Fatalf("reopen: %s %v %v", d, co, ok)
	}
	// A reopened knowledge-base answer had no department: the rules decide.
	tk = parked(StatusAnswered, StepFeedback)
	tk.DepartmentID = ""
	if _, _, _, ok := tk.NextHandler(); ok {
		t.Fatal("a reopened answer has no department to go back to")
	}
}

func TestOperatorDecidesASuspectedEmergency(t *testing.T) {
	suspected := func() *Ticket {
		tk := parked(StatusInReview, StepOperator)
		tk.Type, tk.SuspectedEmergency, tk.ReviewNotice = TypeComplaint, []string{"119"}, "如果情况紧急，请立即拨打119（火警）。"
		return tk
	}
	if tk := suspected(); tk.ReviewPriority() >= parked(StatusInReview, StepOperator).ReviewPriority() {
		t.Fatal("a suspected emergency must come first in the review queue")
	}

	// Confirmed: no reason needed, the citizen is told the number again.
	tk := suspected()
	if _, err := tk.DecideReview(OperatorReview{Decision: DecisionReject}, fakeCatalog{}, op, cmdNow); err != nil {
		t.Fatal(err)
	}
	if tk.Status != StatusRejected || tk.ReviewReason != "emergency_confirmed" || !strings.Contains(tk.ReviewNotice, "119") || tk.SuspectedEmergency != nil {
		t.Fatalf("confirmed: %+v", tk)
	}

	// Ruled out: an ordinary ticket, and the "call 119 if…" notice goes.
	tk = suspected()
	evs, err := tk.DecideReview(OperatorReview{Decision: DecisionAccept, Category: "consumer.refund"}, fakeCatalog{}, op, cmdNow)
	if err != nil || tk.SuspectedEmergency != nil || tk.ReviewNotice != "" || !strings.Contains(evs[0].NoteIn(LanguageEN), "not an emergency") || !strings.Contains(evs[0].NoteIn(LanguageZH), "不属于紧急情况") {
		t.Fatalf("ruled out: %v %+v %+v", err, tk, evs)
	}
	if tk.ReviewPriority() != parked(StatusInReview, StepOperator).ReviewPriority() {
		t.Fatal("a ruled-out ticket keeps its emergency priority")
	}
}

func TestAcceptingNeedsACategoryAndTakesUrgency(t *testing.T) {
	tk := parked(StatusInReview, StepOperator)
	tk.Type, tk.Category = TypeReport, ""
	_, err := tk.DecideReview(OperatorReview{Decision: DecisionAccept, DepartmentID: "market"}, fakeCatalog{}, op, cmdNow)
	if fieldsOf(t, err)["category"] == "" {
		t.Fatal("accepting without a category must be refused")
	}
	_, err = tk.DecideReview(OperatorReview{Decision: DecisionAccept, Category: "consumer.refund", Urgency: "asap"}, fakeCatalog{}, op, cmdNow)
	if fieldsOf(t, err)["urgency"] == "" {
		t.Fatal("an unknown urgency passed")
	}
	normal := tk.ReviewPriority()
	tk.Urgency = UrgencyUrgent
	if tk.ReviewPriority() >= normal {
		t.Fatal("an urgent ticket must come before ordinary ones in the review queue")
	}
	if _, err := tk.DecideReview(OperatorReview{Decision: DecisionAccept, Category: "consumer.refund", Urgency: UrgencyNormal}, fakeCatalog{}, op, cmdNow); err != nil || tk.Urgency != UrgencyNormal {
		t.Fatalf("operator's urgency: %v %q", err, tk.Urgency)
	}

	// Reassignment can mark it urgent too; "" keeps what the ticket has.
	tk = parked(StatusReturned, StepOperator)
	if _, err := tk.Reassign("market", "", UrgencyUrgent, fakeCatalog{}, op, cmdNow); err != nil || tk.Urgency != UrgencyUrgent {
		t.Fatalf("reassign urgent: %v %q", err, tk.Urgency)
	}
}

func TestUrgentLevelCountsHours(t *testing.T) {
	days := ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 13}
	if got := days.Urgent(); got != UrgentServiceLevel {
		t.Fatalf("urgent of %v = %v", days, got)
	}
	gas := ServiceLevel{AcceptHours: 1, ReplyHours: 4}
	if got := gas.Urgent(); got != gas {
		t.Fatalf("an hour-based level stays: %v", got)
	}
}

func TestMergedTicketsLinkOnceAndCloseWithTheMaster(t *testing.T) {
	master := parked(StatusDispatched, StepDispatch)
	if added, err := master.LinkMerged("T2"); !added || err != nil {
		t.Fatalf("first link: %v %v", added, err)
	}
	if added, err := master.LinkMerged("T2"); added || err != nil || len(master.MergedTickets) != 1 {
		t.Fatalf("second link: %v %v %v", added, err, master.MergedTickets)
	}
	master.MergedTickets = make([]string, MaxMergedTickets)
	_, err := master.LinkMerged("T3")
	refused(t, err)

	merged := &Ticket{ID: "T2", Status: StatusMerged, MergedInto: "T1"}
	if !merged.Status.Final() && merged.Status.Open() {
		t.Fatal("a merged ticket is not handled on its own")
	}
	evs, err := merged.CloseWithMaster(cmdNow)
	if err != nil || merged.Status != StatusClosed || !strings.Contains(evs[0].Note, "T1") {
		t.Fatalf("close with master: %v %+v", err, evs)
	}
	_, err = merged.CloseWithMaster(cmdNow)
	refused(t, err)
}

func TestStuckTicketsResumeWhereTheyStood(t *testing.T) {
	for status, want := range map[Status]string{
		StatusReceived: "review", StatusReturned: "operator", StatusDispatched: "reply", StatusAccepted: "reply",
		StatusReplied: "feedback", StatusAnswered: "feedback", StatusRejected: "rejected", StatusMerged: "merged", StatusClosed: "",
	} {
		if got := (&Ticket{Status: status}).Resume(); got != want {
			t.Errorf("%s resumes at %q, want %q", status, got, want)
		}
	}
	if got := (&Ticket{Status: StatusInReview, WaitingStep: StepOperator}).Resume(); got != "operator" {
		t.Errorf("a ticket waiting for an operator resumes at %q", got)
	}

	tk := parked(StatusDispatched, StepDispatch)
	if evs := tk.MarkStuck("DeliveryError", strings.Repeat("x", 400), cmdNow); len(evs) != 1 || evs[0].Public || tk.TaskToken != "" {
		t.Fatalf("mark stuck: %+v %+v", evs, tk)
	}
	if n := []rune(tk.Stuck.Cause); len(n) > maxCauseRunes+1 {
		t.Fatalf("cause of %d characters kept", len(n))
	}
	first := *tk.Stuck
	if evs := tk.MarkStuck("Other", "", cmdNow.Add(time.Minute)); evs != nil || tk.Stuck.Error != "DeliveryError" {
		t.Fatal("a second failure replaced the first")
	}
	admin := Actor{Role: ActorAdmin, ID: "a1"}
	_, err := tk.Repair(1, &Stuck{Since: cmdNow.Add(-time.Hour)}, admin, cmdNow)
	refused(t, err) // not the failure the admin saw
	_, err = tk.Repair(2, &first, admin, cmdNow)
	refused(t, err) // not the next repair
	if evs, err := tk.Repair(1, &first, admin, cmdNow); err != nil || tk.Stuck != nil || tk.Repairs != 1 || len(evs) != 1 {
		t.Fatalf("repair: %v %+v", err, tk)
	}
	_, err = tk.Repair(2, &first, admin, cmdNow)
	refused(t, err) // nothing stuck any more
}

func TestWithdrawUntilTheReply(t *testing.T) {
	tk := parked(StatusDispatched, StepDispatch)
	if _, err := tk.Withdraw(" ", cmdNow); fieldsOf(t, err)["reason"] == "" {
		t.Fatal("a withdrawal without a reason passed")
	}
	evs, err := tk.Withdraw("已自行解决", cmdNow)
	if err != nil || tk.Status != StatusWithdrawn || !evs[0].Public || tk.TaskToken != "" {
		t.Fatalf("withdraw: %v %+v", err, tk)
	}
	var out HandlingOutcome
	answered(t, tk, &out)
	if out.Outcome != OutcomeWithdrawn {
		t.Fatalf("answer %+v", out)
	}
	tk = parked(StatusInReview, StepOperator)
	if _, err := tk.Withdraw("不需要了", cmdNow); err != nil {
		t.Fatal(err)
	}
	var dec ReviewDecision
	answered(t, tk, &dec)
	if dec.Decision != DecisionWithdrawn {
		t.Fatalf("decision %+v", dec)
	}
	for _, s := range []Status{StatusReplied, StatusAnswered, StatusClosed, StatusRejected, StatusMerged, StatusWithdrawn} {
		_, err := parked(s, StepNone).Withdraw("不需要了", cmdNow)
		refused(t, err)
	}
}

func TestWarningAndEscalationFollowTheLevel(t *testing.T) {
	days := ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 13}
	if days.EscalationInterval() != 0 {
		t.Error("a level in working days escalates by the working day")
	}
	for hours, want := range map[int]time.Duration{4: time.Hour, 24: 6 * time.Hour, 2: time.Hour, 720: 24 * time.Hour} {
		if got := (ServiceLevel{AcceptHours: 1, ReplyHours: hours}).EscalationInterval(); got != want {
			t.Errorf("reply in %dh escalates every %v, want %v", hours, got, want)
		}
	}
	at := cmdNow
	for span, lead := range map[time.Duration]time.Duration{
		4 * time.Hour: 48 * time.Minute, time.Hour: 30 * time.Minute, 13 * 24 * time.Hour: 24 * time.Hour,
	} {
		if got := DueSoonAt(at, at.Add(span)); !got.Equal(at.Add(span - lead)) {
			t.Errorf("deadline in %v: warned at %v, want %v before it", span, got.Sub(at), lead)
		}
	}
	if !DueSoonAt(at, time.Time{}).IsZero() {
		t.Error("a ticket without a deadline is warned")
	}
}
