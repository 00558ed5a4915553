package edge_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// awsCLIs finds the AWS CLIs to test: the one on PATH, and Debian's
// /usr/bin/aws when it is another (Debian's awscli 2.9 speaks SQS's query
// protocol, newer CLIs its JSON protocol; the edge must serve both). In CI
// (.ci/run installs Debian's awscli) a missing CLI fails the test.
func awsCLIs(t *testing.T) []string {
	t.Helper()
	var clis []string
	if p, err := exec.LookPath("aws"); err == nil {
		clis = append(clis, p)
	}
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		same := false
		for _, c := range clis {
			if r, err := filepath.EvalSymlinks(c); err == nil && r == "/usr/bin/aws" {
				same = true
			}
		}
		if !same {
			clis = append(clis, "/usr/bin/aws")
		}
	}
	if len(clis) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI is not installed: .ci/run installs Debian's awscli")
		}
		t.Skip("the AWS CLI (aws) is not on PATH")
	}
	return clis
}

// awsRunner runs one CLI against an edge, with dummy credentials and no
// user configuration.
type awsRunner struct {
	cli     string
	env     []string
	baseURL string
}

func newAWSRunner(t *testing.T, cli, baseURL string) *awsRunner {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_DEFAULT_OUTPUT=json",
	}
	for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION", "LANG", "LC_ALL"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return &awsRunner{cli: cli, env: env, baseURL: baseURL}
}

