package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Item attributes besides the keys. The ticket's document is stored as JSON
// in doc so fields added to ticket.Ticket are persisted without touching the
// store; the attributes the store conditions or indexes on are kept beside it
// and win over the document when read.
const (
	attrEntity     = "entity"
	attrDoc        = "doc"
	attrStatus     = "status"
	attrVersion    = "version"
	attrContact    = "contact" // sealed ticket.Contact, AAD = ticket id
	attrAccessHash = "accessCodeHash"
	attrTaskToken  = "taskToken"
	attrDept       = "departmentId"
	attrBodyHash   = "bodyHash"
	attrTicketID   = "ticketId"
	attrResponse   = "response" // sealed original response
	attrValue      = "value"
	attrCount      = "n"
	attrMetric     = "metric"

	skMeta    = "META"
	skIdem    = "IDEM"
	gsiReview = "REVIEW"
	// gsiStuck lists the tickets whose workflow stopped, for admins; it takes
	// precedence over the review queue (nothing would answer an operator).
	gsiStuck = "STUCK"
	// gsiEscalated lists the open escalated tickets for supervisors.
	gsiEscalated = "ESCALATED"

	// timeKey is fixed-width so key strings sort chronologically.
	timeKey = "2006-01-02T15:04:05.000Z"
	dayKey  = "2006-01-02"

	// dayShards spreads one day's tickets over several GSI4 partitions. One
	// is enough: a day's partition takes the day's filings and the saves of
	// its tickets, tens of writes a second at the busiest hotline, far below
	// the 1,000 a partition takes; and one partition lists a day in filing
	// order, which a search shows. The key keeps its shard number, so a
	// hotline that needs more can raise this.
	dayShards = 1
	// eventsPerSave bounds the events of one save so Seq stays unique:
	// Seq = new version × eventsPerSave + index. It also keeps the
	// transaction under DynamoDB's 100-item limit.
	eventsPerSave = 99
	seqFactor     = ticket.SeqPerVersion
	// maxTransactItems is DynamoDB's limit on the items of one transaction.
	maxTransactItems = 100
	// counterAttempts bounds retries of a save whose only failure was a
	// concurrent transaction on a shared daily counter.
	counterAttempts = 5
	// createAttempts bounds retries when an idempotency record vanishes
	// (TTL) or a transaction conflicts while we create.
	createAttempts = 5
	// idemTTL is how long a key is remembered when the caller gives no expiry.
	idemTTL = 24 * time.Hour
)

// noDeadline sorts tickets without a reply deadline after all others.
const noDeadline = "9999-12-31T23:59:59.999Z"

func ticketPK(id string) string { return "TICKET#" + id }

func placePK(category, region string) string { return "PLACE#" + category + "#" + region }

func idemPK(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "IDEM#" + hex.EncodeToString(sum[:])
}

func eventSK(at time.Time, seq int) string {
	return fmt.Sprintf("EVENT#%s#%010d", at.UTC().Format(timeKey), seq)
}

func inboxPK(dept string, st ticket.Status) string { return "DEPT#" + dept + "#" + string(st) }

func dayPK(day string, id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("DAY#%s#%d", day, h.Sum32()%dayShards)
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: str(pk), attrSK: str(sk)}
}

// inReview reports whether the ticket waits for an operator (GSI2 is sparse):
// a review, a reassignment, an extension decision or a phone call.
func inReview(t *ticket.Ticket) bool {
	return (t.Status == ticket.StatusInReview && t.WaitingStep == ticket.StepOperator) ||
		t.Status == ticket.StatusReturned || t.ExtensionRequested || t.PhoneCallNeeded != ""
}

// ContactIndex returns the blind index the citizen index uses for a contact:
// the phone's if there is one, else the e-mail's; "" for none.
func (s *Store) ContactIndex(c *ticket.Contact) string {
	if c == nil {
		return ""
	}
	if p := s.blinder.Phone(c.Phone); p != "" {
		return p
	}
	return s.blinder.Email(c.Email)
}

