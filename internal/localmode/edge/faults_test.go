package edge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// Every injected fault reaches the SDK as an error it retries (throttling or
// a 5xx in the service's own protocol), and nothing of the refused call is
// carried out.
func TestInjectedFaultsAreRetryableAndRefuseTheCall(t *testing.T) {
	faults, err := edge.ParseFaults("all=1", 7)
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, edge.Options{Faults: faults})
	ctx := context.Background()
	calls := map[string]func() error{
		"dynamodb": func() error {
			_, err := dynamodb.NewFromConfig(h.cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		},
		"sqs": func() error {
			_, err := sqs.NewFromConfig(h.cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
			return err
		},
		"ses": func() error {
			_, err := sesv2.NewFromConfig(h.cfg).SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@example.com"),
				Destination: &sestypes.Destination{ToAddresses: []string{"b@example.com"}},
				Content:     &sestypes.EmailContent{Simple: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("t")}}}}})
			return err
		},
		"stepfunctions": func() error {
			_, err := sfn.NewFromConfig(h.cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
			return err
		},
		"sns": func() error {
			_, err := sns.NewFromConfig(h.cfg).Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+8613800138000"), Message: aws.String("m")})
			return err
		},
	}
	for service, call := range calls {
		for range 8 { // both kinds, several times
			err := call()
			var api smithy.APIError
			if !errors.As(err, &api) || !retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err).Bool() {
				t.Fatalf("%s: %v is not a retryable API error", service, err)
			}
		}
	}
	if _, err := sqs.NewFromConfig(h.cfg).ListQueues(ctx, &sqs.ListQueuesInput{}); err == nil {
		t.Fatal("a call got through")
	}
	calls2, injected := faults.Counts()
	for _, s := range edge.FaultServices {
		if calls2[s] == 0 || injected[s] != calls2[s] {
			t.Fatalf("%s: %d calls, %d faults", s, calls2[s], injected[s])
		}
	}

	// At share 0 nothing fails; a share of 0.5 fails about half.
	half, _ := edge.ParseFaults("sqs=0.5", 1)
	h2 := start(t, edge.Options{Faults: half})
	failed := 0
	for range 200 {
		if _, err := sqs.NewFromConfig(h2.cfg).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
			failed++
		}
	}
	if failed < 70 || failed > 130 {
		t.Fatalf("%d of 200 failed at share 0.5", failed)
	}
	if _, err := dynamodb.NewFromConfig(h2.cfg).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("a service without a share failed: %v", err)
	}
}

func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"all=0.1", "dynamodb=0.2,ses=1", "x=1", "sqs=2", "sqs=NaN", "", "all=0.1,sns=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		faults, err := edge.ParseFaults(s, 1)
		if err != nil {
			return
		}
		calls, injected := faults.Counts()
		if len(calls) != 0 || len(injected) != 0 {
			t.Fatal("counts before any call")
		}
	})
}
