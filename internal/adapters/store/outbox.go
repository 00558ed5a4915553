package store

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// The outbox: answers to waiting workflow steps (ticket.Callback) are written
// in the same transaction as the change that causes them and deleted once
// Step Functions has them. Items live under OUTBOX#<shard>, sorted by the
// time they were written, so the sweep finds the old ones with one query per
// shard and no index; they are few (most are deleted within the request).
const (
	entityOutbox = "outbox"
	attrOutput   = "output"
	attrFailure  = "failure" // the step failure an answer names, if any
	attrAt       = "at"
	outboxShards = 4
)

func outboxPK(ticketID string) string {
	h := fnv.New32a()
	h.Write([]byte(ticketID))
	return fmt.Sprintf("OUTBOX#%d", h.Sum32()%outboxShards)
}

// outboxSK orders a shard by time; version and index make it unique per save.
func outboxSK(at time.Time, ticketID string, version, i int) string {
	return fmt.Sprintf("%s#%s#%d#%d", at.UTC().Format(timeKey), ticketID, version, i)
}

// outboxWrites are the puts of the callbacks a save queues; keys are set on
// the callbacks so the caller can delete them once delivered.
func (s *Store) outboxWrites(t *ticket.Ticket, version int, at time.Time) []types.TransactWriteItem {
	var items []types.TransactWriteItem
	for i := range t.Outbox {
		cb := &t.Outbox[i]
		cb.Key = outboxSK(at, t.ID, version, i)
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table),
			Item: map[string]types.AttributeValue{
				attrPK: str(outboxPK(t.ID)), attrSK: str(cb.Key), attrEntity: str(entityOutbox),
				attrTicketID: str(t.ID), attrTaskToken: str(cb.Token), attrOutput: str(string(cb.Output)),
				attrAt: str(at.UTC().Format(timeKey)),
			},
		}})
		if cb.Failure != "" {
			items[len(items)-1].Put.Item[attrFailure] = str(cb.Failure)
		}
	}
	return items
}

// PendingCallbacks lists the outbox items written at or before upTo, oldest
// first within each shard.
func (s *Store) PendingCallbacks(ctx context.Context, upTo time.Time) ([]ports.PendingCallback, error) {
	// Every key written at upTo is "<upTo>#…", and '$' sorts right after '#'.
	bound := upTo.UTC().Format(timeKey) + "$"
	var out []ports.PendingCallback
	for shard := range outboxShards {
		in := &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			KeyConditionExpression:    aws.String("#pk = :pk AND #sk < :bound"),
			ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(fmt.Sprintf("OUTBOX#%d", shard)), ":bound": str(bound)},
			ConsistentRead:            aws.Bool(true),
		}
		err := s.queryPages(ctx, in, fmt.Sprintf("list outbox shard %d", shard), func(items []map[string]types.AttributeValue) error {
			for _, it := range items {
				cb, err := decodeCallback(it)
				if err != nil {
					return err
				}
				out = append(out, cb)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeCallback(it map[string]types.AttributeValue) (ports.PendingCallback, error) {
	sk := strAttr(it, attrSK)
	at, err := time.Parse(timeKey, strAttr(it, attrAt))
	if err != nil {
		return ports.PendingCallback{}, fmt.Errorf("store: outbox item %s: bad time: %w", sk, err)
	}
	out := strAttr(it, attrOutput)
	if !json.Valid([]byte(out)) {
		return ports.PendingCallback{}, fmt.Errorf("store: outbox item %s: output is not JSON", sk)
	}
	cb := ports.PendingCallback{TicketID: strAttr(it, attrTicketID), At: at,
		Callback: ticket.Callback{Key: sk, Token: strAttr(it, attrTaskToken), Output: json.RawMessage(out), Failure: strAttr(it, attrFailure)}}
	if cb.TicketID == "" || cb.Token == "" || !strings.Contains(sk, "#"+cb.TicketID+"#") {
		return ports.PendingCallback{}, fmt.Errorf("store: outbox item %s is incomplete", sk)
	}
	return cb, nil
}

// DeleteCallback removes a delivered callback; deleting one already gone is
// not an error (the request and the sweep may both deliver it).
func (s *Store) DeleteCallback(ctx context.Context, ticketID, callbackKey string) error {
	if err := checkKeyPart("ticket id", ticketID); err != nil {
		return err
	}
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key(outboxPK(ticketID), callbackKey)})
	if err != nil {
		return fmt.Errorf("store: delete outbox item of ticket %s: %w", ticketID, err)
	}
	return nil
}