func checkKeyPart(what, v string) error {
	if v == "" || strings.Contains(v, "#") {
		return &InvalidArgumentError{What: what + " must be non-empty and contain no '#'"}
	}
	return nil
}

// mutableAttrs are the ticket attributes every save rewrites. The nil values
// are attributes the ticket does not have (a sparse index it is not in).
func mutableAttrs(t *ticket.Ticket) (map[string]types.AttributeValue, error) {
	doc, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("store: encode ticket %s: %w", t.ID, err)
	}
	a, err := docAttrs(doc)
	if err != nil {
		return nil, err
	}
	for k, v := range map[string]types.AttributeValue{
		attrStatus:    str(string(t.Status)),
		attrVersion:   num(int64(t.Version)),
		attrTaskToken: nil, attrDept: nil,
		attrGSI1PK: nil, attrGSI1SK: nil, attrGSI2PK: nil, attrGSI2SK: nil, attrGSI5PK: nil, attrGSI5SK: nil, attrGSI6PK: nil, attrGSI6SK: nil,
	} {
		a[k] = v
	}
	// Open escalated tickets, and those closed unsatisfied when the reopens ran
	// out: supervisors follow both up.
	if t.Escalated && (!t.Status.Final() || t.Status == ticket.StatusClosed && t.Rating != nil && !t.Rating.Satisfied) {
		a[attrGSI6PK] = str(gsiEscalated)
		a[attrGSI6SK] = str(t.CreatedAt.UTC().Format(timeKey) + "#" + t.ID)
	}
	// The place index follows the category an operator may correct.
	if t.Location != nil && t.Location.Region != "" && t.Category != "" &&
		checkKeyPart("category", t.Category) == nil && checkKeyPart("region", t.Location.Region) == nil {
		a[attrGSI5PK] = str(placePK(t.Category, t.Location.Region))
		a[attrGSI5SK] = str(t.CreatedAt.UTC().Format(timeKey) + "#" + t.ID)
	}
	co, err := coDepartments(t)
	if err != nil {
		return nil, err
	}
	a[attrCoDepts] = coDeptsAttr(co)
	if t.TaskToken != "" {
		a[attrTaskToken] = str(t.TaskToken)
	}
	if t.DepartmentID != "" {
		if err := checkKeyPart("department id", t.DepartmentID); err != nil {
			return nil, err
		}
		a[attrDept] = str(t.DepartmentID)
		dl := noDeadline
		if !t.Deadlines.Reply.IsZero() {
			dl = t.Deadlines.Reply.UTC().Format(timeKey)
		}
		a[attrGSI1PK] = str(inboxPK(t.DepartmentID, ticket.InboxStatus(t)))
		a[attrGSI1SK] = str(dl + "#" + t.ID)
	}
	if t.Stuck != nil {
		a[attrGSI2PK] = str(gsiStuck)
		a[attrGSI2SK] = str(t.Stuck.Since.UTC().Format(timeKey) + "#" + t.ID)
	} else if inReview(t) {
		a[attrGSI2PK] = str(gsiReview)
		a[attrGSI2SK] = str(strconv.Itoa(t.ReviewPriority()) + "#" + t.CreatedAt.UTC().Format(timeKey) + "#" + t.ID)
	}
	return a, nil
}

func (s *Store) eventItem(id string, e ticket.Event) (map[string]types.AttributeValue, error) {
	doc, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("store: encode event of ticket %s: %w", id, err)
	}
	return map[string]types.AttributeValue{
		attrPK: str(ticketPK(id)), attrSK: str(eventSK(e.At, e.Seq)),
		attrEntity: str("event"), attrDoc: str(string(doc)),
	}, nil
}

func (s *Store) putEvent(id string, e ticket.Event) (types.TransactWriteItem, error) {
	item, err := s.eventItem(id, e)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	// Events are immutable: never overwrite one.
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}}, nil
}

