package edge

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// FaultServices are the services the edge can make fail, as named in a
// faults setting.
var FaultServices = []string{"dynamodb", "sqs", "ses", "sns", "stepfunctions"}

// Faults makes a share of the calls to each service fail before they are
// carried out, the way AWS refuses calls when it throttles or is briefly
// unavailable: half of the injected faults are throttling (400, the
// service's throttling error), half 5xx (500 InternalFailure or 503
// ServiceUnavailable). The SDK retries both; what it cannot retry away, the
// platform must survive. Answers lost after a call succeeded are not
// injected: SES and SNS have no idempotency token, so no client could avoid
// a second message then, in AWS either.
type Faults struct {
	mu       sync.Mutex
	rates    map[string]float64
	rnd      *rand.Rand
	injected map[string]int
	calls    map[string]int
}

// ParseFaults reads a faults setting: comma-separated service=share, with
// share from 0 to 1 and "all" for every service, e.g. "all=0.1" or
// "dynamodb=0.2,ses=0.5". seed makes the draws repeatable.
func ParseFaults(spec string, seed uint64) (*Faults, error) {
	f := &Faults{rates: map[string]float64{}, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), injected: map[string]int{}, calls: map[string]int{}}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		share, err := strconv.ParseFloat(value, 64)
		if !ok || err != nil || !(share >= 0 && share <= 1) {
			return nil, fmt.Errorf("faults: %q is not service=share with a share from 0 to 1", clipSetting(part))
		}
		switch {
		case name == "all":
			for _, s := range FaultServices {
				f.rates[s] = share
			}
		case slices.Contains(FaultServices, name):
			f.rates[name] = share
		default:
			return nil, fmt.Errorf("faults: unknown service %q (known: all, %s)", clipSetting(name), strings.Join(FaultServices, ", "))
		}
	}
	return f, nil
}

func clipSetting(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Counts reports, per service, the calls seen and the faults injected.
func (f *Faults) Counts() (calls, injected map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	calls, injected = map[string]int{}, map[string]int{}
	for k, v := range f.calls {
		calls[k] = v
	}
	for k, v := range f.injected {
		injected[k] = v
	}
	return calls, injected
}

// draw decides whether this call to the service fails, and how.
func (f *Faults) draw(service string) (fail, throttle, unavailable bool) {
	if f == nil {
		return false, false, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[service]++
	if f.rnd.Float64() >= f.rates[service] {
		return false, false, false
	}
	f.injected[service]++
	kind := f.rnd.IntN(4)
	return true, kind < 2, kind == 3
}

// inject answers an injected fault in the service's protocol and reports
// whether it did.
func (f *Faults) inject(w http.ResponseWriter, service string, query bool) bool {
	fail, throttle, unavailable := f.draw(service)
	if !fail {
		return false
	}
	status, code := http.StatusInternalServerError, "InternalFailure"
	switch {
	case throttle:
		status, code = http.StatusBadRequest, "ThrottlingException"
		if service == "dynamodb" {
			code = "ProvisionedThroughputExceededException"
		}
	case unavailable:
		status, code = http.StatusServiceUnavailable, "ServiceUnavailable"
	}
	const msg = "fault injected by the local edge"
	switch service {
	case "ses":
		if throttle {
			status, code = http.StatusTooManyRequests, "TooManyRequestsException"
		}
		writeRESTError(w, status, code, msg)
	case "sns":
		if throttle {
			code = "Throttling"
		}
		writeQueryError(w, status, "http://sns.amazonaws.com/doc/2010-03-31/", code, msg)
	case "sqs":
		if throttle {
			code = "RequestThrottled"
		}
		if query {
			writeQueryError(w, status, sqsXMLNS, code, msg)
			break
		}
		// SQS is @awsQueryCompatible: the query code travels in a header.
		w.Header().Set("X-Amzn-Query-Error", code+";Sender")
		writeJSONError(w, status, code, msg)
	default:
		writeJSONError(w, status, code, msg)
	}
	return true
}
