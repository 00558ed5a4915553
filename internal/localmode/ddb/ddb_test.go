package ddb_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/localmode/ddb"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// engine opens an engine (in dir, or in memory when dir is empty) and a
// DynamoDB SDK client on its HTTP handler: the tests speak the protocol the
// platform speaks, checksums included.
func engine(t *testing.T, dir string, c *clock) (*ddb.Engine, *dynamodb.Client) {
	t.Helper()
	e, err := ddb.Open(ddb.Options{Dir: dir, Now: c.Now, Region: "cn-north-1", Account: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler(nil))
	t.Cleanup(func() {
		srv.Close()
		_ = e.Close()
	})
	client := dynamodb.New(dynamodb.Options{
		Region:           "cn-north-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 1,
	})
	return e, client
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)} }

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// tickets makes the table the tests use: pk/sk, a GSI on gsi1pk/gsi1sk
// (ALL), a sparse KEYS_ONLY GSI on status, an LSI on sk2 (INCLUDE).
func tickets(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String("tickets"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("gsi1pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("gsi1sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("status"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk2"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			{IndexName: aws.String("gsi1"), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}, KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("gsi1pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("gsi1sk"), KeyType: types.KeyTypeRange},
			}},
			{IndexName: aws.String("by-status"), Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}, KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("status"), KeyType: types.KeyTypeHash},
			}},
		},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{
			{IndexName: aws.String("lsi"), Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"title"}}, KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("sk2"), KeyType: types.KeyTypeRange},
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, c *dynamodb.Client, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("tickets"), Item: item}); err != nil {
		t.Fatal(err)
	}
}

func TestTablesAreDescribedListedAndDeleted(t *testing.T) {
	ctx := context.Background()
	_, c := engine(t, "", newClock())
	tickets(t, c)
	var inUse *types.ResourceInUseException
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("tickets"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}}); !errors.As(err, &inUse) {
		t.Errorf("second CreateTable: %v", err)
	}
	put(t, c, map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META"), "gsi1pk": s("D#market"), "gsi1sk": n("5")})
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("tickets")})
	if err != nil {
		t.Fatal(err)
	}
	tb := d.Table
	if tb.TableStatus != types.TableStatusActive || aws.ToString(tb.TableArn) != "arn:aws:dynamodb:cn-north-1:123456789012:table/tickets" ||
		len(tb.AttributeDefinitions) != 6 || aws.ToInt64(tb.ItemCount) != 1 || len(tb.GlobalSecondaryIndexes) != 2 || len(tb.LocalSecondaryIndexes) != 1 ||
		tb.BillingModeSummary == nil || tb.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("description %+v", tb)
	}
	if g := tb.GlobalSecondaryIndexes[0]; g.IndexStatus != types.IndexStatusActive || aws.ToInt64(g.ItemCount) != 1 || tb.GlobalSecondaryIndexes[1].ItemCount == nil || *tb.GlobalSecondaryIndexes[1].ItemCount != 0 {
		t.Errorf("indexes %+v", tb.GlobalSecondaryIndexes)
	}
	lt, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(lt.TableNames) != 1 || lt.TableNames[0] != "tickets" {
		t.Errorf("ListTables %+v %v", lt, err)
	}
	if _, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("tickets")}); err != nil {
		t.Fatal(err)
	}
	var nf *types.ResourceNotFoundException
	if _, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("tickets")}); !errors.As(err, &nf) {
		t.Errorf("describe a deleted table: %v", err)
	}
	if _, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tickets"), Key: map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META")}}); !errors.As(err, &nf) {
		t.Errorf("read a deleted table: %v", err)
	}
}

