package ddb_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/localmode/ddb"
)

// The meter prices each request by DynamoDB's on-demand rules (1 KB write
// units, 4 KB read units, half for eventual reads, twice for transactions,
// every index an item is in) without the client asking for it.
func TestMeterCountsUnitsByDynamoDBRules(t *testing.T) {
	meter := &ddb.Meter{}
	e, err := ddb.Open(ddb.Options{Now: newClock().Now, Meter: meter})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler(nil))
	t.Cleanup(func() { srv.Close(); _ = e.Close() })
	c := dynamodb.New(dynamodb.Options{Region: "cn-north-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), RetryMaxAttempts: 1})
	ctx := context.Background()
	tickets(t, c)

	step := func(what string, wantReads, wantWrites float64, do func() error) {
		t.Helper()
		before := meter.Usage()
		if err := do(); err != nil && !strings.Contains(err.Error(), "ConditionalCheckFailed") {
			t.Fatalf("%s: %v", what, err)
		}
		after := meter.Usage()
		if r, w := after.ReadUnits-before.ReadUnits, after.WriteUnits-before.WriteUnits; r != wantReads || w != wantWrites {
			t.Errorf("%s: %v RRU, %v WRU; want %v, %v", what, r, w, wantReads, wantWrites)
		}
		if after.RequestCount() != before.RequestCount()+1 {
			t.Errorf("%s: %d requests counted, want 1", what, after.RequestCount()-before.RequestCount())
		}
	}
	key := map[string]types.AttributeValue{"pk": s("a"), "sk": s("1")}
	// About 1.5 KB: 2 units in the table and in the ALL index, 1 in the
	// KEYS_ONLY one; none in the LSI, whose key it lacks.
	step("put", 0, 5, func() error {
		out, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tickets"), Item: map[string]types.AttributeValue{
			"pk": s("a"), "sk": s("1"), "gsi1pk": s("g"), "gsi1sk": n("1"), "status": s("open"), "body": s(strings.Repeat("x", 1500)),
		}})
		if err == nil && out.ConsumedCapacity != nil {
			t.Error("capacity reported to a client that did not ask for it")
		}
		return err
	})
	step("eventual get", 0.5, 0, func() error {
		_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tickets"), Key: key})
		return err
	})
	step("consistent get", 1, 0, func() error {
		_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tickets"), Key: key, ConsistentRead: aws.Bool(true)})
		return err
	})
	step("failed condition", 0, 2, func() error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tickets"), Item: key, ConditionExpression: aws.String("attribute_not_exists(pk)")})
		return err
	})
	step("transaction", 0, 8, func() error {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Update: &types.Update{
			TableName: aws.String("tickets"), Key: key, UpdateExpression: aws.String("SET seen = :t"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":t": s("y")},
		}}}})
		return err
	})
	// A change to what no index holds beyond the ALL one writes that one
	// alone: the KEYS_ONLY index (same key) is not written.
	step("update outside the KEYS_ONLY index", 0, 4, func() error {
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tickets"), Key: key,
			UpdateExpression: aws.String("SET seen = :t"), ExpressionAttributeValues: map[string]types.AttributeValue{":t": s("z")}})
		return err
	})
	step("index query", 0.5, 0, func() error {
		_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), IndexName: aws.String("gsi1"),
			KeyConditionExpression: aws.String("gsi1pk = :g"), ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("g")}})
		return err
	})
	step("transactional get", 2, 0, func() error {
		_, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{{Get: &types.Get{TableName: aws.String("tickets"), Key: key}}}})
		return err
	})
	if got := meter.Usage().Requests; got["PutItem"] != 2 || got["GetItem"] != 2 || got["TransactWriteItems"] != 1 || got["UpdateItem"] != 1 {
		t.Errorf("requests by operation: %v", got)
	}
}
