package ticket

// Text is a timeline note in the hotline's two languages. What the platform
// says is written in both; a person's own words (a reason, a staff note) are
// shown as they wrote them, in either.
type Text struct {
	ZH, EN string
}

// Say is a note the platform writes, in Chinese and in English.
func Say(zh, en string) Text { return Text{ZH: zh, EN: en} }

// Verbatim is a person's words: the same in every language.
func Verbatim(s string) Text { return Text{ZH: s, EN: s} }

// NoteIn is the event's note in lang. Events recorded before notes had two
// languages have only Note.
func (e Event) NoteIn(lang Language) string {
	if lang == LanguageEN && e.NoteEN != "" {
		return e.NoteEN
	}
	return e.Note
}

// setNote stores a note: Note in Chinese (the record's language), NoteEN only
// where the English differs.
func (e *Event) setNote(x Text) {
	e.Note = x.ZH
	if x.EN != x.ZH {
		e.NoteEN = x.EN
	}
}