func validTicket(t *ticket.Ticket) error {
	if t == nil {
		return &InvalidArgumentError{What: "ticket is nil"}
	}
	if t.ID == "" || strings.Contains(t.ID, "#") {
		return &InvalidArgumentError{What: "ticket id must be non-empty and contain no '#'"}
	}
	if !t.Status.Valid() {
		return &InvalidArgumentError{What: "ticket status " + strconv.Quote(string(t.Status)) + " is unknown"}
	}
	if t.CreatedAt.IsZero() {
		return &InvalidArgumentError{What: "ticket creation time is zero"}
	}
	return nil
}

// CreateTicket writes a new ticket (version 1), its first event and, when idem
// is given, the idempotency record, in one transaction. A replay of the key
// with the same body hash writes nothing and returns the original response;
// a different body gives *ports.IdempotencyConflictError; a taken ticket id gives
// *ports.IDCollisionError. On success t.Version is 1.
func (s *Store) CreateTicket(ctx context.Context, t *ticket.Ticket, first ticket.Event, idem *ports.Idempotency) (ports.Created, error) {
	if err := validTicket(t); err != nil {
		return ports.Created{}, err
	}
	if idem != nil && idem.Key == "" {
		return ports.Created{}, &InvalidArgumentError{What: "idempotency key is empty"}
	}
	nt := *t
	nt.Version = 1
	first.TicketID = t.ID
	if first.At.IsZero() {
		first.At = nt.CreatedAt
	}
	first.Seq = nt.Version * seqFactor
	nt.Tally = ticket.Tally{}
	counters, err := s.counterWrites(s.addCounters(nil, nt.Count([]ticket.Event{first})))
	if err != nil {
		return ports.Created{}, fmt.Errorf("store: create ticket %s: %w", t.ID, err)
	}

	item, err := s.newTicketItem(ctx, &nt)
	if err != nil {
		return ports.Created{}, err
	}
	putTicket := types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}}
	putFirst, err := s.putEvent(t.ID, first)
	if err != nil {
		return ports.Created{}, err
	}
	coItems, err := s.coWrites(nil, nil, &nt)
	if err != nil {
		return ports.Created{}, err
	}
	uploads := s.uploadWrites(nil, &nt, s.now())
	if n := len(coItems) + len(uploads) + len(counters) + 3; n > maxTransactItems {
		return ports.Created{}, &InvalidArgumentError{What: fmt.Sprintf("creating ticket %s needs %d transaction items, at most %d", t.ID, n, maxTransactItems)}
	}

	for attempt := 0; attempt < createAttempts; attempt++ {
		now := s.now()
		var items []types.TransactWriteItem
		idemAt := -1
		if idem != nil {
			put, err := s.putIdem(ctx, t.ID, idem, now)
			if err != nil {
				return ports.Created{}, err
			}
			// Its reason is read before the ticket's: a replay wins over an
			// id clash.
			idemAt = len(items)
			items = append(items, put)
		}
		ticketAt := len(items)
		items = append(items, putTicket, putFirst)
		items = append(items, coItems...)
		firstUpload := len(items)
		items = append(items, uploads...)
		items = append(items, counters...)

		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			t.Version, t.Tally = nt.Version, nt.Tally
			c := ports.Created{TicketID: t.ID}
			if idem != nil {
				c.Response = idem.Response
			}
			return c, nil
		}
		reasons, ok := cancelReasons(err)
		if !ok {
			return ports.Created{}, fmt.Errorf("store: create ticket %s: %w", t.ID, err)
		}
		switch {
		case idemAt >= 0 && reasonAt(reasons, idemAt) == reasonConditionFailed:
			c, found, err := s.replay(ctx, idem, now)
			if err != nil || found {
				return c, err
			}
			// The record expired or was deleted since the condition saw it: try again.
		case reasonAt(reasons, ticketAt) == reasonConditionFailed:
			return ports.Created{}, &ports.IDCollisionError{ID: t.ID}
		case usedUpload(reasons, items, firstUpload, len(uploads)) != "":
			return ports.Created{}, &ports.UploadUsedError{ID: usedUpload(reasons, items, firstUpload, len(uploads))}
		case hasReason(reasons, reasonTransactionConflict):
			// A concurrent transaction touched one of the items (a racing
			// replay): back off a little and try again; the next attempt
			// sees its outcome.
			if err := backoff(ctx, attempt); err != nil {
				return ports.Created{}, fmt.Errorf("store: create ticket %s: %w", t.ID, err)
			}
		default:
			return ports.Created{}, fmt.Errorf("store: create ticket %s: %w", t.ID, err)
		}
		if err := ctx.Err(); err != nil {
			return ports.Created{}, fmt.Errorf("store: create ticket %s: %w", t.ID, err)
		}
	}
	return ports.Created{}, &ports.ConflictError{Kind: "ticket", ID: t.ID, Reason: "too much contention on the idempotency key"}
}

