package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// maxStatDays bounds one Counts call (one query per calendar month).
const maxStatDays = 400

// monthKey names a month's counter partition: each family (ticket.FamilyOf)
// has its own, so the rates and each hotspot view read only their counters.
const monthKey = "2006-01"

// counterKey is a counter item's key: STAT#<family>#<month> and
// <day>#<scope>, so a range of days is one query per month. One item holds
// all of a scope's metrics of a day, one attribute each (metricPrefix +
// name): a save that counts several metrics of a scope writes one item,
// not one per metric (docs/cost.md). Items of the earlier layout, one per
// metric (<day>#<scope>#<metric>, the count in n), are still read.
func counterKey(day, scope string) map[string]types.AttributeValue {
	return key("STAT#"+ticket.FamilyOf(scope)+"#"+day[:len(monthKey)], day+"#"+scope)
}

// metricPrefix marks a counter item's metric attributes.
const metricPrefix = "m_"

// counter is one change of a daily counter item.
type counter struct {
	day, scope, metric string
	n                  int
}

// addCounters adds the metrics to list, merging changes of the same item
// (a transaction may touch each item only once) and dropping those that
// cancel out (a category corrected back, a verdict given twice in a day).
func (s *Store) addCounters(list []counter, ms []ticket.Metric) []counter {
next:
	for _, m := range ms {
		c := counter{day: m.At.In(s.loc).Format(dayKey), scope: m.Scope, metric: m.Name, n: m.N}
		for i := range list {
			if list[i].day == c.day && list[i].scope == c.scope && list[i].metric == c.metric {
				list[i].n += c.n
				continue next
			}
		}
		list = append(list, c)
	}
	kept := list[:0]
	for _, c := range list {
		if c.n != 0 {
			kept = append(kept, c)
		}
	}
	return kept
}

// counterWrites are the atomic ADDs of the counters, for a transaction: one
// update per day and scope, adding to each of its metrics.
func (s *Store) counterWrites(list []counter) ([]types.TransactWriteItem, error) {
	var out []types.TransactWriteItem
	at := map[string]int{} // day#scope → index in out
	for _, c := range list {
		if err := checkKeyPart("counter scope", c.scope); err != nil {
			return nil, err
		}
		if err := checkKeyPart("metric", c.metric); err != nil {
			return nil, err
		}
		i, ok := at[c.day+"#"+c.scope]
		if !ok {
			i = len(out)
			at[c.day+"#"+c.scope] = i
			out = append(out, types.TransactWriteItem{Update: &types.Update{
				TableName:                 aws.String(s.table),
				Key:                       counterKey(c.day, c.scope),
				ExpressionAttributeNames:  map[string]string{},
				ExpressionAttributeValues: map[string]types.AttributeValue{},
			}})
		}
		u := out[i].Update
		n := strconv.Itoa(len(u.ExpressionAttributeNames))
		u.ExpressionAttributeNames["#m"+n] = metricPrefix + c.metric
		u.ExpressionAttributeValues[":m"+n] = num(int64(c.n))
		if u.UpdateExpression == nil {
			u.UpdateExpression = aws.String("ADD #m" + n + " :m" + n)
		} else {
			u.UpdateExpression = aws.String(*u.UpdateExpression + ", #m" + n + " :m" + n)
		}
	}
	return out, nil
}

// Counts sums one family's counters over the days from..to (inclusive,
// calendar days in the store's time zone) as scope → metric → total. It
// reads one partition per calendar month, only the days asked for.
func (s *Store) Counts(ctx context.Context, family string, from, to time.Time) (map[string]map[string]int, error) {
	switch family {
	case ticket.FamilyRates, ticket.FamilyCategory, ticket.FamilyRegion:
	default:
		return nil, &InvalidArgumentError{What: "unknown counter family " + family}
	}
	first := dayStart(from.In(s.loc))
	last := dayStart(to.In(s.loc))
	if last.Before(first) {
		return nil, &InvalidArgumentError{What: "stats range ends before it starts"}
	}
	if last.Sub(first) >= maxStatDays*24*time.Hour {
		return nil, &InvalidArgumentError{What: fmt.Sprintf("stats range longer than %d days", maxStatDays)}
	}
	out := map[string]map[string]int{}
	lastDay := last.Format(dayKey)
	for month := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, s.loc); !month.After(last); month = month.AddDate(0, 1, 0) {
		in := &dynamodb.QueryInput{
			TableName:                aws.String(s.table),
			KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :from AND :to"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk":   str("STAT#" + family + "#" + month.Format(monthKey)),
				":from": str(first.Format(dayKey)),
				// '$' sorts right after '#': every key of the last day.
				":to": str(lastDay + "$"),
			},
			ConsistentRead: aws.Bool(true),
		}
		err := s.queryPages(ctx, in, "counters of "+month.Format(monthKey), func(items []map[string]types.AttributeValue) error {
			for _, it := range items {
				parts := strings.Split(strAttr(it, attrSK), "#")
				if len(parts) != 2 && len(parts) != 3 {
					return fmt.Errorf("store: counter key %q is not day#scope", strAttr(it, attrSK))
				}
				scope := parts[1]
				if out[scope] == nil {
					out[scope] = map[string]int{}
				}
				if len(parts) == 3 { // one item per metric, as first stored
					n, err := numAttr(it, attrCount)
					if err != nil {
						return fmt.Errorf("store: counter %s: %w", strAttr(it, attrSK), err)
					}
					out[scope][parts[2]] += n
					continue
				}
				for name := range it {
					metric, ok := strings.CutPrefix(name, metricPrefix)
					if !ok {
						continue
					}
					n, err := numAttr(it, name)
					if err != nil {
						return fmt.Errorf("store: counter %s: %w", strAttr(it, attrSK), err)
					}
					out[scope][metric] += n
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
