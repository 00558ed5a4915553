package infra

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

type statement struct {
	sid       string
	actions   []string
	resources []string
	condition bool
}

func strList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// roleVariants are deployments whose roles differ from the defaults' by
// parameter (the notice channels: SES or SMTP, SNS or Tencent Cloud SMS, the
// secrets they read). The code has every channel's path, so what a role may
// do is the union over the variants.
var roleVariants = []deployment{commercialEverything, commercialDomestic}

var (
	variantsMu     sync.Mutex
	variantsParsed = map[string]*parsed{}
)

func variant(t *testing.T, d deployment) *parsed {
	t.Helper()
	variantsMu.Lock()
	defer variantsMu.Unlock()
	if p, ok := variantsParsed[d.name]; ok {
		return p
	}
	p := loadTemplateFor(t, d)
	variantsParsed[d.name] = p
	return p
}

// roleStatements returns the Allow statements of a role's inline policies,
// in p and in every roleVariants deployment.
func roleStatements(t *testing.T, p *parsed, role string) []statement {
	t.Helper()
	out := roleStatementsOf(t, p, role)
	for _, d := range roleVariants {
		for _, st := range roleStatementsOf(t, variant(t, d), role) {
			if !slices.ContainsFunc(out, func(o statement) bool {
				return o.sid == st.sid && slices.Equal(o.actions, st.actions) && slices.Equal(o.resources, st.resources)
			}) {
				out = append(out, st)
			}
		}
	}
	return out
}

// roleStatementsOf returns the Allow statements of a role's inline policies in p.
func roleStatementsOf(t *testing.T, p *parsed, role string) []statement {
	t.Helper()
	r, err := p.GetIAMRoleWithName(role)
	if err != nil {
		t.Fatalf("role %s: %v", role, err)
	}
	if len(r.ManagedPolicyArns) > 0 {
		t.Errorf("role %s: managed policies %v grant more than the code calls; use inline statements", role, r.ManagedPolicyArns)
	}
	var out []statement
	for _, pol := range r.Policies {
		doc, _ := pol.PolicyDocument.(map[string]any)
		sts, _ := doc["Statement"].([]any)
		for _, s := range sts {
			m, _ := s.(map[string]any)
			if m["Effect"] != "Allow" {
				t.Errorf("role %s: statement %v is not an Allow; these policies only allow", role, m["Sid"])
				continue
			}
			if _, ok := m["NotAction"]; ok {
				t.Errorf("role %s: NotAction in %v allows everything else", role, m["Sid"])
			}
			st := statement{sid: fmt.Sprint(m["Sid"]), actions: strList(m["Action"]), resources: strList(m["Resource"]), condition: m["Condition"] != nil}
			for _, a := range st.actions {
				if strings.Contains(a, "*") {
					t.Errorf("role %s: wildcard action %s in %s", role, a, st.sid)
				}
			}
			out = append(out, st)
		}
	}
	return out
}

// platformActions are what the Lambda runtime does for every function, not its
// code: writing its own log streams and X-Ray segments.
var platformActions = []string{"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}

// starResources are actions IAM authorizes only on "*": X-Ray segments, task
// tokens and SMS to phone numbers have no resource ARN.
var starResources = []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments", "states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat", "sns:Publish"}

// impliedActions are what a call makes AWS do on the caller's behalf, which
// its role must allow too: a message sent to a queue encrypted with the
// stack's QueueKey needs a data key of it.
var impliedActions = map[string][]string{"sqs:SendMessage": {"kms:Decrypt", "kms:GenerateDataKey"}}

func TestRolesAllowExactlyTheCallsTheCodeMakes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole program's call graph (about 10 s); skipped with -short")
	}
	p := loadTemplate(t)
	fns := functionsByName(t, p)
	names := sortedKeys(fns)
	calls := sdkCalls(t, names)
	for fn, actions := range calls {
		for _, a := range actions {
			for _, implied := range impliedActions[a] {
				if !slices.Contains(calls[fn], implied) {
					calls[fn] = append(calls[fn], implied)
				}
			}
		}
		sort.Strings(calls[fn])
	}
	for _, name := range names {
		r := fns[name]
		role := strings.TrimSuffix(strings.TrimPrefix(deref(r.fn.Role), "GetAtt("), ".Arn)")
		allowed := map[string]bool{}
		for _, st := range roleStatements(t, p, role) {
			for _, a := range st.actions {
				allowed[a] = true
				if slices.Contains(st.resources, "*") && !slices.Contains(starResources, a) {
					t.Errorf("role %s (functions/%s): %s is allowed on \"*\" in %s; scope it to this stack's resources", role, name, a, st.sid)
				}
			}
		}
		for _, a := range calls[name] {
			if !allowed[a] {
				t.Errorf("role %s (functions/%s): the code calls %s but the role does not allow it", role, name, a)
			}
		}
		for _, a := range sortedKeys(allowed) {
			if !slices.Contains(calls[name], a) && !slices.Contains(platformActions, a) {
				t.Errorf("role %s (functions/%s): allows %s, which no code path of the function calls", role, name, a)
			}
		}
		all := append(slices.Clone(calls[name]), platformActions...)
		sort.Strings(all)
		t.Logf("functions/%s role %s: %s", name, role, strings.Join(all, " "))
	}
}

// Each department's system reads its own queue and dead-letter queue through
// a role of its own, and nothing else; the queues are encrypted with the
// stack's key, which that role may only decrypt with.
func TestDepartmentConsumerRolesReadOnlyTheirOwnQueues(t *testing.T) {
	p := loadTemplate(t)
	for _, d := range seededDepartments(t) {
		role := "Dept" + camel(d) + "ConsumerRole"
		own := []string{"GetAtt(Dept" + camel(d) + "Queue.Arn)", "GetAtt(Dept" + camel(d) + "DLQ.Arn)"}
		for _, st := range roleStatements(t, p, role) {
			for _, a := range st.actions {
				switch {
				case strings.HasPrefix(a, "sqs:"):
					if a == "sqs:SendMessage" || a == "sqs:PurgeQueue" || !slices.Equal(st.resources, own) {
						t.Errorf("%s: %s on %v, want only reading its own queue and DLQ %v", role, a, st.resources, own)
					}
				case a == "kms:Decrypt":
					if !slices.Equal(st.resources, []string{"GetAtt(QueueKey.Arn)"}) {
						t.Errorf("%s: kms:Decrypt on %v, want only the queue key", role, st.resources)
					}
				default:
					t.Errorf("%s: allows %s", role, a)
				}
			}
		}
		if o, ok := p.Outputs["Dept"+camel(d)+"ConsumerRoleArn"]; !ok || fmt.Sprint(o.Value) != "GetAtt("+role+".Arn)" {
			t.Errorf("output Dept%sConsumerRoleArn is missing", camel(d))
		}
	}
	for name, q := range p.GetAllSQSQueueResources() {
		if strings.HasPrefix(name, "Dept") && (deref(q.KmsMasterKeyId) != "Ref(QueueKey)" || q.SqsManagedSseEnabled != nil) {
			t.Errorf("%s is not encrypted with the stack's QueueKey", name)
		}
	}
}