// run runs `aws --endpoint-url <edge> args...` and returns stdout, stderr
// and the exit code.
func (a *awsRunner) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.cli, append([]string{"--endpoint-url", a.baseURL}, args...)...)
	cmd.Env = a.env
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// ok runs a command that must succeed and decodes its JSON output into v
// (nil: output ignored; the CLI prints nothing for an empty answer).
func (a *awsRunner) ok(t *testing.T, v any, args ...string) {
	t.Helper()
	out, errOut, code := a.run(t, args...)
	if code != 0 {
		t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	if v != nil && strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

type cliMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string
	MD5OfMessageAttributes string
	MessageAttributes      map[string]struct {
		DataType    string
		StringValue string
		BinaryValue string
	}
}

// readmeAWSCommands returns the README's `aws --endpoint-url
// http://localhost:4566 <service> ...` commands for the given services, each
// as its arguments after the endpoint (continuation lines joined).
func readmeAWSCommands(t *testing.T, services ...string) [][]string {
	t.Helper()
	f, err := os.Open("../../../README.md")
	if err != nil {
		t.Fatalf("open README: %v", err)
	}
	defer f.Close()
	var cmds [][]string
	var cur string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur == "" && !strings.HasPrefix(line, "aws --endpoint-url http://localhost:4566 ") {
			continue
		}
		cur += " " + strings.TrimSuffix(line, `\`)
		if strings.HasSuffix(line, `\`) {
			continue
		}
		fields := strings.Fields(strings.SplitN(cur, "#", 2)[0])
		cur = ""
		if len(fields) > 3 && slices.Contains(services, fields[3]) {
			cmds = append(cmds, fields[3:])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read README: %v", err)
	}
	return cmds
}

var localhost4566 = regexp.MustCompile(`http://localhost:4566`)

// TestAWSCLI runs the real AWS CLI against the edge: every SQS and STS
// command the README shows, then each SQS operation the edge serves, with
// the outputs checked.
func TestAWSCLI(t *testing.T) {
	clis := awsCLIs(t)
	readme := readmeAWSCommands(t, "sqs", "sts")
	if len(readme) < 2 {
		t.Fatalf("README shows %d SQS/STS commands for the edge, want the receive-message and get-caller-identity ones: %q", len(readme), readme)
	}
	for _, cli := range clis {
		t.Run(strings.ReplaceAll(cli, "/", "_"), func(t *testing.T) {
			t.Parallel() // each CLI has its own edge; Python's start-up dominates
			h := start(t, edge.Options{})
			aws := newAWSRunner(t, cli, h.url)
			version, _, _ := aws.run(t, "--version")
			t.Logf("%s: %s", cli, strings.TrimSpace(version))

			t.Run("README", func(t *testing.T) {
				var created struct{ QueueUrl string }
				aws.ok(t, &created, "sqs", "create-queue", "--queue-name", "hotline-dept-market")
				aws.ok(t, nil, "sqs", "send-message", "--queue-url", created.QueueUrl, "--message-body", `{"ticketId":"261127K7Q2XM"}`)
				for _, readmeArgs := range readme {
					args := make([]string, len(readmeArgs))
					for i, a := range readmeArgs {
						args[i] = localhost4566.ReplaceAllString(a, h.url)
					}
					out, errOut, code := aws.run(t, args...)
					if code != 0 {
						t.Fatalf("README command aws %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
					}
					switch args[1] {
					case "receive-message":
						var got struct{ Messages []cliMessage }
						if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Messages) != 1 || got.Messages[0].Body != `{"ticketId":"261127K7Q2XM"}` {
							t.Errorf("receive-message = %s (%v)", out, err)
						}
					case "get-caller-identity":
						var got struct{ Account, Arn, UserId string }
						if err := json.Unmarshal([]byte(out), &got); err != nil || got.Account != "000000000000" || got.Arn != "arn:aws:iam::000000000000:root" {
							t.Errorf("get-caller-identity = %s (%v)", out, err)
						}
					}
				}
			})

			t.Run("operations", func(t *testing.T) { cliOperations(t, aws) })
		})
	}
}

// rawAttrOK accepts the binary attribute as either CLI sends it: v2
// base64-decodes "AAEC/w==" into 4 bytes, v1 sends the text itself.
func rawAttrOK(got string) bool {
	return got == "AAEC/w==" || got == base64.StdEncoding.EncodeToString([]byte("AAEC/w=="))
}

func cliOperations(t *testing.T, aws *awsRunner) {
	var created struct{ QueueUrl string }
	aws.ok(t, &created, "sqs", "create-queue", "--queue-name", "cli-q", "--attributes", "VisibilityTimeout=60,DelaySeconds=0")
	url := created.QueueUrl
	if !strings.HasSuffix(url, "/000000000000/cli-q") {
		t.Fatalf("QueueUrl = %q", url)
	}
	var got struct{ QueueUrl string }
	aws.ok(t, &got, "sqs", "get-queue-url", "--queue-name", "cli-q")
	if got.QueueUrl != url {
		t.Errorf("get-queue-url = %q, want %q", got.QueueUrl, url)
	}
	var listed struct{ QueueUrls []string }
	aws.ok(t, &listed, "sqs", "list-queues", "--queue-name-prefix", "cli-")
	if !slices.Equal(listed.QueueUrls, []string{url}) {
		t.Errorf("list-queues = %q", listed.QueueUrls)
	}
	aws.ok(t, nil, "sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "MessageRetentionPeriod=3600")
	var attrs struct{ Attributes map[string]string }
	aws.ok(t, &attrs, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
	if attrs.Attributes["VisibilityTimeout"] != "60" || attrs.Attributes["MessageRetentionPeriod"] != "3600" ||
		attrs.Attributes["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:cli-q" {
		t.Errorf("get-queue-attributes = %v", attrs.Attributes)
	}

	// A body with a line break, a tab, CJK and markup, and attributes of
	// every type: the CLI's MD5 check (where it has one) and ours must agree.
	body := "路灯不亮\n<tag a=\"1\">&amp;</tag>\t'end'"
	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	aws.ok(t, &sent, "sqs", "send-message", "--queue-url", url, "--message-body", body, "--message-attributes",
		`{"type":{"DataType":"String","StringValue":"ticket.dispatched"},"n":{"DataType":"Number","StringValue":"42"},"raw":{"DataType":"Binary","BinaryValue":"AAEC/w=="}}`)
	if sent.MD5OfMessageBody != md5hex(body) || sent.MD5OfMessageAttributes == "" || sent.MessageId == "" {
		t.Errorf("send-message = %+v", sent)
	}
	var batch struct {
		Successful []struct{ Id, MessageId, MD5OfMessageBody string }
		Failed     []struct{ Id, Code string }
	}
	aws.ok(t, &batch, "sqs", "send-message-batch", "--queue-url", url, "--entries",
		`[{"Id":"a","MessageBody":"first"},{"Id":"b","MessageBody":"second","DelaySeconds":0},{"Id":"bad","MessageBody":"x","DelaySeconds":901}]`)
	if len(batch.Successful) != 2 || batch.Successful[0].Id != "a" || batch.Successful[0].MD5OfMessageBody != md5hex("first") ||
		len(batch.Failed) != 1 || batch.Failed[0].Id != "bad" || batch.Failed[0].Code != "InvalidParameterValue" {
		t.Errorf("send-message-batch = %+v", batch)
	}

	var recv struct{ Messages []cliMessage }
	aws.ok(t, &recv, "sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
		"--attribute-names", "All", "--message-attribute-names", "All")
	if len(recv.Messages) != 3 {
		t.Fatalf("receive-message got %d messages: %+v", len(recv.Messages), recv.Messages)
	}
	m := recv.Messages[0]
	if m.Body != body || m.MD5OfBody != md5hex(body) || m.MessageId != sent.MessageId ||
		m.MD5OfMessageAttributes != sent.MD5OfMessageAttributes || m.Attributes["ApproximateReceiveCount"] != "1" ||
		m.MessageAttributes["type"].StringValue != "ticket.dispatched" || m.MessageAttributes["n"].DataType != "Number" ||
		!rawAttrOK(m.MessageAttributes["raw"].BinaryValue) {
		t.Errorf("received %+v", m)
	}

	aws.ok(t, nil, "sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", m.ReceiptHandle, "--visibility-timeout", "0")
	var changed struct {
		Successful []struct{ Id string }
		Failed     []struct{ Id, Code string }
	}
	aws.ok(t, &changed, "sqs", "change-message-visibility-batch", "--queue-url", url, "--entries",
		`[{"Id":"one","ReceiptHandle":"`+recv.Messages[1].ReceiptHandle+`","VisibilityTimeout":0},{"Id":"forged","ReceiptHandle":"bm9wZQ","VisibilityTimeout":0}]`)
	if len(changed.Successful) != 1 || changed.Successful[0].Id != "one" || len(changed.Failed) != 1 || changed.Failed[0].Code != "ReceiptHandleIsInvalid" {
		t.Errorf("change-message-visibility-batch = %+v", changed)
	}
	aws.ok(t, nil, "sqs", "delete-message", "--queue-url", url, "--receipt-handle", recv.Messages[2].ReceiptHandle)

	var again struct{ Messages []cliMessage }
	aws.ok(t, &again, "sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10")
	if len(again.Messages) != 2 {
		t.Fatalf("after delete, receive-message got %d messages, want the 2 made visible", len(again.Messages))
	}
	var deleted struct {
		Successful []struct{ Id string }
	}
	aws.ok(t, &deleted, "sqs", "delete-message-batch", "--queue-url", url, "--entries",
		`[{"Id":"x","ReceiptHandle":"`+again.Messages[0].ReceiptHandle+`"},{"Id":"y","ReceiptHandle":"`+again.Messages[1].ReceiptHandle+`"}]`)
	if len(deleted.Successful) != 2 {
		t.Errorf("delete-message-batch = %+v", deleted)
	}
	attrs.Attributes = nil
	aws.ok(t, &attrs, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("queue not empty after deletes: %v", attrs.Attributes)
	}

	aws.ok(t, nil, "sqs", "send-message", "--queue-url", url, "--message-body", "purge me")
	aws.ok(t, nil, "sqs", "purge-queue", "--queue-url", url)
	var purged struct{ Messages []cliMessage }
	aws.ok(t, &purged, "sqs", "receive-message", "--queue-url", url)
	if len(purged.Messages) != 0 {
		t.Errorf("after purge-queue, receive-message got %+v", purged.Messages)
	}

	aws.ok(t, nil, "sqs", "delete-queue", "--queue-url", url)
	_, errOut, code := aws.run(t, "sqs", "receive-message", "--queue-url", url)
	if code == 0 || !strings.Contains(errOut, "NonExistentQueue") && !strings.Contains(errOut, "QueueDoesNotExist") {
		t.Errorf("receive-message on a deleted queue: exit %d, %s", code, errOut)
	}

	var who struct{ Account, Arn, UserId string }
	aws.ok(t, &who, "sts", "get-caller-identity")
	if who.Account != "000000000000" || who.Arn != "arn:aws:iam::000000000000:root" || who.UserId != "000000000000" {
		t.Errorf("get-caller-identity = %+v", who)
	}
}
