package infra

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/testfixtures/deptschema"
)

const asyncAPIValidator = "testdata/asyncapi-validate.cjs"

// validateAsyncAPI runs @asyncapi/parser (package.json) on the document at
// path through testdata/asyncapi-validate.cjs.
func validateAsyncAPI(t *testing.T, path string) (out []byte, exitCode int) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		ciMustRun(t, "node not found: AsyncAPI check skipped (install Node.js and run npm ci)")
	}
	if _, err := os.Stat("../node_modules/@asyncapi/parser/package.json"); err != nil {
		ciMustRun(t, "@asyncapi/parser not installed: run npm ci in the repository root")
	}
	out, err := exec.Command("node", asyncAPIValidator, path).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &exit):
		return out, exit.ExitCode()
	}
	t.Fatalf("run %s: %v\n%s", asyncAPIValidator, err, out)
	return nil, 0
}

// The department messages' AsyncAPI document passes the AsyncAPI
// Initiative's parser, so tools of other languages read it as this project
// does. (deptmsg's tests check its schemas and examples against the code.)
func TestAsyncAPIPassesTheParser(t *testing.T) {
	out, code := validateAsyncAPI(t, "../deptmsg/asyncapi.yaml")
	if code != 0 {
		t.Fatalf("@asyncapi/parser refuses deptmsg/asyncapi.yaml (exit %d):\n%s", code, out)
	}
	t.Logf("@asyncapi/parser:\n%s", out)
}

// A broken document must be refused, so the check above cannot pass by
// accident (a parser that accepts anything, a script that exits 0).
func TestAsyncAPIParserRefusesABrokenDocument(t *testing.T) {
	doc := string(deptmsg.AsyncAPI())
	// Each change, and the word the parser's complaint must name.
	for name, change := range map[string][3]string{
		"binding field of the wrong type": {"maxReceiveCount: 5", "maxReceiveCount: five", "maxReceiveCount"},
		"reference to nothing":            {"$ref: '#/components/schemas/Summary'", "$ref: '#/components/schemas/Nothing'", "Nothing"},
	} {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(doc, change[0]) {
				t.Fatalf("the document has no %q to break", change[0])
			}
			f := filepath.Join(t.TempDir(), "asyncapi.yaml")
			if err := os.WriteFile(f, []byte(strings.Replace(doc, change[0], change[1], 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, code := validateAsyncAPI(t, f); code != 1 || !strings.Contains(string(out), change[2]) {
				t.Fatalf("exit %d on a broken document, want 1 and a complaint about %s:\n%s", code, change[2], out)
			}
		})
	}
}

// The queue and dead-letter queue the document describes are the template's:
// names, visibility timeout, retention, maxReceiveCount, for every
// department; and the prose's numbers are the binding's.
func TestAsyncAPIQueuesAreTheTemplates(t *testing.T) {
	doc, err := deptschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	channel := deptschema.Path(doc.Tree, "channels", "departmentQueue")
	sqs := deptschema.Path(channel, "bindings", "sqs")
	str := func(steps ...any) string {
		v := deptschema.Path(sqs, steps...)
		if v == nil {
			t.Fatalf("binding has no %v", steps)
		}
		return fmt.Sprint(v)
	}
	address := fmt.Sprint(deptschema.Path(channel, "address"))
	if address != "{prefix}dept-{departmentId}" || str("queue", "name") != address {
		t.Errorf("channel address %s, queue name %s: want {prefix}dept-{departmentId} both", address, str("queue", "name"))
	}
	if dlq := address + "-dlq"; str("deadLetterQueue", "name") != dlq || str("queue", "redrivePolicy", "deadLetterQueue", "name") != dlq {
		t.Errorf("dead-letter queue %s, redrive target %s: want %s", str("deadLetterQueue", "name"), str("queue", "redrivePolicy", "deadLetterQueue", "name"), dlq)
	}

	p := loadTemplate(t)
	queues := p.GetAllSQSQueueResources()
	for _, d := range seededDepartments(t) {
		q, dlq := queues["Dept"+camel(d)+"Queue"], queues["Dept"+camel(d)+"DLQ"]
		if q == nil || dlq == nil {
			t.Errorf("department %s has no queue or dead-letter queue (TestDepartmentQueues says more)", d)
			continue
		}
		name := strings.NewReplacer("{prefix}", "hotline-${Stage}-", "{departmentId}", d).Replace(address)
		rp, _ := q.RedrivePolicy.(map[string]any)
		for what, v := range map[string][2]string{
			"queue name":                 {deref(q.QueueName), "Sub(" + name + ")"},
			"dead-letter queue name":     {deref(dlq.QueueName), "Sub(" + name + "-dlq)"},
			"fifoQueue":                  {fmt.Sprint(deref(q.FifoQueue)), str("queue", "fifoQueue")},
			"visibilityTimeout":          {fmt.Sprint(deref(q.VisibilityTimeout)), str("queue", "visibilityTimeout")},
			"messageRetentionPeriod":     {fmt.Sprint(deref(q.MessageRetentionPeriod)), str("queue", "messageRetentionPeriod")},
			"maxReceiveCount":            {fmt.Sprint(rp["maxReceiveCount"]), str("queue", "redrivePolicy", "maxReceiveCount")},
			"DLQ fifoQueue":              {fmt.Sprint(deref(dlq.FifoQueue)), str("deadLetterQueue", "fifoQueue")},
			"DLQ messageRetentionPeriod": {fmt.Sprint(deref(dlq.MessageRetentionPeriod)), str("deadLetterQueue", "messageRetentionPeriod")},
		} {
			if v[0] != v[1] {
				t.Errorf("department %s: %s is %s in the template, %s in deptmsg/asyncapi.yaml", d, what, v[0], v[1])
			}
		}
	}

	// The receive operation's prose repeats the numbers for readers.
	prose := fmt.Sprint(deptschema.Path(doc.Tree, "operations", "receiveDepartmentMessages", "description"))
	prose = strings.Join(strings.Fields(prose), " ")
	var days int
	if _, err := fmt.Sscan(str("queue", "messageRetentionPeriod"), &days); err != nil {
		t.Fatal(err)
	}
	words := map[string]string{"3": "three", "4": "four", "5": "five", "6": "six", "10": "ten"}
	for _, want := range []string{
		"invisible for " + str("queue", "visibilityTimeout") + " seconds",
		"after " + words[str("queue", "redrivePolicy", "maxReceiveCount")] + " receives",
		fmt.Sprintf("%d days", days/86400),
	} {
		if !strings.Contains(prose, want) {
			t.Errorf("the receive operation's description does not say %q", want)
		}
	}
}
