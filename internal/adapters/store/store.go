// Package store is the single-table DynamoDB adapter (DESIGN.md §4): tickets,
// their immutable timeline, idempotency records, admin configuration and
// daily counters. It is the only production store; tests and local mode point
// it at a DynamoDB-compatible endpoint.
//
// Items (times are UTC, fixed-width "2006-01-02T15:04:05.000Z"; days are
// calendar days in the store's time zone, China Standard Time by default):
//
//	ticket       PK=TICKET#<id>   SK=META                      doc (JSON), status, version, contact (sealed), accessCodeHash, taskToken
//	event        PK=TICKET#<id>   SK=EVENT#<at>#<seq, 10 digits> doc (JSON); never overwritten
//	co-handler   PK=TICKET#<id>   SK=CO#<dept>                 summary for the co tab (coassign.go); saved with the ticket
//	idempotency  PK=IDEM#<sha256(key) hex> SK=IDEM             bodyHash, ticketId, response (sealed), ttl (epoch s)
//	config       PK=CONF#<kind>   SK=<id>                      value (JSON), version
//	counter      PK=STAT#<family>#<yyyy-mm> SK=<day>#<scope>#<metric> n (ADD); saved with the change that causes it (stats.go)
//	outbox       PK=OUTBOX#<0-3>  SK=<at>#<id>#<version>#<i>   ticketId, taskToken, output (JSON), at; saved with the ticket, deleted once sent (outbox.go)
//
// Indexes on ticket items (all projections ALL):
//
//	GSI1 inbox    GSI1PK=DEPT#<dept>#<status>  GSI1SK=<reply deadline>#<id>  (only with a department)
//	              GSI1PK=DEPT#<dept>#co        GSI1SK=<reply deadline>#<id>  (co-handler items of open tickets)
//	GSI2 review   GSI2PK=REVIEW                GSI2SK=<priority>#<created>#<id> (only while an operator is needed)
//	              GSI2PK=STUCK                 GSI2SK=<stuck since>#<id>     (only while the workflow is stopped)
//	GSI3 contact  GSI3PK=CONTACT#<blind index> GSI3SK=<created>#<id>         (only with a phone or e-mail)
//	GSI4 day      GSI4PK=DAY#<day>#0           GSI4SK=<created>#<id>         (shard 0 of dayShards = 1)
//	GSI5 place    GSI5PK=PLACE#<category>#<region> GSI5SK=<created>#<id>  (only with a category and a region)
//	GSI6 escalated GSI6PK=ESCALATED            GSI6SK=<created>#<id>         (escalated: open, or closed unsatisfied)
//	GSI7 channel  GSI7PK=CHANNEL#open311       GSI7SK=<created>#<id>         (only Open311 requests: the GeoReport GETs list them)
//
// SearchTickets (search.go) serves a search from one of GSI1, GSI4, GSI5 and
// GSI6, reading a bounded share of it per call.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/adapters/seal"
)

// DynamoDB is the part of *dynamodb.Client the store uses; the interface lets
// tests inject faults without a second implementation of the store.
type DynamoDB interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ DynamoDB = (*dynamodb.Client)(nil)

// Store reads and writes the hotline table.
type Store struct {
	db      DynamoDB
	table   string
	sealer  seal.Sealer
	blinder *seal.Blinder
	now     func() time.Time
	loc     *time.Location
	// searchBudget is how many index entries one search call reads at most.
	searchBudget int
}

// Option adjusts a Store.
type Option func(*Store)

// WithClock replaces time.Now, for tests and the sped-up local clock.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithLocation sets the time zone that decides which calendar day a ticket or
// a counter belongs to. The default is China Standard Time (UTC+8, no DST),
// where the hotline's days begin.
func WithLocation(loc *time.Location) Option { return func(s *Store) { s.loc = loc } }

// WithSearchBudget sets how many index entries one SearchTickets call reads
// at most (default 2,000): a smaller budget answers sooner with fewer matches.
func WithSearchBudget(entries int) Option {
	return func(s *Store) {
		if entries > 0 {
			s.searchBudget = entries
		}
	}
}

// New builds a Store. All arguments are required.
func New(db DynamoDB, table string, sealer seal.Sealer, blinder *seal.Blinder, opts ...Option) (*Store, error) {
	switch {
	case db == nil:
		return nil, errors.New("store: DynamoDB client is required")
	case table == "":
		return nil, errors.New("store: table name is required")
	case sealer == nil:
		return nil, errors.New("store: sealer is required")
	case blinder == nil:
		return nil, errors.New("store: blinder is required")
	}
	s := &Store{
		db: db, table: table, sealer: sealer, blinder: blinder,
		now:          time.Now,
		loc:          time.FixedZone("CST", 8*60*60),
		searchBudget: defaultSearchBudget,
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Table returns the table name.
func (s *Store) Table() string { return s.table }

// InvalidArgumentError says a caller passed something the store cannot key
// on (empty id, '#' in a key part). It is a programming error, not bad input.
type InvalidArgumentError struct {
	What string
}

func (e *InvalidArgumentError) Error() string { return "store: invalid argument: " + e.What }

// dynamoAttempts is how often a DynamoDB call is tried: AWS's advice for
// DynamoDB (throttling comes in bursts) and the older SDKs' default for it.
// A step that sent a message and then cannot record it would send it again
// when retried; the soak test at 10% faults saw that with four attempts.
const dynamoAttempts = 10

// DynamoDBClient builds the DynamoDB client the store talks through.
func DynamoDBClient(cfg aws.Config, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	if cfg.RetryMaxAttempts == 0 {
		cfg.RetryMaxAttempts = dynamoAttempts
	}
	return dynamodb.NewFromConfig(cfg, optFns...)
}

// putNew writes an item that must not exist yet: an id drawn at random is
// never reused, even in the rare collision.
func (s *Store) putNew(ctx context.Context, item map[string]types.AttributeValue) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	})
	return err
}
