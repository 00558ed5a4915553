package api

import (
	"net/http"
	"strconv"

	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/httpapi"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

type departmentRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type replyView struct {
	Result  ticket.ReplyResult `json:"result"`
	Message string             `json:"message"`
	At      time.Time          `json:"at"`
}

type timelineEntry struct {
	At     time.Time     `json:"at"`
	Status ticket.Status `json:"status"`
	Kind   string        `json:"kind"`
	Note   string        `json:"note,omitempty"`
	// Attachments are the ids of the files the entry brought (see the
	// view's attachments).
	Attachments []string `json:"attachments,omitempty"`
}

// CitizenView is GET /v1/tickets/{id} with an access code (API.md).
type CitizenView struct {
	ID       string        `json:"id"`
	Type     ticket.Type   `json:"type"`
	Category string        `json:"category,omitempty"`
	Status   ticket.Status `json:"status"`
	// StatusText says the status in the ticket's language, in the citizen's
	// terms.
	StatusText string            `json:"statusText"`
	CreatedAt  time.Time         `json:"createdAt"`
	Department *departmentRef    `json:"department,omitempty"`
	Deadlines  map[string]string `json:"deadlines,omitempty"`
	Reply      *replyView        `json:"reply,omitempty"`
	Answer     string            `json:"answer,omitempty"`
	Notice     string            `json:"notice,omitempty"`
	Timeline   []timelineEntry   `json:"timeline"`
	// TimelineNext is the timelineCursor of the timeline's next page.
	TimelineNext string `json:"timelineNext,omitempty"`
	// Attachments are the ticket's photos and documents with short-lived
	// links.
	Attachments []attach.Link `json:"attachments,omitempty"`
}

// timelinePageSize bounds the timeline entries of one view: with every other
// field at its limit a page stays far below Lambda's 6 MB answer.
const timelinePageSize = 100

// timelineCursor reads ?timelineCursor=, the position of a timeline page.
func timelineCursor(r *request) (int, error) {
	v, ok := r.QueryStringParameters["timelineCursor"]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n%timelinePageSize != 0 || strconv.Itoa(n) != v {
		return 0, httpapi.BadRequest("timelineCursor is not one this API gave", map[string]string{"timelineCursor": "the timelineNext of an earlier answer"})
	}
	return n, nil
}

// pageOf returns the page of entries at the cursor and the cursor of the next
// page ("" on the last). A cursor past the end gives an empty page.
func pageOf[E any](entries []E, cursor int) ([]E, string) {
	if cursor >= len(entries) {
		return []E{}, ""
	}
	end := cursor + timelinePageSize
	if end >= len(entries) {
		return entries[cursor:], ""
	}
	return entries[cursor:end], strconv.Itoa(end)
}

// citizenView is what the citizen sees, the timeline's notes in lang.
func citizenView(t *ticket.Ticket, evs []ticket.Event, cat *catalog.Catalog, cursor int, lang ticket.Language) CitizenView {
	status := ticket.CitizenStatus(t.Status)
	v := CitizenView{
		ID: t.ID, Type: t.Type, Category: t.Category, Status: status, StatusText: ticket.StatusText(status, lang), CreatedAt: t.CreatedAt,
		Answer: t.Answer, Notice: t.ReviewNotice,
	}
	v.Timeline, v.TimelineNext = pageOf(timeline(evs, true, lang), cursor)
	if t.DepartmentID != "" {
		v.Department = &departmentRef{ID: t.DepartmentID, Name: cat.DepartmentName(t.DepartmentID)}
	}
	if !t.Deadlines.Reply.IsZero() {
		v.Deadlines = map[string]string{"reply": t.Deadlines.Reply.In(ticket.China).Format(time.RFC3339)}
	}
	if t.Reply != nil {
		v.Reply = &replyView{Result: t.Reply.Result, Message: t.Reply.Message, At: t.Reply.At}
	}
	return v
}

// timeline lists events with the status the ticket had after each.
func timeline(evs []ticket.Event, publicOnly bool, lang ticket.Language) []timelineEntry {
	out := make([]timelineEntry, 0, len(evs))
	status := ticket.StatusReceived
	for _, e := range evs {
		if e.To != "" {
			status = e.To
		}
		if publicOnly && !e.Public {
			continue
		}
		shown := status
		if publicOnly {
			shown = ticket.CitizenStatus(status)
		}
		out = append(out, timelineEntry{At: e.At, Status: shown, Kind: e.Kind, Note: e.NoteIn(lang), Attachments: e.Attachments})
	}
	return out
}

// staffEvent is a timeline event with the status after it and its note in
// the language asked for.
type staffEvent struct {
	ticket.Event
	Status ticket.Status `json:"status"`
	Note   string        `json:"note,omitempty"`
	NoteEN *struct{}     `json:"noteEn,omitempty"` // hides the stored English: Note is in the language asked for
}

// StaffView is GET /v1/tickets/{id} for staff: everything, contact masked unless
// the role needs it.
type StaffView struct {
	ticket.Ticket
	DepartmentName string          `json:"departmentName,omitempty"`
	Contact        *ticket.Contact `json:"contact,omitempty"`
	ContactMasked  bool            `json:"contactMasked"`
	Timeline       []staffEvent    `json:"timeline"`
	TimelineNext   string          `json:"timelineNext,omitempty"`
	// Tally hides the ticket's statistics bookkeeping: not for people.
	Tally *struct{} `json:"tally,omitempty"`
	// Attachments replace the ticket's own with links to the files.
	Attachments []attach.Link `json:"attachments,omitempty"`
}

func staffView(t *ticket.Ticket, evs []ticket.Event, cat *catalog.Catalog, unmasked bool, cursor int, lang ticket.Language) StaffView {
	v := StaffView{Ticket: *t, ContactMasked: !unmasked}
	if t.DepartmentID != "" {
		v.DepartmentName = cat.DepartmentName(t.DepartmentID)
	}
	if t.Contact != nil {
		c := *t.Contact
		if !unmasked {
			c = Mask(c)
		}
		v.Contact = &c
	}
	all := make([]staffEvent, 0, len(evs))
	status := ticket.StatusReceived
	for _, e := range evs {
		if e.To != "" {
			status = e.To
		}
		all = append(all, staffEvent{Event: e, Status: status, Note: e.NoteIn(lang)})
	}
	v.Timeline, v.TimelineNext = pageOf(all, cursor)
	return v
}

type summaryView struct {
	ID           string        `json:"id"`
	Type         ticket.Type   `json:"type"`
	Category     string        `json:"category,omitempty"`
	CategoryName string        `json:"categoryName,omitempty"`
	Status       ticket.Status `json:"status"`
	CreatedAt    time.Time     `json:"createdAt"`
	DepartmentID string        `json:"departmentId,omitempty"`
	ReplyBy      *time.Time    `json:"replyBy,omitempty"`
	Overdue      bool          `json:"overdue"`
	Escalated    bool          `json:"escalated,omitempty"`
	WaitingStep  ticket.Step   `json:"waitingStep,omitempty"`
	ReviewReason string        `json:"reviewReason,omitempty"`
	// ExtensionRequested marks an extension request waiting for an operator.
	ExtensionRequested bool `json:"extensionRequested,omitempty"`
	// SuspectedEmergency names the numbers the citizen was told to call while
	// an operator has not confirmed or ruled out the emergency.
	SuspectedEmergency []string `json:"suspectedEmergency,omitempty"`
	// PhoneCallNeeded names the notice no e-mail or SMS could deliver.
	PhoneCallNeeded string `json:"phoneCallNeeded,omitempty"`
	// Urgency is "urgent" for tickets counted in hours.
	Urgency ticket.Urgency `json:"urgency,omitempty"`
	// DuplicateOf and SameMatter are the candidates a waiting ticket may be
	// merged into: the same citizen's ticket, other citizens' nearby.
	DuplicateOf string   `json:"duplicateOf,omitempty"`
	SameMatter  []string `json:"sameMatter,omitempty"`
	// Stuck says the ticket's workflow stopped (admins repair it).
	Stuck bool `json:"stuck,omitempty"`
	// Role is the department's part in a department inbox list: "lead"
	// (主办) or "co" (协办); lists that are not a department's omit it.
	Role string `json:"role,omitempty"`
}

// listPage answers a page of a ticket list; role is set on every summary.
func listPage(items []ticket.Ticket, next string, cat *catalog.Catalog, role string) events.APIGatewayV2HTTPResponse {
	out := make([]summaryView, 0, len(items))
	for i := range items {
		s := summarize(&items[i], cat)
		s.Role = role
		out = append(out, s)
	}
	return httpapi.JSON(http.StatusOK, map[string]any{"tickets": out, "nextCursor": next})
}

func summarize(t *ticket.Ticket, cat *catalog.Catalog) summaryView {
	s := summaryView{
		ID: t.ID, Type: t.Type, Category: t.Category, CategoryName: cat.CategoryName(t.Category),
		Status: t.Status, CreatedAt: t.CreatedAt, DepartmentID: t.DepartmentID, Overdue: t.Overdue, WaitingStep: t.WaitingStep,
		Escalated: t.Escalated, ExtensionRequested: t.ExtensionRequested, SuspectedEmergency: t.SuspectedEmergency,
		PhoneCallNeeded: t.PhoneCallNeeded, Urgency: t.Urgency, Stuck: t.Stuck != nil,
	}
	if t.WaitingStep == ticket.StepOperator {
		s.ReviewReason = t.ReviewReason
		s.DuplicateOf, s.SameMatter = t.DuplicateOf, t.SameMatter
	}
	if !t.Deadlines.Reply.IsZero() {
		d := t.Deadlines.Reply
		s.ReplyBy = &d
	}
	return s
}

// Mask hides most of the citizen's contact: 138****5678, a***@example.com, 张*.
func Mask(c ticket.Contact) ticket.Contact {
	return ticket.Contact{Name: maskName(c.Name), Phone: maskPhone(c.Phone), Email: maskEmail(c.Email)}
}

func maskPhone(p string) string {
	if p == "" {
		return ""
	}
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	keep := 3
	return string(r[:keep]) + strings.Repeat("*", len(r)-keep-4) + string(r[len(r)-4:])
}

func maskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 1 {
		return strings.Repeat("*", utf8.RuneCountInString(e))
	}
	first, _ := utf8.DecodeRuneInString(e)
	return string(first) + "***" + e[at:]
}

func maskName(n string) string {
	r := []rune(n)
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}
