package infra

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// A deployment is where and how the template is deployed, as far as its
// conditions and rules can tell: the partition and region (pseudo
// parameters) and the parameter values. With params nil the parameters are
// unknown, and so is every condition that reads one: such Fn::If stay in
// the document (as markers after parsing), and only what the partition
// decides is resolved.
type deployment struct {
	name      string
	partition string
	region    string
	params    map[string]string // nil: parameters unknown; else overrides of the defaults
}

var (
	// commercial is what the existing checks read: the aws partition with
	// the parameters left open.
	commercial = deployment{name: "aws", partition: "aws", region: "us-east-1"}
	// commercialDefaults decides every condition with the parameters' defaults.
	commercialDefaults = deployment{name: "aws defaults", partition: "aws", region: "us-east-1", params: map[string]string{}}
	// commercialEverything sets every optional feature the template has outside China.
	commercialEverything = deployment{name: "aws everything", partition: "aws", region: "us-east-1", params: map[string]string{
		"MailChannel": "ses", "SmsChannel": "sns", "CreateSenderIdentity": "true", "AlarmEmail": "ops@example.gov.cn",
		"DepartmentPrincipal": "arn:aws:iam::111122223333:root", "WebOrigin": "https://12345.example.gov.cn",
		"StaffSignInOrigin": "https://sso.example.gov.cn", "SiteDomain": "12345.example.gov.cn", "SiteCertificateId": "ASCAEXAMPLE",
	}}
	// commercialDomestic is the aws partition with China's notice channels
	// (SMTP mail, Tencent Cloud SMS), e.g. a test stack outside China.
	commercialDomestic = deployment{name: "aws smtp+tencent", partition: "aws", region: "ap-east-1", params: map[string]string{
		"MailChannel": "smtp", "SmtpHost": "smtpdm.aliyun.com", "SmtpSecretArn": "arn:aws:secretsmanager:ap-east-1:111122223333:secret:smtp-AbCdEf",
		"SmsChannel": "tencent", "TencentSmsSecretArn": "arn:aws:secretsmanager:ap-east-1:111122223333:secret:tencent-AbCdEf",
		"TencentSmsAppId": "1400006666", "TencentSmsSignName": "北京12345", "TencentSmsTemplates": "receipt=1,verification=2",
	}}
	// china is a deployment to Beijing with the parameters the rules ask for there.
	china = deployment{name: "aws-cn", partition: "aws-cn", region: "cn-north-1", params: map[string]string{
		"MailChannel": "smtp", "SmtpHost": "smtpdm.aliyun.com", "SmtpSecretArn": "arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:smtp-AbCdEf",
		"SmsChannel": "tencent", "TencentSmsSecretArn": "arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:tencent-AbCdEf",
		"TencentSmsAppId": "1400006666", "TencentSmsSignName": "北京12345", "TencentSmsTemplates": "receipt=1,verification=2",
		"SiteDomain": "12345.example.gov.cn", "SiteCertificateId": "ASCAEXAMPLE", "AlarmEmail": "ops@example.gov.cn",
	}}
)

func (d deployment) urlSuffix() string {
	if d.partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// longForm parses YAML template text into the JSON document CloudFormation
// sees: short tags (!Ref, !If, …) become their long forms, nothing resolved.
func longForm(data []byte) (map[string]any, error) {
	js, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("intrinsics: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		return nil, fmt.Errorf("template JSON: %w", err)
	}
	if doc == nil {
		return nil, fmt.Errorf("template is not a mapping")
	}
	return doc, nil
}

type resolver struct {
	doc      map[string]any
	d        deployment
	done     map[string]tri
	visiting map[string]bool
}

// tri is a truth value that may be unknown.
type tri int8

const (
	unknown tri = iota
	yes
	no
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

func newResolver(doc map[string]any, d deployment) *resolver {
	return &resolver{doc: doc, d: d, done: map[string]tri{}, visiting: map[string]bool{}}
}

// param is a parameter's value in the deployment (its override, else its default).
func (r *resolver) param(name string) (string, bool) {
	switch name {
	case "AWS::Partition":
		return r.d.partition, r.d.partition != ""
	case "AWS::Region":
		return r.d.region, r.d.region != ""
	case "AWS::URLSuffix":
		return r.d.urlSuffix(), r.d.partition != ""
	case "AWS::AccountId":
		return "111122223333", true
	}
	if r.d.params == nil {
		return "", false
	}
	if v, ok := r.d.params[name]; ok {
		return v, true
	}
	params, _ := r.doc["Parameters"].(map[string]any)
	p, _ := params[name].(map[string]any)
	if def, ok := p["Default"]; ok && def != nil {
		return fmt.Sprint(def), true
	}
	return "", false
}

// scalar evaluates a value a condition compares: a literal or a Ref.
func (r *resolver) scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64, bool:
		return fmt.Sprint(x), true
	case map[string]any:
		if len(x) == 1 {
			if name, ok := x["Ref"].(string); ok {
				return r.param(name)
			}
		}
	}
	return "", false
}

