package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// An upload handed out by POST /v1/uploads is one item, UPLOAD#<id> / META,
// until TTL removes it a day after it expires. A ticket's save that attaches
// it marks it used in the same transaction, on the condition that it is
// still issued and unexpired: an upload becomes one attachment, once, even
// when two requests race to attach it.
const (
	attrPurpose  = "purpose"
	attrOwner    = "owner"
	attrCType    = "ctype"
	attrMaxBytes = "maxBytes"
	attrName     = "name"
	attrUploadSt = "st"
	attrClean    = "clean"  // ready: the clean copy (JSON of ports.CleanFile)
	attrReason   = "reason" // rejected: the reason code
	attrMessage  = "message"
)

func uploadKey(id string) map[string]types.AttributeValue { return key("UPLOAD#"+id, skMeta) }

// PutUpload records an upload handed out; an id in use is refused.
func (s *Store) PutUpload(ctx context.Context, u ports.Upload) error {
	if !ticket.ValidUploadID(u.ID) {
		return &InvalidArgumentError{What: "upload id " + strconv.Quote(u.ID)}
	}
	item := uploadKey(u.ID)
	item[attrEntity] = str("upload")
	item[attrPurpose] = str(string(u.Purpose))
	item[attrOwner] = str(u.Owner)
	item[attrCType] = str(u.ContentType)
	item[attrMaxBytes] = num(u.MaxBytes)
	if u.Name != "" {
		item[attrName] = str(u.Name)
	}
	item[attrExpiresUnix] = num(u.ExpiresAt.Unix())
	item[attrUploadSt] = str(ports.UploadIssued)
	item[attrTTL] = num(u.ExpiresAt.Add(24 * time.Hour).Unix())
	if err := s.putNew(ctx, item); err != nil {
		return fmt.Errorf("store: save upload %s: %w", u.ID, err)
	}
	return nil
}

// GetUploads reads the uploads of ids (strongly consistent); ids not found
// (never issued, or removed by TTL) are absent from the answer.
func (s *Store) GetUploads(ctx context.Context, ids []string) (map[string]ports.Upload, error) {
	var keys []map[string]types.AttributeValue
	for _, id := range ids {
		if ticket.ValidUploadID(id) {
			keys = append(keys, uploadKey(id))
		}
	}
	out := make(map[string]ports.Upload, len(keys))
	err := s.batchGet(ctx, keys, true, func(it map[string]types.AttributeValue) error {
		u, err := decodeUpload(it)
		if err == nil {
			out[u.ID] = u
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: read uploads: %w", err)
	}
	return out, nil
}

func decodeUpload(item map[string]types.AttributeValue) (ports.Upload, error) {
	pk := strAttr(item, attrPK)
	id := pk[len("UPLOAD#"):]
	maxBytes, err1 := numAttr(item, attrMaxBytes)
	exp, err2 := numAttr(item, attrExpiresUnix)
	if err := errors.Join(err1, err2); err != nil {
		return ports.Upload{}, fmt.Errorf("store: upload %s: %w", id, err)
	}
	u := ports.Upload{
		ID:          id,
		Purpose:     ticket.Purpose(strAttr(item, attrPurpose)),
		Owner:       strAttr(item, attrOwner),
		ContentType: strAttr(item, attrCType),
		MaxBytes:    int64(maxBytes),
		Name:        strAttr(item, attrName),
		ExpiresAt:   time.Unix(int64(exp), 0).UTC(),
		Status:      strAttr(item, attrUploadSt),
		TicketID:    strAttr(item, attrTicketID),
		Reason:      strAttr(item, attrReason),
		Message:     strAttr(item, attrMessage),
	}
	if c := strAttr(item, attrClean); c != "" {
		u.Clean = &ports.CleanFile{}
		if err := json.Unmarshal([]byte(c), u.Clean); err != nil {
			return ports.Upload{}, fmt.Errorf("store: upload %s: clean copy: %w", id, err)
		}
	}
	return u, nil
}

// SettleUpload records the check of an issued upload: ready with its clean
// copy, or rejected with the reason. It answers the upload as stored; when
// another check settled it first, that one's outcome.
func (s *Store) SettleUpload(ctx context.Context, u ports.Upload) (ports.Upload, error) {
	if !ticket.ValidUploadID(u.ID) {
		return ports.Upload{}, &InvalidArgumentError{What: "upload id " + strconv.Quote(u.ID)}
	}
	set := "SET #st = :st, #reason = :reason, #message = :message"
	values := map[string]types.AttributeValue{
		":st": str(u.Status), ":issued": str(ports.UploadIssued), ":reason": str(u.Reason), ":message": str(u.Message),
	}
	names := map[string]string{"#st": attrUploadSt, "#reason": attrReason, "#message": attrMessage}
	switch u.Status {
	case ports.UploadReady:
		c, err := json.Marshal(u.Clean)
		if err != nil || u.Clean == nil {
			return ports.Upload{}, &InvalidArgumentError{What: "a ready upload needs its clean copy"}
		}
		set += ", #clean = :clean"
		names["#clean"] = attrClean
		values[":clean"] = str(string(c))
	case ports.UploadRejected:
	default:
		return ports.Upload{}, &InvalidArgumentError{What: "an upload settles as ready or rejected, not " + u.Status}
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: uploadKey(u.ID),
		UpdateExpression:          aws.String(set),
		ConditionExpression:       aws.String("#st = :issued"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		got, err := s.GetUploads(ctx, []string{u.ID})
		if err != nil {
			return ports.Upload{}, err
		}
		stored, ok := got[u.ID]
		if !ok {
			return ports.Upload{}, &ports.NotFoundError{Kind: "upload", ID: u.ID}
		}
		return stored, nil
	case err != nil:
		return ports.Upload{}, fmt.Errorf("store: settle upload %s: %w", u.ID, err)
	}
	return u, nil
}

// uploadWrites marks used the uploads that next attaches and prev did not
// (nil prev: a new ticket), each on the condition that it is issued and not
// expired at now.
func (s *Store) uploadWrites(prev, next *ticket.Ticket, now time.Time) []types.TransactWriteItem {
	var items []types.TransactWriteItem
	for _, a := range next.Attachments {
		if prev != nil && slices.ContainsFunc(prev.Attachments, func(p ticket.Attachment) bool { return p.ID == a.ID }) {
			continue
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                aws.String(s.table),
			Key:                      uploadKey(a.ID),
			UpdateExpression:         aws.String("SET #st = :used, #t = :t"),
			ConditionExpression:      aws.String("#st IN (:issued, :ready) AND #exp > :now"),
			ExpressionAttributeNames: map[string]string{"#st": attrUploadSt, "#t": attrTicketID, "#exp": attrExpiresUnix},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":used": str(ports.UploadUsed), ":issued": str(ports.UploadIssued), ":ready": str(ports.UploadReady),
				":t": str(next.ID), ":now": num(now.Unix()),
			},
		}})
	}
	return items
}

// usedUpload names the upload whose condition failed among the upload writes
// starting at first, or "".
func usedUpload(reasons []string, items []types.TransactWriteItem, first, n int) string {
	for i := first; i < first+n && i < len(items); i++ {
		if reasonAt(reasons, i) == reasonConditionFailed {
			pk := items[i].Update.Key[attrPK].(*types.AttributeValueMemberS).Value
			return pk[len("UPLOAD#"):]
		}
	}
	return ""
}