func TestWritesKeepIndexesAndConditions(t *testing.T) {
	ctx := context.Background()
	_, c := engine(t, "", newClock())
	tickets(t, c)
	key := map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META")}
	put(t, c, map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META"), "v": n("1"), "status": s("new")})
	// The item enters gsi1 through an update, and leaves by-status.
	_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tickets"), Key: key,
		UpdateExpression:          aws.String("SET gsi1pk = :d, gsi1sk = :t, v = v + :one REMOVE #st"),
		ConditionExpression:       aws.String("v = :one"),
		ExpressionAttributeNames:  map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": s("D#market"), ":t": n("7"), ":one": n("1")}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :d AND gsi1sk BETWEEN :a AND :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": s("D#market"), ":a": n("1"), ":b": n("10")}})
	if err != nil || q.Count != 1 || q.Items[0]["v"].(*types.AttributeValueMemberN).Value != "2" {
		t.Fatalf("query gsi1: %+v %v", q, err)
	}
	st, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), IndexName: aws.String("by-status"),
		KeyConditionExpression: aws.String("#st = :s"), ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("new")}})
	if err != nil || st.Count != 0 {
		t.Fatalf("the item left by-status: %+v %v", st, err)
	}
	// A failed condition writes nothing and, when asked, shows the item.
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tickets"), Key: key,
		UpdateExpression: aws.String("SET v = :one"), ConditionExpression: aws.String("v = :one"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":one": n("1")},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) || ccf.Item["v"].(*types.AttributeValueMemberN).Value != "2" {
		t.Fatalf("stale update: %v", err)
	}
	// Keys cannot change; unused values are refused.
	var ve interface{ ErrorCode() string }
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tickets"), Key: key, UpdateExpression: aws.String("SET sk = :x"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":x": s("y")}})
	if !errors.As(err, &ve) || ve.ErrorCode() != "ValidationException" {
		t.Errorf("key update: %v", err)
	}
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tickets"), Item: key,
		ExpressionAttributeValues: map[string]types.AttributeValue{":x": s("y")}, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if !errors.As(err, &ve) || ve.ErrorCode() != "ValidationException" {
		t.Errorf("unused value: %v", err)
	}
	// A wrong key, an empty key string, a GSI key of the wrong type.
	for name, item := range map[string]map[string]types.AttributeValue{
		"no sort key":  {"pk": s("T#2")},
		"empty key":    {"pk": s(""), "sk": s("x")},
		"gsi key type": {"pk": s("T#2"), "sk": s("x"), "gsi1sk": s("not a number")},
	} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tickets"), Item: item}); !errors.As(err, &ve) || ve.ErrorCode() != "ValidationException" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestQueriesPageCountAndRunBackwards(t *testing.T) {
	ctx := context.Background()
	_, c := engine(t, "", newClock())
	tickets(t, c)
	for i := range 25 {
		put(t, c, map[string]types.AttributeValue{"pk": s("T#1"), "sk": s(fmt.Sprintf("E#%03d", i)), "n": n(strconv.Itoa(i)), "sk2": s(fmt.Sprintf("X%02d", 24-i)), "title": s("t"), "other": s("o")})
	}
	put(t, c, map[string]types.AttributeValue{"pk": s("T#2"), "sk": s("E#000")})
	var got []string
	var start map[string]types.AttributeValue
	pages := 0
	for {
		q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :e)"),
			FilterExpression: aws.String("n >= :five"), Limit: aws.Int32(10), ExclusiveStartKey: start, ScanIndexForward: aws.Bool(false),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("T#1"), ":e": s("E#"), ":five": n("5")}})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range q.Items {
			got = append(got, it["sk"].(*types.AttributeValueMemberS).Value)
		}
		if q.LastEvaluatedKey == nil {
			break
		}
		start = q.LastEvaluatedKey
	}
	if len(got) != 20 || got[0] != "E#024" || got[19] != "E#005" || pages != 3 {
		t.Errorf("%d pages, %d items from %v to %v", pages, len(got), got[0], got[len(got)-1])
	}
	cnt, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), KeyConditionExpression: aws.String("pk = :p"), Select: types.SelectCount,
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("T#1")}})
	if err != nil || cnt.Count != 25 || cnt.Items != nil {
		t.Errorf("COUNT: %d items %d, %v", cnt.Count, len(cnt.Items), err)
	}
	// The LSI holds title but not other; ALL_ATTRIBUTES reads the table.
	lsi, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), IndexName: aws.String("lsi"), KeyConditionExpression: aws.String("pk = :p AND sk2 < :x"),
		Limit: aws.Int32(1), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("T#1"), ":x": s("X05")}})
	if err != nil || len(lsi.Items) != 1 || lsi.Items[0]["sk2"].(*types.AttributeValueMemberS).Value != "X00" || lsi.Items[0]["other"] != nil || lsi.Items[0]["title"] == nil {
		t.Errorf("lsi: %+v %v", lsi, err)
	}
	if k := lsi.LastEvaluatedKey; len(k) != 3 || k["sk2"] == nil {
		t.Errorf("an index page's key has the index's and the table's key: %v", k)
	}
	all, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), IndexName: aws.String("lsi"), KeyConditionExpression: aws.String("pk = :p"),
		Select: types.SelectAllAttributes, Limit: aws.Int32(1), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("T#1")}})
	if err != nil || all.Items[0]["other"] == nil {
		t.Errorf("lsi ALL_ATTRIBUTES: %+v %v", all, err)
	}
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("tickets"), Select: types.SelectCount})
	if err != nil || sc.Count != 26 {
		t.Errorf("scan count %d %v", sc.Count, err)
	}
	segs := int32(0)
	for seg := range int32(3) {
		out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("tickets"), Segment: aws.Int32(seg), TotalSegments: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		segs += out.Count
	}
	if segs != 26 {
		t.Errorf("segments hold %d items, want 26", segs)
	}
}

