package ddb

import (
	"maps"
	"sync"
)

// Meter counts what the engine's requests would cost on DynamoDB, by its
// rules for on-demand tables: requests per operation, read request units
// and write request units (indexes and transactions included). The counts
// are the same whether or not a client asks for ConsumedCapacity, so a test
// can hold a workload to a budget without changing the workload.
type Meter struct {
	mu    sync.Mutex
	usage Usage
}

// Usage is what a Meter has counted.
type Usage struct {
	Requests   map[string]int     // by operation (GetItem, TransactWriteItems, …)
	Units      map[string]float64 // read and write units by operation
	ReadUnits  float64            // RRU
	WriteUnits float64            // WRU
}

// RequestCount is every request counted, of any operation.
func (u Usage) RequestCount() int {
	n := 0
	for _, c := range u.Requests {
		n += c
	}
	return n
}

// Usage returns a copy of the counts so far.
func (m *Meter) Usage() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.usage
	u.Requests, u.Units = maps.Clone(m.usage.Requests), maps.Clone(m.usage.Units)
	if u.Requests == nil {
		u.Requests, u.Units = map[string]int{}, map[string]float64{}
	}
	return u
}

func (m *Meter) add(op string, read, write float64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.usage.Requests == nil {
		m.usage.Requests, m.usage.Units = map[string]int{}, map[string]float64{}
	}
	m.usage.Requests[op]++
	m.usage.Units[op] += read + write
	m.usage.ReadUnits += read
	m.usage.WriteUnits += write
}

// units of a capacity report that may be nil (a request that failed
// before it read or wrote anything).
func unitsOf(c *ConsumedCapacity) float64 {
	if c == nil {
		return 0
	}
	return c.CapacityUnits
}

// capacityMode is the mode capacity is computed in: what the client asked
// for, or TOTAL when only the meter needs it.
func (e *Engine) capacityMode(asked string) string {
	if e.opts.Meter != nil && asked != "TOTAL" && asked != "INDEXES" {
		return "TOTAL"
	}
	return asked
}

// reported is c as the client asked for it: nil unless it asked.
func reported(asked string, c *ConsumedCapacity) *ConsumedCapacity {
	if asked != "TOTAL" && asked != "INDEXES" {
		return nil
	}
	return c
}
