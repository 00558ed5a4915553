package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// maxStatDays bounds one Stats call (one query per day).
const maxStatDays = 400

func statPK(day string) string { return "STAT#" + day }

// AddStat atomically adds n to the department's metric on the calendar day
// (in the store's time zone) that contains day. Concurrent adds never lose
// an increment. Note: a retried caller adds twice; guard at-most-once counting
// with the ticket's own conditional writes.
func (s *Store) AddStat(ctx context.Context, day time.Time, deptID, metric string, n int) error {
	if err := checkKeyPart("department id", deptID); err != nil {
		return err
	}
	if err := checkKeyPart("metric", metric); err != nil {
		return err
	}
	d := day.In(s.loc).Format(dayKey)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(statPK(d), deptID+"#"+metric),
		UpdateExpression:         aws.String("ADD #n :n SET #e = :e, #d = :d, #m = :m"),
		ExpressionAttributeNames: map[string]string{"#n": attrCount, "#e": attrEntity, "#d": attrDept, "#m": attrMetric},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n": num(int64(n)), ":e": str("stat"), ":d": str(deptID), ":m": str(metric),
		},
	})
	if err != nil {
		return fmt.Errorf("store: add stat %s %s/%s: %w", d, deptID, metric, err)
	}
	return nil
}

// Stats sums the counters of the days from..to (inclusive, calendar days in
// the store's time zone) as department → metric → total.
func (s *Store) Stats(ctx context.Context, from, to time.Time) (map[string]map[string]int, error) {
	first := dayStart(from.In(s.loc))
	last := dayStart(to.In(s.loc))
	if last.Before(first) {
		return nil, &InvalidArgumentError{What: "stats range ends before it starts"}
	}
	out := map[string]map[string]int{}
	days := 0
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		if days++; days > maxStatDays {
			return nil, &InvalidArgumentError{What: fmt.Sprintf("stats range longer than %d days", maxStatDays)}
		}
		if err := s.statsOfDay(ctx, d.Format(dayKey), out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func (s *Store) statsOfDay(ctx context.Context, day string, out map[string]map[string]int) error {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(statPK(day))},
		ConsistentRead:            aws.Bool(true),
	}
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return fmt.Errorf("store: stats of %s: %w", day, err)
		}
		for _, it := range res.Items {
			n, err := numAttr(it, attrCount)
			if err != nil {
				return fmt.Errorf("store: stat %s/%s: %w", day, strAttr(it, attrSK), err)
			}
			dept, metric := strAttr(it, attrDept), strAttr(it, attrMetric)
			if out[dept] == nil {
				out[dept] = map[string]int{}
			}
			out[dept][metric] += n
		}
		if len(res.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