func TestTransactionsAreAllOrNothingAndIdempotent(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	_, c := engine(t, "", clk)
	tickets(t, c)
	put(t, c, map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META"), "v": n("1")})
	tx := func(token string, v string) error {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(token), TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String("tickets"), Item: map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("E#" + v)},
				ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{Update: &types.Update{TableName: aws.String("tickets"), Key: map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META")},
				UpdateExpression: aws.String("SET v = :next"), ConditionExpression: aws.String("v = :cur"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":cur": n(v), ":next": n(v + "0")}}},
		}})
		return err
	}
	if err := tx("a", "1"); err != nil {
		t.Fatal(err)
	}
	// The same token and request: success, nothing written twice.
	if err := tx("a", "1"); err != nil {
		t.Fatalf("replay: %v", err)
	}
	var mismatch *types.IdempotentParameterMismatchException
	if err := tx("a", "2"); !errors.As(err, &mismatch) {
		t.Errorf("same token, other request: %v", err)
	}
	// A token is remembered for ten minutes: after them, its request runs
	// again (and fails on its condition); the later token "c" is still known.
	clk.add(5 * time.Minute)
	if err := tx("c", "10"); err != nil {
		t.Fatal(err)
	}
	clk.add(5*time.Minute + time.Second)
	var tce0 *types.TransactionCanceledException
	if err := tx("a", "1"); !errors.As(err, &tce0) {
		t.Errorf("token replayed after ten minutes: %v", err)
	}
	if err := tx("c", "10"); err != nil {
		t.Errorf("replay of a token younger than ten minutes: %v", err)
	}
	if err := tx("c", "2"); !errors.As(err, &mismatch) {
		t.Errorf("younger token, other request: %v", err)
	}
	// A stale version cancels the whole transaction, with reasons in order.
	err := tx("b", "1")
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) != 2 || aws.ToString(tce.CancellationReasons[0].Code) != "ConditionalCheckFailed" ||
		aws.ToString(tce.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
		t.Fatalf("stale transaction: %v", err)
	}
	q, _ := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("T#1")}})
	if q.Count != 3 {
		t.Errorf("%d items after two transactions, want 3", q.Count)
	}
	g, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("tickets"), Key: map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META")}}},
		{Get: &types.Get{TableName: aws.String("tickets"), Key: map[string]types.AttributeValue{"pk": s("T#9"), "sk": s("META")}}},
	}})
	if err != nil || len(g.Responses) != 2 || g.Responses[0].Item["v"].(*types.AttributeValueMemberN).Value != "100" || g.Responses[1].Item != nil {
		t.Errorf("TransactGetItems %+v %v", g, err)
	}
}

// Racing conditional writes: each version is taken by exactly one writer,
// and no increment is lost.
func TestRacingConditionalWritesLoseNothing(t *testing.T) {
	ctx := context.Background()
	_, c := engine(t, "", newClock())
	tickets(t, c)
	key := map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META")}
	put(t, c, map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META"), "v": n("0"), "hits": n("0")})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := map[string]int{}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tickets"), Key: key, UpdateExpression: aws.String("ADD hits :one"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}}); err != nil {
					t.Error(err)
					return
				}
				got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tickets"), Key: key, ConsistentRead: aws.Bool(true)})
				if err != nil {
					t.Error(err)
					return
				}
				cur := got.Item["v"].(*types.AttributeValueMemberN).Value
				next, _ := strconv.Atoi(cur)
				_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tickets"), Key: key,
					UpdateExpression: aws.String("SET v = :next"), ConditionExpression: aws.String("v = :cur"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":cur": n(cur), ":next": n(strconv.Itoa(next + 1))}})
				if err == nil {
					mu.Lock()
					wins[cur]++
					mu.Unlock()
				}
				_ = w
			}
		}()
	}
	wg.Wait()
	for v, k := range wins {
		if k != 1 {
			t.Errorf("version %s taken %d times", v, k)
		}
	}
	got, _ := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tickets"), Key: key})
	if h := got.Item["hits"].(*types.AttributeValueMemberN).Value; h != "200" {
		t.Errorf("hits = %s, want 200", h)
	}
	if v := got.Item["v"].(*types.AttributeValueMemberN).Value; v != strconv.Itoa(len(wins)) {
		t.Errorf("v = %s after %d wins", v, len(wins))
	}
}

func TestItemsExpireAndDataSurvivesAReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clk := newClock()
	e, c := engine(t, dir, clk)
	tickets(t, c)
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("tickets"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	soon := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	put(t, c, map[string]types.AttributeValue{"pk": s("V#1"), "sk": s("CODE"), "expires": n(soon)})
	put(t, c, map[string]types.AttributeValue{"pk": s("T#1"), "sk": s("META"), "gsi1pk": s("D#market"), "gsi1sk": n("1")})
	if got, err := e.ExpireItems(); err != nil || got != 0 {
		t.Fatalf("expired %d before the time, %v", got, err)
	}
	clk.add(2 * time.Hour)
	if got, err := e.ExpireItems(); err != nil || got != 1 {
		t.Fatalf("expired %d, %v", got, err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	_, c2 := engine(t, dir, clk)
	ttl, err := c2.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("tickets")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL after reopen: %+v %v", ttl, err)
	}
	q, err := c2.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("tickets"), IndexName: aws.String("gsi1"), KeyConditionExpression: aws.String("gsi1pk = :d"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": s("D#market")}})
	if err != nil || q.Count != 1 {
		t.Errorf("index after reopen: %+v %v", q, err)
	}
	d, _ := c2.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("tickets")})
	if aws.ToInt64(d.Table.ItemCount) != 1 {
		t.Errorf("ItemCount after reopen %d, want 1", aws.ToInt64(d.Table.ItemCount))
	}
}
