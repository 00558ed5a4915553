package ticket

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func uploadID(n int) string { return fmt.Sprintf("%032x", n) }

func files(n, from int) []Attachment {
	out := make([]Attachment, n)
	for i := range out {
		out[i] = Attachment{ID: uploadID(from + i), ContentType: "image/jpeg", Size: 1000, Purpose: PurposeSupplement, By: ActorCitizen}
	}
	return out
}

func TestCheckAttachmentIDsNamesEachBadEntry(t *testing.T) {
	ok := []string{uploadID(1), uploadID(2)}
	if err := CheckAttachmentIDs(ok); err != nil {
		t.Fatalf("two good ids: %v", err)
	}
	f := fieldsOf(t, CheckAttachmentIDs([]string{uploadID(1), "../etc/passwd", uploadID(1), strings.ToUpper(uploadID(0xabcdef))}))
	if f["attachments[1]"] == "" || f["attachments[2]"] != "given twice" || f["attachments[3]"] == "" || f["attachments[0]"] != "" {
		t.Errorf("fields %v", f)
	}
	ten := make([]string, MaxAttachmentsPerBody+1)
	for i := range ten {
		ten[i] = uploadID(i)
	}
	if f := fieldsOf(t, CheckAttachmentIDs(ten)); f["attachments"] == "" {
		t.Errorf("ten files: %v", f)
	}
}

func TestSupplementOfFilesAloneNeedsNoText(t *testing.T) {
	tk := parked(StatusAccepted, StepDispatch)
	if _, err := tk.Supplement("", nil, cmdNow); fieldsOf(t, err)["content"] == "" {
		t.Errorf("an empty supplement without files was taken")
	}
	evs, err := tk.Supplement("", files(2, 0), cmdNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.Attachments) != 2 || len(evs) != 1 || len(evs[0].Attachments) != 2 || evs[0].Note != "补充了2个附件" || !evs[0].Public {
		t.Errorf("attachments %v, events %+v", tk.Attachments, evs)
	}
}

func TestAttachKeepsATicketsFilesBounded(t *testing.T) {
	tk := parked(StatusAccepted, StepDispatch)
	for i := 0; i < MaxAttachments/MaxAttachmentsPerBody; i++ {
		if _, err := tk.Supplement("照片", files(MaxAttachmentsPerBody, i*MaxAttachmentsPerBody), cmdNow); err != nil {
			t.Fatalf("supplement %d: %v", i, err)
		}
	}
	before := tk.Supplements
	_, err := tk.Supplement("再来一张", files(1, 1000), cmdNow)
	var refused *RefusedError
	if !errors.As(err, &refused) || len(tk.Attachments) != MaxAttachments || tk.Supplements != before {
		t.Errorf("file %d: err %v, %d files, %d supplements", MaxAttachments+1, err, len(tk.Attachments), tk.Supplements)
	}
	if err := tk.Attach(files(1, 0)); !errors.As(err, &refused) {
		t.Errorf("the same file twice: %v", err)
	}
}

func TestReplyCarriesTheDepartmentsFiles(t *testing.T) {
	tk := parked(StatusAccepted, StepDispatch)
	evs, err := tk.RecordReply(ResultResolved, "已修复，见照片。", files(1, 7), dept, "u1", cmdNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.Attachments) != 1 || len(evs) != 1 || len(evs[0].Attachments) != 1 || evs[0].Attachments[0] != uploadID(7) {
		t.Errorf("attachments %v, events %+v", tk.Attachments, evs)
	}
	closed := parked(StatusClosed, StepNone)
	if _, err := closed.RecordReply(ResultResolved, "已修复。", files(1, 8), dept, "u1", cmdNow); err == nil || len(closed.Attachments) != 0 {
		t.Errorf("a closed ticket took a reply's files: %v, %v", err, closed.Attachments)
	}
}
