package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// channelPK is the GSI7 partition of a channel whose tickets are listed
// publicly; false for the others. Only Open311 requests are: the GeoReport
// API lists them to anyone, while a ticket filed elsewhere is never shown
// without its access code.
func channelPK(c ticket.Channel) (string, bool) {
	if c != ticket.ChannelOpen311 {
		return "", false
	}
	return "CHANNEL#" + string(c), true
}

// channelPage is how many index entries one query of ChannelTickets reads.
const channelPage = 200

// ChannelTickets hands fn the tickets filed through channel (only
// ticket.ChannelOpen311 is indexed) at from <= createdAt < to, newest
// first, until fn returns false or budget index entries were read. It
// reports whether the budget stopped it before the range's end. Listed
// tickets have Contact nil.
func (s *Store) ChannelTickets(ctx context.Context, channel ticket.Channel, from, to time.Time, budget int, fn func(t *ticket.Ticket) bool) (bool, error) {
	pk, ok := channelPK(channel)
	if !ok {
		return false, &InvalidArgumentError{What: "channel " + string(channel) + " is not indexed"}
	}
	if budget <= 0 || !from.Before(to) {
		return false, nil
	}
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		IndexName:                aws.String(IndexChannel),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :from AND :to"),
		ExpressionAttributeNames: map[string]string{"#pk": attrGSI7PK, "#sk": attrGSI7SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(pk), ":from": str(from.UTC().Format(timeKey)),
			// The sort key is <time>#<id>: every key before to.
			":to": str(to.Add(-time.Millisecond).UTC().Format(timeKey) + "$"),
		},
		ScanIndexForward: aws.Bool(false),
	}
	read := 0
	for {
		in.Limit = aws.Int32(int32(min(channelPage, budget-read)))
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return false, fmt.Errorf("store: tickets of channel %s: %w", channel, err)
		}
		read += len(out.Items)
		tickets, err := s.decodeTickets(ctx, out.Items)
		if err != nil {
			return false, err
		}
		for i := range tickets {
			if !fn(&tickets[i]) {
				return false, nil
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return false, nil
		}
		if read >= budget {
			return true, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
