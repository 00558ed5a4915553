package infra

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The workflow definition, with every ${...} replaced as CloudFormation would
// (a function ARN of this stack), must pass asl-validator 4.0.0 (package.json),
// an implementation of the States Language independent of this project's.
func TestWorkflowPassesASLValidator(t *testing.T) {
	validator, err := filepath.Abs("../node_modules/.bin/asl-validator")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		ciMustRun(t, "node not found: asl-validator check skipped (install Node.js and run npm ci)")
	}
	if _, err := os.Stat(validator); err != nil {
		ciMustRun(t, "asl-validator not installed: run npm ci in the repository root")
	}
	p := loadTemplate(t)
	for logical, sm := range p.GetAllServerlessStateMachineResources() {
		def, err := os.ReadFile(filepath.FromSlash(deref(sm.DefinitionUri.String)))
		if err != nil {
			t.Fatal(err)
		}
		// As deployed in the global regions and in the China regions.
		for _, partition := range []string{"aws", "aws-cn"} {
			text := substitution.ReplaceAllStringFunc(string(def), func(m string) string {
				name := m[2 : len(m)-1]
				v := sm.DefinitionSubstitutions[name]
				if fn, ok := strings.CutPrefix(v, "GetAtt("); ok {
					return "arn:" + partition + ":lambda:cn-north-1:123456789012:function:" + strings.TrimSuffix(fn, ".Arn)")
				}
				if strings.Contains(v, "AWS::Partition") {
					return partition
				}
				return v
			})
			f := filepath.Join(t.TempDir(), "definition.json")
			if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(validator, "--json-path", f).CombinedOutput()
			if err != nil {
				t.Errorf("%s in %s: asl-validator rejects the definition: %v\n%s", logical, partition, err, out)
			}
			if strings.Contains(string(out), "${") || strings.Contains(text, "AWS::") {
				t.Errorf("%s in %s: a placeholder left unsubstituted: %s", logical, partition, out)
			}
		}
	}
}

// An invalid definition must be refused, so the check above cannot pass by
// accident (a validator that accepts anything, a wrong flag).
func TestASLValidatorRefusesABrokenDefinition(t *testing.T) {
	validator, _ := filepath.Abs("../node_modules/.bin/asl-validator")
	if _, err := os.Stat(validator); err != nil {
		ciMustRun(t, "asl-validator not installed: run npm ci in the repository root")
	}
	f := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(f, []byte(`{"StartAt":"A","States":{"A":{"Type":"Task","Next":"Missing"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validator, "--json-path", f).CombinedOutput(); err == nil {
		t.Fatalf("asl-validator accepted a Task without Resource that points at a missing state:\n%s", out)
	}
}
