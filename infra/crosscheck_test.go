package infra

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation/serverless"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/adapters/store"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/wiring/config"
)

// functionDirs lists functions/<name> directories.
func functionDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("../functions")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

var functionName = regexp.MustCompile(`^Sub\(hotline-\$\{Stage\}-([a-z0-9_-]+)\)$`)

type fnResource struct {
	logical string
	fn      *serverless.Function
}

// functionsByName maps a function directory name to its template resource,
// read from FunctionName hotline-${Stage}-<name>. Every function is built by
// sam build from the repository root (CodeUri ..) with the Makefile's
// build-<logical id> target (Metadata BuildMethod makefile), which builds
// functions/<name> (TestSamBuildTargets).
func functionsByName(t *testing.T, p *parsed) map[string]fnResource {
	t.Helper()
	out := map[string]fnResource{}
	for logical, fn := range p.GetAllServerlessFunctionResources() {
		if fn.CodeUri == nil || fn.CodeUri.String == nil || *fn.CodeUri.String != ".." {
			t.Errorf("%s: CodeUri must be .. (the repository root, whose Makefile sam build runs)", logical)
		}
		if md, _ := p.rawResource(logical)["Metadata"].(map[string]any); md["BuildMethod"] != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod must be makefile (sam build runs make build-%s)", logical, logical)
		}
		m := functionName.FindStringSubmatch(deref(fn.FunctionName))
		if m == nil {
			t.Errorf("%s: FunctionName %q is not !Sub hotline-${Stage}-<function>", logical, deref(fn.FunctionName))
			continue
		}
		if prev, dup := out[m[1]]; dup {
			t.Errorf("%s and %s both deploy functions/%s", prev.logical, logical, m[1])
		}
		out[m[1]] = fnResource{logical, fn}
	}
	return out
}

func seededDepartments(t *testing.T) []string {
	t.Helper()
	c, err := catalog.Load(configfiles.Seed)
	if err != nil {
		t.Fatalf("config/seed.json: %v", err)
	}
	var ids []string
	for _, d := range c.Departments() {
		ids = append(ids, d.ID)
	}
	return ids
}

func TestEveryFunctionDirectoryHasAResourceAndBack(t *testing.T) {
	p := loadTemplate(t)
	fns := functionsByName(t, p)
	dirs := functionDirs(t)
	for _, d := range dirs {
		if _, ok := fns[d]; !ok {
			t.Errorf("functions/%s has no AWS::Serverless::Function in %s (FunctionName hotline-${Stage}-%s)", d, templatePath, d)
		}
	}
	for name, r := range fns {
		if !slices.Contains(dirs, name) {
			t.Errorf("%s is named for functions/%s but there is no functions/%s", r.logical, name, name)
		}
	}
}

