package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Bounds of one search call: it reads at most searchBudget index entries
// (default defaultSearchBudget) in at most searchBudgetQueries queries, then
// answers with what it found and a cursor.
const (
	defaultSearchBudget = 2000
	// searchBudgetQueries lets one call go through 128 days of the day
	// index (a partition a day) when they are small, on a quiet hotline.
	searchBudgetQueries = 128
	// SearchDefaultDays is the filing range searched when a search that has
	// to read the day index names none; SearchMaxDays the longest allowed.
	SearchDefaultDays = 31
	SearchMaxDays     = 366
)

// searchPlan is the index and the partitions (in order) that serve a search,
// with the sort-key range to read in each.
type searchPlan struct {
	name       string
	index      string
	partitions []string
	skFrom     string // inclusive; "" for none
	skTo       string // inclusive; "" for none
	forward    bool
	// exact says every filter of the query is in the index key: each entry
	// read is a match, so a query reads no more than the page needs.
	exact bool
}

// SearchPlanName says which index serves a query: "escalated" (GSI6),
// "department" (GSI1, the lead's inbox partitions), "place" (GSI5, a leaf
// category in a county-level region) or "day" (GSI4, the filing days of
// the range, at most SearchMaxDays).
func SearchPlanName(q ports.TicketQuery) string { return planFor(q, time.UTC, time.Time{}).name }

func planFor(q ports.TicketQuery, loc *time.Location, now time.Time) searchPlan {
	p := choosePlan(q, loc, now)
	p.exact = residual(q, p.name) == (ports.TicketQuery{})
	return p
}

// residual is what of the query the plan's index does not key on.
func residual(q ports.TicketQuery, plan string) ports.TicketQuery {
	q.Limit, q.Cursor = 0, ""
	if plan != "department" {
		// The others key on the filing time: from and to bound the read.
		q.From, q.To = time.Time{}, time.Time{}
	}
	switch plan {
	case "escalated":
		q.Escalated = false
	case "department":
		// A status is one tab, but open overdue tickets are on the overdue
		// tab beside it: only a tab of its own is exact.
		if q.Status != ticket.StatusDispatched && q.Status != ticket.StatusAccepted {
			q.Status = ""
		}
		q.DepartmentID = ""
	case "place":
		q.Category, q.Region = "", ""
	}
	return q
}

func choosePlan(q ports.TicketQuery, loc *time.Location, now time.Time) searchPlan {
	created := func(p searchPlan) searchPlan {
		if !q.From.IsZero() {
			p.skFrom = q.From.UTC().Format(timeKey)
		}
		if !q.To.IsZero() {
			// The sort key is <time>#<id>: every key before To.
			p.skTo = q.To.Add(-time.Millisecond).UTC().Format(timeKey) + "$"
		}
		return p
	}
	switch {
	case q.Escalated:
		return created(searchPlan{name: "escalated", index: IndexEscalated, partitions: []string{gsiEscalated}})
	case q.DepartmentID != "":
		p := searchPlan{name: "department", index: IndexInbox, forward: true}
		// Open overdue tickets have a tab of their own: first, so an
		// overdue search finds them before it reads the finished ones.
		if q.Status == "" || q.Status == ticket.StatusDispatched || q.Status == ticket.StatusAccepted {
			p.partitions = append(p.partitions, inboxPK(q.DepartmentID, ticket.InboxOverdue))
		}
		tabs := ticket.Statuses
		if q.Status != "" {
			tabs = []ticket.Status{q.Status}
		}
		for _, st := range tabs {
			p.partitions = append(p.partitions, inboxPK(q.DepartmentID, st))
		}
		if !q.From.IsZero() {
			// Listed by reply deadline, which is never before filing.
			p.skFrom = q.From.UTC().Format(timeKey)
		}
		return p
	case q.Category != "" && q.Region != "" && countyLevel(q.Region):
		return created(searchPlan{name: "place", index: IndexPlace, partitions: []string{placePK(q.Category, q.Region)}})
	}
	p := created(searchPlan{name: "day", index: IndexDay})
	from, to := searchDays(q, loc, now)
	for d := to; !d.Before(from); d = d.AddDate(0, 0, -1) {
		for shard := range dayShards {
			p.partitions = append(p.partitions, fmt.Sprintf("DAY#%s#%d", d.Format(dayKey), shard))
		}
	}
	return p
}

