package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The indexes project keys only (Schema): a ticket's save then writes an
// index only when that index's key changes, not on every change of the
// ticket, and a write-once key (the citizen, the filing day) costs one index
// write in the ticket's life. A listing pays instead: it reads the listed
// items from the table, 0.5 read units each, five times cheaper a unit than
// the writes saved (docs/cost.md).

// batchGetKeys is DynamoDB's limit on the keys of one BatchGetItem.
const batchGetKeys = 100

// hydrate replaces index entries (keys only) with their table items, in
// order. An item deleted since the index listed it is nil; items that are
// already whole are kept as they are.
func (s *Store) hydrate(ctx context.Context, entries []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	out := make([]map[string]types.AttributeValue, len(entries))
	var want []map[string]types.AttributeValue
	at := map[string][]int{}
	for i, e := range entries {
		if _, whole := e[attrEntity]; whole {
			out[i] = e
			continue
		}
		k := itemID(e)
		if _, seen := at[k]; !seen {
			want = append(want, map[string]types.AttributeValue{attrPK: e[attrPK], attrSK: e[attrSK]})
		}
		at[k] = append(at[k], i)
	}
	err := s.batchGet(ctx, want, false, func(it map[string]types.AttributeValue) error {
		for _, i := range at[itemID(it)] {
			out[i] = it
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: read listed items: %w", err)
	}
	return out, nil
}

// batchGet reads the items of keys, a BatchGetItem per hundred, and hands
// each to fn; keys without an item are skipped.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue, consistent bool, fn func(map[string]types.AttributeValue) error) error {
	for len(keys) > 0 {
		n := min(len(keys), batchGetKeys)
		batch := keys[:n]
		keys = keys[n:]
		for len(batch) > 0 {
			res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				s.table: {Keys: batch, ConsistentRead: aws.Bool(consistent)},
			}})
			if err != nil {
				return err
			}
			for _, it := range res.Responses[s.table] {
				if err := fn(it); err != nil {
					return err
				}
			}
			// DynamoDB may leave keys for later under load; ask again.
			batch = res.UnprocessedKeys[s.table].Keys
		}
	}
	return nil
}

// itemID is an item's table key as one string.
func itemID(item map[string]types.AttributeValue) string {
	return strAttr(item, attrPK) + "\x00" + strAttr(item, attrSK)
}
