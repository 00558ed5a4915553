package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runHotline(args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, func(string) string { return "" })
	return out.String(), errOut.String(), err
}

func TestASLValidateReportsEveryProblem(t *testing.T) {
	def := writeFile(t, "bad.json", `{
	  "StartAt": "A",
	  "States": {
	    "A": {"Type": "Pass", "Next": "Missing", "Colour": "red"},
	    "B": {"Type": "Pass", "End": true, "InputPath": "no-dollar"},
	    "C": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {}, "End": true}
	  }
	}`)
	out, _, err := runHotline("asl", "validate", def)
	if err == nil {
		t.Fatalf("invalid definition accepted:\n%s", out)
	}
	for _, want := range []string{
		`state "A": unknown field Colour`,
		`state "A": transition to unknown state "Missing"`,
		`state "B": state is not reachable from StartAt`,
		`state "B": field InputPath`,
		`state "C": unknown field Arguments`, // JSONata-only field in a JSONPath state
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	good := writeFile(t, "good.json", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.x %}", "End": true}}}`)
	if out, _, err := runHotline("asl", "validate", good); err != nil || !strings.Contains(out, "valid") {
		t.Fatalf("valid definition: %v\n%s", err, out)
	}
	bad := writeFile(t, "badexpr.json", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input. %}", "End": true}}}`)
	if out, _, err := runHotline("asl", "validate", bad); err == nil || !strings.Contains(out, `state "A"`) {
		t.Fatalf("broken JSONata accepted: %v\n%s", err, out)
	}
}

// Every definition AWS accepted in the shared conformance vectors validates.
func TestASLValidateAcceptsConformanceVectors(t *testing.T) {
	dir := os.Getenv("ASL_CONFORMANCE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "asl-conformance")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skipf("no ASL conformance vectors in %s (set ASL_CONFORMANCE_DIR)", dir)
	}
	tmp := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Definition json.RawMessage `json:"definition"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		p := filepath.Join(tmp, filepath.Base(f))
		if err := os.WriteFile(p, v.Definition, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, _, err := runHotline("asl", "validate", p); err != nil {
			t.Errorf("%s: %v\n%s", filepath.Base(f), err, out)
		}
	}
}

const identityARN = "arn:aws:lambda:us-east-1:123456789012:function:identity"

func TestASLRunIdentityWithHistory(t *testing.T) {
	def := writeFile(t, "def.json", `{
	  "StartAt": "Call",
	  "States": {
	    "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
	             "Parameters": {"FunctionName": "`+identityARN+`", "Payload.$": "$"},
	             "ResultSelector": {"echo.$": "$.Payload"}, "Next": "Check"},
	    "Check": {"Type": "Choice", "QueryLanguage": "JSONata",
	              "Choices": [{"Condition": "{% $states.input.echo.n > 1 %}", "Next": "Big"}], "Default": "Small"},
	    "Big": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"big": "{% $states.input.echo.n %}"}, "End": true},
	    "Small": {"Type": "Fail", "Error": "TooSmall", "Cause": "n <= 1"}
	  }
	}`)
	out, stderr, err := runHotline("asl", "run", "--definition", def, "--input", `{"n": 2}`, "--lambda", identityARN+"=identity", "--history")
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, out, stderr)
	}
	first, rest, _ := strings.Cut(out, "\n")
	if first != `{"big":2}` {
		t.Errorf("output %q, want {\"big\":2}", first)
	}
	var h struct {
		Events []struct {
			Type      string  `json:"type"`
			ID        int64   `json:"id"`
			Timestamp float64 `json:"timestamp"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(rest), &h); err != nil {
		t.Fatalf("history is not GetExecutionHistory JSON: %v\n%s", err, rest)
	}
	var types []string
	for i, e := range h.Events {
		if e.ID != int64(i+1) || e.Timestamp <= 0 {
			t.Errorf("event %d: id %d timestamp %v", i, e.ID, e.Timestamp)
		}
		types = append(types, e.Type)
	}
	want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited ChoiceStateEntered ChoiceStateExited PassStateEntered PassStateExited ExecutionSucceeded"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("history\n got %s\nwant %s", got, want)
	}

	// The same machine failing: error and cause, non-nil error (exit 1).
	out, _, err = runHotline("asl", "run", "--definition", def, "--input", `{"n": 1}`, "--lambda", identityARN+"=identity")
	if err == nil || !strings.Contains(out, "error: TooSmall") || !strings.Contains(out, "cause: n <= 1") {
		t.Errorf("failed execution: err %v, output:\n%s", err, out)
	}
	// An unknown function is Lambda.ResourceNotFoundException, as on AWS.
	out, _, err = runHotline("asl", "run", "--definition", def, "--input", `{"n": 1}`)
	if err == nil || !strings.Contains(out, "error: Lambda.ResourceNotFoundException") {
		t.Errorf("missing function: err %v, output:\n%s", err, out)
	}
}

func TestASLRunBadUsage(t *testing.T) {
	if _, _, err := runHotline("asl", "run"); err == nil {
		t.Error("run without --definition succeeded")
	}
	def := writeFile(t, "def.json", `{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}`)
	if _, _, err := runHotline("asl", "run", "--definition", def, "--lambda", "no-equals"); err == nil {
		t.Error("malformed --lambda accepted")
	}
	if _, _, err := runHotline("asl", "run", "--definition", def, "--input", "{not json"); err == nil {
		t.Error("malformed --input accepted")
	}
}

func TestASLRunGoLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	arn := "arn:aws:lambda:us-east-1:123456789012:function:double"
	def := writeFile(t, "def.json", `{
	  "StartAt": "Double",
	  "States": {
	    "Double": {"Type": "Task", "Resource": "`+arn+`",
	               "Catch": [{"ErrorEquals": ["NegativeInput"], "ResultPath": "$.error", "Next": "Caught"}], "End": true},
	    "Caught": {"Type": "Pass", "End": true}
	  }
	}`)
	src, err := filepath.Abs("testdata/asl/double/main.go")
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runHotline("asl", "run", "--definition", def, "--input", `{"n": 21}`, "--lambda", arn+"="+src)
	if err != nil || strings.TrimSpace(out) != `{"n":42}` {
		t.Fatalf("run: %v, output %q\n%s", err, out, stderr)
	}
	out, stderr, err = runHotline("asl", "run", "--definition", def, "--input", `{"n": -1}`, "--lambda", arn+"="+src)
	if err != nil || !strings.Contains(out, `"Error":"NegativeInput"`) {
		t.Fatalf("typed error not caught: %v, output %q\n%s", err, out, stderr)
	}
}
