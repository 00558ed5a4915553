package client

import "time"

// The structs below are the schemas of the OpenAPI document
// (openapi/openapi.yaml), field for field with the same JSON names. Times are
// RFC 3339 at +08:00 (China time) in answers; time.Time keeps that offset.
// Days (from, to, holidays) are "YYYY-MM-DD" strings of China calendar days:
// see Day.

// TicketType is what a ticket is.
type TicketType string

// Ticket types: 投诉, 咨询, 建议, 举报, 求助, 表扬.
const (
	TypeComplaint    TicketType = "complaint"
	TypeConsultation TicketType = "consultation"
	TypeSuggestion   TicketType = "suggestion"
	TypeReport       TicketType = "report"
	TypeHelp         TicketType = "help"
	TypePraise       TicketType = "praise"
)

// Channel is where a ticket came from.
type Channel string

// Channels; phone tickets are filed by operators (with an operator token).
const (
	ChannelWeb     Channel = "web"
	ChannelApp     Channel = "app"
	ChannelWeChat  Channel = "wechat"
	ChannelPhone   Channel = "phone"
	ChannelOpen311 Channel = "open311"
)

// Language is the language of the messages to a citizen.
type Language string

// Languages.
const (
	LanguageZH Language = "zh"
	LanguageEN Language = "en"
)

// Status is where a ticket is in its life.
type Status string

// Statuses. Citizens see a returned ticket as StatusReassigning.
const (
	StatusReceived    Status = "received"
	StatusInReview    Status = "in_review"
	StatusRejected    Status = "rejected"
	StatusMerged      Status = "merged"
	StatusAnswered    Status = "answered"
	StatusDispatched  Status = "dispatched"
	StatusAccepted    Status = "accepted"
	StatusReturned    Status = "returned"
	StatusReassigning Status = "reassigning"
	StatusReplied     Status = "replied"
	StatusClosed      Status = "closed"
	StatusWithdrawn   Status = "withdrawn"
)

// ReplyResult is a department's answer: 已解决, 已解释说明, 无法解决.
type ReplyResult string

// Reply results.
const (
	ResultResolved     ReplyResult = "resolved"
	ResultExplained    ReplyResult = "explained"
	ResultUnresolvable ReplyResult = "unresolvable"
)

// Urgency says how a ticket's deadlines count: an urgent ticket's in hours.
type Urgency string

// Urgencies.
const (
	UrgencyNormal Urgency = "normal"
	UrgencyUrgent Urgency = "urgent"
)

// Decision is an operator's review decision.
type Decision string

// Review decisions.
const (
	DecisionAccept Decision = "accept"
	DecisionReject Decision = "reject"
	DecisionMerge  Decision = "merge"
	DecisionAnswer Decision = "answer"
)

// InboxTab is one tab of a department's inbox.
type InboxTab string

// Inbox tabs: the tickets a department leads, by status (overdue ones only
// under InboxOverdue), or those it co-handles (协办).
const (
	InboxDispatched InboxTab = "dispatched"
	InboxAccepted   InboxTab = "accepted"
	InboxOverdue    InboxTab = "overdue"
	InboxReplied    InboxTab = "replied"
	InboxReturned   InboxTab = "returned"
	InboxCo         InboxTab = "co"
)

// chinaTime is China Standard Time, the API's offset (China keeps no summer
// time, so a fixed zone is exact and needs no time zone database).
var chinaTime = time.FixedZone("CST", 8*60*60)

// Day is the China calendar day of t as the API's day parameters want it
// ("2026-11-30"); the API counts days in China time wherever the caller is.
func Day(t time.Time) string { return t.In(chinaTime).Format(time.DateOnly) }

// Location is where the matter is.
type Location struct {
	Region  string   `json:"region,omitempty"` // GB/T 2260 division code, e.g. 110105
	Address string   `json:"address,omitempty"`
	Lat     *float64 `json:"lat,omitempty"`
	Lng     *float64 `json:"lng,omitempty"`
}

// Contact is a citizen's contact; staff views mask it (138****8000) unless the
// reader is an operator or admin.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// VerificationRequest asks for a code for Phone (a mainland mobile number) or
// Email; Language is the message's.
type VerificationRequest struct {
	Phone    string   `json:"phone,omitempty"`
	Email    string   `json:"email,omitempty"`
	Language Language `json:"language,omitempty"`
}