func TestFunctionsRuntimeShape(t *testing.T) {
	p := loadTemplate(t)
	for name, r := range functionsByName(t, p) {
		fn, where := r.fn, r.logical+" (functions/"+name+")"
		if fn.Runtime == nil || *fn.Runtime != "provided.al2023" {
			t.Errorf("%s: Runtime must be provided.al2023", where)
		}
		if !slices.Equal(fn.Architectures, []string{"arm64"}) {
			t.Errorf("%s: Architectures = %v, want [arm64] (make build targets linux/arm64)", where, fn.Architectures)
		}
		if fn.Handler == nil || *fn.Handler != "bootstrap" {
			t.Errorf("%s: Handler must be bootstrap", where)
		}
		if fn.Timeout == nil || fn.MemorySize == nil {
			t.Errorf("%s: Timeout and MemorySize must be stated on the function", where)
		}
		if fn.Tracing == nil || *fn.Tracing != "Active" {
			t.Errorf("%s: Tracing must be Active", where)
		}
		if fn.Role == nil || !strings.HasPrefix(*fn.Role, "GetAtt(") || !strings.HasSuffix(*fn.Role, ".Arn)") {
			t.Errorf("%s: Role must be !GetAtt <its own role>.Arn, got %v", where, fn.Role)
		} else if role := strings.TrimSuffix(strings.TrimPrefix(*fn.Role, "GetAtt("), ".Arn)"); p.rawResource(role)["Type"] != "AWS::IAM::Role" {
			t.Errorf("%s: Role %s is not an AWS::IAM::Role of this template", where, role)
		}
		if fn.FunctionName == nil || *fn.FunctionName != "Sub(hotline-${Stage}-"+name+")" {
			t.Errorf("%s: FunctionName = %v, want !Sub hotline-${Stage}-%s (its log group is named after it)", where, fn.FunctionName, name)
		}
		if why, _ := p.rawResource(r.logical)["Metadata"].(map[string]any)["Why"].(string); why == "" {
			t.Errorf("%s: Metadata.Why must justify its timeout and memory", where)
		}
		lg := p.rawResource(camel(name) + "LogGroup")
		if props, _ := lg["Properties"].(map[string]any); props["LogGroupName"] != "Sub(/aws/lambda/hotline-${Stage}-"+name+")" || props["RetentionInDays"] != "Ref(LogRetentionDays)" {
			t.Errorf("%s: needs a log group %sLogGroup named /aws/lambda/hotline-${Stage}-%s with RetentionInDays !Ref LogRetentionDays", where, camel(name), name)
		}
	}
	roles := map[string]string{}
	for name, r := range functionsByName(t, p) {
		if r.fn.Role == nil {
			continue
		}
		if other, dup := roles[*r.fn.Role]; dup {
			t.Errorf("functions %s and %s share the role %s; each function needs its own", other, name, *r.fn.Role)
		}
		roles[*r.fn.Role] = name
	}
}

// localOnly are variables a function reads that production must not set:
// the endpoint override (LocalStack, the local edge) and the in-memory seal
// key (production seals with KMS, HOTLINE_KMS_KEY_ID).
var localOnly = map[string]string{
	config.EnvEndpointURL: "points the SDK at a local edge",
	config.EnvSealKey:     "local sealing key; production uses HOTLINE_KMS_KEY_ID",
}

// lambdaSets are variables the Lambda runtime sets itself; a template may not set them.
var lambdaSets = map[string]bool{config.EnvRegion: true}

func TestEveryEnvironmentVariableTheCodeReadsIsSet(t *testing.T) {
	p := loadTemplate(t)
	for name, r := range functionsByName(t, p) {
		where := r.logical + " (functions/" + name + ")"
		req, ok := config.Required[name]
		if !ok {
			t.Errorf("%s: internal/wiring/config has no Required entry for %q", where, name)
			continue
		}
		var vars map[string]string
		if r.fn.Environment != nil {
			vars = r.fn.Environment.Variables
		}
		reads := map[string]bool{}
		for _, v := range req {
			reads[v] = true
			if lambdaSets[v] {
				continue
			}
			if vars[v] == "" {
				t.Errorf("%s: required variable %s is not set in Environment.Variables", where, v)
			}
		}
		for _, v := range config.Optional[name] {
			reads[v] = true
			_, set := vars[v]
			if why, local := localOnly[v]; local {
				if set {
					t.Errorf("%s: %s must not be set in production (%s)", where, v, why)
				}
				continue
			}
			if !set {
				t.Errorf("%s: optional variable %s is read by the code but not set in Environment.Variables", where, v)
			}
		}
		for v := range vars {
			if lambdaSets[v] {
				t.Errorf("%s: %s is reserved; Lambda sets it", where, v)
			} else if !reads[v] {
				t.Errorf("%s: sets %s, which internal/wiring/config does not read for %s", where, v, name)
			}
		}
	}
}

