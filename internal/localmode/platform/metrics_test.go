package platform_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/hotline12345/hotline/internal/adapters/metrics"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/testfixtures/localtest"
)

// A ticket filed on the local platform counts as filed and, once its
// workflow has routed it, as dispatched to its department; a person reads
// the counts on the edge, where the captured mail is.
func TestFiledTicketCountsOnTheEdge(t *testing.T) {
	env := localtest.Start(t)
	receipt := env.File(t, `{"type":"complaint","category":"consumer.refund","channel":"web","content":"买的电饭煲坏了，商家不给退货，请处理。","contact":{"email":"a@example.com"}}`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := env.P.Engine.WaitFor(ctx, env.ExecutionArn(receipt.ID), asl.WaitingForToken); err != nil {
		t.Fatal(err)
	}
	if dept := env.Ticket(t, receipt.ID).DepartmentID; dept != "market" {
		t.Fatalf("routed to %q, want market", dept)
	}

	resp, err := http.Get(env.P.EdgeURL + platform.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Metrics []metrics.Point }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", platform.MetricsPath, resp.StatusCode, err)
	}
	count := func(metric, dim, value string) float64 {
		for _, p := range got.Metrics {
			if p.Metric == metric && p.Dimension == dim && p.Value == value {
				return p.Count
			}
		}
		return 0
	}
	for _, c := range []struct {
		metric, dim, value string
		want               float64
	}{
		{metrics.TicketsFiled, "", "", 1},
		{metrics.TicketsDispatched, "", "", 1},
		{metrics.TicketsDispatched, metrics.Department, "market", 1},
		{metrics.NoticesFailed, "", "", 0},
	} {
		if n := count(c.metric, c.dim, c.value); n != c.want {
			t.Errorf("%s %s=%q: %v, want %v (all: %+v)", c.metric, c.dim, c.value, n, c.want, got.Metrics)
		}
	}
	if n := env.P.Metrics.Count(metrics.TicketsFiled, "", ""); n != 1 {
		t.Errorf("Platform.Metrics: TicketsFiled %v, want 1", n)
	}
}
