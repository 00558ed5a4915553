// Package client is a Go client of the Hotline 12345 HTTP API: citizens file
// tickets and follow them with the access code of their receipt; staff
// (operators, departments, supervisors, admins) act on them with a bearer
// token.
//
// The contract is the OpenAPI 3.1 document openapi/openapi.yaml (served as
// GET /openapi.json); this package follows it by hand, one method per
// operation, with request and answer structs whose JSON names are the
// document's. It needs only the standard library.
//
// # Citizens
//
// A citizen proves their contact first: RequestVerification sends a six-digit
// code to the phone or e-mail address, and the submission carries it as its
// Verification. FileTicket answers a Receipt whose ID and AccessCode are all
// the citizen needs later: GetTicket (or GetTicketIfChanged to poll cheaply
// with the view's ETag), AddSupplement, Rate and Withdraw take them. Citizen
// methods never send a staff token.
//
// # Staff
//
// New(url, WithToken(jwt)) or WithTokenSource for tokens that expire. Lists
// come a page at a time (ReviewQueue, DepartmentInbox, SearchTickets,
// StuckTickets, each with a PageQuery); the …All variants walk every page as
// an iter.Seq2. Admin reads return the value with its ETag, and admin writes
// take that ETag (If-Match): a write based on a stale read is refused, never
// silently overwriting another admin's change.
//
// # Errors
//
// The API's functions answer errors as RFC 9457 problems: *Problem, with the
// Code programs test (IsNotFound, IsConflict, IsPreconditionFailed, HasCode,
// …), Fields naming what is wrong and the RequestID to quote. API Gateway
// answers some requests itself ({"message": "Unauthorized"}): *GatewayError.
// Anything else is an *UnexpectedResponseError. All three are matched with
// errors.As.
//
// Nothing is retried unless the caller opts in: WithRateLimitRetry retries a
// GET answered 429 after its Retry-After. Filing is made safe to retry with
// an IdempotencyKey instead.
package client