// truth evaluates a condition expression (and the rule functions the
// template's Rules use).
func (r *resolver) truth(v any) tri {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		if b, ok := v.(bool); ok {
			return triOf(b)
		}
		return unknown
	}
	for k, arg := range m {
		args, _ := arg.([]any)
		switch k {
		case "Condition":
			name, _ := arg.(string)
			return r.condition(name)
		case "Fn::Equals":
			if len(args) != 2 {
				return unknown
			}
			a, okA := r.scalar(args[0])
			b, okB := r.scalar(args[1])
			if !okA || !okB {
				return unknown
			}
			return triOf(a == b)
		case "Fn::Not":
			if len(args) != 1 {
				return unknown
			}
			switch r.truth(args[0]) {
			case yes:
				return no
			case no:
				return yes
			}
			return unknown
		case "Fn::And", "Fn::Or":
			if len(args) == 0 {
				return unknown
			}
			short, other := no, yes // And: one false decides
			if k == "Fn::Or" {
				short, other = yes, no
			}
			all := true
			for _, a := range args {
				switch r.truth(a) {
				case short:
					return short
				case unknown:
					all = false
				}
			}
			if all {
				return other
			}
			return unknown
		case "Fn::Contains":
			if len(args) != 2 {
				return unknown
			}
			list, _ := args[0].([]any)
			x, ok := r.scalar(args[1])
			if !ok {
				return unknown
			}
			for _, e := range list {
				if s, ok := r.scalar(e); ok && s == x {
					return yes
				}
			}
			return no
		}
	}
	return unknown
}

// condition evaluates a named condition of the Conditions section.
func (r *resolver) condition(name string) tri {
	if t, ok := r.done[name]; ok {
		return t
	}
	if r.visiting[name] {
		return unknown // a cycle: CloudFormation refuses it; here it stays open
	}
	conds, _ := r.doc["Conditions"].(map[string]any)
	expr, ok := conds[name]
	if !ok {
		return unknown
	}
	r.visiting[name] = true
	t := r.truth(expr)
	delete(r.visiting, name)
	r.done[name] = t
	return t
}

// noValue stands for a value Fn::If resolved to AWS::NoValue: the property
// or list element is dropped.
type noValueT struct{}

var noValue = noValueT{}

func isNoValue(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 1 && m["Ref"] == "AWS::NoValue"
}

// walk resolves every Fn::If whose condition is known.
func (r *resolver) walk(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if args, ok := x["Fn::If"].([]any); ok && len(x) == 1 && len(args) == 3 {
			name, _ := args[0].(string)
			switch r.condition(name) {
			case yes:
				return r.branch(args[1])
			case no:
				return r.branch(args[2])
			}
			return map[string]any{"Fn::If": []any{args[0], r.walk(args[1]), r.walk(args[2])}}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if w := r.walk(e); w != noValue {
				out[k] = w
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if w := r.walk(e); w != noValue {
				out = append(out, w)
			}
		}
		return out
	}
	return v
}

func (r *resolver) branch(v any) any {
	if isNoValue(v) {
		return noValue
	}
	return r.walk(v)
}

// resolve returns the document as deployed: resources and outputs whose
// Condition is false are gone, Fn::If with a known condition is its branch.
func resolve(doc map[string]any, d deployment) map[string]any {
	r := newResolver(doc, d)
	out := map[string]any{}
	for k, v := range doc {
		switch k {
		case "Resources", "Outputs":
			section, _ := v.(map[string]any)
			kept := map[string]any{}
			for name, e := range section {
				em, _ := e.(map[string]any)
				if c, ok := em["Condition"].(string); ok && r.condition(c) == no {
					continue
				}
				kept[name] = r.walk(e)
			}
			out[k] = kept
		case "Conditions", "Rules", "Parameters":
			out[k] = v
		default:
			out[k] = r.walk(v)
		}
	}
	return out
}

// ruleFailures evaluates the Rules section for a deployment: the
// AssertDescription of each assertion that fails where its rule applies. An
// assertion or rule condition that cannot be decided is reported as such.
func ruleFailures(doc map[string]any, d deployment) []string {
	r := newResolver(doc, d)
	rules, _ := doc["Rules"].(map[string]any)
	var out []string
	for _, name := range sortedKeys(rules) {
		rule, _ := rules[name].(map[string]any)
		if c, ok := rule["RuleCondition"]; ok {
			switch r.truth(c) {
			case no:
				continue
			case unknown:
				out = append(out, name+": rule condition cannot be decided")
				continue
			}
		}
		asserts, _ := rule["Assertions"].([]any)
		for _, a := range asserts {
			am, _ := a.(map[string]any)
			switch r.truth(am["Assert"]) {
			case no:
				out = append(out, name+": "+fmt.Sprint(am["AssertDescription"]))
			case unknown:
				out = append(out, name+": assertion cannot be decided")
			}
		}
	}
	return out
}

// allStrings yields every string in a document (keys included), with its path.
func allStrings(path string, v any, yield func(path, s string)) {
	switch x := v.(type) {
	case string:
		yield(path, x)
	case map[string]any:
		for _, k := range sortedKeys(x) {
			yield(path+"."+k+" (key)", k)
			allStrings(path+"."+k, x[k], yield)
		}
	case []any:
		for i, e := range x {
			allStrings(fmt.Sprintf("%s[%d]", path, i), e, yield)
		}
	}
}

// resourcesOfType lists the logical ids of a resolved document's resources
// whose type has one of the prefixes.
func resourcesOfType(doc map[string]any, prefixes ...string) []string {
	res, _ := doc["Resources"].(map[string]any)
	var out []string
	for _, name := range sortedKeys(res) {
		m, _ := res[name].(map[string]any)
		typ, _ := m["Type"].(string)
		if slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(typ, p) }) {
			out = append(out, name)
		}
	}
	return out
}