// newTicketItem is a new ticket's item: what every save rewrites plus the
// write-once keys (creation-time indexes) and the sealed contact.
func (s *Store) newTicketItem(ctx context.Context, nt *ticket.Ticket) (map[string]types.AttributeValue, error) {
	item, err := mutableAttrs(nt)
	if err != nil {
		return nil, err
	}
	for k, v := range item {
		if v == nil {
			delete(item, k)
		}
	}
	item[attrPK] = str(ticketPK(nt.ID))
	item[attrSK] = str(skMeta)
	item[attrEntity] = str("ticket")
	created := nt.CreatedAt.UTC().Format(timeKey) + "#" + nt.ID
	item[attrGSI4PK] = str(dayPK(nt.CreatedAt.In(s.loc).Format(dayKey), nt.ID))
	item[attrGSI4SK] = str(created)
	if pk, ok := channelPK(nt.Channel); ok {
		item[attrGSI7PK] = str(pk)
		item[attrGSI7SK] = str(created)
	}
	if nt.AccessCodeHash != "" {
		item[attrAccessHash] = str(nt.AccessCodeHash)
	}
	if nt.Contact != nil {
		plain, err := json.Marshal(nt.Contact)
		if err != nil {
			return nil, fmt.Errorf("store: encode contact of ticket %s: %w", nt.ID, err)
		}
		sealed, err := s.sealer.Seal(ctx, plain, []byte(nt.ID))
		if err != nil {
			return nil, fmt.Errorf("store: seal contact of ticket %s: %w", nt.ID, err)
		}
		item[attrContact] = &types.AttributeValueMemberB{Value: sealed}
		if bi := s.ContactIndex(nt.Contact); bi != "" {
			item[attrGSI3PK] = str("CONTACT#" + bi)
			item[attrGSI3SK] = str(created)
		}
	}
	return item, nil
}

func (s *Store) putIdem(ctx context.Context, ticketID string, idem *ports.Idempotency, now time.Time) (types.TransactWriteItem, error) {
	pk := idemPK(idem.Key)
	exp := idem.ExpiresAt
	if exp.IsZero() {
		exp = now.Add(idemTTL)
	}
	resp, err := s.sealer.Seal(ctx, idem.Response, []byte(pk))
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("store: seal idempotent response of ticket %s: %w", ticketID, err)
	}
	item := key(pk, skIdem)
	item[attrEntity] = str("idempotency")
	item[attrBodyHash] = str(idem.BodyHash)
	item[attrTicketID] = str(ticketID)
	item[attrResponse] = &types.AttributeValueMemberB{Value: resp}
	item[attrTTL] = num(exp.Unix())
	// A record whose ttl has passed counts as absent even before DynamoDB's
	// TTL sweeper (which can lag by days) deletes it.
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #ttl <= :now"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#ttl": attrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": num(now.Unix())},
	}}, nil
}

