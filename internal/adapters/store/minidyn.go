package store

// Workarounds for minidyn, the DynamoDB stand-in that local mode and the tests
// run the store against. Each shapes code that also runs in production; each
// site is marked "minidyn workaround" so that a change replacing the local
// engine can find and remove them all:
//
//  1. SaveTicket reads the item (consistent GetItem) and writes it back whole
//     with a conditional Put, where DynamoDB itself would take one conditional
//     UpdateItem with SET/REMOVE: minidyn mis-indexes an item that enters a
//     GSI through UpdateItem. Production pays one strongly consistent read per
//     save and carries the write-once attributes over by hand.
//  2. CreateTicket puts the idempotency record first in its transaction:
//     minidyn reports only the first failed condition, and a replay must be
//     told apart from an id clash. Harmless on DynamoDB, which reports every
//     item's reason.
//  3. DynamoDBClient turns the response CRC32 check off against a custom
//     endpoint (minidyn sends no X-Amz-Crc32). Local only.
//  4. CreateTable neither waits for ACTIVE nor enables TTL (minidyn has no
//     table status and no UpdateTimeToLive). Local only: production tables
//     come from the SAM template.
