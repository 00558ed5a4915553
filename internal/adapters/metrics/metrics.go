// Package metrics counts what happens to tickets as CloudWatch metrics. In a
// Lambda it writes each count as one line of CloudWatch Embedded Metric Format
// (EMF) on stdout: Lambda ships stdout to CloudWatch Logs, which extracts the
// metric, so counting costs no PutMetricData call and no latency. Local mode
// keeps the counts in memory instead (Memory), so they do not flood a
// terminal. Metrics carry no personal data: dimensions are department ids and
// channel names; a ticket id goes along only as log data, for search.
package metrics

import (
	"context"
	"sync"
)

// Metric names. The template's alarms and dashboard use them: do not rename.
const (
	TicketsFiled      = "TicketsFiled"
	TicketsDispatched = "TicketsDispatched"
	TicketsOverdue    = "TicketsOverdue"
	TicketsEscalated  = "TicketsEscalated"
	NoticesFailed     = "NoticesFailed"
)

// Dimension names.
const (
	Department = "Department"
	Channel    = "Channel"
)

// dimensionOf is the one dimension each metric is also counted by, besides
// its total ("" for none). A sample of an unknown metric is dropped.
var dimensionOf = map[string]string{
	TicketsFiled:      "",
	TicketsDispatched: Department,
	TicketsOverdue:    Department,
	TicketsEscalated:  Department,
	NoticesFailed:     Channel,
}

// Sample is one occurrence of a metric.
type Sample struct {
	Metric string
	// Value is the value of the metric's dimension (a department id, a
	// channel); "" or a value CloudWatch refuses counts in the total only.
	Value string
	// TicketID, when known, is written beside the metric as log data, never
	// as a dimension (one series per ticket would cost a metric each).
	TicketID string
}

// Recorder takes samples. Implementations are safe for concurrent use and
// never fail the caller: a lost count must not fail a ticket's step.
type Recorder interface {
	Add(ctx context.Context, s Sample)
}

// Discard drops every sample: metrics are off.
type Discard struct{}

// Add does nothing.
func (Discard) Add(context.Context, Sample) {}

// maxValueBytes is CloudWatch's limit on a dimension value.
const maxValueBytes = 1024

// ValidValue reports whether v can be a dimension value: CloudWatch takes
// 1 to 1024 printable ASCII characters (a Chinese department name would be
// refused, which loses the whole EMF event, so callers use ids).
func ValidValue(v string) bool {
	if v == "" || len(v) > maxValueBytes {
		return false
	}
	for i := range len(v) {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// dimension is the dimension name and value a sample is counted by; ok is
// false when it counts in the total only.
func dimension(s Sample) (name, value string, ok bool) {
	name = dimensionOf[s.Metric]
	if name == "" || !ValidValue(s.Value) {
		return "", "", false
	}
	return name, s.Value, true
}

// Point is a count Memory holds: a metric's total (Dimension "") or its count
// for one dimension value.
type Point struct {
	Metric    string  `json:"metric"`
	Dimension string  `json:"dimension,omitempty"`
	Value     string  `json:"value,omitempty"`
	Count     float64 `json:"count"`
}

type key struct{ metric, dimension, value string }

// Memory keeps counts in memory, as CloudWatch would aggregate them: local
// mode shows them on request, tests read them.
type Memory struct {
	mu     sync.Mutex
	counts map[key]float64
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{counts: map[key]float64{}} }

// Add counts s in its metric's total and under its dimension value.
func (m *Memory) Add(_ context.Context, s Sample) {
	if _, known := dimensionOf[s.Metric]; !known {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[key{metric: s.Metric}]++
	if name, value, ok := dimension(s); ok {
		m.counts[key{s.Metric, name, value}]++
	}
}

// Count is a metric's total (dimension "") or its count for one value.
func (m *Memory) Count(metric, dimension, value string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[key{metric, dimension, value}]
}

// Points lists every count, sorted by metric, dimension and value.
func (m *Memory) Points() []Point {
	m.mu.Lock()
	out := make([]Point, 0, len(m.counts))
	for k, c := range m.counts {
		out = append(out, Point{Metric: k.metric, Dimension: k.dimension, Value: k.value, Count: c})
	}
	m.mu.Unlock()
	sortPoints(out)
	return out
}
