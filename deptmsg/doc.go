// Package deptmsg is the contract between the Hotline 12345 platform and a
// government department's own system: the JSON message the platform puts on
// the department's SQS queue whenever the department has something to do
// about a ticket. The platform encodes with [Message.Encode]; a department's
// consumer decodes with [Decode]. The same contract, for systems not written
// in Go, is the AsyncAPI 3.0 document asyncapi.yaml beside this file (also
// [AsyncAPI]): a channel per department, one message per [Type] with a closed
// JSON Schema and an example, and what each type asks of the department.
// Tests keep the two in step.
//
// # Receiving
//
// Each department has its own standard SQS queue, <prefix>dept-<department id>
// (hotline-prod-dept-market in a stack of stage prod, hotline-dept-market in
// local mode), and a dead-letter queue, the same name with -dlq. Its system
// reads them under the role the stack outputs as Dept<Name>ConsumerRoleArn,
// which may read only those two queues. A consumer long-polls ReceiveMessage,
// decodes the body with Decode, does its work, then deletes the message; the
// command cmd/dept-consumer in this repository is the smallest one.
//
// A message that does not decode (the error wraps [ErrInvalid]) will not
// decode on a second try either: leave it, and after five receives SQS moves
// it to the dead-letter queue, whose alarm tells the hotline's operators.
// Delivery is at least once and a message can repeat (a retried step, a
// reminder sent again after a lost write), so handle a repeat as a no-op.
//
// # What a message carries
//
// A message says which ticket, which department, the department's part
// ([RoleLead] 主办 or [RoleCo] 协办), why it is sent ([Type]), and, when
// known, the ticket's category code, a deadline and a short summary in
// Chinese. It carries no personal data: no name, phone, e-mail, address or
// ticket content. Read the ticket itself with the department's staff token:
//
//	GET /v1/tickets/{ticketId}
//	Authorization: Bearer <token with role "department" and dept "<department id>">
//
// and act on it through the same API (accept, reply, return, ask for more
// time; co-handlers give their opinion). docs/api.md lists the routes.
//
// # Times
//
// Times are RFC 3339 with the offset of China Standard Time, +08:00
// (2026-03-05T18:00:00+08:00): [Message.Encode] writes the deadline so
// whatever the time.Time's location, and Decode refuses any other offset.
//
// # Strictness
//
// Decode refuses what the contract does not name: unknown fields or types,
// keys in another case, repeated keys, null values, trailing data, bodies over
// 64 KiB. A consumer built against an older contract than the platform's thus
// fails loudly, into its dead-letter queue, instead of silently losing what it
// cannot read; asyncapi.yaml's info.version names the contract.
package deptmsg