// searchDays is the filing days the day index is read for, newest last.
func searchDays(q ports.TicketQuery, loc *time.Location, now time.Time) (from, to time.Time) {
	to = dayStart(now.In(loc))
	if !q.To.IsZero() {
		to = dayStart(q.To.Add(-time.Millisecond).In(loc))
	}
	from = to.AddDate(0, 0, -(SearchDefaultDays - 1))
	if !q.From.IsZero() {
		from = dayStart(q.From.In(loc))
	}
	if to.Sub(from) >= SearchMaxDays*24*time.Hour {
		from = to.AddDate(0, 0, -(SearchMaxDays - 1))
	}
	return from, to
}

// countyLevel reports whether a division code names a county, not a
// province (xx0000) or prefecture (xxxx00) that spans several.
func countyLevel(code string) bool { return !strings.HasSuffix(code, "00") }

// regionMatches reports whether a ticket's region lies in the asked one.
func regionMatches(region, asked string) bool {
	switch {
	case region == asked:
		return true
	case len(asked) == 6 && strings.HasSuffix(asked, "0000"):
		return strings.HasPrefix(region, asked[:2])
	case len(asked) == 6 && strings.HasSuffix(asked, "00"):
		return strings.HasPrefix(region, asked[:4])
	}
	return false
}

// matches applies every filter of the query to a ticket.
func matches(t *ticket.Ticket, q ports.TicketQuery) bool {
	region := ""
	if t.Location != nil {
		region = t.Location.Region
	}
	switch {
	case q.Status != "" && t.Status != q.Status,
		q.DepartmentID != "" && t.DepartmentID != q.DepartmentID,
		q.Category != "" && t.Category != q.Category,
		q.Region != "" && !regionMatches(region, q.Region),
		!q.From.IsZero() && t.CreatedAt.Before(q.From),
		!q.To.IsZero() && !t.CreatedAt.Before(q.To),
		q.Overdue && !t.Overdue,
		q.Escalated && !t.Escalated:
		return false
	}
	return q.Text == "" || containsText(t, q.Text)
}

func containsText(t *ticket.Ticket, text string) bool {
	needle := strings.ToLower(text)
	fields := []string{t.ID, t.Content, t.InvolvedUnit, t.Answer}
	if t.Location != nil {
		fields = append(fields, t.Location.Address)
	}
	if t.Reply != nil {
		fields = append(fields, t.Reply.Message)
	}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), needle) {
			return true
		}
	}
	return false
}

// searchCursor is where a search goes on: the partition and the last
// entry read in it, bound to the query's filters.
type searchCursor struct {
	Filters   string            `json:"f"`
	Partition int               `json:"p"`
	Key       map[string]string `json:"k,omitempty"`
}

// filterDigest binds a cursor to the filters it was issued for.
func filterDigest(q ports.TicketQuery) string {
	q.Cursor, q.Limit = "", 0
	b, _ := json.Marshal(q) // a struct of strings, times and bools always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func (p searchPlan) decodeCursor(cursor, filters string) (int, map[string]types.AttributeValue, error) {
	if cursor == "" {
		return 0, nil, nil
	}
	if len(cursor) > maxCursorLen {
		return 0, nil, &ports.CursorError{Reason: "too long"}
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, nil, &ports.CursorError{Reason: "not base64url"}
	}
	var c searchCursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return 0, nil, &ports.CursorError{Reason: "not a search cursor"}
	}
	if c.Filters != filters {
		return 0, nil, &ports.CursorError{Reason: "cursor belongs to another search"}
	}
	if c.Partition < 0 || c.Partition >= len(p.partitions) {
		return 0, nil, &ports.CursorError{Reason: "cursor points past the search"}
	}
	if c.Key == nil {
		return c.Partition, nil, nil
	}
	ipk, isk := indexKeys(p.index)
	if len(c.Key) != 4 || c.Key[ipk] != p.partitions[c.Partition] || c.Key[isk] == "" ||
		!strings.HasPrefix(c.Key[attrPK], "TICKET#") || c.Key[attrSK] != skMeta || len(c.Key[isk]) > maxCursorPart || len(c.Key[attrPK]) > maxCursorPart {
		return 0, nil, &ports.CursorError{Reason: "cursor does not point at a ticket of this search"}
	}
	start := make(map[string]types.AttributeValue, len(c.Key))
	for k, v := range c.Key {
		start[k] = str(v)
	}
	return c.Partition, start, nil
}