func TestWorkflowSubstitutionsAndInvokePermissions(t *testing.T) {
	p := loadTemplate(t)
	machines := p.GetAllServerlessStateMachineResources()
	if len(machines) != 1 {
		t.Fatalf("want exactly one AWS::Serverless::StateMachine, found %d", len(machines))
	}
	for logical, sm := range machines {
		if sm.DefinitionUri == nil || sm.DefinitionUri.String == nil {
			t.Fatalf("%s: DefinitionUri must be the local file ../statemachine/<name>.asl.json", logical)
		}
		def, err := os.ReadFile(filepath.FromSlash(*sm.DefinitionUri.String))
		if err != nil {
			t.Fatalf("%s: DefinitionUri: %v", logical, err)
		}
		used := map[string]bool{}
		for _, m := range substitution.FindAllStringSubmatch(string(def), -1) {
			used[m[1]] = true
			if _, ok := sm.DefinitionSubstitutions[m[1]]; !ok {
				t.Errorf("%s: ${%s} in %s has no DefinitionSubstitutions entry", logical, m[1], *sm.DefinitionUri.String)
			}
		}
		for k := range sm.DefinitionSubstitutions {
			if !used[k] {
				t.Errorf("%s: DefinitionSubstitutions.%s is not used by the definition", logical, k)
			}
		}
		if sm.Type == nil || *sm.Type != "STANDARD" {
			t.Errorf("%s: Type must be STANDARD (executions wait days for people)", logical)
		}
		if sm.Logging == nil || sm.Logging.IncludeExecutionData || sm.Logging.Level == "" || sm.Logging.Level == "OFF" {
			t.Errorf("%s: Logging must be on with IncludeExecutionData false", logical)
		}
		if sm.Tracing == nil || sm.Tracing.Enabled == nil || !*sm.Tracing.Enabled {
			t.Errorf("%s: Tracing.Enabled must be true", logical)
		}
		if sm.Role == nil || !strings.HasPrefix(*sm.Role, "GetAtt(") {
			t.Fatalf("%s: Role must be !GetAtt <role>.Arn", logical)
		}
		role := strings.TrimSuffix(strings.TrimPrefix(*sm.Role, "GetAtt("), ".Arn)")
		invokable := map[string]bool{}
		for _, st := range roleStatements(t, p, role) {
			if slices.Contains(st.actions, "lambda:InvokeFunction") {
				for _, r := range st.resources {
					invokable[r] = true
				}
			}
		}
		fnLogical := map[string]string{}
		for name, r := range functionsByName(t, p) {
			fnLogical["GetAtt("+r.logical+".Arn)"] = name
		}
		called := map[string]bool{}
		for k, v := range sm.DefinitionSubstitutions {
			if !strings.HasSuffix(k, "FunctionArn") {
				continue
			}
			called[v] = true
			if _, ok := fnLogical[v]; !ok {
				t.Errorf("%s: ${%s} = %s is not the ARN of a function of this template", logical, k, v)
			}
			if !invokable[v] {
				t.Errorf("%s: the workflow calls ${%s} = %s but role %s may not lambda:InvokeFunction it", logical, k, v, role)
			}
		}
		for r := range invokable {
			if !called[r] {
				t.Errorf("role %s may invoke %s, which the workflow never calls", role, r)
			}
		}
	}
}

