package loadtest

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
	"github.com/hotline12345/hotline/internal/adapters/queue"
	"github.com/hotline12345/hotline/internal/localmode/platform"
)

func TestRunFilesEveryTicketAndSeesEveryDispatch(t *testing.T) {
	ctx := context.Background()
	p, err := platform.Start(ctx, platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Limits: platform.LooseLimits})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cfg, err := awsconf.Load(ctx, awsconf.Settings{Region: platform.Region, EndpointURL: p.EdgeURL})
	if err != nil {
		t.Fatal(err)
	}
	sq := queue.SQSClient(cfg)
	q, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(platform.QueuePrefix + "market")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, Options{APIURL: p.APIURL, EdgeURL: p.EdgeURL, Tickets: 30, Concurrency: 4, ClearMailEvery: 7, Timeout: time.Minute, Queue: sq, QueueURL: aws.ToString(q.QueueUrl)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Filed != 30 || res.Failed != 0 || res.DispatchedCount != 30 {
		t.Fatalf("result: %s", res)
	}
	// Cleared four times: fewer than the 30 codes and 30 receipts remain.
	resp, err := http.Get(p.EdgeURL + "/_aws/ses")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var mail struct{ Messages []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&mail); err != nil || len(mail.Messages) >= 60 {
		t.Errorf("%d mails captured after the run (%v), want the cleared ones gone", len(mail.Messages), err)
	}
	if res.Submit.P50 <= 0 || res.Submit.P50 > res.Submit.Max || res.ToDispatched.P99 > res.ToDispatched.Max {
		t.Fatalf("percentiles out of order: %s", res)
	}
	t.Log(res)
}

func TestRunRefusesUnboundedRuns(t *testing.T) {
	if _, err := Run(context.Background(), Options{APIURL: "http://127.0.0.1:1", Tickets: MaxTickets + 1}); err == nil {
		t.Fatal("accepted more than MaxTickets")
	}
	if _, err := Run(context.Background(), Options{APIURL: "http://127.0.0.1:1"}); err == nil {
		t.Fatal("accepted zero tickets")
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p := percentiles(d)
	if p.P50 != 51*time.Millisecond || p.P95 != 96*time.Millisecond || p.P99 != 100*time.Millisecond || p.Max != 100*time.Millisecond {
		t.Fatalf("%+v", p)
	}
	if (percentiles(nil) != Percentiles{}) {
		t.Fatal("empty sample")
	}
}
