package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
)

const templatePath = "template.yaml"

// Intrinsic functions are kept as readable markers instead of being resolved:
// Ref(X), GetAtt(X.Y), Sub(...), so the checks can see what a value refers to.
// goformation's defaults would resolve Ref to parameter defaults and drop
// GetAtt, which hides exactly what these tests compare. The one exception is
// a Ref to a Number parameter where goformation's types want a number
// (RetentionInDays): with numbers true it becomes the parameter's default.
func marker(numbers bool) intrinsics.IntrinsicHandler {
	return func(name string, input any, template any) any {
		switch name {
		case "Ref":
			if numbers {
				if def, ok := numberDefault(template, fmt.Sprint(input)); ok {
					return def
				}
			}
			return fmt.Sprintf("Ref(%v)", input)
		case "Fn::GetAtt":
			if parts, ok := input.([]any); ok {
				ss := make([]string, len(parts))
				for i, p := range parts {
					ss[i] = fmt.Sprint(p)
				}
				return "GetAtt(" + strings.Join(ss, ".") + ")"
			}
			return fmt.Sprintf("GetAtt(%v)", input)
		case "Fn::Sub":
			if parts, ok := input.([]any); ok && len(parts) > 0 {
				// The variables map, when there is one, follows as JSON.
				if len(parts) > 1 {
					if b, err := json.Marshal(parts[1]); err == nil {
						return fmt.Sprintf("Sub(%v, %s)", parts[0], b)
					}
				}
				return fmt.Sprintf("Sub(%v)", parts[0])
			}
			return fmt.Sprintf("Sub(%v)", input)
		}
		b, err := json.Marshal(input)
		if err != nil {
			return fmt.Sprintf("%s(?)", strings.TrimPrefix(name, "Fn::"))
		}
		return fmt.Sprintf("%s(%s)", strings.TrimPrefix(name, "Fn::"), b)
	}
}

func numberDefault(template any, name string) (any, bool) {
	tm, _ := template.(map[string]any)
	params, _ := tm["Parameters"].(map[string]any)
	p, _ := params[name].(map[string]any)
	if p["Type"] != "Number" {
		return nil, false
	}
	d, ok := p["Default"]
	return d, ok
}

func processorOptions(numbers bool) *intrinsics.ProcessorOptions {
	o := &intrinsics.ProcessorOptions{IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{}}
	for _, n := range []string{"Fn::Base64", "Fn::And", "Fn::Equals", "Fn::If", "Fn::Not", "Fn::Or", "Fn::FindInMap",
		"Fn::GetAtt", "Fn::GetAZs", "Fn::ImportValue", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Ref",
		"Fn::Cidr", "Fn::Transform"} {
		o.IntrinsicHandlerOverrides[n] = marker(numbers)
	}
	return o
}

// goformationErrata are property names goformation v7.14.9's SAM types spell
// differently from SAM itself. SAM's HttpApi property is AccessLogSettings
// (samtranslator and cfn-lint accept it, and reject the singular);
// goformation's generated type calls it AccessLogSetting. The typed parse gets
// the renamed copy; the raw document keeps SAM's name. SAM's HttpApi
// RouteSettings maps route keys to settings; goformation types it as one
// settings object, so it is left out of the typed parse ("" below) and
// TestRoutesMatchGateway checks it against the routes instead.
var goformationErrata = map[string]map[string]string{
	"AWS::Serverless::HttpApi": {"AccessLogSettings": "AccessLogSetting", "RouteSettings": ""},
}

// applyErrata renames (or, for "", removes) erratum properties in place.
func applyErrata(typ string, props map[string]any) {
	for from, to := range goformationErrata[typ] {
		if v, ok := props[from]; ok {
			if to != "" {
				props[to] = v
			}
			delete(props, from)
		}
	}
}

// parsed is the template as goformation types plus the same document as plain
// JSON (after the same intrinsic markers, numbers kept as Ref markers), for the
// checks goformation's types cannot express.
//
// Both are the template as deployed to a partition (resolve): conditions the
// partition decides are applied. The plain document leaves the parameters
// open (an Fn::If on a parameter stays, as an If(...) marker); goformation's
// types cannot hold such a marker where an object belongs, so the typed view
// also decides the parameters' conditions, with their defaults (or the
// deployment's values).
type parsed struct {
	*cloudformation.Template
	raw map[string]any
	// doc is the long-form document before any resolution (Rules, Conditions).
	doc map[string]any
}