// Replayed answers the ticket an earlier request with this Idempotency-Key
// created (found), before a retry does work that only a first request may
// do (taking its uploads, which the first request used).
func (s *Store) Replayed(ctx context.Context, idem *ports.Idempotency) (ports.Created, bool, error) {
	return s.replay(ctx, idem, s.now())
}

// replay reads the idempotency record that made a create fail. found is
// false when it is gone or expired, so the caller should try again.
func (s *Store) replay(ctx context.Context, idem *ports.Idempotency, now time.Time) (ports.Created, bool, error) {
	pk := idemPK(idem.Key)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(pk, skIdem), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return ports.Created{}, false, fmt.Errorf("store: read idempotency record: %w", err)
	}
	if out.Item == nil {
		return ports.Created{}, false, nil
	}
	ttl, err := numAttr(out.Item, attrTTL)
	if err != nil {
		return ports.Created{}, false, fmt.Errorf("store: idempotency record: %w", err)
	}
	if int64(ttl) <= now.Unix() {
		return ports.Created{}, false, nil
	}
	id := strAttr(out.Item, attrTicketID)
	if strAttr(out.Item, attrBodyHash) != idem.BodyHash {
		return ports.Created{}, true, &ports.IdempotencyConflictError{TicketID: id}
	}
	b, ok := out.Item[attrResponse].(*types.AttributeValueMemberB)
	if !ok {
		return ports.Created{}, true, errors.New("store: idempotency record has no response")
	}
	resp, err := s.sealer.Open(ctx, b.Value, []byte(pk))
	if err != nil {
		return ports.Created{}, true, fmt.Errorf("store: open idempotent response of ticket %s: %w", id, err)
	}
	return ports.Created{TicketID: id, Response: resp, Replayed: true}, true, nil
}

// backoff waits a short, growing, jittered time before a retry.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(attempt+1)*20*time.Millisecond + rand.N(20*time.Millisecond)
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

const (
	reasonConditionFailed     = "ConditionalCheckFailed"
	reasonTransactionConflict = "TransactionConflict"
)

// cancelReasons returns the per-item cancellation codes of a cancelled
// transaction ("None" where the item was fine).
func cancelReasons(err error) ([]string, bool) {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil, false
	}
	out := make([]string, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		out[i] = aws.ToString(r.Code)
	}
	return out, true
}

func hasReason(reasons []string, code string) bool {
	for _, r := range reasons {
		if r == code {
			return true
		}
	}
	return false
}

func reasonAt(reasons []string, i int) string {
	if i < len(reasons) {
		return reasons[i]
	}
	return ""
}

func strAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func numAttr(item map[string]types.AttributeValue, name string) (int, error) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s is missing or not a number", name)
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil {
		return 0, fmt.Errorf("attribute %s: %w", name, err)
	}
	return n, nil
}

// GetTicket reads a ticket with its contact unsealed (strongly consistent).
func (s *Store) GetTicket(ctx context.Context, id string) (*ticket.Ticket, error) {
	return s.getTicket(ctx, id, true)
}

// GetTicketMeta reads a ticket without unsealing its contact, for code that
// only needs status, version or routing.
func (s *Store) GetTicketMeta(ctx context.Context, id string) (*ticket.Ticket, error) {
	return s.getTicket(ctx, id, false)
}

