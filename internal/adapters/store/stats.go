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

// maxStatDays bounds one Stats call (one query per day).
const maxStatDays = 400

func statPK(day string) string { return "STAT#" + day }

// AddStat atomically adds n to the department's metric on the calendar day
// (in the store's time zone) that contains day. Concurrent adds never lose
// an increment. Note: a retried caller adds twice; ticket metrics are not
// counted here but in SaveTicket's transaction, which makes them exactly-once.
func (s *Store) AddStat(ctx context.Context, day time.Time, deptID, metric string, n int) error {
	if err := checkKeyPart("department id", deptID); err != nil {
		return err
	}
	if err := checkKeyPart("metric", metric); err != nil {
		return err
	}
	c := counter{day: day.In(s.loc).Format(dayKey), dept: deptID, metric: metric, n: n}
	upd, err := s.counterUpdate(c)
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: upd.TableName, Key: upd.Key, UpdateExpression: upd.UpdateExpression,
		ExpressionAttributeNames: upd.ExpressionAttributeNames, ExpressionAttributeValues: upd.ExpressionAttributeValues,
	})
	if err != nil {
		return fmt.Errorf("store: add stat %s %s/%s: %w", c.day, deptID, metric, err)
	}
	return nil
}

// counter is one increment of a daily counter item.
type counter struct {
	day, dept, metric string
	n                 int
}

// addCounters adds one per metric to list, merging increments of the same
// item: a transaction may touch each item only once.
func (s *Store) addCounters(list []counter, ms []ticket.Metric) []counter {
next:
	for _, m := range ms {
		c := counter{day: m.At.In(s.loc).Format(dayKey), dept: m.DepartmentID, metric: m.Name, n: 1}
		for i := range list {
			if list[i].day == c.day && list[i].dept == c.dept && list[i].metric == c.metric {
				list[i].n++
				continue next
			}
		}
		list = append(list, c)
	}
	return list
}

// counterUpdate is the atomic ADD on a counter item.
func (s *Store) counterUpdate(c counter) (*types.Update, error) {
	if err := checkKeyPart("department id", c.dept); err != nil {
		return nil, err
	}
	if err := checkKeyPart("metric", c.metric); err != nil {
		return nil, err
	}
	return &types.Update{
		TableName:                aws.String(s.table),
		Key:                      key(statPK(c.day), c.dept+"#"+c.metric),
		UpdateExpression:         aws.String("ADD #n :n SET #e = :e, #d = :d, #m = :m"),
		ExpressionAttributeNames: map[string]string{"#n": attrCount, "#e": attrEntity, "#d": attrDept, "#m": attrMetric},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n": num(int64(c.n)), ":e": str("stat"), ":d": str(c.dept), ":m": str(c.metric),
		},
	}, nil
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
	return s.queryPages(ctx, in, "stats of "+day, func(items []map[string]types.AttributeValue) error {
		for _, it := range items {
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
		return nil
	})
}
