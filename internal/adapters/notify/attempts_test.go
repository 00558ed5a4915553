package notify_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hotline12345/hotline/internal/adapters/notify"
)

// Messages are tried more often than other calls before an operator must
// phone the citizen; a configured count wins.
func TestSendersRetryMoreThanTheSDKDefault(t *testing.T) {
	var cfg aws.Config
	if n := notify.SESClient(cfg).Options().RetryMaxAttempts; n != 6 {
		t.Fatalf("SES attempts %d", n)
	}
	if n := notify.SNSClient(cfg).Options().RetryMaxAttempts; n != 6 {
		t.Fatalf("SNS attempts %d", n)
	}
	cfg.RetryMaxAttempts = 1
	if n := notify.SNSClient(cfg).Options().RetryMaxAttempts; n != 1 {
		t.Fatalf("configured attempts overridden: %d", n)
	}
}
