package store

// Local mode and the tests used to run the store against minidyn, a
// DynamoDB stand-in whose gaps shaped code that also runs in production.
// Local mode now has its own engine (internal/localmode/ddb, with minidyn
// kept only as the oracle of its differential test), and three of the four
// workarounds are gone: the store no longer turns off the response CRC32
// check, CreateTable waits for ACTIVE and turns expiry on, and a created
// ticket's cancellation reasons are read by item (their order is free).
//
// One is left, marked "minidyn workaround 1" where it is:
//
//  1. SaveTicket reads the item (consistent GetItem) and writes it back whole
//     with a conditional Put, where DynamoDB itself would take one conditional
//     UpdateItem with SET/REMOVE: minidyn mis-indexed an item that enters a
//     GSI through UpdateItem. The read also tells which co-handler items
//     exist; removing it needs the ticket to carry that, which the lean
//     ticket layout (issue 14) changes anyway.
