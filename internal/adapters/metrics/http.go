package metrics

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
)

func sortPoints(ps []Point) {
	slices.SortFunc(ps, func(a, b Point) int {
		return cmp.Or(cmp.Compare(a.Metric, b.Metric), cmp.Compare(a.Dimension, b.Dimension), cmp.Compare(a.Value, b.Value))
	})
}

// ServeHTTP answers GET with the counts so far: {"metrics": [Point…]}.
func (m *Memory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Metrics []Point `json:"metrics"`
	}{m.Points()})
}
