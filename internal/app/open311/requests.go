package open311

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// The two statuses of the spec.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Status is a ticket's Open311 status: closed when nothing more will be
// done with it on its own (a final status, or merged into another ticket
// as a duplicate), open otherwise, a reply awaiting the citizen's rating
// included (an unsatisfied rating reopens it).
func Status(s ticket.Status) string {
	if s.Final() || s == ticket.StatusMerged {
		return StatusClosed
	}
	return StatusOpen
}

// statusNotes explain a status from the status and the reply's result code
// only: reasons, replies and answers are free text that may name people.
var statusNotes = map[ticket.Status]string{
	ticket.StatusReceived:   "received",
	ticket.StatusInReview:   "under review",
	ticket.StatusRejected:   "not accepted",
	ticket.StatusMerged:     "duplicate request",
	ticket.StatusAnswered:   "answered by the hotline",
	ticket.StatusDispatched: "dispatched to the responsible department",
	ticket.StatusAccepted:   "accepted by the responsible department",
	ticket.StatusReturned:   "being reassigned",
	ticket.StatusReplied:    "replied",
	ticket.StatusClosed:     "closed",
	ticket.StatusWithdrawn:  "withdrawn",
}

// StatusNotes is the status_notes of a ticket: its status in words and,
// once the department replied, the result code (resolved, explained,
// unresolvable).
func StatusNotes(t *ticket.Ticket) string {
	notes := statusNotes[t.Status]
	if t.Reply != nil && t.Reply.Result != "" && (t.Status == ticket.StatusReplied || t.Status == ticket.StatusClosed) {
		notes += "; result: " + string(t.Reply.Result)
	}
	return notes
}

// Regions names a division code (GB/T 2260).
type Regions interface {
	RegionName(code string) (string, bool)
}

// ServiceRequest is a request as GET requests shows it. It carries no
// personal data: no contact, no device or account, no description (a
// citizen's text can name people) and no exact place.
type ServiceRequest struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ID                string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       text     `json:"status_notes" xml:"status_notes"`
	ServiceName       text     `json:"service_name" xml:"service_name"`
	ServiceCode       text     `json:"service_code" xml:"service_code"`
	Description       text     `json:"description" xml:"description"`
	AgencyResponsible text     `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     text     `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  text     `json:"expected_datetime" xml:"expected_datetime"`
	// Address is the county-level division's name and AddressID its code,
	// when the request named one: a district of hundreds of thousands of
	// people says where a matter is without pointing at anyone's door. The
	// address and the coordinates the citizen gave could be their home;
	// zipcode, lat and long are left out for the same reason.
	Address   text `json:"address" xml:"address"`
	AddressID text `json:"address_id" xml:"address_id"`
	MediaURL  text `json:"media_url" xml:"media_url"`
}

// View is the public view of a ticket.
func View(t *ticket.Ticket, c *catalog.Catalog, regions Regions) ServiceRequest {
	v := ServiceRequest{
		ID: t.ID, Status: Status(t.Status), StatusNotes: text(StatusNotes(t)),
		ServiceCode: text(t.Category), ServiceName: text(c.CategoryName(t.Category)),
		ServiceNotice:     text(noticeOf(c, t.Category)),
		RequestedDatetime: datetime(t.CreatedAt), UpdatedDatetime: datetime(t.UpdatedAt),
		MediaURL: text(t.MediaURL),
	}
	if t.DepartmentID != "" {
		v.AgencyResponsible = text(c.DepartmentName(t.DepartmentID))
	}
	if !t.Deadlines.Reply.IsZero() {
		v.ExpectedDatetime = text(datetime(t.Deadlines.Reply))
	}
	if t.Location != nil && t.Location.Region != "" {
		if name, ok := regions.RegionName(t.Location.Region); ok {
			v.Address, v.AddressID = text(name), text(t.Location.Region)
		}
	}
	return v
}

type requestList struct {
	XMLName  xml.Name         `xml:"service_requests"`
	Requests []ServiceRequest `xml:"request"`
}

// RequestsAnswer is GET requests and GET requests/{id}: a list either way.
func RequestsAnswer(f Format, list []ServiceRequest) events.APIGatewayV2HTTPResponse {
	if list == nil {
		list = []ServiceRequest{}
	}
	return answer(f, http.StatusOK, list, requestList{Requests: list})
}

// Created is the answer to POST requests. The request is realtime: its id
// exists at once, so no token is returned (the spec: a token "should not
// be returned if service_request_id is returned"); GET tokens/{id} still
// maps the id, its own token, for apps that ask.
type Created struct {
	XMLName       xml.Name `json:"-" xml:"request"`
	ID            string   `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice text     `json:"service_notice" xml:"service_notice"`
	AccountID     text     `json:"account_id" xml:"account_id"`
}

// NewCreated is the answer to a filed request: its id, the service's
// notice and the account_id the app sent, echoed.
func NewCreated(id string, leaf catalog.Category, r Request) Created {
	return Created{ID: id, ServiceNotice: text(Notice(leaf)), AccountID: text(strings.TrimSpace(r.AccountID))}
}

type createdList struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []Created `xml:"request"`
}

// CreatedAnswer answers a POST with status (201 new, 200 a replay).
func CreatedAnswer(f Format, status int, c Created) events.APIGatewayV2HTTPResponse {
	list := []Created{c}
	return answer(f, status, list, createdList{Requests: list})
}

// Token is the answer to GET tokens/{token}.
type Token struct {
	XMLName xml.Name `json:"-" xml:"request"`
	ID      string   `json:"service_request_id" xml:"service_request_id"`
	Token   string   `json:"token" xml:"token"`
}

type tokenList struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []Token  `xml:"request"`
}

// TokenAnswer maps a token to its request.
func TokenAnswer(f Format, id, token string) events.APIGatewayV2HTTPResponse {
	list := []Token{{ID: id, Token: token}}
	return answer(f, http.StatusOK, list, tokenList{Requests: list})
}
