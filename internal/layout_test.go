// The layout's rules, checked against the import graph `go list` reports, so a
// newcomer can trust what a path says: domain code does no I/O, handlers and
// use cases speak the domain's words (no AWS SDK), shipping code never reaches
// into local mode or test fixtures, the departments' public contract needs
// nothing beyond the standard library (and their example consumer nothing
// internal), nor does the public Go client of the API, and each Lambda links
// only its own wing.
package internal_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hotline12345/hotline/"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// listPackages runs `go list -deps=false -json` over the module's packages.
func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "../...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = p
	}
	return pkgs
}

func under(path string, wings ...string) bool {
	for _, w := range wings {
		if path == w || strings.HasPrefix(path, w+"/") {
			return true
		}
	}
	return false
}

// standard reports whether an import path is of Go's standard library (whose
// first element has no dot, unlike a module path).
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// shipping is every package that runs in a Lambda function.
func shipping(path string) bool {
	return under(path, "internal/domain", "internal/app", "internal/adapters", "internal/wiring", "functions")
}

func TestLayoutRules(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 30 {
		t.Fatalf("go list found %d packages; is the test running from internal/?", len(pkgs))
	}
	for path, p := range pkgs {
		for _, dep := range p.Deps {
			d := strings.TrimPrefix(dep, module)
			switch {
			case shipping(path) && under(d, "internal/localmode", "internal/testfixtures", "cmd"):
				t.Errorf("%s ships in a Lambda but depends on %s", path, d)
			case under(path, "internal/domain") && (under(d, "internal/app", "internal/adapters", "internal/wiring") || under(dep, "net/http", "os/exec", "github.com/aws")):
				t.Errorf("%s is domain code (no I/O) but depends on %s", path, dep)
			case under(path, "internal/app") && (under(d, "internal/adapters", "internal/wiring") || strings.HasPrefix(dep, "github.com/aws/aws-sdk-go-v2")):
				t.Errorf("%s is a handler or use case but depends on %s; speak through internal/app/ports", path, dep)
			case under(path, "internal/adapters") && under(d, "internal/wiring"):
				t.Errorf("adapter %s depends on the wiring %s", path, d)
			case path == "cmd/dept-consumer" && strings.HasPrefix(dep, module+"internal/"):
				t.Errorf("%s is the example departments copy but depends on %s, which they cannot import", path, d)
			case under(path, "deptmsg") && !standard(dep):
				t.Errorf("%s is the departments' public contract but depends on %s; it must build with the standard library alone", path, dep)
			case under(path, "client") && !standard(dep):
				t.Errorf("%s is the public Go client of the API but depends on %s; it must build with the standard library alone", path, dep)
			}
		}
	}
	for _, wing := range []string{"internal/domain", "internal/app", "internal/adapters", "internal/localmode", "internal/wiring", "internal/testfixtures", "deptmsg", "client"} {
		found := false
		for path := range pkgs {
			found = found || under(path, wing)
		}
		if !found {
			t.Errorf("no package under %s: the rules above check nothing there", wing)
		}
	}
}

// Each function's bootstrap links only the clients its handler uses; the
// authorizer, which checks tokens, links none of the data plane.
func TestEachFunctionLinksOnlyItsClients(t *testing.T) {
	pkgs := listPackages(t)
	services := []string{"dynamodb", "sfn", "sqs", "sesv2", "sns", "kms", "s3"}
	want := map[string][]string{
		"authorizer": {},
		"intake":     {"dynamodb", "kms", "sfn", "sesv2", "sns", "s3"},
		"review":     {"dynamodb", "kms", "sfn"},
		"dispatch":   {"dynamodb", "kms", "sfn", "sqs"},
		"feedback":   {"dynamodb", "kms", "sfn", "sesv2", "sns"},
		"api":        {"dynamodb", "kms", "sfn", "sqs", "s3"},
		"sweep":      {"dynamodb", "kms", "sfn", "sqs"},
	}
	for fn, clients := range want {
		p, ok := pkgs["functions/"+fn]
		if !ok {
			t.Errorf("no package functions/%s", fn)
			continue
		}
		linked := map[string]bool{}
		for _, dep := range p.Deps {
			if svc, ok := strings.CutPrefix(dep, "github.com/aws/aws-sdk-go-v2/service/"); ok && !strings.Contains(svc, "/") {
				linked[svc] = true
			}
		}
		for _, svc := range services {
			wanted := false
			for _, c := range clients {
				wanted = wanted || c == svc
			}
			if linked[svc] != wanted {
				t.Errorf("functions/%s links the %s client: %v, want %v", fn, svc, linked[svc], wanted)
			}
		}
	}
}