// parseTemplate parses YAML template text as deployed to the aws partition
// with the parameters open; FuzzParseTemplate drives it.
func parseTemplate(data []byte) (*parsed, error) {
	return parseTemplateFor(data, commercial, commercialDefaults)
}

// parseTemplateFor parses the template with the plain document resolved for
// rawIn and the typed view for typedIn (whose params must be set).
func parseTemplateFor(data []byte, rawIn, typedIn deployment) (*parsed, error) {
	doc, err := longForm(data)
	if err != nil {
		return nil, err
	}
	typedSrc, err := json.Marshal(resolve(doc, typedIn))
	if err != nil {
		return nil, fmt.Errorf("template JSON: %w", err)
	}
	js, err := intrinsics.ProcessJSON(typedSrc, processorOptions(true))
	if err != nil {
		return nil, fmt.Errorf("intrinsics: %w", err)
	}
	var typedDoc map[string]any
	if err := json.Unmarshal(js, &typedDoc); err != nil {
		return nil, fmt.Errorf("template JSON: %w", err)
	}
	if typedDoc == nil {
		return nil, fmt.Errorf("template is not a mapping")
	}
	if res, ok := typedDoc["Resources"].(map[string]any); ok {
		for _, r := range res {
			rm, _ := r.(map[string]any)
			props, _ := rm["Properties"].(map[string]any)
			applyErrata(fmt.Sprint(rm["Type"]), props)
		}
	}
	fixed, err := json.Marshal(typedDoc)
	if err != nil {
		return nil, fmt.Errorf("template JSON: %w", err)
	}
	tpl, err := goformation.ParseJSONWithOptions(fixed, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("goformation: %w", err)
	}
	rawSrc, err := json.Marshal(resolve(doc, rawIn))
	if err != nil {
		return nil, fmt.Errorf("template JSON: %w", err)
	}
	rawJS, err := intrinsics.ProcessJSON(rawSrc, processorOptions(false))
	if err != nil {
		return nil, fmt.Errorf("intrinsics: %w", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(rawJS, &raw); err != nil {
		return nil, fmt.Errorf("template JSON: %w", err)
	}
	return &parsed{Template: tpl, raw: raw, doc: doc}, nil
}

// loadTemplateFor parses template.yaml as deployed in d (both views).
func loadTemplateFor(t *testing.T, d deployment) *parsed {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseTemplateFor(data, d, d)
	if err != nil {
		t.Fatalf("%s in %s: %v", templatePath, d.name, err)
	}
	return p
}

func loadTemplate(t *testing.T) *parsed {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseTemplate(data)
	if err != nil {
		t.Fatalf("%s: %v", templatePath, err)
	}
	return p
}

func (p *parsed) rawResource(name string) map[string]any {
	res, _ := p.raw["Resources"].(map[string]any)
	r, _ := res[name].(map[string]any)
	return r
}

// unknownKeys lists the key paths present in raw but absent from typed: a
// property goformation's generated types (from the CloudFormation and SAM
// specifications) do not know, which CloudFormation would reject or, worse,
// a nested typo SAM would silently ignore.
func unknownKeys(path string, raw, typed any) []string {
	var out []string
	switch r := raw.(type) {
	case map[string]any:
		tm, ok := typed.(map[string]any)
		if !ok {
			return []string{path + " (object where the type has none)"}
		}
		for k, v := range r {
			tv, ok := tm[k]
			if !ok {
				out = append(out, path+"."+k)
				continue
			}
			out = append(out, unknownKeys(path+"."+k, v, tv)...)
		}
	case []any:
		tl, ok := typed.([]any)
		if !ok || len(tl) != len(r) {
			return []string{path + " (list shape differs)"}
		}
		for i := range r {
			out = append(out, unknownKeys(fmt.Sprintf("%s[%d]", path, i), r[i], tl[i])...)
		}
	}
	return out
}

// freeForm are properties whose value is an arbitrary JSON document in the
// specification (policy documents, the HTTP API authorizers map), so there is
// nothing to compare below them.
var freeForm = map[string]bool{
	"AssumeRolePolicyDocument": true, "PolicyDocument": true, "KeyPolicy": true, "Auth": true,
	"Definition": true, "DefinitionBody": true, "Metadata": true,
}

func stripFreeForm(v any) any {
	switch m := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range m {
			if freeForm[k] {
				continue
			}
			out[k] = stripFreeForm(x)
		}
		return out
	case []any:
		out := make([]any, len(m))
		for i, x := range m {
			out[i] = stripFreeForm(x)
		}
		return out
	}
	return v
}

// Every resource and property is checked as deployed with the defaults, with
// every optional feature, with China's notice channels outside China, and in
// the China regions: a property under an Fn::If is checked in each branch.
func TestTemplateResourcesAndPropertiesAreValid(t *testing.T) {
	for _, d := range []deployment{commercialDefaults, commercialEverything, commercialDomestic, china} {
		t.Run(d.name, func(t *testing.T) { checkResourcesAndProperties(t, loadTemplateFor(t, d)) })
	}
}

func checkResourcesAndProperties(t *testing.T, p *parsed) {
	known := cloudformation.AllResources()
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range p.Resources {
			if !yield(n) {
				return
			}
		}
	})
	if len(names) == 0 {
		t.Fatal("template has no resources")
	}
	for _, name := range names {
		res := p.Resources[name]
		typ := res.AWSCloudFormationType()
		if _, ok := known[typ]; !ok && !strings.HasPrefix(typ, "Custom::") {
			t.Errorf("resource %s: type %q is not a CloudFormation or SAM resource type", name, typ)
			continue
		}
		raw := p.rawResource(name)
		for k := range raw {
			switch k {
			case "Type", "Properties", "DependsOn", "Metadata", "Condition", "DeletionPolicy", "UpdateReplacePolicy":
			default:
				t.Errorf("resource %s: unknown resource attribute %q", name, k)
			}
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Errorf("resource %s: marshal: %v", name, err)
			continue
		}
		var typed map[string]any
		if err := json.Unmarshal(b, &typed); err != nil {
			t.Fatal(err)
		}
		rawProps, _ := stripFreeForm(raw["Properties"]).(map[string]any)
		applyErrata(typ, rawProps)
		for _, k := range unknownKeys(name+".Properties", rawProps, stripFreeForm(typed["Properties"])) {
			t.Errorf("resource %s (%s): property %s is not in the %s specification", name, typ, k, typ)
		}
	}
}

