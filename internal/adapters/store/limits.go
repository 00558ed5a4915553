package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// Limit counters are items LIMIT#<rule>#<subject> / <window start, Unix
// seconds> with the count in attrCount, one per window, that TTL deletes a
// window after it ends: a fixed-window count shared by every Lambda instance.

func limitKey(rule ports.LimitRule, subject string, now time.Time) (map[string]types.AttributeValue, time.Time) {
	w := rule.Window.Truncate(time.Second)
	if w < time.Second {
		w = time.Second
	}
	start := now.Truncate(w)
	return key("LIMIT#"+rule.Name+"#"+subject, strconv.FormatInt(start.Unix(), 10)), start.Add(w)
}

// Take counts one against the rule (ports.Limiter). The condition keeps the
// count at the limit, so racing requests never pass more than Limit.
func (s *Store) Take(ctx context.Context, rule ports.LimitRule, subject string, now time.Time) (bool, time.Duration, error) {
	if err := checkKeyPart("limit subject", subject); err != nil {
		return false, 0, err
	}
	k, end := limitKey(rule, subject, now)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       k,
		UpdateExpression:          aws.String("ADD #n :one SET #ttl = :ttl"),
		ConditionExpression:       aws.String("attribute_not_exists(#n) OR #n < :limit"),
		ExpressionAttributeNames:  map[string]string{"#n": attrCount, "#ttl": attrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":limit": num(int64(rule.Limit)), ":ttl": num(end.Add(rule.Window).Unix())},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		return false, end.Sub(now), nil
	case err != nil:
		return false, 0, fmt.Errorf("store: count %s: %w", rule.Name, err)
	}
	return true, 0, nil
}

// Full says whether the subject's window is full (ports.Limiter).
func (s *Store) Full(ctx context.Context, rule ports.LimitRule, subject string, now time.Time) (bool, time.Duration, error) {
	if err := checkKeyPart("limit subject", subject); err != nil {
		return false, 0, err
	}
	k, end := limitKey(rule, subject, now)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, 0, fmt.Errorf("store: read count %s: %w", rule.Name, err)
	}
	if out.Item == nil {
		return false, 0, nil
	}
	n, err := numAttr(out.Item, attrCount)
	if err != nil {
		return false, 0, fmt.Errorf("store: count %s: %w", rule.Name, err)
	}
	if n >= rule.Limit {
		return true, end.Sub(now), nil
	}
	return false, 0, nil
}

// Verifications are items VERIFY#<id> / META that TTL deletes when they
// expire.
const (
	skVerification  = skMeta
	attrChannel     = "channel"
	attrRecipient   = "recipient"
	attrCodeHash    = "codeHash"
	attrFailures    = "failures"
	attrExpiresUnix = "expires"
)

func verificationKey(id string) map[string]types.AttributeValue {
	return key("VERIFY#"+id, skVerification)
}

// PutVerification saves a new verification (ports.Verifications); ids are
// random, so an existing one is a bug, refused rather than overwritten.
func (s *Store) PutVerification(ctx context.Context, v ports.Verification) error {
	if err := checkKeyPart("verification id", v.ID); err != nil {
		return err
	}
	item := verificationKey(v.ID)
	item[attrEntity] = str("verification")
	item[attrChannel] = str(v.Channel)
	item[attrRecipient] = str(v.Recipient)
	item[attrCodeHash] = str(v.CodeHash)
	item[attrFailures] = num(0)
	item[attrExpiresUnix] = num(v.ExpiresAt.Unix())
	item[attrTTL] = num(v.ExpiresAt.Add(time.Hour).Unix())
	if err := s.putNew(ctx, item); err != nil {
		return fmt.Errorf("store: save verification %s: %w", v.ID, err)
	}
	return nil
}

// GetVerification reads a verification that has not expired.
func (s *Store) GetVerification(ctx context.Context, id string, now time.Time) (ports.Verification, error) {
	if checkKeyPart("verification id", id) != nil {
		return ports.Verification{}, &ports.NotFoundError{Kind: "verification", ID: id}
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: verificationKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return ports.Verification{}, fmt.Errorf("store: read verification %s: %w", id, err)
	}
	if out.Item == nil {
		return ports.Verification{}, &ports.NotFoundError{Kind: "verification", ID: id}
	}
	exp, err1 := numAttr(out.Item, attrExpiresUnix)
	failures, err2 := numAttr(out.Item, attrFailures)
	if err := errors.Join(err1, err2); err != nil {
		return ports.Verification{}, fmt.Errorf("store: verification %s: %w", id, err)
	}
	v := ports.Verification{
		ID: id, Channel: strAttr(out.Item, attrChannel), Recipient: strAttr(out.Item, attrRecipient),
		CodeHash: strAttr(out.Item, attrCodeHash), ExpiresAt: time.Unix(int64(exp), 0).UTC(), Failures: failures,
	}
	if !now.Before(v.ExpiresAt) {
		return ports.Verification{}, &ports.NotFoundError{Kind: "verification", ID: id}
	}
	return v, nil
}

// FailVerification counts a wrong code, up to maxFailures.
func (s *Store) FailVerification(ctx context.Context, id string, maxFailures int) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       verificationKey(id),
		UpdateExpression:          aws.String("ADD #f :one"),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND #f < :max"),
		ExpressionAttributeNames:  map[string]string{"#f": attrFailures, "#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":max": num(int64(maxFailures))},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("store: count a wrong code of verification %s: %w", id, err)
	}
	return true, nil
}