// VerificationSent says a code is on its way.
type VerificationSent struct {
	VerificationID string    `json:"verificationId"`
	ExpiresAt      time.Time `json:"expiresAt"`
}

// VerificationProof proves a contact: the verification's id and the six-digit
// code that reached the citizen.
type VerificationProof struct {
	ID   string `json:"id"`
	Code string `json:"code"`
}

// Submission is a ticket as filed. A contact is required unless Anonymous; a
// citizen's contact needs a Verification (of its phone, or of its e-mail
// when there is no phone).
type Submission struct {
	Type         TicketType         `json:"type"`
	Category     string             `json:"category,omitempty"` // a leaf code; empty lets review decide
	Content      string             `json:"content"`
	Channel      Channel            `json:"channel"`
	InvolvedUnit string             `json:"involvedUnit,omitempty"`
	Location     *Location          `json:"location,omitempty"`
	Contact      *Contact           `json:"contact,omitempty"`
	Anonymous    bool               `json:"anonymous,omitempty"`
	Language     Language           `json:"language,omitempty"`
	Verification *VerificationProof `json:"verification,omitempty"`
	// Attachments are upload ids (Upload, PurposeTicket), at most 9.
	Attachments []string `json:"attachments,omitempty"`
}

// Receipt is the answer to a filed ticket. Keep the access code: it is shown
// once, and it is what the citizen reads and acts on the ticket with.
type Receipt struct {
	ID         string    `json:"id"`
	AccessCode string    `json:"accessCode"`
	Status     Status    `json:"status"`
	CreatedAt  time.Time `json:"createdAt"`

	// Replayed is true when the API answered an Idempotency-Key it had seen
	// with the first receipt (200).
	Replayed bool `json:"-"`
	// Deferred is true when the ticket is saved but its workflow has not
	// started yet (202): the platform starts it within minutes.
	Deferred bool `json:"-"`
}

// ServiceLevel is how fast a department must act: AcceptHours, and one of
// ReplyWorkingDays or ReplyHours.
type ServiceLevel struct {
	AcceptHours      int `json:"acceptHours"`
	ReplyWorkingDays int `json:"replyWorkingDays,omitempty"`
	ReplyHours       int `json:"replyHours,omitempty"`
}

// Category is a node of the category tree; leaves name their ticket types
// and service level.
type Category struct {
	Code         string        `json:"code"`
	Name         string        `json:"name"`
	NameEn       string        `json:"nameEn,omitempty"`
	Types        []TicketType  `json:"types,omitempty"`
	ServiceLevel *ServiceLevel `json:"serviceLevel,omitempty"`
	// Description says what the category is for (Open311's service
	// description).
	Description string `json:"description,omitempty"`
	// Attributes are the questions a leaf asks beside the content (its
	// Open311 service definition).
	Attributes []CategoryAttribute `json:"attributes,omitempty"`
	Children   []Category          `json:"children,omitempty"`
}

// CategoryAttribute is a question a leaf category asks (an Open311
// attribute). Datatype is string, number, datetime, text, singlevaluelist or
// multivaluelist; the lists pick keys of Values.
type CategoryAttribute struct {
	Code                string           `json:"code"`
	Variable            bool             `json:"variable"`
	Datatype            string           `json:"datatype"`
	Required            bool             `json:"required,omitempty"`
	DatatypeDescription string           `json:"datatypeDescription,omitempty"`
	Order               int              `json:"order"`
	Description         string           `json:"description"`
	Values              []AttributeValue `json:"values,omitempty"`
}

// AttributeValue is a choice of a list attribute.
type AttributeValue struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// DepartmentRef names a department.
type DepartmentRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CitizenReply is the department's reply as the citizen sees it.
type CitizenReply struct {
	Result  ReplyResult `json:"result"`
	Message string      `json:"message"`
	At      time.Time   `json:"at"`
}

// CitizenTimelineEntry is one public event of a ticket.
type CitizenTimelineEntry struct {
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	Kind   string    `json:"kind"`
	Note   string    `json:"note,omitempty"`
	// Attachments name the files the entry brought (CitizenView.Attachments).
	Attachments []string `json:"attachments,omitempty"`
}