func TestTableMatchesStoreSchema(t *testing.T) {
	p := loadTemplate(t)
	tables := p.GetAllDynamoDBTableResources()
	if len(tables) != 1 {
		t.Fatalf("want one AWS::DynamoDB::Table, found %d", len(tables))
	}
	want := store.Schema()
	for logical, tb := range tables {
		got := store.TableSchema{TTLAttribute: "", BillingMode: deref(tb.BillingMode)}
		for _, k := range tb.KeySchema {
			switch k.KeyType {
			case "HASH":
				got.PartitionKey = k.AttributeName
			case "RANGE":
				got.SortKey = k.AttributeName
			}
		}
		for _, a := range tb.AttributeDefinitions {
			got.Attributes = append(got.Attributes, store.KeyAttribute{Name: a.AttributeName, Type: a.AttributeType})
		}
		for _, g := range tb.GlobalSecondaryIndexes {
			ix := store.IndexSchema{Name: g.IndexName, Projection: deref(g.Projection.ProjectionType)}
			for _, k := range g.KeySchema {
				if k.KeyType == "HASH" {
					ix.PartitionKey = k.AttributeName
				} else {
					ix.SortKey = k.AttributeName
				}
			}
			got.Indexes = append(got.Indexes, ix)
		}
		if tb.TimeToLiveSpecification != nil && tb.TimeToLiveSpecification.Enabled {
			got.TTLAttribute = deref(tb.TimeToLiveSpecification.AttributeName)
		}
		if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
			t.Errorf("%s differs from internal/adapters/store.Schema():\n template: %s\n code:     %s", logical, g, w)
		}
		if tb.PointInTimeRecoverySpecification == nil || tb.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled == nil || !*tb.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled {
			t.Errorf("%s: point-in-time recovery must be on", logical)
		}
		sse := tb.SSESpecification
		if sse == nil || !sse.SSEEnabled || deref(sse.SSEType) != "KMS" || !strings.HasPrefix(deref(sse.KMSMasterKeyId), "Ref(") {
			t.Errorf("%s: SSESpecification must use a customer-managed KMS key of this template", logical)
		} else if key := strings.TrimSuffix(strings.TrimPrefix(*sse.KMSMasterKeyId, "Ref("), ")"); p.rawResource(key)["Type"] != "AWS::KMS::Key" {
			t.Errorf("%s: KMSMasterKeyId %s is not an AWS::KMS::Key", logical, key)
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func TestRoutesMatchGateway(t *testing.T) {
	p := loadTemplate(t)
	type route struct{ fn, auth string }
	authName := map[httpapi.Auth]string{httpapi.AuthPublic: "NONE", httpapi.AuthStaff: "StaffJwt", httpapi.AuthOptional: "OptionalStaff"}
	want := map[string]route{}
	for _, r := range httpapi.Routes {
		want[r.Key()] = route{r.Function, authName[r.Auth]}
	}
	got := map[string]route{}
	for name, r := range functionsByName(t, p) {
		for evName, ev := range r.fn.Events {
			if ev.Type != "HttpApi" {
				continue
			}
			h := ev.Properties.HttpApiEvent
			if h == nil || h.Method == nil || h.Path == nil {
				t.Errorf("%s event %s: not a valid HttpApi event (Method, Path, ApiId)", r.logical, evName)
				continue
			}
			if deref(h.ApiId) != "Ref(HttpApi)" {
				t.Errorf("%s event %s: ApiId must be !Ref HttpApi", r.logical, evName)
			}
			if deref(h.PayloadFormatVersion) != "2.0" {
				t.Errorf("%s event %s: PayloadFormatVersion must be \"2.0\" (the handlers take APIGatewayV2HTTPRequest)", r.logical, evName)
			}
			auth := "StaffJwt" // the API's DefaultAuthorizer
			if h.Auth != nil && h.Auth.Authorizer != nil {
				auth = *h.Auth.Authorizer
			}
			key := strings.ToUpper(*h.Method) + " " + *h.Path
			if _, dup := got[key]; dup {
				t.Errorf("route %s is declared twice", key)
			}
			got[key] = route{name, auth}
		}
	}
	for _, k := range sortedKeys(want) {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("route %s (internal/app/httpapi) is missing from %s", k, templatePath)
		case g != want[k]:
			t.Errorf("route %s: template has function %s auth %s; internal/app/httpapi has function %s auth %s", k, g.fn, g.auth, want[k].fn, want[k].auth)
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			t.Errorf("route %s is in %s but not in internal/localmode/httpapi.Routes", k, templatePath)
		}
	}
	api, err := p.GetServerlessHttpApiWithName("HttpApi")
	if err != nil {
		t.Fatal(err)
	}
	if deref(api.Auth.DefaultAuthorizer) != "StaffJwt" {
		t.Errorf("HttpApi: DefaultAuthorizer must be StaffJwt (secure by default)")
	}
	authz, _ := api.Auth.Authorizers.(map[string]any)
	jwt, _ := authz["StaffJwt"].(map[string]any)
	jc, _ := jwt["JwtConfiguration"].(map[string]any)
	if jc["issuer"] != "Ref(JwtIssuer)" || fmt.Sprint(jc["audience"]) != "[Ref(JwtAudience)]" || jwt["IdentitySource"] != "$request.header.Authorization" {
		t.Errorf("HttpApi: StaffJwt must be a JWT authorizer on the Authorization header with issuer !Ref JwtIssuer and audience [!Ref JwtAudience], got %v", jwt)
	}
	opt, _ := authz["OptionalStaff"].(map[string]any)
	if opt["FunctionArn"] != "GetAtt(AuthorizerFunction.Arn)" || opt["EnableSimpleResponses"] != true || fmt.Sprint(opt["Identity"]) != "map[ReauthorizeEvery:0]" {
		t.Errorf("HttpApi: OptionalStaff must be the authorizer function with simple responses, no identity source and no cache (else API Gateway refuses requests without a token), got %v", opt)
	}
	props, _ := p.rawResource("HttpApi")["Properties"].(map[string]any)
	rs, _ := props["RouteSettings"].(map[string]any)
	for key, v := range rs {
		if _, ok := got[key]; !ok {
			t.Errorf("HttpApi: RouteSettings names %q, which is not a route", key)
		}
		m, _ := v.(map[string]any)
		for k := range m {
			switch k {
			case "ThrottlingBurstLimit", "ThrottlingRateLimit", "DetailedMetricsEnabled":
			default:
				t.Errorf("HttpApi: RouteSettings[%q].%s is not a route setting of an HTTP API", key, k)
			}
		}
	}
	if api.CorsConfiguration == nil || api.AccessLogSetting == nil || api.DefaultRouteSettings == nil || api.DefaultRouteSettings.ThrottlingRateLimit == nil {
		t.Fatalf("HttpApi: needs CorsConfiguration, AccessLogSettings and DefaultRouteSettings throttling")
	}
	// The local gateway throttles and answers CORS from httpapi: the same numbers and lists.
	throttle := func(burst, rate any) httpapi.Throttle {
		b, _ := burst.(float64)
		r, _ := rate.(float64)
		return httpapi.Throttle{Burst: int(b), Rate: r}
	}
	drs, _ := props["DefaultRouteSettings"].(map[string]any)
	if got := throttle(drs["ThrottlingBurstLimit"], drs["ThrottlingRateLimit"]); got != httpapi.DefaultThrottle {
		t.Errorf("HttpApi: DefaultRouteSettings throttle %+v, httpapi.DefaultThrottle %+v", got, httpapi.DefaultThrottle)
	}
	for key, want := range httpapi.RouteThrottles {
		m, _ := rs[key].(map[string]any)
		if got := throttle(m["ThrottlingBurstLimit"], m["ThrottlingRateLimit"]); got != want {
			t.Errorf("HttpApi: RouteSettings[%q] throttle %+v, httpapi.RouteThrottles %+v", key, got, want)
		}
	}
	cors, _ := props["CorsConfiguration"].(map[string]any)
	for name, want := range map[string][]string{"AllowMethods": httpapi.CORS.AllowMethods, "AllowHeaders": httpapi.CORS.AllowHeaders, "ExposeHeaders": httpapi.CORS.ExposeHeaders} {
		if got := fmt.Sprint(cors[name]); got != fmt.Sprint(want) {
			t.Errorf("HttpApi: CorsConfiguration.%s = %s, httpapi.CORS = %v", name, got, want)
		}
	}
	if age, _ := cors["MaxAge"].(float64); int(age) != httpapi.CORS.MaxAge {
		t.Errorf("HttpApi: CorsConfiguration.MaxAge = %v, httpapi.CORS = %d", cors["MaxAge"], httpapi.CORS.MaxAge)
	}
}

func TestDepartmentQueues(t *testing.T) {
	p := loadTemplate(t)
	queues := p.GetAllSQSQueueResources()
	alarms := p.GetAllCloudWatchAlarmResources()
	for _, d := range seededDepartments(t) {
		q, ok := queues["Dept"+camel(d)+"Queue"]
		if !ok {
			t.Errorf("department %s (config/seed.json) has no queue Dept%sQueue", d, camel(d))
			continue
		}
		if deref(q.QueueName) != "Sub(hotline-${Stage}-dept-"+d+")" {
			t.Errorf("Dept%sQueue: QueueName = %s, want !Sub hotline-${Stage}-dept-%s (HOTLINE_QUEUE_PREFIX + id)", camel(d), deref(q.QueueName), d)
		}
		rp, _ := q.RedrivePolicy.(map[string]any)
		if rp["deadLetterTargetArn"] != "GetAtt(Dept"+camel(d)+"DLQ.Arn)" {
			t.Errorf("Dept%sQueue: RedrivePolicy must send to Dept%sDLQ, got %v", camel(d), camel(d), q.RedrivePolicy)
		}
		found := false
		for _, a := range alarms {
			for _, dim := range a.Dimensions {
				if dim.Name == "QueueName" && dim.Value == "GetAtt(Dept"+camel(d)+"DLQ.QueueName)" && deref(a.MetricName) == "ApproximateNumberOfMessagesVisible" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("Dept%sDLQ has no depth alarm", camel(d))
		}
	}
	if n, want := len(queues)-1, 2*len(seededDepartments(t)); n != want { // -1: SweepDLQ
		t.Errorf("template has %d department SQS queues, want %d (a queue and a DLQ per seeded department)", n, want)
	}
	for name, r := range functionsByName(t, p) {
		if v, ok := r.fn.Environment.Variables[config.EnvQueuePrefix]; ok && v != "Sub(hotline-${Stage}-dept-)" {
			t.Errorf("functions/%s: %s = %s, want !Sub hotline-${Stage}-dept-", name, config.EnvQueuePrefix, v)
		}
	}
}

func TestAlarms(t *testing.T) {
	p := loadTemplate(t)
	alarmed := map[string]bool{}
	for _, a := range p.GetAllCloudWatchAlarmResources() {
		for _, d := range a.Dimensions {
			alarmed[deref(a.MetricName)+" "+d.Value] = true
		}
		if len(a.AlarmActions) == 0 {
			t.Errorf("alarm %s has no action", deref(a.AlarmName))
		}
	}
	for name, r := range functionsByName(t, p) {
		if !alarmed["Errors Ref("+r.logical+")"] {
			t.Errorf("functions/%s has no Errors alarm", name)
		}
	}
	for logical := range p.GetAllServerlessStateMachineResources() {
		if !alarmed["ExecutionsFailed Ref("+logical+")"] {
			t.Errorf("%s has no ExecutionsFailed alarm", logical)
		}
	}
}

// No function is invoked asynchronously: API Gateway and Step Functions'
// lambda:invoke call synchronously, so a DLQ or on-failure destination would
// never receive anything; failures surface as 5xx, workflow retries and the
// workflow-failed alarm. This test makes a future asynchronous event source
// come with a DLQ.
func TestAsynchronousFunctionsHaveAFailureDestination(t *testing.T) {
	p := loadTemplate(t)
	for name, r := range functionsByName(t, p) {
		async := false
		for _, ev := range r.fn.Events {
			switch ev.Type {
			case "HttpApi", "Api":
			default:
				async = true
			}
		}
		if async && r.fn.DeadLetterQueue == nil && (r.fn.EventInvokeConfig == nil || r.fn.EventInvokeConfig.DestinationConfig == nil) {
			t.Errorf("functions/%s has an asynchronous event source but no DeadLetterQueue or on-failure destination", name)
		}
	}
}
