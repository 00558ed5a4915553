package infra

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/sweep"
	"github.com/hotline12345/hotline/internal/app/task"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// events/<function>.json are the sample events of `sam local invoke
// <Logical id> -e events/<function>.json`. Each decodes, with no field
// unknown, into what the function's handler takes, and says something the
// handler accepts: a route of that function, a task action the workflow sends
// it, a schedule event. So a sample cannot drift from the code.

// strictDecode decodes JSON refusing fields the target type does not have.
func strictDecode(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s does not decode into %T: %v", file, v, err)
	}
}

// workflowActions maps a function's ARN substitution (${ReviewFunctionArn})
// to the actions the workflow's task states send it.
func workflowActions(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("../statemachine/complaint.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	var def any
	if err := json.Unmarshal(data, &def); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			fn, _ := x["FunctionName"].(string)
			action, _ := dig(x, "Payload", "action").(string)
			if fn != "" && action != "" && !slices.Contains(out[fn], action) {
				out[fn] = append(out[fn], action)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(def)
	return out
}

func TestSampleEventsMatchTheHandlers(t *testing.T) {
	p := loadTemplate(t)
	fns := functionsByName(t, p)
	actions := workflowActions(t)
	routes := map[string]httpapi.Route{}
	for _, r := range httpapi.Routes {
		routes[r.Key()] = r
	}
	for _, name := range functionDirs(t) {
		file := filepath.Join("..", "events", name+".json")
		if _, err := os.Stat(file); err != nil {
			t.Errorf("functions/%s has no sample event %s (sam local invoke %s -e events/%s.json)", name, file, fns[name].logical, name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			switch name {
			case "api", "intake":
				var req events.APIGatewayV2HTTPRequest
				strictDecode(t, file, &req)
				r, ok := routes[req.RouteKey]
				if req.Version != "2.0" || !ok || r.Function != name {
					t.Errorf("%s: version %q route %q; want a payload 2.0 request for a route of functions/%s", file, req.Version, req.RouteKey, name)
				}
				if req.RequestContext.RouteKey != req.RouteKey || req.RequestContext.HTTP.Method+" " != req.RouteKey[:len(req.RequestContext.HTTP.Method)+1] {
					t.Errorf("%s: requestContext (route %q, method %q) disagrees with routeKey %q", file, req.RequestContext.RouteKey, req.RequestContext.HTTP.Method, req.RouteKey)
				}
				if req.RawPath != req.RequestContext.HTTP.Path {
					t.Errorf("%s: rawPath %q, requestContext.http.path %q", file, req.RawPath, req.RequestContext.HTTP.Path)
				}
			case "authorizer":
				var req events.APIGatewayV2CustomAuthorizerV2Request
				strictDecode(t, file, &req)
				r, ok := routes[req.RouteKey]
				if req.Version != "2.0" || req.Type != "REQUEST" || !ok || r.Auth != httpapi.AuthOptional {
					t.Errorf("%s: version %q type %q route %q; want a REQUEST authorizer payload 2.0 for an optional-staff route", file, req.Version, req.Type, req.RouteKey)
				}
				if !strings.HasPrefix(req.RouteArn, "arn:aws") || !strings.Contains(req.RouteArn, ":execute-api:") {
					t.Errorf("%s: routeArn %q is not an execute-api ARN", file, req.RouteArn)
				}
			case "sweep":
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				var ev events.CloudWatchEvent
				strictDecode(t, file, &ev)
				if _, err := sweep.ParseTrigger(data); err != nil || ev.Source != "aws.events" {
					t.Errorf("%s: sweep refuses it (%v) or it is not a schedule event (source %q)", file, err, ev.Source)
				}
			default: // the workflow's tasks
				var in task.Input
				strictDecode(t, file, &in)
				arn := "${" + fns[name].logical + "Arn}"
				if !slices.Contains(actions[arn], in.Action) {
					t.Errorf("%s: action %q is not one the workflow sends %s (%v)", file, in.Action, arn, actions[arn])
				}
				if !ticket.ValidID(in.TicketID) || in.TaskToken != "" {
					t.Errorf("%s: ticketId %q must be a ticket id, and no taskToken (a sample cannot finish a real waiting step)", file, in.TicketID)
				}
			}
		})
	}
	entries, err := os.ReadDir("../events")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := strings.TrimSuffix(e.Name(), ".json"); !slices.Contains(functionDirs(t), n) {
			t.Errorf("events/%s names no function", e.Name())
		}
	}
}

// sam build runs `make build-<logical id>` (Metadata BuildMethod makefile):
// the target must exist for every function, build that function's directory
// with make build's flags and write $(ARTIFACTS_DIR)/bootstrap.
func TestSamBuildTargets(t *testing.T) {
	p := loadTemplate(t)
	for name, r := range functionsByName(t, p) {
		out, err := execMake(t, "-n", "build-"+r.logical, "ARTIFACTS_DIR=/artifacts/"+r.logical)
		if err != nil {
			t.Errorf("make -n build-%s: %v\n%s", r.logical, err, out)
			continue
		}
		for _, want := range []string{
			"CGO_ENABLED=0 GOOS=linux GOARCH=arm64", "-tags lambda.norpc,nodynamic -trimpath -buildvcs=false -ldflags '-s -w -buildid='",
			"-o /artifacts/" + r.logical + "/bootstrap", "./functions/$f", "echo '" + strings.TrimSuffix(r.logical, "Function") + "'",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("make -n build-%s does not contain %q:\n%s", r.logical, want, out)
			}
		}
		if strings.ToLower(strings.TrimSuffix(r.logical, "Function")) != name {
			t.Errorf("%s builds functions/%s (its lower-cased logical id), but it deploys functions/%s", r.logical, strings.ToLower(strings.TrimSuffix(r.logical, "Function")), name)
		}
	}
}

func execMake(t *testing.T, args ...string) (string, error) {
	t.Helper()
	mk, err := exec.LookPath("make")
	if err != nil {
		ciMustRun(t, "make not found: Makefile check skipped")
	}
	cmd := exec.Command(mk, args...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	return string(out), err
}
