package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
)

// SMS receipt links are items SMSRECEIPT#<provider serial number> / META
// naming the ticket and the kind of message sent, so a delivery receipt
// (which names only the serial number and the phone) can flag the ticket.
// TTL deletes them after SMSReceiptLinkLifetime: carriers report within
// 72 hours, later receipts find nothing and are only counted.
const (
	attrSMSTicket = "smsTicket"
	attrSMSKind   = "smsKind"
)

// SMSReceiptLinkLifetime is how long a link is kept.
const SMSReceiptLinkLifetime = 4 * 24 * time.Hour

func smsReceiptKey(serialNo string) map[string]types.AttributeValue {
	return key("SMSRECEIPT#"+serialNo, skMeta)
}

// KeepSMSReceipt links a sent SMS's serial number to its ticket
// (notify.SMSReceiptKeeper). A repeat overwrites: the same serial number is
// the same message.
func (s *Store) KeepSMSReceipt(ctx context.Context, serialNo, ticketID string, kind ports.SMSKind) error {
	if err := checkKeyPart("sms serial number", serialNo); err != nil {
		return err
	}
	item := smsReceiptKey(serialNo)
	item[attrEntity] = str("smsReceipt")
	item[attrSMSTicket] = str(ticketID)
	item[attrSMSKind] = str(string(kind))
	item[attrTTL] = num(s.now().Add(SMSReceiptLinkLifetime).Unix())
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fmt.Errorf("store: keep sms receipt link: %w", err)
	}
	return nil
}

// SMSReceiptTicket names the ticket and kind of the SMS with serialNo;
// ok is false when no link is kept (never made, or expired).
func (s *Store) SMSReceiptTicket(ctx context.Context, serialNo string) (ticketID string, kind ports.SMSKind, ok bool, err error) {
	if checkKeyPart("sms serial number", serialNo) != nil {
		return "", "", false, nil
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: smsReceiptKey(serialNo)})
	if err != nil {
		return "", "", false, fmt.Errorf("store: read sms receipt link: %w", err)
	}
	if out.Item == nil {
		return "", "", false, nil
	}
	// TTL deletes late; an expired link is as good as gone.
	if exp, err := numAttr(out.Item, attrTTL); err == nil && int64(exp) < s.now().Unix() {
		return "", "", false, nil
	}
	return strAttr(out.Item, attrSMSTicket), ports.SMSKind(strAttr(out.Item, attrSMSKind)), true, nil
}
