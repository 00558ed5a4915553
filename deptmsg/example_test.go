package deptmsg_test

import (
	"fmt"
	"time"

	"github.com/hotline12345/hotline/deptmsg"
)

// A department's consumer decodes each queue message body, acts on its type,
// and reads the ticket itself through the API.
func ExampleDecode() {
	bodies := []string{
		`{"type":"ticket.dispatched","ticketId":"261130ABCDEF","departmentId":"market","role":"lead",` +
			`"category":"consumer.refund","deadline":"2026-12-17T23:59:59+08:00","summary":"投诉 · 退换货"}`,
		`{"type":"ticket.withdrawn","ticketId":"261130ABCDEF","departmentId":"housing","role":"co"}`,
		`{"type":"ticket.dispatched","ticketId":"261130ABCDEF","departmentId":"market","role":"lead","phone":"13800138000"}`,
	}
	for _, body := range bodies {
		msg, err := deptmsg.Decode([]byte(body))
		if err != nil {
			// Every Decode error wraps deptmsg.ErrInvalid: the message will not
			// decode next time either. Leave it (do not delete it); SQS moves it
			// to the dead-letter queue after five receives.
			fmt.Println("left for the dead-letter queue:", err)
			continue
		}
		switch msg.Type {
		case deptmsg.TypeDispatched, deptmsg.TypeReopened:
			fmt.Printf("%s: new work as %s on ticket %s (%s), reply by %s\n",
				msg.Type, msg.Role, msg.TicketID, msg.Summary, msg.Deadline.Format(time.RFC3339))
		case deptmsg.TypeWithdrawn:
			fmt.Printf("%s: stop work on ticket %s\n", msg.Type, msg.TicketID)
		default:
			fmt.Printf("%s: ticket %s\n", msg.Type, msg.TicketID)
		}
		// Then: GET /v1/tickets/261130ABCDEF with the department's staff token,
		// and delete the message from the queue.
	}
	// Output:
	// ticket.dispatched: new work as lead on ticket 261130ABCDEF (投诉 · 退换货), reply by 2026-12-17T23:59:59+08:00
	// ticket.withdrawn: stop work on ticket 261130ABCDEF
	// left for the dead-letter queue: invalid department message: unknown field "phone"
}
