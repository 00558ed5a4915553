package infra

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// metricsNamespace is HOTLINE_METRICS_NAMESPACE: the namespace of the
// embedded-metric-format lines the functions write.
const metricsNamespace = "Sub(Hotline12345/${Stage})"

// codeMetrics are the metrics the code emits, with their dimension sets (the
// template's comment above NoticesFailedAlarm says the same).
var codeMetrics = map[string][][]string{
	"TicketsFiled":      {{}},
	"TicketsDispatched": {{}, {"Department"}},
	"TicketsOverdue":    {{}, {"Department"}},
	"TicketsEscalated":  {{}, {"Department"}},
	"NoticesFailed":     {{}, {"Channel"}},
}

func TestEveryFunctionNamesTheMetricsNamespace(t *testing.T) {
	p := loadTemplate(t)
	for name, r := range functionsByName(t, p) {
		if got := r.fn.Environment.Variables["HOTLINE_METRICS_NAMESPACE"]; got != metricsNamespace {
			t.Errorf("functions/%s: HOTLINE_METRICS_NAMESPACE = %q, want %s", name, got, metricsNamespace)
		}
	}
}

// The alarms a person must act on, on the code's metrics: failed notices,
// overdue and escalated tickets. Each names a metric the code emits with a
// dimension set it emits, and none uses Lambda's asynchronous-invocation
// metrics (not published in the China regions).
func TestAlarmsOnTheCodesMetrics(t *testing.T) {
	p := loadTemplate(t)
	alarmed := map[string]bool{}
	for name, a := range p.GetAllCloudWatchAlarmResources() {
		metric := deref(a.MetricName)
		if strings.HasPrefix(metric, "AsyncEvent") {
			t.Errorf("%s: %s is not published in the China regions", name, metric)
		}
		if deref(a.Namespace) != metricsNamespace {
			continue
		}
		sets, ok := codeMetrics[metric]
		if !ok {
			t.Errorf("%s: %s is not a metric the code emits (%v)", name, metric, sortedKeys(codeMetrics))
			continue
		}
		var dims []string
		for _, d := range a.Dimensions {
			dims = append(dims, d.Name)
		}
		if !slices.ContainsFunc(sets, func(s []string) bool { return slices.Equal(s, dims) || len(s) == 0 && len(dims) == 0 }) {
			t.Errorf("%s: dimensions %v are not a set the code emits %s with (%v)", name, dims, metric, sets)
		}
		if len(a.AlarmActions) == 0 || a.AlarmActions[0] != "Ref(AlarmTopic)" {
			t.Errorf("%s: must notify the alarm topic", name)
		}
		alarmed[metric] = true
	}
	for _, m := range []string{"NoticesFailed", "TicketsOverdue", "TicketsEscalated"} {
		if !alarmed[m] {
			t.Errorf("no alarm on %s", m)
		}
	}
	raw := func(name string) map[string]any { return rawProps(t, p, name) }
	if a := raw("NoticesFailedAlarm"); fmt.Sprintf("%v %v %v", a["Threshold"], a["Period"], a["ComparisonOperator"]) != "5 900 GreaterThanOrEqualToThreshold" {
		t.Errorf("NoticesFailedAlarm: want 5 or more in 15 minutes, got threshold %v period %v %v", a["Threshold"], a["Period"], a["ComparisonOperator"])
	}
	for name, param := range map[string]string{"TicketsOverdueAlarm": "TicketsOverdueThreshold", "TicketsEscalatedAlarm": "TicketsEscalatedThreshold"} {
		a := raw(name)
		if a["Threshold"] != "Ref("+param+")" || fmt.Sprint(a["Period"]) != "3600" || a["Statistic"] != "Sum" {
			t.Errorf("%s: want the hourly sum above the parameter %s, got %v %v %v", name, param, a["Statistic"], a["Period"], a["Threshold"])
		}
		if _, ok := p.Parameters[param]; !ok {
			t.Errorf("parameter %s is missing", param)
		}
	}
}

