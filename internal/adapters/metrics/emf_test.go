package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/adapters/metrics"
)

// validateEMF checks one log line against the rules of the EMF specification
// (CloudWatch_Embedded_Metric_Format_Specification): one JSON object; _aws
// with a millisecond Timestamp and CloudWatchMetrics directives; each
// directive a Namespace, Dimensions (sets of at most 30 keys) and at most
// 100 Metrics with a Name; every referenced member present at the root,
// dimension values ASCII strings of 1 to 1024 characters, metric values
// numbers (or arrays of numbers).
func validateEMF(line []byte, now time.Time) error {
	if bytes.ContainsAny(bytes.TrimSuffix(line, []byte("\n")), "\n") {
		return fmt.Errorf("not one line: %q", line)
	}
	var root map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("text after the object")
	}
	var meta struct {
		Timestamp         *json.Number
		CloudWatchMetrics []struct {
			Namespace  *string
			Dimensions [][]string
			Metrics    []struct {
				Name *string
				Unit string
			}
		}
	}
	raw, ok := root["_aws"]
	if !ok {
		return fmt.Errorf("no _aws member")
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return fmt.Errorf("_aws: %w", err)
	}
	if meta.Timestamp == nil {
		return fmt.Errorf("no _aws.Timestamp")
	}
	ms, err := meta.Timestamp.Int64()
	if err != nil {
		return fmt.Errorf("_aws.Timestamp %s is not an integer", *meta.Timestamp)
	}
	if ms != now.UnixMilli() {
		return fmt.Errorf("_aws.Timestamp %d, want %d (milliseconds of the clock)", ms, now.UnixMilli())
	}
	if meta.CloudWatchMetrics == nil {
		return fmt.Errorf("no _aws.CloudWatchMetrics")
	}
	for _, d := range meta.CloudWatchMetrics {
		if d.Namespace == nil || *d.Namespace == "" {
			return fmt.Errorf("directive without Namespace")
		}
		if d.Dimensions == nil {
			return fmt.Errorf("directive without Dimensions")
		}
		if len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			return fmt.Errorf("%d metrics in a directive, want 1 to 100", len(d.Metrics))
		}
		for _, set := range d.Dimensions {
			if len(set) > 30 {
				return fmt.Errorf("dimension set of %d keys, at most 30", len(set))
			}
			for _, k := range set {
				var v string
				if err := json.Unmarshal(root[k], &v); err != nil {
					return fmt.Errorf("dimension %s: no string member at the root", k)
				}
				if !metrics.ValidValue(k) || !metrics.ValidValue(v) {
					return fmt.Errorf("dimension %s=%q is not 1 to 1024 printable ASCII characters", k, v)
				}
			}
		}
		for _, m := range d.Metrics {
			if m.Name == nil || *m.Name == "" {
				return fmt.Errorf("metric without Name")
			}
			var n float64
			if err := json.Unmarshal(root[*m.Name], &n); err != nil {
				var ns []float64
				if err := json.Unmarshal(root[*m.Name], &ns); err != nil {
					return fmt.Errorf("metric %s: no number at the root", *m.Name)
				}
			}
		}
	}
	return nil
}

var at = time.Date(2026, 11, 30, 8, 0, 0, 123_456_789, time.UTC)

func TestEMFLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    metrics.Sample
		want string
	}{
		{"filed, no dimension", metrics.Sample{Metric: metrics.TicketsFiled, TicketID: "20261130-ABCD"},
			`{"TicketId":"20261130-ABCD","TicketsFiled":1,"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"Hotline/test","Dimensions":[[]],"Metrics":[{"Name":"TicketsFiled","Unit":"Count"}]}]}}`},
		{"filed ignores a value", metrics.Sample{Metric: metrics.TicketsFiled, Value: "market"},
			`{"TicketsFiled":1,"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"Hotline/test","Dimensions":[[]],"Metrics":[{"Name":"TicketsFiled","Unit":"Count"}]}]}}`},
		{"dispatched by department", metrics.Sample{Metric: metrics.TicketsDispatched, Value: "market", TicketID: "T1"},
			`{"Department":"market","TicketId":"T1","TicketsDispatched":1,"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"Hotline/test","Dimensions":[[],["Department"]],"Metrics":[{"Name":"TicketsDispatched","Unit":"Count"}]}]}}`},
		{"overdue", metrics.Sample{Metric: metrics.TicketsOverdue, Value: "hrss"},
			`{"Department":"hrss","TicketsOverdue":1,"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"Hotline/test","Dimensions":[[],["Department"]],"Metrics":[{"Name":"TicketsOverdue","Unit":"Count"}]}]}}`},
		{"escalated", metrics.Sample{Metric: metrics.TicketsEscalated, Value: "hrss"},
			`{"Department":"hrss","TicketsEscalated":1,"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"Hotline/test","Dimensions":[[],["Department"]],"Metrics":[{"Name":"TicketsEscalated","Unit":"Count"}]}]}}`},
		{"notice failed by channel", metrics.Sample{Metric: metrics.NoticesFailed, Value: "sms"},
			`{"Channel":"sms","NoticesFailed":1,"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"Hotline/test","Dimensions":[[],["Channel"]],"Metrics":[{"Name":"NoticesFailed","Unit":"Count"}]}]}}`},
		{"a Chinese department name counts in the total only", metrics.Sample{Metric: metrics.TicketsDispatched, Value: "市场监管局"},
			`{"TicketsDispatched":1,"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"Hotline/test","Dimensions":[[]],"Metrics":[{"Name":"TicketsDispatched","Unit":"Count"}]}]}}`},
		{"a control character too", metrics.Sample{Metric: metrics.TicketsOverdue, Value: "mar\nket"},
			`{"TicketsOverdue":1,"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"Hotline/test","Dimensions":[[]],"Metrics":[{"Name":"TicketsOverdue","Unit":"Count"}]}]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			e := &metrics.EMF{W: &out, Namespace: "Hotline/test", Now: func() time.Time { return at }}
			e.Add(context.Background(), tc.s)
			if got := strings.TrimSuffix(out.String(), "\n"); got != tc.want {
				t.Errorf("line\n got %s\nwant %s", got, tc.want)
			}
			if !strings.HasSuffix(out.String(), "}\n") || strings.Count(out.String(), "\n") != 1 {
				t.Errorf("want exactly one line ending in a newline, got %q", out.String())
			}
			if err := validateEMF(out.Bytes(), at); err != nil {
				t.Errorf("not valid EMF: %v", err)
			}
		})
	}
}

func TestEMFWritesNothingWhenOffOrUnknown(t *testing.T) {
	var out bytes.Buffer
	(&metrics.EMF{W: &out, Now: func() time.Time { return at }}).Add(context.Background(), metrics.Sample{Metric: metrics.TicketsFiled})
	(&metrics.EMF{W: &out, Namespace: "N", Now: func() time.Time { return at }}).Add(context.Background(), metrics.Sample{Metric: "Nonsense"})
	if out.Len() != 0 {
		t.Errorf("wrote %q", out.String())
	}
}

func TestValidatorCatchesBrokenLines(t *testing.T) {
	for _, bad := range []string{
		`not json`,
		`{"TicketsFiled":1}`,
		`{"_aws":{"CloudWatchMetrics":[]}}`,
		`{"_aws":{"Timestamp":1796025600,"CloudWatchMetrics":[]}}`,
		`{"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["Department"]],"Metrics":[{"Name":"X"}]}]},"X":1}`,
		`{"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["Department"]],"Metrics":[{"Name":"X"}]}]},"X":1,"Department":"市场"}`,
		`{"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"X"}]}]}}`,
		`{"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[{"Dimensions":[[]],"Metrics":[{"Name":"X"}]}]},"X":1}`,
		`{"_aws":{"Timestamp":1796025600123,"CloudWatchMetrics":[]}} {}`,
	} {
		if err := validateEMF([]byte(bad), at); err == nil {
			t.Errorf("validator passed %s", bad)
		}
	}
}

func TestMemoryCountsAndServes(t *testing.T) {
	m := metrics.NewMemory()
	ctx := context.Background()
	m.Add(ctx, metrics.Sample{Metric: metrics.TicketsDispatched, Value: "market"})
	m.Add(ctx, metrics.Sample{Metric: metrics.TicketsDispatched, Value: "market"})
	m.Add(ctx, metrics.Sample{Metric: metrics.TicketsDispatched, Value: "市场"})
	m.Add(ctx, metrics.Sample{Metric: metrics.TicketsFiled})
	m.Add(ctx, metrics.Sample{Metric: "Nonsense"})
	if got := m.Count(metrics.TicketsDispatched, "", ""); got != 3 {
		t.Errorf("dispatched total %v, want 3", got)
	}
	if got := m.Count(metrics.TicketsDispatched, metrics.Department, "market"); got != 2 {
		t.Errorf("dispatched to market %v, want 2", got)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_aws/metrics", nil))
	want := `{"metrics":[{"metric":"TicketsDispatched","count":3},{"metric":"TicketsDispatched","dimension":"Department","value":"market","count":2},{"metric":"TicketsFiled","count":1}]}` + "\n"
	if rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Errorf("GET: %d %s\nwant %s", rec.Code, rec.Body, want)
	}
	rec = httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_aws/metrics", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}

// Whatever a sample holds (a department id from a catalog an admin edits,
// a ticket id), the line stays valid EMF.
func FuzzEMFLine(f *testing.F) {
	f.Add(metrics.TicketsDispatched, "market", "20261130-ABCD")
	f.Add(metrics.NoticesFailed, "sms", "")
	f.Add(metrics.TicketsOverdue, "市场\x00", "\"}\n")
	f.Fuzz(func(t *testing.T, metric, value, ticketID string) {
		var out bytes.Buffer
		e := &metrics.EMF{W: &out, Namespace: "Hotline/fuzz", Now: func() time.Time { return at }}
		e.Add(context.Background(), metrics.Sample{Metric: metric, Value: value, TicketID: ticketID})
		if out.Len() == 0 {
			return
		}
		if err := validateEMF(out.Bytes(), at); err != nil {
			t.Fatalf("%v: %s", err, out.Bytes())
		}
	})
}
