package ddb_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/ddb"
	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// The benchmarks show what an operation costs as the table fills: at 1k,
// 100k and 1M items the cost per operation should stay flat (it grows with
// log n). Run: go test ./internal/localmode/ddb -run XXX -bench . -benchtime 2000x

var sizes = []int{1_000, 100_000, 1_000_000}

// filled is an in-memory engine whose table "bench" (pk, sk, a GSI on g) holds
// n items: n/10 partitions of ten.
func filled(b *testing.B, n int) *ddb.Engine {
	b.Helper()
	e, err := ddb.Open(ddb.Options{Now: newClock().Now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	_, err = e.CreateTable(ddb.CreateTableInput{
		TableName: "bench", BillingMode: "PAY_PER_REQUEST",
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: "pk", AttributeType: "S"}, {AttributeName: "sk", AttributeType: "N"}, {AttributeName: "g", AttributeType: "S"}},
		KeySchema:            []ddb.KeySchemaElement{{AttributeName: "pk", KeyType: "HASH"}, {AttributeName: "sk", KeyType: "RANGE"}},
		GlobalSecondaryIndexes: []ddb.IndexSpec{{IndexName: "by-dept", Projection: ddb.Projection{ProjectionType: "KEYS_ONLY"},
			KeySchema: []ddb.KeySchemaElement{{AttributeName: "g", KeyType: "HASH"}, {AttributeName: "sk", KeyType: "RANGE"}}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i += 25 {
		var reqs []ddb.WriteRequest
		for j := i; j < i+25 && j < n; j++ {
			r := ddb.WriteRequest{}
			r.PutRequest = &struct{ Item av.Item }{Item: benchItem(j)}
			reqs = append(reqs, r)
		}
		if _, err := e.BatchWriteItem(ddb.BatchWriteItemInput{RequestItems: map[string][]ddb.WriteRequest{"bench": reqs}}); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

func benchItem(i int) av.Item {
	return av.Item{
		"pk": av.Str(fmt.Sprintf("T#%07d", i/10)), "sk": av.Num(strconv.Itoa(i % 10)),
		"g": av.Str(fmt.Sprintf("D#%d", i%50)), "status": av.Str("dispatched"),
		"content": av.Str("小区门口的超市卖过期牛奶，找店家退货被拒绝，请处理。"), "v": av.Num("1"),
	}
}

func BenchmarkPutItem(b *testing.B) {
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			e := filled(b, n)
			b.ResetTimer()
			for i := range b.N {
				if _, err := e.PutItem(ddb.PutItemInput{TableName: "bench", Item: benchItem(n + i), ConditionExpression: "attribute_not_exists(pk)"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUpdateItem(b *testing.B) {
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			e := filled(b, n)
			b.ResetTimer()
			for i := range b.N {
				j := (i * 7919) % n
				_, err := e.UpdateItem(ddb.UpdateItemInput{TableName: "bench", Key: av.Item{"pk": av.Str(fmt.Sprintf("T#%07d", j/10)), "sk": av.Num(strconv.Itoa(j % 10))},
					UpdateExpression: "SET #st = :s, v = v + :one", ConditionExpression: "attribute_exists(pk)",
					Exprs: ddb.Exprs{ExpressionAttributeNames: map[string]string{"#st": "status"},
						ExpressionAttributeValues: map[string]av.Value{":s": av.Str("accepted"), ":one": av.Num("1")}}})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkQuery(b *testing.B) {
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			e := filled(b, n)
			b.ResetTimer()
			for i := range b.N {
				j := (i * 7919) % n
				out, err := e.Query(ddb.QueryInput{TableName: "bench", KeyConditionExpression: "pk = :p",
					Exprs: ddb.Exprs{ExpressionAttributeValues: map[string]av.Value{":p": av.Str(fmt.Sprintf("T#%07d", j/10))}}})
				if err != nil || out.Count != 10 {
					b.Fatalf("%v %v", out, err)
				}
			}
		})
	}
}

func BenchmarkTransactWriteItems(b *testing.B) {
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			e := filled(b, n)
			b.ResetTimer()
			for i := range b.N {
				item := benchItem(n + 10*i)
				ev := benchItem(n + 10*i + 1)
				// With a client token, as the store sends: the engine
				// remembers each for ten minutes.
				_, err := e.TransactWriteItems(ddb.TransactWriteItemsInput{ClientRequestToken: strconv.Itoa(i), TransactItems: []ddb.TransactWriteItem{
					{Put: &ddb.PutItemInput{TableName: "bench", Item: item, ConditionExpression: "attribute_not_exists(pk)"}},
					{Put: &ddb.PutItemInput{TableName: "bench", Item: ev}},
					{Update: &ddb.UpdateItemInput{TableName: "bench", Key: av.Item{"pk": av.Str("COUNTER"), "sk": av.Num("0")}, UpdateExpression: "ADD c :one",
						Exprs: ddb.Exprs{ExpressionAttributeValues: map[string]av.Value{":one": av.Num("1")}}}},
				}})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
