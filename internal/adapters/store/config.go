package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// ConfigItem is one admin-managed configuration entry.
type ConfigItem struct {
	ID      string
	Version int
	Value   json.RawMessage
}

func confPK(kind string) string { return "CONF#" + kind }

// PutConfig stores value (as JSON) under kind/id if the stored version is
// expectedVersion (0: must not exist yet), as version expectedVersion+1.
// A mismatch gives *ports.ConflictError.
func (s *Store) PutConfig(ctx context.Context, kind, id string, value any, expectedVersion int) error {
	if err := checkKeyPart("config kind", kind); err != nil {
		return err
	}
	if id == "" {
		return &InvalidArgumentError{What: "config id is empty"}
	}
	if expectedVersion < 0 {
		return &InvalidArgumentError{What: "expected config version is negative"}
	}
	b, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("store: encode config %s/%s: %w", kind, id, err)
	}
	item := key(confPK(kind), id)
	item[attrEntity] = str("config")
	item[attrValue] = str(string(b))
	item[attrVersion] = num(int64(expectedVersion) + 1)
	in := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}
	if expectedVersion == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#pk)")
		in.ExpressionAttributeNames = map[string]string{"#pk": attrPK}
	} else {
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeNames = map[string]string{"#v": attrVersion}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(int64(expectedVersion))}
	}
	_, err = s.db.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		// PutItem has no idempotency token: when the SDK retried a put whose
		// first attempt was written but whose answer was lost, the retry fails
		// its own condition. That is success, not a conflict.
		var stored json.RawMessage
		if v, gerr := s.GetConfig(ctx, kind, id, &stored); gerr == nil && v == expectedVersion+1 && jsonEqual(stored, b) {
			return nil
		}
		return &ports.ConflictError{Kind: "config", ID: kind + "/" + id, Reason: fmt.Sprintf("not at version %d", expectedVersion)}
	case err != nil:
		return fmt.Errorf("store: put config %s/%s: %w", kind, id, err)
	}
	return nil
}

// GetConfig decodes the value of kind/id into out and returns its version.
// A missing entry gives *ports.NotFoundError.
func (s *Store) GetConfig(ctx context.Context, kind, id string, out any) (int, error) {
	if err := checkKeyPart("config kind", kind); err != nil {
		return 0, err
	}
	if id == "" {
		return 0, &ports.NotFoundError{Kind: "config", ID: kind + "/"}
	}
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(confPK(kind), id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("store: get config %s/%s: %w", kind, id, err)
	}
	if res.Item == nil {
		return 0, &ports.NotFoundError{Kind: "config", ID: kind + "/" + id}
	}
	item, err := configItem(res.Item)
	if err != nil {
		return 0, fmt.Errorf("store: config %s/%s: %w", kind, id, err)
	}
	if out != nil {
		if err := json.Unmarshal(item.Value, out); err != nil {
			return 0, fmt.Errorf("store: decode config %s/%s: %w", kind, id, err)
		}
	}
	return item.Version, nil
}

// ListConfig returns every entry of a kind, ordered by id.
func (s *Store) ListConfig(ctx context.Context, kind string) ([]ConfigItem, error) {
	if err := checkKeyPart("config kind", kind); err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(confPK(kind))},
		ConsistentRead:            aws.Bool(true),
	}
	var out []ConfigItem
	err := s.queryPages(ctx, in, "list config "+kind, func(items []map[string]types.AttributeValue) error {
		for _, it := range items {
			ci, err := configItem(it)
			if err != nil {
				return fmt.Errorf("store: config %s/%s: %w", kind, strAttr(it, attrSK), err)
			}
			out = append(out, ci)
		}
		return nil
	})
	return out, err
}

func configItem(it map[string]types.AttributeValue) (ConfigItem, error) {
	v, err := numAttr(it, attrVersion)
	if err != nil {
		return ConfigItem{}, err
	}
	raw := strAttr(it, attrValue)
	if !json.Valid([]byte(raw)) {
		return ConfigItem{}, errors.New("stored value is not JSON")
	}
	return ConfigItem{ID: strAttr(it, attrSK), Version: v, Value: json.RawMessage(raw)}, nil
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
