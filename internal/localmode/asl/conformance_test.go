package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/ohler55/ojg/jp"
)

// conformanceFloor is the number of shared vectors this interpreter passes;
// the test fails if a change makes it drop. Raise it as coverage improves.
const conformanceFloor = 756

type vector struct {
	ID            string          `json:"id"`
	QueryLanguage string          `json:"queryLanguage"`
	Category      string          `json:"category"`
	Definition    json.RawMessage `json:"definition"`
	Input         json.RawMessage `json:"input"`
	Expected      struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
		Error  *string         `json:"error"`
		Cause  *string         `json:"cause"`
	} `json:"expected"`
	Resources    map[string]vectorResource `json:"resources"`
	IgnoreFields []string                  `json:"ignoreFields"`
}

type vectorResource struct {
	FunctionName  string          `json:"functionName"`
	Behaviour     string          `json:"behaviour"`
	Returns       json.RawMessage `json:"returns"`
	ErrorType     string          `json:"errorType"`
	ErrorMessage  string          `json:"errorMessage"`
	PayloadText   string          `json:"payloadText"`
	SleepSeconds  float64         `json:"sleepSeconds"`
	PayloadRepeat *struct {
		Text  string `json:"text"`
		Times int    `json:"times"`
	} `json:"payloadRepeat"`
}

// vectorHandler is a test Lambda with one of the README's behaviours.
type vectorHandler struct {
	r     vectorResource
	clock Clock
}

