package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

const (
	// DefaultPageSize is used when a listing is asked for limit <= 0.
	DefaultPageSize = 50
	// MaxPageSize caps one page of a listing.
	MaxPageSize = 100

	maxCursorLen  = 2048
	maxCursorPart = 1024
)

// indexKeys names the attributes of a LastEvaluatedKey on each index.
func indexKeys(index string) (pk, sk string) {
	switch index {
	case IndexInbox:
		return attrGSI1PK, attrGSI1SK
	case IndexReview:
		return attrGSI2PK, attrGSI2SK
	case IndexContact:
		return attrGSI3PK, attrGSI3SK
	case IndexDay:
		return attrGSI4PK, attrGSI4SK
	case IndexPlace:
		return attrGSI5PK, attrGSI5SK
	case IndexEscalated:
		return attrGSI6PK, attrGSI6SK
	case IndexChannel:
		return attrGSI7PK, attrGSI7SK
	}
	return "", ""
}

// encodeCursor makes an opaque cursor of a LastEvaluatedKey ("" at the end).
func encodeCursor(lek map[string]types.AttributeValue) (string, error) {
	if len(lek) == 0 {
		return "", nil
	}
	m := make(map[string]string, len(lek))
	for k, v := range lek {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("store: page key attribute %s is not a string", k)
		}
		m[k] = s.Value
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("store: encode cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeCursor parses a cursor for a query of index on partition pkValue. It
// accepts only what encodeCursor produced for that same query, so a client
// cannot use a cursor to read another department's partition or inject
// arbitrary keys.
func decodeCursor(cursor, index, pkValue string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	if len(cursor) > maxCursorLen {
		return nil, &ports.CursorError{Reason: "too long"}
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, &ports.CursorError{Reason: "not base64url"}
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, &ports.CursorError{Reason: "not a key object"}
	}
	ipk, isk := indexKeys(index)
	want := map[string]bool{attrPK: true, attrSK: true, ipk: true, isk: true}
	if len(m) != len(want) {
		return nil, &ports.CursorError{Reason: "wrong set of key attributes"}
	}
	for k, v := range m {
		if !want[k] {
			return nil, &ports.CursorError{Reason: "unexpected key attribute"}
		}
		if v == "" || len(v) > maxCursorPart {
			return nil, &ports.CursorError{Reason: "empty or oversized key attribute"}
		}
	}
	if m[ipk] != pkValue {
		return nil, &ports.CursorError{Reason: "cursor belongs to another listing"}
	}
	if !strings.HasPrefix(m[attrPK], "TICKET#") || m[attrSK] != coPartitionSK(pkValue) {
		return nil, &ports.CursorError{Reason: "cursor does not point at a ticket"}
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		out[k] = str(v)
	}
	return out, nil
}

func pageSize(limit int) int32 {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return int32(limit)
}

// page runs one query page on index partition pk and decodes the tickets.
func (s *Store) page(ctx context.Context, index, pk string, limit int, cursor string, what string) ([]ticket.Ticket, string, error) {
	start, err := decodeCursor(cursor, index, pk)
	if err != nil {
		return nil, "", err
	}
	ipk, _ := indexKeys(index)
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": ipk},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		Limit:                     aws.Int32(pageSize(limit)),
		ExclusiveStartKey:         start,
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: %s: %w", what, err)
	}
	items, err := s.decodeTickets(ctx, out.Items)
	if err != nil {
		return nil, "", err
	}
	next, err := encodeCursor(out.LastEvaluatedKey)
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// decodeTickets reads the items an index listed and decodes them.
func (s *Store) decodeTickets(ctx context.Context, entries []map[string]types.AttributeValue) ([]ticket.Ticket, error) {
	items, err := s.hydrate(ctx, entries)
	if err != nil {
		return nil, err
	}
	out := make([]ticket.Ticket, 0, len(items))
	for _, it := range items {
		if it == nil {
			continue // deleted since it was listed
		}
		if isCoItem(it) {
			t, err := decodeCoItem(it)
			if err != nil {
				return nil, err
			}
			out = append(out, *t)
			continue
		}
		t, err := s.decodeTicket(ctx, it, false)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, nil
}

// DepartmentInbox lists the lead department's tickets in a status (or the
// ticket.InboxOverdue tab), earliest reply deadline first (tickets without one last).
// The ticket.InboxCo tab lists the open tickets the department co-handles, from
// their assignment items: only id, type, category, status, lead department,
// creation time, reply deadline and the overdue flag are set.
// Pass the returned cursor to get the next page; "" means there is none.
// Listed tickets have Contact nil.
func (s *Store) DepartmentInbox(ctx context.Context, deptID string, status ticket.Status, limit int, cursor string) ([]ticket.Ticket, string, error) {
	if err := checkKeyPart("department id", deptID); err != nil {
		return nil, "", err
	}
	if !status.Valid() && status != ticket.InboxOverdue && status != ticket.InboxCo {
		return nil, "", &InvalidArgumentError{What: "unknown status"}
	}
	return s.page(ctx, IndexInbox, inboxPK(deptID, status), limit, cursor, "department inbox "+deptID)
}

// ReviewQueue lists tickets waiting for an operator (manual review, returned,
// extension requested), oldest first. Listed tickets have Contact nil.
func (s *Store) ReviewQueue(ctx context.Context, limit int, cursor string) ([]ticket.Ticket, string, error) {
	return s.page(ctx, IndexReview, gsiReview, limit, cursor, "review queue")
}

// EscalatedTickets lists the escalated tickets (督办), open or closed
// unsatisfied after the last reopen, oldest first.
func (s *Store) EscalatedTickets(ctx context.Context, limit int, cursor string) ([]ticket.Ticket, string, error) {
	return s.page(ctx, IndexEscalated, gsiEscalated, limit, cursor, "escalated tickets")
}

// StuckTickets lists the tickets whose workflow stopped, longest stuck first.
func (s *Store) StuckTickets(ctx context.Context, limit int, cursor string) ([]ticket.Ticket, string, error) {
	return s.page(ctx, IndexReview, gsiStuck, limit, cursor, "stuck tickets")
}

// queryPages runs a query to its last page, handing each page's items to fn.
func (s *Store) queryPages(ctx context.Context, in *dynamodb.QueryInput, what string, fn func(items []map[string]types.AttributeValue) error) error {
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		if err := fn(res.Items); err != nil {
			return err
		}
		if len(res.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// all reads every ticket of an index partition whose sort key is >= from.
func (s *Store) all(ctx context.Context, index, pk, from, what string) ([]ticket.Ticket, error) {
	ipk, isk := indexKeys(index)
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk >= :from"),
		ExpressionAttributeNames:  map[string]string{"#pk": ipk, "#sk": isk},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":from": str(from)},
	}
	var out []ticket.Ticket
	err := s.queryPages(ctx, in, what, func(items []map[string]types.AttributeValue) error {
		ts, err := s.decodeTickets(ctx, items)
		out = append(out, ts...)
		return err
	})
	return out, err
}

// TicketsByContact lists the tickets filed since the given time by the
// citizen with this blind index (see ContactIndex), oldest first. It serves
// duplicate detection. Listed tickets have Contact nil.
func (s *Store) TicketsByContact(ctx context.Context, blindIndex string, since time.Time) ([]ticket.Ticket, error) {
	if err := checkKeyPart("blind index", blindIndex); err != nil {
		return nil, err
	}
	// "0" sorts before every digit, so a zero since still means "all".
	from := "0"
	if !since.IsZero() {
		from = since.UTC().Format(timeKey)
	}
	return s.all(ctx, IndexContact, "CONTACT#"+blindIndex, from, "tickets by contact")
}

// TicketsByPlace lists the tickets of a category in a region (division code)
// created since, oldest first: the candidates for the same matter reported
// by several citizens. Listed tickets have Contact nil.
func (s *Store) TicketsByPlace(ctx context.Context, category, region string, since time.Time) ([]ticket.Ticket, error) {
	if err := checkKeyPart("category", category); err != nil {
		return nil, err
	}
	if err := checkKeyPart("region", region); err != nil {
		return nil, err
	}
	return s.all(ctx, IndexPlace, placePK(category, region), since.UTC().Format(timeKey), "tickets by place")
}

// TicketsByDay lists the tickets created on the calendar day (in the store's
// time zone) that contains day, oldest first. Listed tickets have Contact nil.
func (s *Store) TicketsByDay(ctx context.Context, day time.Time) ([]ticket.Ticket, error) {
	d := day.In(s.loc).Format(dayKey)
	var out []ticket.Ticket
	for shard := 0; shard < dayShards; shard++ {
		ts, err := s.all(ctx, IndexDay, fmt.Sprintf("DAY#%s#%d", d, shard), "0", "tickets of "+d)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