func TestTemplateHasNoGlobals(t *testing.T) {
	// goformation does not merge Globals into resources, so every check here
	// would read a function without its inherited settings.
	if _, ok := loadTemplate(t).raw["Globals"]; ok {
		t.Fatal("template.yaml has a Globals section; state each function's settings on the function (the checks see no merged Globals)")
	}
}

func TestTemplateParameters(t *testing.T) {
	p := loadTemplate(t)
	for _, name := range []string{"Stage", "SenderEmail", "MailChannel", "SmsChannel", "JwtIssuer", "JwtAudience", "LogRetentionDays", "WebOrigin"} {
		if _, ok := p.Parameters[name]; !ok {
			t.Errorf("parameter %s is missing", name)
		}
	}
}

func TestTemplateOutputs(t *testing.T) {
	p := loadTemplate(t)
	for _, name := range []string{"ApiUrl", "TableName", "StateMachineArn"} {
		if _, ok := p.Outputs[name]; !ok {
			t.Errorf("output %s is missing", name)
		}
	}
	for _, d := range seededDepartments(t) {
		name := "Dept" + camel(d) + "QueueUrl"
		o, ok := p.Outputs[name]
		if !ok {
			t.Errorf("output %s (queue URL of department %s) is missing", name, d)
			continue
		}
		if got, want := fmt.Sprint(o.Value), "Ref(Dept"+camel(d)+"Queue)"; got != want {
			t.Errorf("output %s = %s, want %s", name, got, want)
		}
	}
}

func camel(id string) string {
	var sb strings.Builder
	for p := range strings.SplitSeq(id, "_") {
		if p != "" {
			sb.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return sb.String()
}

var substitution = regexp.MustCompile(`\$\{([^}]*)\}`)

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
