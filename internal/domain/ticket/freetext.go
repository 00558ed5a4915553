package ticket

import "github.com/hotline12345/hotline/internal/domain/text"

// What each free-text field of a ticket allows (see package text for the
// characters refused in all of them).
var (
	contentText        = text.Field{Min: MinContentRunes, Max: MaxContentRunes, Multiline: true}
	unitText           = text.Field{Max: MaxUnitRunes}
	addressText        = text.Field{Max: MaxAddressRunes}
	nameText           = text.Field{Max: MaxNameRunes}
	replyText          = text.Field{Min: 1, Max: MaxReplyRunes, Multiline: true}
	answerText         = text.Field{Min: 2, Max: MaxReplyRunes, Multiline: true}
	reasonText         = text.Field{Min: 2, Max: MaxReturnReasonRunes, Multiline: true}
	optionalReasonText = text.Field{Max: MaxReturnReasonRunes, Multiline: true}
	commentText        = text.Field{Max: MaxCommentRunes, Multiline: true}
	supplementText     = text.Field{Min: 1, Max: MaxSupplementRunes, Multiline: true}
	noteText           = text.Field{Min: 1, Max: MaxNoteRunes, Multiline: true}
	withdrawalText     = text.Field{Min: 1, Max: MaxWithdrawalReasonRunes, Multiline: true}
)

// checkText checks one free-text field, notes what is wrong in fields (the
// first complaint about a field stays), and returns the text as kept.
func checkText(fields map[string]string, name, s string, f text.Field) string {
	kept, msg := f.Check(s)
	if msg != "" {
		if _, ok := fields[name]; !ok {
			fields[name] = msg
		}
	}
	return kept
}
