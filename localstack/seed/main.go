// Command seed stores config/seed.json as the catalog of a deployed table when
// it has none (LocalStack, or a fresh AWS stack): go run ./localstack/seed
// -table hotline-ls [-endpoint http://localhost:4566]. The functions read the
// catalog from the table; only local mode seeds it by itself.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/seal"
	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/app/catalogconfig"
)

func main() {
	table := flag.String("table", "", "DynamoDB table (stack output TableName)")
	endpoint := flag.String("endpoint", "", "AWS endpoint URL (LocalStack); empty for AWS")
	region := flag.String("region", "us-east-1", "AWS region")
	flag.Parse()
	if err := run(context.Background(), *table, *endpoint, *region); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, table, endpoint, region string) error {
	if table == "" {
		return fmt.Errorf("-table is required")
	}
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: region, EndpointURL: endpoint})
	if err != nil {
		return err
	}
	// The catalog holds no contact data: throwaway keys satisfy store.New.
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("key: %w", err)
	}
	sealer, err := seal.NewLocalSealer(key)
	if err != nil {
		return err
	}
	blinder, err := seal.NewBlinder(key)
	if err != nil {
		return err
	}
	st, err := store.New(store.DynamoDBClient(cfg), table, sealer, blinder)
	if err != nil {
		return err
	}
	seeded, err := catalogconfig.SeedIfEmpty(ctx, st, configfiles.Seed)
	if err != nil {
		return fmt.Errorf("seed %s: %w", table, err)
	}
	fmt.Printf("seed: table %s seeded=%v\n", table, seeded)
	return nil
}