func (s *Store) getTicket(ctx context.Context, id string, unseal bool) (*ticket.Ticket, error) {
	if id == "" || strings.Contains(id, "#") {
		return nil, &ports.NotFoundError{Kind: "ticket", ID: id}
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(ticketPK(id), skMeta), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("store: get ticket %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, &ports.NotFoundError{Kind: "ticket", ID: id}
	}
	return s.decodeTicket(ctx, out.Item, unseal)
}

// decodeTicket builds a ticket from its item. Listings pass unseal=false:
// they do not need the contact, and skipping it keeps personal data (and,
// with KMS, a decrypt call per item) out of bulk reads.
func (s *Store) decodeTicket(ctx context.Context, item map[string]types.AttributeValue, unseal bool) (*ticket.Ticket, error) {
	pk := strAttr(item, attrPK)
	var t ticket.Ticket
	doc, err := docOf(item)
	if err != nil {
		return nil, fmt.Errorf("store: decode ticket item %s: %w", pk, err)
	}
	if err := json.Unmarshal(doc, &t); err != nil {
		return nil, fmt.Errorf("store: decode ticket item %s: %w", pk, err)
	}
	t.ID = strings.TrimPrefix(pk, "TICKET#")
	t.Status = ticket.Status(strAttr(item, attrStatus))
	v, err := numAttr(item, attrVersion)
	if err != nil {
		return nil, fmt.Errorf("store: decode ticket %s: %w", t.ID, err)
	}
	t.Version = v
	t.AccessCodeHash = strAttr(item, attrAccessHash)
	t.TaskToken = strAttr(item, attrTaskToken)
	if b, ok := item[attrContact].(*types.AttributeValueMemberB); ok && unseal {
		plain, err := s.sealer.Open(ctx, b.Value, []byte(t.ID))
		if err != nil {
			return nil, fmt.Errorf("store: open contact of ticket %s: %w", t.ID, err)
		}
		var c ticket.Contact
		if err := json.Unmarshal(plain, &c); err != nil {
			// Do not wrap: the decoder's message may quote the plaintext.
			return nil, fmt.Errorf("store: decode contact of ticket %s: invalid JSON", t.ID)
		}
		t.Contact = &c
	}
	return &t, nil
}

// SaveTicket writes t if it is still at t.Version and in expectedStatus, as
// version t.Version+1, together with events, in one transaction. The store
// sets each event's TicketID and Seq (new version × 100 + index); the caller's
// slice is not changed. A lost race or a wrong status gives *ports.ConflictError; a
// missing ticket *ports.NotFoundError. On success t.Version is the new version.
//
// The contact, access code hash and creation-time indexes are write-once
// (set by CreateTicket) so saving a ticket read from a listing, whose Contact
// is nil, cannot erase them.
func (s *Store) SaveTicket(ctx context.Context, t *ticket.Ticket, expectedStatus ticket.Status, events ...ticket.Event) error {
	if err := validTicket(t); err != nil {
		return err
	}
	if len(events) > eventsPerSave {
		return &InvalidArgumentError{What: fmt.Sprintf("%d events in one save, at most %d", len(events), eventsPerSave)}
	}
	if err := checkStatusChain(expectedStatus, t.Status, events); err != nil {
		return fmt.Errorf("store: save ticket %s: %w", t.ID, err)
	}
	// Read first (minidyn workaround 1, minidyn.go): the item is replaced as
	// a whole, so the write-once attributes are carried over from the stored
	// item. The put is conditional on the version read here, so they cannot
	// have changed.
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(ticketPK(t.ID), skMeta), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("store: save ticket %s: read current: %w", t.ID, err)
	}
	if out.Item == nil {
		return &ports.NotFoundError{Kind: "ticket", ID: t.ID}
	}
	if err := checkCurrent(out.Item, t, expectedStatus); err != nil {
		return err
	}

	nt := *t
	nt.Version = t.Version + 1
	events = stampEvents(t.ID, nt.Version, events, s.now)
	nt.Tally.Counted = slices.Clone(t.Tally.Counted)
	counters, err := s.counterWrites(s.addCounters(nil, nt.Count(events)))
	if err != nil {
		return fmt.Errorf("store: save ticket %s: %w", t.ID, err)
	}
	item, err := mutableAttrs(&nt)
	if err != nil {
		return err
	}
	for k, v := range item {
		if v == nil {
			delete(item, k)
		}
	}
	for _, k := range []string{attrPK, attrSK, attrEntity, attrContact, attrAccessHash, attrGSI3PK, attrGSI3SK, attrGSI4PK, attrGSI4SK, attrGSI7PK, attrGSI7SK} {
		if v, ok := out.Item[k]; ok {
			item[k] = v
		}
	}
	// A full Put rather than an UpdateItem with SET/REMOVE
	// (minidyn workaround 1, minidyn.go): both are atomic and conditional on
	// DynamoDB, but minidyn mis-indexes an item that enters a GSI through
	// UpdateItem.
	items := []types.TransactWriteItem{{Put: &types.Put{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      aws.String("#v = :expv AND #st = :exps"),
		ExpressionAttributeNames: map[string]string{"#v": attrVersion, "#st": attrStatus},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":expv": num(int64(t.Version)), ":exps": str(string(expectedStatus)),
		},
	}}}
	// The stored ticket tells which assignment items exist and what they say.
	prev, err := s.decodeTicket(ctx, out.Item, false)
	if err != nil {
		return fmt.Errorf("store: save ticket %s: %w", t.ID, err)
	}
	for _, e := range events {
		put, err := s.putEvent(t.ID, e)
		if err != nil {
			return err
		}
		items = append(items, put)
	}
	// The co-handlers' assignment items change in this same transaction,
	// before the counters: counterConflictOnly relies on those coming last.
	coItems, err := s.coWrites(prev, storedCoDepts(out.Item), &nt)
	if err != nil {
		return err
	}
	items = append(items, coItems...)
	// Answers to waiting workflow steps: saved with the change or not at all.
	// nt shares t's Outbox, so the keys set here reach the caller.
	items = append(items, s.outboxWrites(&nt, nt.Version, s.now())...)
	// Files attached by this save: each upload is used once, or the save fails.
	firstUpload := len(items)
	uploads := s.uploadWrites(prev, &nt, s.now())
	items = append(items, uploads...)
	// The counters ride in the same transaction as the status change that
	// causes them: a save that loses its race adds nothing, a retried one
	// (after a conflict) adds once. That is the exactly-once the rates need.
	firstCounter := len(items)
	items = append(items, counters...)
	if len(items) > maxTransactItems {
		return &InvalidArgumentError{What: fmt.Sprintf("save of ticket %s needs %d transaction items, at most %d", t.ID, len(items), maxTransactItems)}
	}
	if len(items) == 1 {
		// A change of the ticket alone (a step parking its token): one
		// conditional write, half the units of a transaction of one.
		put := items[0].Put
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
			ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues})
		if ccf := (*types.ConditionalCheckFailedException)(nil); errors.As(err, &ccf) {
			return &ports.ConflictError{Kind: "ticket", ID: t.ID, Reason: "changed concurrently"}
		}
		if err != nil {
			return fmt.Errorf("store: save ticket %s: %w", t.ID, err)
		}
		t.Version, t.Tally = nt.Version, nt.Tally
		return nil
	}
	for attempt := 0; ; attempt++ {
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			t.Version, t.Tally = nt.Version, nt.Tally
			return nil
		}
		reasons, ok := cancelReasons(err)
		if !ok {
			return fmt.Errorf("store: save ticket %s: %w", t.ID, err)
		}
		switch {
		case counterConflictOnly(reasons, firstCounter) && attempt < counterAttempts-1:
			// Another ticket's save touched the same daily counter (a hot
			// department on a busy day). The ticket's own condition held, so
			// trying the same transaction again is safe and cannot count twice.
			if err := backoff(ctx, attempt); err != nil {
				return fmt.Errorf("store: save ticket %s: %w", t.ID, err)
			}
			continue
		case reasonAt(reasons, 0) == reasonConditionFailed, hasReason(reasons, reasonTransactionConflict):
			return &ports.ConflictError{Kind: "ticket", ID: t.ID, Reason: "changed concurrently"}
		case usedUpload(reasons, items, firstUpload, len(uploads)) != "":
			return &ports.UploadUsedError{ID: usedUpload(reasons, items, firstUpload, len(uploads))}
		case hasReason(reasons, reasonConditionFailed):
			// An event key already exists: another save at this version won.
			return &ports.ConflictError{Kind: "ticket", ID: t.ID, Reason: "timeline entry already written"}
		default:
			return fmt.Errorf("store: save ticket %s: %w", t.ID, err)
		}
	}
}