func (h vectorHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	switch h.r.Behaviour {
	case "identity":
		return payload, nil
	case "constant":
		return h.r.Returns, nil
	case "raise":
		return nil, messages.InvokeResponse_Error{Type: h.r.ErrorType, Message: h.r.ErrorMessage}
	case "raw-payload":
		if pr := h.r.PayloadRepeat; pr != nil {
			return []byte(strings.Repeat(pr.Text, pr.Times)), nil
		}
		return []byte(h.r.PayloadText), nil
	case "sleep-then-identity":
		t := h.clock.NewTimer(time.Duration(h.r.SleepSeconds * float64(time.Second)))
		defer t.Stop()
		defer Blocking(ctx)()
		select {
		case <-t.C():
			return payload, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, fmt.Errorf("unknown behaviour %q", h.r.Behaviour)
}

func conformanceDir() string {
	if d := os.Getenv("ASL_CONFORMANCE_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "..", "shared", "asl-conformance")
}

type vectorResult struct {
	pass bool
	why  string
}

func runVector(t testing.TB, v *vector) vectorResult {
	clk := NewFakeClock(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	fns := map[string]lambda.Handler{}
	for arn, r := range v.Resources {
		if r.Behaviour == "does-not-exist" {
			continue
		}
		fns[arn] = vectorHandler{r: r, clock: clk}
		if r.FunctionName != "" {
			fns[r.FunctionName] = vectorHandler{r: r, clock: clk}
		}
	}
	eng := New(Options{Clock: clk, Resolver: MapResolver(fns), Account: "111111111111"})
	sm, err := eng.CreateStateMachine("vector", v.Definition, "arn:aws:iam::111111111111:role/vector")
	if err != nil {
		return vectorResult{why: "create: " + err.Error()}
	}
	input := []byte(v.Input)
	if len(input) == 0 {
		input = []byte("{}")
	}
	start, err := eng.StartExecution(sm.StateMachineArn, "run", input)
	if err != nil {
		return vectorResult{why: "start: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Whenever the execution blocks on a timer (Wait, retry back-off, a
	// sleeping Lambda, a task timeout), jump to it.
	d, err := eng.AdvanceUntil(ctx, clk, start.ExecutionArn, Done)
	if err != nil {
		return vectorResult{why: err.Error()}
	}
	if d == nil || d.Status == StatusRunning {
		return vectorResult{why: "execution did not finish"}
	}
	if d.Status != v.Expected.Status {
		return vectorResult{why: fmt.Sprintf("status %s (error %q cause %q output %s), want %s", d.Status, d.Error, d.Cause, d.Output, v.Expected.Status)}
	}
	if d.Status == StatusSucceeded {
		got, err := ParseJSON([]byte(d.Output))
		if err != nil {
			return vectorResult{why: "output is not JSON: " + err.Error()}
		}
		want, err := ParseJSON(v.Expected.Output)
		if err != nil {
			return vectorResult{why: "expected output is not JSON: " + err.Error()}
		}
		got, want = deepCopy(got), deepCopy(want)
		for _, f := range v.IgnoreFields {
			x, err := jp.ParseString(f)
			if err != nil {
				continue
			}
			// Del cannot remove the root; treat "$" as ignore-everything.
			if f == "$" {
				got, want = nil, nil
				continue
			}
			_ = x.Del(got)
			_ = x.Del(want)
		}
		if !deepEqual(got, want) {
			return vectorResult{why: fmt.Sprintf("output %s, want %s", MarshalJSON(got), MarshalJSON(want))}
		}
		return vectorResult{pass: true}
	}
	wantErr := ""
	if v.Expected.Error != nil {
		wantErr = *v.Expected.Error
	}
	if d.Error != wantErr {
		return vectorResult{why: fmt.Sprintf("error %q (cause %q), want %q", d.Error, d.Cause, wantErr)}
	}
	if v.Expected.Cause != nil && d.Cause != *v.Expected.Cause {
		return vectorResult{why: fmt.Sprintf("cause %q, want %q", d.Cause, *v.Expected.Cause)}
	}
	return vectorResult{pass: true}
}

// conformanceSkipFile lists vectors that cannot pass, each with a reason.
const conformanceSkipFile = "testdata/conformance-skip.txt"

// minCategoryRate is the pass rate every vector category must reach.
const minCategoryRate = 0.90

func loadSkips(t *testing.T) map[string]string {
	b, err := os.ReadFile(conformanceSkipFile)
	if err != nil {
		t.Fatalf("read %s: %v", conformanceSkipFile, err)
	}
	skips := map[string]string{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, " ")
		if strings.TrimSpace(reason) == "" {
			t.Fatalf("%s:%d: vector %s has no reason", conformanceSkipFile, i+1, id)
		}
		skips[id] = strings.TrimSpace(reason)
	}
	return skips
}

func TestConformance(t *testing.T) {
	dir := conformanceDir()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skipf("asl conformance: no vectors in %s (set ASL_CONFORMANCE_DIR)", dir)
	}
	skips := loadSkips(t)
	type counts struct{ pass, fail int }
	byCat := map[string]*counts{}
	total := counts{}
	skipped := 0
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		var v vector
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("decode %s: %v", f, err)
		}
		seen[v.ID] = true
		c := byCat[v.Category]
		if c == nil {
			c = &counts{}
			byCat[v.Category] = c
		}
		r := runVector(t, &v)
		if _, skip := skips[v.ID]; skip {
			// Counted as not passed whatever happens.
			c.fail++
			total.fail++
			skipped++
			if r.pass {
				t.Errorf("%s [%s] passes but is listed in %s: remove its line", filepath.Base(f), v.ID, conformanceSkipFile)
			}
			continue
		}
		if r.pass {
			c.pass++
			total.pass++
			continue
		}
		c.fail++
		total.fail++
		t.Logf("FAIL %s [%s]: %s", filepath.Base(f), v.Category, r.why)
	}
	for id := range skips {
		if !seen[id] {
			t.Errorf("%s lists %s, which is not a vector in %s", conformanceSkipFile, id, dir)
		}
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	parts := make([]string, len(cats))
	for i, c := range cats {
		parts[i] = fmt.Sprintf("%s %d/%d", c, byCat[c].pass, byCat[c].pass+byCat[c].fail)
	}
	t.Logf("asl conformance: %d passed, %d failed (%d of them listed in %s)", total.pass, total.fail, skipped, conformanceSkipFile)
	t.Logf("asl conformance by category: %s", strings.Join(parts, ", "))
	fmt.Printf("asl conformance: %d passed, %d failed\n", total.pass, total.fail)
	if total.pass < conformanceFloor {
		t.Errorf("asl conformance: %d passed, below the floor of %d", total.pass, conformanceFloor)
	}
	for _, c := range cats {
		n := byCat[c].pass + byCat[c].fail
		if rate := float64(byCat[c].pass) / float64(n); rate < minCategoryRate {
			t.Errorf("asl conformance: category %s passes %d/%d (%.1f%%), below %.0f%%", c, byCat[c].pass, n, rate*100, minCategoryRate*100)
		}
	}
}