// CitizenDeadlines is the deadline a citizen sees.
type CitizenDeadlines struct {
	Reply time.Time `json:"reply,omitzero"`
}

// CitizenView is what a citizen sees of their ticket.
type CitizenView struct {
	ID         string            `json:"id"`
	Type       TicketType        `json:"type"`
	Category   string            `json:"category,omitempty"`
	Status     Status            `json:"status"`
	StatusText string            `json:"statusText"`
	CreatedAt  time.Time         `json:"createdAt"`
	Department *DepartmentRef    `json:"department,omitempty"`
	Deadlines  *CitizenDeadlines `json:"deadlines,omitempty"`
	Reply      *CitizenReply     `json:"reply,omitempty"`
	// Answer is a knowledge-base or operator answer.
	Answer string `json:"answer,omitempty"`
	// Notice says why the ticket was not accepted, or which emergency number
	// to call.
	Notice   string                 `json:"notice,omitempty"`
	Timeline []CitizenTimelineEntry `json:"timeline"`
	// TimelineNext is the cursor of the timeline's next page (TimelineFrom).
	TimelineNext string `json:"timelineNext,omitempty"`
	// Attachments are the ticket's photos and documents, with links valid
	// for at least 10 minutes from the read.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Deadlines are a ticket's deadlines.
type Deadlines struct {
	Accept time.Time `json:"accept,omitzero"`
	Reply  time.Time `json:"reply,omitzero"`
}

// Reply is a department's reply.
type Reply struct {
	Result       ReplyResult `json:"result"`
	Message      string      `json:"message"`
	At           time.Time   `json:"at"`
	DepartmentID string      `json:"departmentId"`
	By           string      `json:"by"`
}

// Rating is the citizen's verdict on the answer.
type Rating struct {
	Satisfied bool      `json:"satisfied"`
	Resolved  *bool     `json:"resolved,omitempty"`
	Score     int       `json:"score,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	At        time.Time `json:"at"`
	Method    string    `json:"method,omitempty"` // "phone": an operator took it on a return call
	By        string    `json:"by,omitempty"`
}

// Extension is the latest request for more time and its decision.
type Extension struct {
	Days           int       `json:"days"`
	Reason         string    `json:"reason"`
	RequestedAt    time.Time `json:"requestedAt"`
	By             string    `json:"by"`
	Decision       string    `json:"decision,omitempty"` // approved, rejected or withdrawn
	DecisionReason string    `json:"decisionReason,omitempty"`
	DecidedAt      time.Time `json:"decidedAt,omitzero"`
	DecidedBy      string    `json:"decidedBy,omitempty"`
	PreviousReply  time.Time `json:"previousReply,omitzero"`
}

// Stuck is why and since when a ticket's workflow stopped.
type Stuck struct {
	Since time.Time `json:"since"`
	Error string    `json:"error"`
	Cause string    `json:"cause,omitempty"`
}

// CoOpinion is a co-handling department's opinion (协办意见).
type CoOpinion struct {
	DepartmentID string    `json:"departmentId"`
	Message      string    `json:"message"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
}

// StaffEvent is one entry of the full timeline, with the status after it.
type StaffEvent struct {
	TicketID  string    `json:"ticketId"`
	Seq       int       `json:"seq"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	ActorRole string    `json:"actorRole"`
	ActorID   string    `json:"actorId,omitempty"`
	From      Status    `json:"from,omitempty"`
	To        Status    `json:"to,omitempty"`
	Note      string    `json:"note,omitempty"`
	Public    bool      `json:"public"` // shown to the citizen too
	Status    Status    `json:"status"`
	// Attachments name the files the entry brought (StaffView.Attachments).
	Attachments []string `json:"attachments,omitempty"`
}

// StaffView is what staff see of a ticket.
type StaffView struct {
	ID           string     `json:"id"`
	Type         TicketType `json:"type"`
	Category     string     `json:"category,omitempty"`
	Channel      Channel    `json:"channel"`
	Content      string     `json:"content"`
	InvolvedUnit string     `json:"involvedUnit,omitempty"`
	Location     *Location  `json:"location,omitempty"`
	// MediaURL, Attributes and App come with tickets Open311 apps file: the
	// request's media_url, its answers by attribute code, the app's key name.
	MediaURL string `json:"mediaUrl,omitempty"`
	// Attachments are the ticket's photos and documents, with links.
	Attachments         []Attachment        `json:"attachments,omitempty"`
	Attributes          map[string][]string `json:"attributes,omitempty"`
	App                 string              `json:"app,omitempty"`
	Language            Language            `json:"language"`
	Anonymous           bool                `json:"anonymous"`
	Status              Status              `json:"status"`
	Version             int                 `json:"version"`
	CreatedAt           time.Time           `json:"createdAt"`
	UpdatedAt           time.Time           `json:"updatedAt"`
	DepartmentID        string              `json:"departmentId,omitempty"`
	CoHandlers          []string            `json:"coHandlers,omitempty"`
	RuleID              string              `json:"ruleId,omitempty"`
	DispatchedAt        time.Time           `json:"dispatchedAt,omitzero"`
	AcceptedAt          time.Time           `json:"acceptedAt,omitzero"`
	Deadlines           Deadlines           `json:"deadlines,omitzero"`
	Overdue             bool                `json:"overdue"`
	ExtensionRequested  bool                `json:"extensionRequested"`
	Escalated           bool                `json:"escalated"`
	ReopenCount         int                 `json:"reopenCount"`
	ReviewOutcome       string              `json:"reviewOutcome,omitempty"`
	ReviewReason        string              `json:"reviewReason,omitempty"`
	ReviewNotice        string              `json:"reviewNotice,omitempty"`
	SuspectedEmergency  []string            `json:"suspectedEmergency,omitempty"`
	Urgency             Urgency             `json:"urgency,omitempty"`
	PendingDepartmentID string              `json:"pendingDepartmentId,omitempty"`
	PendingCoHandlers   []string            `json:"pendingCoHandlers,omitempty"`
	MergedInto          string              `json:"mergedInto,omitempty"`
	PhoneCallNeeded     string              `json:"phoneCallNeeded,omitempty"`
	Stuck               *Stuck              `json:"stuck,omitempty"`
	Repairs             int                 `json:"repairs,omitempty"`
	SameMatter          []string            `json:"sameMatter,omitempty"`
	DuplicateOf         string              `json:"duplicateOf,omitempty"`
	CalendarGap         []int               `json:"calendarGap,omitempty"`
	CoOpinions          []CoOpinion         `json:"coOpinions,omitempty"`
	Supplements         int                 `json:"supplements,omitempty"`
	Reachable           []string            `json:"reachable,omitempty"` // sms, email
	StaffNotes          int                 `json:"staffNotes,omitempty"`
	MergedTickets       []string            `json:"mergedTickets,omitempty"`
	Answer              string              `json:"answer,omitempty"`
	Reply               *Reply              `json:"reply,omitempty"`
	Rating              *Rating             `json:"rating,omitempty"`
	Extension           *Extension          `json:"extension,omitempty"`
	WaitingStep         string              `json:"waitingStep,omitempty"` // operator, dispatch or feedback
	Notified            []string            `json:"notified,omitempty"`
	DepartmentName      string              `json:"departmentName,omitempty"`
	Contact             *Contact            `json:"contact,omitempty"`
	ContactMasked       bool                `json:"contactMasked"`
	Timeline            []StaffEvent        `json:"timeline"`
	TimelineNext        string              `json:"timelineNext,omitempty"`
}

// Summary is what every ticket in a list has.
type Summary struct {
	ID                 string     `json:"id"`
	Type               TicketType `json:"type"`
	Category           string     `json:"category,omitempty"`
	CategoryName       string     `json:"categoryName,omitempty"`
	Status             Status     `json:"status"`
	CreatedAt          time.Time  `json:"createdAt"`
	DepartmentID       string     `json:"departmentId,omitempty"`
	ReplyBy            time.Time  `json:"replyBy,omitzero"`
	Overdue            bool       `json:"overdue"`
	Escalated          bool       `json:"escalated,omitempty"`
	WaitingStep        string     `json:"waitingStep,omitempty"`
	ReviewReason       string     `json:"reviewReason,omitempty"`
	ExtensionRequested bool       `json:"extensionRequested,omitempty"`
	SuspectedEmergency []string   `json:"suspectedEmergency,omitempty"`
	PhoneCallNeeded    string     `json:"phoneCallNeeded,omitempty"`
	Urgency            Urgency    `json:"urgency,omitempty"`
	DuplicateOf        string     `json:"duplicateOf,omitempty"`
	SameMatter         []string   `json:"sameMatter,omitempty"`
	// Role is the department's part in its inbox: "lead" (主办) or "co" (协办).
	Role string `json:"role,omitempty"`
}

// TicketSummary is a ticket in a list.
type TicketSummary struct {
	Summary
	// Stuck says the ticket's workflow stopped (StuckTickets says why).
	Stuck bool `json:"stuck,omitempty"`
}

// TicketList is one page of a list.
type TicketList struct {
	Tickets    []TicketSummary `json:"tickets"`
	NextCursor string          `json:"nextCursor"` // empty on the last page
}

// StuckTicket is a ticket whose workflow stopped.
type StuckTicket struct {
	Summary
	Stuck   Stuck `json:"stuck"`
	Repairs int   `json:"repairs"`
	// ResumesAt is the step a repair picks up at.
	ResumesAt string `json:"resumesAt,omitempty"`
}

// StuckTicketList is one page of stuck tickets.
type StuckTicketList struct {
	Tickets    []StuckTicket `json:"tickets"`
	NextCursor string        `json:"nextCursor"`
}

// SupplementAdded answers a supplement.
type SupplementAdded struct {
	TicketID string    `json:"ticketId"`
	At       time.Time `json:"at"`
	Status   Status    `json:"status"`
	// Notice names the emergency number to call when the supplement reports
	// an emergency.
	Notice string `json:"notice,omitempty"`
}

// RatingRequest rates a replied or answered ticket. Score (1–5) is required;
// Resolved answers "was the problem solved?" (是否解决).
type RatingRequest struct {
	Satisfied bool   `json:"satisfied"`
	Resolved  *bool  `json:"resolved,omitempty"`
	Score     int    `json:"score"`
	Comment   string `json:"comment,omitempty"`
	// Method is set by RecordPhoneRating.
	Method string `json:"method,omitempty"`
}

// RatingRecorded answers a rating.
type RatingRecorded struct {
	TicketID  string `json:"ticketId"`
	Satisfied bool   `json:"satisfied"`
	Reopened  bool   `json:"reopened"`
	Status    Status `json:"status"`
}

// TicketStatus is a ticket's status after an action.
type TicketStatus struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
}

// ReviewRequest decides a ticket in review. Accept takes Category,
// DepartmentID, CoHandlers and Urgency; Reject a Reason (what the citizen is
// told); Merge MergeInto; Answer an Answer.
type ReviewRequest struct {
	Decision     Decision `json:"decision"`
	Reason       string   `json:"reason,omitempty"`
	Category     string   `json:"category,omitempty"`
	DepartmentID string   `json:"departmentId,omitempty"`
	CoHandlers   []string `json:"coHandlers,omitempty"`
	MergeInto    string   `json:"mergeInto,omitempty"`
	Answer       string   `json:"answer,omitempty"`
	Urgency      Urgency  `json:"urgency,omitempty"`
}

// ReviewResult answers a review decision.
type ReviewResult struct {
	ID       string   `json:"id"`
	Status   Status   `json:"status"`
	Decision Decision `json:"decision"`
}

// ReassignRequest sends a returned ticket to another lead department.
type ReassignRequest struct {
	DepartmentID string  `json:"departmentId"`
	Reason       string  `json:"reason,omitempty"` // kept for staff
	Urgency      Urgency `json:"urgency,omitempty"`
}

// ReassignResult answers a reassignment.
type ReassignResult struct {
	ID           string `json:"id"`
	Status       Status `json:"status"`
	DepartmentID string `json:"departmentId"`
}

// NoteAdded answers a staff note.
type NoteAdded struct {
	TicketID string    `json:"ticketId"`
	At       time.Time `json:"at"`
}

// CoOpinionAdded answers a co-handler's opinion.
type CoOpinionAdded struct {
	TicketID string    `json:"ticketId"`
	Status   Status    `json:"status"`
	At       time.Time `json:"at"`
}

// ReplyRequest is a department's reply.
type ReplyRequest struct {
	Result  ReplyResult `json:"result"`
	Message string      `json:"message"`
	// Attachments are upload ids (Upload, PurposeReply), at most 9.
	Attachments []string `json:"attachments,omitempty"`
}

// ExtensionRequested answers a request for more time (it waits for the
// centre's decision).
type ExtensionRequested struct {
	ID        string    `json:"id"`
	Status    Status    `json:"status"`
	Extension Extension `json:"extension"`
}

// ExtensionDecided answers the centre's decision; Deadlines.Reply is the
// reply deadline after it.
type ExtensionDecided struct {
	ID        string    `json:"id"`
	Status    Status    `json:"status"`
	Approved  bool      `json:"approved"`
	Extension Extension `json:"extension"`
	Deadlines Deadlines `json:"deadlines"`
}

// DepartmentStats is a department's row of the statistics. A rate is nil
// when its denominator is 0.
type DepartmentStats struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Outcomes
	Accepted       int `json:"accepted"`
	AcceptedOnTime int `json:"acceptedOnTime"`
	CoHandled      int `json:"coHandled"`
	CoOpinions     int `json:"coOpinions"`
	Rates
}

// TotalStats is the hotline's row, every ticket once.
type TotalStats struct {
	Outcomes
	AnsweredDirectly int `json:"answeredDirectly"`
	Rejected         int `json:"rejected"`
	Merged           int `json:"merged"`
	Withdrawn        int `json:"withdrawn"`
	Dispatched       int `json:"dispatched"`
	Rates
}

// Outcomes are the counts of every row: tickets received, due, replied (on
// time or not), overdue, and what citizens made of the replies.
type Outcomes struct {
	Received      int `json:"received"`
	Due           int `json:"due"`
	RepliedOnTime int `json:"repliedOnTime"`
	Replied       int `json:"replied"`
	Overdue       int `json:"overdue"`
	Rated         int `json:"rated"`
	Resolved      int `json:"resolved"`
	Satisfied     int `json:"satisfied"`
}

// Rates are the three rates of a row; nil when nothing was due or rated.
type Rates struct {
	OnTimeRate       *float64 `json:"onTimeRate"`
	ResolutionRate   *float64 `json:"resolutionRate"`
	SatisfactionRate *float64 `json:"satisfactionRate"`
}

// Stats are the statistics of the days From–To. Total is nil for a
// department's token.
type Stats struct {
	From        string            `json:"from"`
	To          string            `json:"to"`
	Departments []DepartmentStats `json:"departments"`
	Total       *TotalStats       `json:"total,omitempty"`
}

// Hotspot is a category or region and how many tickets named it.
type Hotspot struct {
	Key           string `json:"key"`
	Name          string `json:"name"`
	Count         int    `json:"count"`
	PreviousCount int    `json:"previousCount"`
	Change        int    `json:"change"`
}

// Hotspots are the rising issues of a period.
type Hotspots struct {
	From         string    `json:"from"`
	To           string    `json:"to"`
	By           string    `json:"by"`
	PreviousFrom string    `json:"previousFrom"`
	PreviousTo   string    `json:"previousTo"`
	Hotspots     []Hotspot `json:"hotspots"`
}

// Department is a department of the catalog.
type Department struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEn string `json:"nameEn,omitempty"`
	Region string `json:"region,omitempty"` // a territorial (属地) department's division
	Active bool   `json:"active"`
}

// DepartmentInput creates or replaces a department.
type DepartmentInput struct {
	ID     string `json:"id,omitempty"` // ignored: the path names the department
	Name   string `json:"name"`
	NameEn string `json:"nameEn,omitempty"`
	Region string `json:"region,omitempty"`
	Active bool   `json:"active"`
}

// Input is the department as a PUT body, to change what GetDepartment read.
func (d Department) Input() DepartmentInput {
	return DepartmentInput{Name: d.Name, NameEn: d.NameEn, Region: d.Region, Active: d.Active}
}

// RoutingRule sends matching tickets to a lead department and co-handlers.
type RoutingRule struct {
	ID            string        `json:"id"`
	Priority      int           `json:"priority"`
	Categories    []string      `json:"categories,omitempty"`
	Regions       []string      `json:"regions,omitempty"`
	InvolvedUnits []string      `json:"involvedUnits,omitempty"`
	Keywords      []string      `json:"keywords,omitempty"`
	Types         []TicketType  `json:"types,omitempty"`
	DepartmentID  string        `json:"departmentId"`
	CoHandlers    []string      `json:"coHandlers,omitempty"`
	Default       bool          `json:"default,omitempty"`
	ServiceLevel  *ServiceLevel `json:"serviceLevel,omitempty"`
}

// Calendar is a year's public holidays and make-up working days (调休), as
// "YYYY-MM-DD" days.
type Calendar struct {
	Year     int      `json:"year"`
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// CalendarCoverage names the years with a holiday calendar and those a
// deadline set now could reach without one.
type CalendarCoverage struct {
	Years   []int `json:"years"`
	Missing []int `json:"missing"`
}

// KnowledgeAnswer is a knowledge-base answer in both languages.
type KnowledgeAnswer struct {
	ZH string `json:"zh,omitempty"`
	EN string `json:"en,omitempty"`
}

// KnowledgeEntry is an answer review gives consultations directly (直办):
// it matches when every term of one of the Match groups is in the content.
type KnowledgeEntry struct {
	ID     string          `json:"id"`
	Match  [][]string      `json:"match"`
	Answer KnowledgeAnswer `json:"answer"`
}

// EmergencyKeywords are the keywords per emergency service.
type EmergencyKeywords struct {
	Police  []string `json:"police,omitempty"`
	Fire    []string `json:"fire,omitempty"`
	Medical []string `json:"medical,omitempty"`
}

// DuplicateRule says from which content similarity (0–1) within how many days
// a ticket is a possible duplicate.
type DuplicateRule struct {
	Threshold  float64 `json:"threshold"`
	WindowDays int     `json:"windowDays"`
}

// ScreeningRules are the rules review screens tickets with (the whole
// document: on a PUT what is left out is empty).
type ScreeningRules struct {
	BlockedWords        []string          `json:"blockedWords"`
	BlockedSenders      []string          `json:"blockedSenders"` // blind indexes
	EmergencyKeywords   EmergencyKeywords `json:"emergencyKeywords,omitzero"`
	EmergencyExclusions []string          `json:"emergencyExclusions,omitempty"`
	AmbiguousCategories []string          `json:"ambiguousCategories,omitempty"`
	KnowledgeBase       []KnowledgeEntry  `json:"knowledgeBase,omitempty"`
	Duplicate           DuplicateRule     `json:"duplicate,omitzero"`
	MinDistinctChars    int               `json:"minDistinctChars,omitempty"`
}

// APIKey is an Open311 API key, shown only in the answer that issued it.
type APIKey struct {
	Name      string    `json:"name"`
	APIKey    string    `json:"apiKey"` // <name>.<52 base32 characters>
	CreatedAt time.Time `json:"createdAt"`

	// Replaced is true when the name had a key, which stopped working.
	Replaced bool `json:"-"`
}

// RepairStarted answers a repair: its execution is <ticket id>-r<Repair>.
type RepairStarted struct {
	ID        string `json:"id"`
	Status    Status `json:"status"`
	Repair    int    `json:"repair"`
	ResumesAt string `json:"resumesAt"`
}

// The bodies of the actions that take one or two values; the methods take
// the values themselves.
type (
	supplementRequest struct {
		Content     string   `json:"content"`
		Attachments []string `json:"attachments,omitempty"`
	}
	withdrawalRequest struct {
		Reason string `json:"reason"`
	}
	phoneCallRequest struct {
		Note string `json:"note"`
	}
	noteRequest struct {
		Text string `json:"text"`
	}
	coOpinionRequest struct {
		Message string `json:"message"`
	}
	returnRequest struct {
		Reason string `json:"reason"`
	}
	extensionRequest struct {
		Days   int    `json:"days"`
		Reason string `json:"reason"`
	}
	extensionDecisionRequest struct {
		Approve bool   `json:"approve"`
		Reason  string `json:"reason,omitempty"`
	}
	repairRequest struct {
		StuckSince time.Time `json:"stuckSince"`
	}
)
