package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute and index names. They are part of the table contract with
// infra/template.yaml; Schema returns them as data so that template can be
// checked against the code.
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	attrGSI2PK = "GSI2PK"
	attrGSI2SK = "GSI2SK"
	attrGSI3PK = "GSI3PK"
	attrGSI3SK = "GSI3SK"
	attrGSI4PK = "GSI4PK"
	attrGSI4SK = "GSI4SK"
	attrGSI5PK = "GSI5PK"
	attrGSI5SK = "GSI5SK"
	attrGSI6PK = "GSI6PK"
	attrGSI6SK = "GSI6SK"
	attrGSI7PK = "GSI7PK"
	attrGSI7SK = "GSI7SK"
	attrTTL    = "ttl"

	// IndexInbox is the department inbox: DEPT#<dept>#<status> by reply deadline.
	IndexInbox = "GSI1"
	// IndexReview is the sparse review queue: REVIEW by creation time.
	IndexReview = "GSI2"
	// IndexContact is the citizen index: CONTACT#<blind index> by creation time.
	IndexContact = "GSI3"
	// IndexDay is the per-day index: DAY#<yyyy-mm-dd>#<shard> by creation time.
	IndexDay = "GSI4"
	// IndexPlace is the place index: PLACE#<category>#<region> by creation
	// time, for the same matter reported by several citizens.
	IndexPlace = "GSI5"
	// IndexEscalated is the sparse list of escalated tickets (督办) for
	// supervisors, open or closed unsatisfied: ESCALATED by creation time.
	IndexEscalated = "GSI6"
	// IndexChannel is the sparse list of the tickets of a published channel
	// (open311, whose requests GeoReport GETs list): CHANNEL#<channel> by
	// creation time.
	IndexChannel = "GSI7"
)

// KeyAttribute is one key attribute and its DynamoDB scalar type ("S").
type KeyAttribute struct {
	Name string
	Type string
}

// IndexSchema is one global secondary index.
type IndexSchema struct {
	Name         string
	PartitionKey string
	SortKey      string
	Projection   string // "KEYS_ONLY"
}

// TableSchema describes the table the store needs.
type TableSchema struct {
	PartitionKey string
	SortKey      string
	// Attributes lists every attribute used in a key of the table or an index.
	Attributes   []KeyAttribute
	Indexes      []IndexSchema
	TTLAttribute string // enable TTL on it in production (epoch seconds)
	BillingMode  string
}

// Schema returns the table schema.
func Schema() TableSchema {
	idx := func(name, pk, sk string) IndexSchema {
		// Keys only: see hydrate.go.
		return IndexSchema{Name: name, PartitionKey: pk, SortKey: sk, Projection: string(types.ProjectionTypeKeysOnly)}
	}
	s := TableSchema{
		PartitionKey: attrPK,
		SortKey:      attrSK,
		Indexes: []IndexSchema{
			idx(IndexInbox, attrGSI1PK, attrGSI1SK),
			idx(IndexReview, attrGSI2PK, attrGSI2SK),
			idx(IndexContact, attrGSI3PK, attrGSI3SK),
			idx(IndexDay, attrGSI4PK, attrGSI4SK),
			idx(IndexPlace, attrGSI5PK, attrGSI5SK),
			idx(IndexEscalated, attrGSI6PK, attrGSI6SK),
			idx(IndexChannel, attrGSI7PK, attrGSI7SK),
		},
		TTLAttribute: attrTTL,
		BillingMode:  string(types.BillingModePayPerRequest),
	}
	for _, a := range []string{attrPK, attrSK, attrGSI1PK, attrGSI1SK, attrGSI2PK, attrGSI2SK, attrGSI3PK, attrGSI3SK, attrGSI4PK, attrGSI4SK, attrGSI5PK, attrGSI5SK, attrGSI6PK, attrGSI6SK, attrGSI7PK, attrGSI7SK} {
		s.Attributes = append(s.Attributes, KeyAttribute{Name: a, Type: string(types.ScalarAttributeTypeS)})
	}
	return s
}

// CreateTableInput turns the schema into a CreateTable request for table.
func (ts TableSchema) CreateTableInput(table string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingMode(ts.BillingMode),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(ts.PartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(ts.SortKey), KeyType: types.KeyTypeRange},
		},
	}
	for _, a := range ts.Attributes {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.Name), AttributeType: types.ScalarAttributeType(a.Type),
		})
	}
	for _, ix := range ts.Indexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(ix.PartitionKey), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(ix.SortKey), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionType(ix.Projection)},
		})
	}
	return in
}

// CreateTable creates the table with all indexes if it does not exist yet,
// waits until it is ACTIVE, and turns on expiry of the ttl attribute. Local
// mode and tests call it; production's table comes from the SAM template.
func (s *Store) CreateTable(ctx context.Context) error {
	_, err := s.db.CreateTable(ctx, Schema().CreateTableInput(s.table))
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("store: create table %s: %w", s.table, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(s.db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.table)}, 2*time.Minute); err != nil {
		return fmt.Errorf("store: wait for table %s: %w", s.table, err)
	}
	_, err = s.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(s.table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(Schema().TTLAttribute), Enabled: aws.Bool(true)},
	})
	// A table that existed already has it on.
	if err != nil && !strings.Contains(err.Error(), "TimeToLive is already enabled") {
		return fmt.Errorf("store: turn on expiry for %s: %w", s.table, err)
	}
	return nil
}
