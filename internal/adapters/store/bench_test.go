package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/domain/region"
	"github.com/hotline12345/hotline/internal/domain/ticket"
	"github.com/hotline12345/hotline/internal/localmode/ddb"
)

// meteredDB counts what the store asks of DynamoDB: requests, items read
// and their size by DynamoDB's rules (attribute names and values, in bytes).
type meteredDB struct {
	DynamoDB
	queries, items, bytes atomic.Int64
}

func (m *meteredDB) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := m.DynamoDB.Query(ctx, in, optFns...)
	m.queries.Add(1)
	if err == nil {
		m.items.Add(int64(len(out.Items)))
		for _, it := range out.Items {
			m.bytes.Add(int64(itemSize(it)))
		}
	}
	return out, err
}

func (m *meteredDB) reset() { m.queries.Store(0); m.items.Store(0); m.bytes.Store(0) }

// itemSize is an item's size as DynamoDB bills it (strings and binaries by
// length, numbers at most 21 bytes, names included).
func itemSize(it map[string]types.AttributeValue) int {
	n := 0
	for name, v := range it {
		n += len(name)
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			n += len(v.Value)
		case *types.AttributeValueMemberB:
			n += len(v.Value)
		case *types.AttributeValueMemberN:
			n += min(len(v.Value), 21)
		default:
			n += 1
		}
	}
	return n
}

var (
	benchOnce  sync.Once
	benchStore *Store
	benchDB    *meteredDB
	benchNow   = time.Date(2026, 6, 30, 12, 0, 0, 0, ticket.China)
	benchErr   error
)

