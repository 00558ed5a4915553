package ticket

import (
	"testing"
)

// Every free-text field a citizen or staff member writes refuses control and
// format characters — not only the ticket's content at intake: a NUL in a
// reply, an ESC in a note or a right-to-left override in a return reason is
// refused the same way, naming the field.
func TestEveryFreeTextFieldRefusesControlAndFormatCharacters(t *testing.T) {
	yes, no := true, false
	fields := map[string]func(s string) error{
		"content": func(s string) error {
			sub := Submission{Type: TypeComplaint, Channel: ChannelWeb, Content: "小区门口的路灯坏了很久了" + s, Anonymous: true}
			return sub.Validate(false)
		},
		"involvedUnit": func(s string) error {
			return Submission{Type: TypeComplaint, Channel: ChannelWeb, Content: "小区门口的路灯坏了很久了", Anonymous: true, InvolvedUnit: "某某" + s}.Validate(false)
		},
		"location.address": func(s string) error {
			return Submission{Type: TypeComplaint, Channel: ChannelWeb, Content: "小区门口的路灯坏了很久了", Anonymous: true, Location: &Location{Address: "朝阳路" + s}}.Validate(false)
		},
		"contact.name": func(s string) error {
			return Submission{Type: TypeComplaint, Channel: ChannelWeb, Content: "小区门口的路灯坏了很久了", Contact: &Contact{Name: "张" + s, Email: "a@example.com"}}.Validate(false)
		},
		"message (reply)": func(s string) error {
			_, err := parked(StatusAccepted, StepDispatch).RecordReply(ResultResolved, "已处理"+s, nil, dept, "u1", cmdNow)
			return err
		},
		"reason (return)": func(s string) error {
			_, err := parked(StatusDispatched, StepDispatch).Return("不属于本部门"+s, dept, cmdNow)
			return err
		},
		"comment": func(s string) error {
			_, _, err := parked(StatusReplied, StepFeedback).Rate(RatingInput{Satisfied: &yes, Score: 5, Comment: "很好" + s}, Actor{Role: ActorCitizen}, cmdNow)
			return err
		},
		"content (supplement)": func(s string) error {
			_, err := parked(StatusAccepted, StepDispatch).Supplement("补充"+s, nil, cmdNow)
			return err
		},
		"reason (rejection)": func(s string) error {
			_, err := parked(StatusInReview, StepOperator).DecideReview(OperatorReview{Decision: DecisionReject, Reason: "重复" + s}, fakeCatalog{}, op, cmdNow)
			return err
		},
		"answer": func(s string) error {
			_, err := parked(StatusInReview, StepOperator).DecideReview(OperatorReview{Decision: DecisionAnswer, Answer: "请拨打" + s}, fakeCatalog{}, op, cmdNow)
			return err
		},
		"reason (reassignment)": func(s string) error {
			_, err := parked(StatusReturned, StepOperator).Reassign("housing", "改派"+s, "", fakeCatalog{}, op, cmdNow)
			return err
		},
		"note (phone call)": func(s string) error {
			tk := parked(StatusReplied, StepFeedback)
			tk.PhoneCallNeeded = "reply"
			_, err := tk.RecordPhoneCall("已告知"+s, op, cmdNow)
			return err
		},
		"text (staff note)": func(s string) error {
			_, err := parked(StatusAccepted, StepDispatch).AddStaffNote("备注"+s, op, cmdNow)
			return err
		},
		"message (co-opinion)": func(s string) error {
			tk := parked(StatusAccepted, StepDispatch)
			tk.CoHandlers = []string{"housing"}
			_, err := tk.AddCoOpinion("意见"+s, Actor{Role: ActorDepartment, ID: "housing"}, "u2", cmdNow)
			return err
		},
		"reason (withdrawal)": func(s string) error {
			_, err := parked(StatusDispatched, StepDispatch).Withdraw("已解决"+s, cmdNow)
			return err
		},
		"reason (extension)": func(s string) error {
			return CheckExtensionRequest(3, "需要现场核查"+s)
		},
		"reason (extension decision)": func(s string) error {
			return CheckExtensionDecision(&no, "理由不足"+s)
		},
	}
	for name, try := range fields {
		if err := try("。"); err != nil {
			t.Fatalf("%s: plain text refused: %v", name, err)
		}
		for _, bad := range []string{"\x00", "\x1b[31m", "\u202e", "\u2028", "\u2029", "\u200b", "\ufeff", "\x7f", "\u0085", string([]byte{0xff})} {
			err := try(bad + "。") // inside the text: space around it is trimmed away
			if err == nil {
				t.Errorf("%s: %q accepted", name, bad)
				continue
			}
			if f := fieldsOf(t, err); len(f) != 1 {
				t.Errorf("%s: %q: fields %v, want the one field named", name, bad, f)
			}
		}
	}
}