// dashboardMetrics expands CloudWatch's shorthand ("." repeats the value
// above, "..." the leading values of the row above) into full rows.
func dashboardMetrics(rows []any) [][]string {
	var out [][]string
	var prev []string
	for _, r := range rows {
		var row []string
		for _, e := range r.([]any) {
			if s, ok := e.(string); ok {
				row = append(row, s)
			}
		}
		if len(row) > 0 && row[0] == "..." && prev != nil {
			keep := len(prev) - (len(row) - 1)
			row = append(slices.Clone(prev[:max(keep, 0)]), row[1:]...)
		}
		for i := range row {
			if row[i] == "." && i < len(prev) {
				row[i] = prev[i]
			}
		}
		out = append(out, row)
		prev = row
	}
	return out
}

func TestDashboard(t *testing.T) {
	p := loadTemplate(t)
	body := fmt.Sprint(rawProps(t, p, "Dashboard")["DashboardBody"])
	text, ok := strings.CutPrefix(body, "Sub(")
	if !ok {
		t.Fatalf("DashboardBody is not a !Sub: %.80s", body)
	}
	text = strings.TrimSuffix(text, ")")
	resources, _ := p.raw["Resources"].(map[string]any)
	for _, m := range substitution.FindAllStringSubmatch(text, -1) {
		ref := m[1]
		if ref == "AWS::Region" || ref == "Stage" {
			continue
		}
		logical, _, _ := strings.Cut(ref, ".")
		if _, ok := resources[logical]; !ok {
			t.Errorf("DashboardBody: ${%s} is not a resource of the template", ref)
		}
	}
	// As CloudFormation will hand it to CloudWatch: every ${…} a value.
	js := substitution.ReplaceAllStringFunc(text, func(s string) string {
		if s == "${Stage}" {
			return "prod"
		}
		return "x"
	})
	var dash struct {
		Widgets []struct {
			Type       string         `json:"type"`
			Properties map[string]any `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(js), &dash); err != nil {
		t.Fatalf("DashboardBody is not JSON: %v", err)
	}
	for i, w := range dash.Widgets {
		if w.Type != "metric" || w.Properties["region"] != "x" || w.Properties["metrics"] == nil {
			t.Errorf("DashboardBody widget %d: type %q region %v; want a metric widget of the stack's region", i, w.Type, w.Properties["region"])
		}
	}
	// Shown as the template names them (before substitution).
	var rawDash struct {
		Widgets []struct {
			Properties map[string]any `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(strings.ReplaceAll(text, "${AWS::Region}", "x")), &rawDash); err != nil {
		t.Fatalf("DashboardBody with its ${…} is not JSON: %v", err)
	}
	shown := map[string]bool{}
	for _, w := range rawDash.Widgets {
		rows, _ := w.Properties["metrics"].([]any)
		for _, row := range dashboardMetrics(rows) {
			if len(row) > 0 && row[0] == "Hotline12345/${Stage}" {
				if _, ok := codeMetrics[row[1]]; !ok {
					t.Errorf("DashboardBody: %s is not a metric the code emits", row[1])
				}
			}
			shown[strings.Join(row, " ")] = true
		}
	}
	want := []string{
		"Hotline12345/${Stage} TicketsFiled", "Hotline12345/${Stage} TicketsDispatched",
		"Hotline12345/${Stage} TicketsOverdue", "Hotline12345/${Stage} TicketsEscalated",
		"Hotline12345/${Stage} NoticesFailed Channel email", "Hotline12345/${Stage} NoticesFailed Channel sms",
	}
	for _, r := range functionsByName(t, p) {
		for _, m := range []string{"Errors", "Throttles", "Duration"} {
			want = append(want, "AWS/Lambda "+m+" FunctionName ${"+r.logical+"}")
		}
	}
	for logical := range p.GetAllServerlessStateMachineResources() {
		want = append(want, "AWS/States ExecutionsFailed StateMachineArn ${"+logical+"}", "AWS/States ExecutionsTimedOut StateMachineArn ${"+logical+"}")
	}
	for _, m := range []string{"4xx", "5xx", "Latency"} {
		want = append(want, "AWS/ApiGateway "+m+" ApiId ${HttpApi}")
	}
	for name := range p.GetAllSQSQueueResources() {
		if strings.HasSuffix(name, "DLQ") {
			want = append(want, "AWS/SQS ApproximateNumberOfMessagesVisible QueueName ${"+name+".QueueName}")
		}
	}
	for _, w := range want {
		if !shown[w] {
			t.Errorf("the dashboard does not show %s", w)
		}
	}
}