// benchTickets is how many tickets the benchmarks seed (HOTLINE_BENCH_TICKETS
// overrides the 100,000 of the standard).
func benchTickets() int {
	if n, err := strconv.Atoi(os.Getenv("HOTLINE_BENCH_TICKETS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedBench files tickets over the 180 days up to benchNow: 10 departments,
// 24 categories, 300 counties; the items and counters are the ones
// CreateTicket and the saves write, put without transactions so seeding a
// hundred thousand takes minutes, not hours.
func seedBench(b *testing.B) (*Store, *meteredDB) {
	benchOnce.Do(func() {
		engine, err := ddb.Open(ddb.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(engine.Handler(nil))
		db := dynamodb.New(dynamodb.Options{
			Region: "cn-north-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		})
		sealer, _ := seal.NewLocalSealer(bytes.Repeat([]byte{1}, 32))
		blinder, _ := seal.NewBlinder(bytes.Repeat([]byte{2}, 32))
		benchDB = &meteredDB{DynamoDB: db}
		benchStore, benchErr = New(benchDB, "hotline-bench", sealer, blinder, WithClock(func() time.Time { return benchNow }))
		if benchErr != nil {
			return
		}
		ctx := context.Background()
		if benchErr = benchStore.CreateTable(ctx); benchErr != nil {
			return
		}
		depts := []string{"market", "housing", "transport", "ecology", "hrss", "urban_enforcement", "urban_mgmt", "traffic_police", "chaoyang", "haidian"}
		counties := region.Counties()[:300]
		rng := rand.New(rand.NewPCG(1, 2))
		statuses := []ticket.Status{ticket.StatusClosed, ticket.StatusClosed, ticket.StatusClosed, ticket.StatusReplied, ticket.StatusAccepted, ticket.StatusDispatched}
		var counters []counter
		n := benchTickets()
		began := time.Now()
		for i := range n {
			created := benchNow.Add(-time.Duration(rng.Int64N(int64(180 * 24 * time.Hour))))
			tk := newTicket(fmt.Sprintf("B%07d", i), created)
			tk.Category = fmt.Sprintf("cat.c%02d", rng.IntN(24))
			tk.Location = &ticket.Location{Region: counties[rng.IntN(len(counties))], Address: "某路" + strconv.Itoa(i) + "号"}
			tk.Status = statuses[rng.IntN(len(statuses))]
			tk.DepartmentID = depts[rng.IntN(len(depts))]
			tk.Deadlines.Reply = created.Add(13 * 24 * time.Hour)
			tk.Overdue = rng.IntN(20) == 0
			tk.Escalated = tk.Overdue && rng.IntN(5) == 0
			if rng.IntN(50) == 0 {
				tk.Content = "楼道灯坏了很久没人修"
			}
			evs := []ticket.Event{{Kind: "received", At: created}, {Kind: "status.dispatched", To: ticket.StatusDispatched, At: created.Add(time.Hour)}}
			counters = benchStore.addCounters(counters, tk.Count(evs))
			tk.Version = 1
			item, err := benchStore.newTicketItem(ctx, tk)
			if err != nil {
				benchErr = err
				return
			}
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("hotline-bench"), Item: item}); err != nil {
				benchErr = err
				return
			}
			if (i+1)%10_000 == 0 {
				fmt.Fprintf(os.Stderr, "seeded %d tickets in %v\n", i+1, time.Since(began).Round(time.Second))
			}
		}
		writes, err := benchStore.counterWrites(counters)
		if err != nil {
			benchErr = err
			return
		}
		for _, w := range writes {
			u := w.Update
			if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression,
				ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues}); err != nil {
				benchErr = err
				return
			}
		}
		fmt.Fprintf(os.Stderr, "seeded %d tickets and %d counters in %v\n", n, len(writes), time.Since(began).Round(time.Second))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore, benchDB
}

// report adds what one call cost: queries, items read and read capacity
// (strongly consistent: one unit per 4 KB a query reads, rounded up).
func report(b *testing.B, m *meteredDB) {
	ops := float64(b.N)
	b.ReportMetric(float64(m.queries.Load())/ops, "queries/op")
	b.ReportMetric(float64(m.items.Load())/ops, "items/op")
	b.ReportMetric(float64(m.bytes.Load())/ops/4096, "RCU/op")
}

// BenchmarkSearch measures one page of 20 for each index plan on the
// seeded table:
//
//	HOTLINE_BENCH_TICKETS=100000 go test ./internal/adapters/store -run '^$' -bench 'Search|Counts' -benchtime 5x
func BenchmarkSearch(b *testing.B) {
	day := func(d int) time.Time { return benchNow.AddDate(0, 0, -d) }
	cases := []struct {
		name string
		q    ports.TicketQuery
	}{
		{"day/recent", ports.TicketQuery{}},
		{"day/status", ports.TicketQuery{Status: ticket.StatusDispatched}},
		{"day/category-90d", ports.TicketQuery{Category: "cat.c07", From: day(90)}},
		{"day/text-rare", ports.TicketQuery{Text: "楼道灯"}},
		{"department", ports.TicketQuery{DepartmentID: "housing"}},
		{"department/overdue", ports.TicketQuery{DepartmentID: "housing", Overdue: true}},
		{"place", ports.TicketQuery{Category: "cat.c07", Region: region.Counties()[5]}},
		{"escalated", ports.TicketQuery{Escalated: true}},
	}
	s, m := seedBench(b)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			q.Limit = 20
			m.reset()
			found := 0
			for b.Loop() {
				page, err := s.SearchTickets(context.Background(), q)
				if err != nil {
					b.Fatal(err)
				}
				found += len(page.Tickets)
			}
			report(b, m)
			b.ReportMetric(float64(found)/float64(b.N), "found/op")
		})
	}
}

// BenchmarkCounts measures the stats and the hotspots over a month and a
// year of the seeded table.
func BenchmarkCounts(b *testing.B) {
	s, m := seedBench(b)
	for _, c := range []struct {
		name   string
		family string
		days   int
	}{
		{"rates/30d", ticket.FamilyRates, 30}, {"rates/366d", ticket.FamilyRates, 366},
		{"category/30d", ticket.FamilyCategory, 30}, {"region/30d", ticket.FamilyRegion, 30},
	} {
		b.Run(c.name, func(b *testing.B) {
			m.reset()
			for b.Loop() {
				if _, err := s.Counts(context.Background(), c.family, benchNow.AddDate(0, 0, -(c.days-1)), benchNow); err != nil {
					b.Fatal(err)
				}
			}
			report(b, m)
		})
	}
}