// stampEvents returns a copy of the events of a save with the ticket id,
// the time (now when unset) and Seq = version × 100 + index.
func stampEvents(id string, version int, events []ticket.Event, now func() time.Time) []ticket.Event {
	out := make([]ticket.Event, len(events))
	for i, e := range events {
		e.TicketID = id
		if e.At.IsZero() {
			e.At = now()
		}
		e.Seq = version*seqFactor + i
		out[i] = e
	}
	return out
}

// counterConflictOnly reports whether a cancelled transaction failed only
// because a counter item (at index first or later) was in another
// transaction at the same time.
func counterConflictOnly(reasons []string, first int) bool {
	conflict := false
	for i, r := range reasons {
		switch {
		case r == "" || r == "None":
		case i >= first && r == reasonTransactionConflict:
			conflict = true
		default:
			return false
		}
	}
	return conflict
}

// checkCurrent compares the stored ticket with what the caller expects, so
// most conflicts are answered without a write.
func checkCurrent(item map[string]types.AttributeValue, t *ticket.Ticket, expected ticket.Status) error {
	v, err := numAttr(item, attrVersion)
	if err != nil {
		return fmt.Errorf("store: save ticket %s: %w", t.ID, err)
	}
	if v != t.Version {
		return &ports.ConflictError{Kind: "ticket", ID: t.ID, Reason: fmt.Sprintf("stale version %d, current is %d", t.Version, v)}
	}
	if cur := ticket.Status(strAttr(item, attrStatus)); cur != expected {
		return &ports.ConflictError{Kind: "ticket", ID: t.ID, Reason: fmt.Sprintf("status is %s, not %s", cur, expected)}
	}
	return nil
}

