package metrics

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"
)

// EMF writes each sample as one line of CloudWatch Embedded Metric Format on
// W (a Lambda's stdout). The line must be the JSON object alone: CloudWatch
// Logs extracts metrics only from a log event that is one EMF object, so it
// never goes through the function's slog handler.
type EMF struct {
	W         io.Writer
	Namespace string
	// Now stamps each line; the metric's time is the event's, not the
	// moment CloudWatch reads the log.
	Now func() time.Time

	mu sync.Mutex
}

// The EMF document: the metadata under _aws, the dimension and metric
// values at the root beside it (the spec's "target members").
type emfMetadata struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// TicketIDMember is the root member carrying a ticket id: log data for Logs
// Insights, not a dimension.
const TicketIDMember = "TicketId"

// Line is the EMF object of one sample at time at, without the newline.
func Line(namespace string, at time.Time, s Sample) ([]byte, error) {
	dims := [][]string{{}}
	root := map[string]any{s.Metric: 1}
	if name, value, ok := dimension(s); ok {
		dims = append(dims, []string{name})
		root[name] = value
	}
	if s.TicketID != "" {
		root[TicketIDMember] = s.TicketID
	}
	root["_aws"] = emfMetadata{
		Timestamp: at.UnixMilli(),
		CloudWatchMetrics: []emfDirective{{
			Namespace:  namespace,
			Dimensions: dims,
			Metrics:    []emfMetric{{Name: s.Metric, Unit: "Count"}},
		}},
	}
	return json.Marshal(root)
}

// Add writes the sample's line. A write error is dropped: stdout is where
// Lambda's logs go, there is nowhere better to report it.
func (e *EMF) Add(_ context.Context, s Sample) {
	if _, known := dimensionOf[s.Metric]; !known || e.Namespace == "" {
		return
	}
	b, err := Line(e.Namespace, e.Now(), s)
	if err != nil {
		return
	}
	// One Write per line, under a lock: concurrent invocations' lines must
	// not interleave.
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.W.Write(append(b, '\n'))
}