func encodeSearchCursor(c searchCursor) (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("store: encode search cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SearchTickets finds tickets by the query's filters. One index serves each
// query (SearchPlanName); the filters the index does not key on are applied
// to the entries read. A call reads at most the search budget of entries in
// searchBudgetQueries queries and stops early at Limit matches, so its cost
// is bounded whatever the table's size; Next goes on from where it stopped.
// Listed tickets have Contact nil.
func (s *Store) SearchTickets(ctx context.Context, q ports.TicketQuery) (ports.SearchPage, error) {
	for what, v := range map[string]string{"department id": q.DepartmentID, "category": q.Category, "region": q.Region} {
		if v != "" {
			if err := checkKeyPart(what, v); err != nil {
				return ports.SearchPage{}, err
			}
		}
	}
	limit := int(pageSize(q.Limit))
	plan := planFor(q, s.loc, s.now())
	filters := filterDigest(q)
	part, start, err := plan.decodeCursor(q.Cursor, filters)
	if err != nil {
		return ports.SearchPage{}, err
	}
	ipk, isk := indexKeys(plan.index)
	var page ports.SearchPage
	for queries := 0; part < len(plan.partitions); queries++ {
		if queries == searchBudgetQueries || page.Examined >= s.searchBudget {
			next, err := encodeSearchCursor(searchCursor{Filters: filters, Partition: part, Key: plainKey(start)})
			page.Next = next
			return page, err
		}
		in := &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			IndexName:                 aws.String(plan.index),
			KeyConditionExpression:    aws.String("#pk = :pk"),
			ExpressionAttributeNames:  map[string]string{"#pk": ipk},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(plan.partitions[part])},
			ScanIndexForward:          aws.Bool(plan.forward),
			ExclusiveStartKey:         start,
			Limit:                     aws.Int32(int32(min(s.searchBudget-page.Examined, readAhead(plan, limit, len(page.Tickets))))),
		}
		switch {
		case plan.skFrom != "" && plan.skTo != "":
			in.KeyConditionExpression = aws.String("#pk = :pk AND #sk BETWEEN :from AND :to")
			in.ExpressionAttributeValues[":from"], in.ExpressionAttributeValues[":to"] = str(plan.skFrom), str(plan.skTo)
		case plan.skFrom != "":
			in.KeyConditionExpression = aws.String("#pk = :pk AND #sk >= :from")
			in.ExpressionAttributeValues[":from"] = str(plan.skFrom)
		case plan.skTo != "":
			in.KeyConditionExpression = aws.String("#pk = :pk AND #sk <= :to")
			in.ExpressionAttributeValues[":to"] = str(plan.skTo)
		}
		if plan.skFrom != "" || plan.skTo != "" {
			in.ExpressionAttributeNames["#sk"] = isk
		}
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return ports.SearchPage{}, fmt.Errorf("store: search %s: %w", plan.name, err)
		}
		items, err := s.hydrate(ctx, out.Items)
		if err != nil {
			return ports.SearchPage{}, err
		}
		for i, entry := range out.Items {
			page.Examined++
			it := items[i]
			if it == nil {
				continue // deleted since the index listed it
			}
			t, err := s.decodeTicket(ctx, it, false)
			if err != nil {
				return ports.SearchPage{}, err
			}
			if matches(t, q) {
				page.Tickets = append(page.Tickets, *t)
			}
			if len(page.Tickets) == limit {
				if i == len(out.Items)-1 && len(out.LastEvaluatedKey) == 0 {
					// The partition ends here: go on with the next one.
					if part+1 == len(plan.partitions) {
						return page, nil
					}
					page.Next, err = encodeSearchCursor(searchCursor{Filters: filters, Partition: part + 1})
					return page, err
				}
				page.Next, err = encodeSearchCursor(searchCursor{Filters: filters, Partition: part, Key: entryKey(entry, ipk, isk)})
				return page, err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			part, start = part+1, nil
			continue
		}
		start = out.LastEvaluatedKey
	}
	return page, nil
}

// readAhead is how many entries a query asks for: what the page still needs
// when every entry matches, more when filters will drop some.
func readAhead(p searchPlan, limit, found int) int {
	if p.exact {
		return limit - found
	}
	return 4*limit + 50
}

// entryKey is the index entry's key, where a query goes on after it.
func entryKey(item map[string]types.AttributeValue, ipk, isk string) map[string]string {
	return map[string]string{attrPK: strAttr(item, attrPK), attrSK: strAttr(item, attrSK), ipk: strAttr(item, ipk), isk: strAttr(item, isk)}
}

func plainKey(k map[string]types.AttributeValue) map[string]string {
	if k == nil {
		return nil
	}
	out := make(map[string]string, len(k))
	for name, v := range k {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			out[name] = s.Value
		}
	}
	return out
}