// Events returns the ticket's timeline in chronological order. A ticket that
// does not exist gives *ports.NotFoundError.
func (s *Store) Events(ctx context.Context, id string) ([]ticket.Event, error) {
	if id == "" || strings.Contains(id, "#") {
		return nil, &ports.NotFoundError{Kind: "ticket", ID: id}
	}
	// One query over the whole partition: EVENT#… sorts before META, so the
	// same read also tells whether the ticket exists.
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(ticketPK(id))},
		ConsistentRead:            aws.Bool(true),
	}
	var (
		evs  []ticket.Event
		seen bool
	)
	err := s.queryPages(ctx, in, "events of ticket "+id, func(items []map[string]types.AttributeValue) error {
		for _, item := range items {
			sk := strAttr(item, attrSK)
			if sk == skMeta {
				seen = true
				continue
			}
			if !strings.HasPrefix(sk, "EVENT#") {
				continue
			}
			var e ticket.Event
			if err := json.Unmarshal([]byte(strAttr(item, attrDoc)), &e); err != nil {
				return fmt.Errorf("store: decode event %s of ticket %s: %w", sk, id, err)
			}
			evs = append(evs, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !seen {
		return nil, &ports.NotFoundError{Kind: "ticket", ID: id}
	}
	return evs, nil
}

// checkStatusChain refuses a save whose status change the transition table does
// not allow. One save may take several steps (received → in_review → rejected
// when review decides at once); its events then name each step, in order.
func checkStatusChain(from, to ticket.Status, events []ticket.Event) error {
	cur := from
	for _, e := range events {
		if e.To == "" {
			continue
		}
		if e.From != cur {
			return &ticket.TransitionError{From: cur, To: e.To}
		}
		if err := ticket.CheckTransition(cur, e.To); err != nil {
			return err
		}
		cur = e.To
	}
	if cur != to {
		return ticket.CheckTransition(cur, to)
	}
	return nil
}
