package ticket

import (
	"slices"
	"strings"
	"time"
)

// Scopes of the daily counters: the hotline as a whole, one department, one
// category, one region. A scope never contains '#'.
const (
	ScopeHotline        = "hotline"
	scopeDepartmentPart = "dept:"
	scopeCategoryPart   = "category:"
	scopeRegionPart     = "region:"
)

// DepartmentScope is the scope of a department's counters.
func DepartmentScope(id string) string { return scopeDepartmentPart + id }

// CategoryScope is the scope of a category's hotspot counter.
func CategoryScope(code string) string { return scopeCategoryPart + code }

// RegionScope is the scope of a region's hotspot counter.
func RegionScope(code string) string { return scopeRegionPart + code }

// ScopeKind splits a scope into its kind ("hotline", "dept", "category",
// "region") and the id it names ("" for the hotline).
func ScopeKind(scope string) (kind, id string) {
	if scope == ScopeHotline {
		return ScopeHotline, ""
	}
	kind, id, _ = strings.Cut(scope, ":")
	return kind, id
}

// Counter families: the counters read together (one partition per month).
const (
	FamilyRates    = "rates"    // hotline and department scopes
	FamilyCategory = "category" // filed per category
	FamilyRegion   = "region"   // filed per region
)

// FamilyOf names the counter family of a scope.
func FamilyOf(scope string) string {
	switch kind, _ := ScopeKind(scope); kind {
	case "category":
		return FamilyCategory
	case "region":
		return FamilyRegion
	}
	return FamilyRates
}

// Metric names of the daily counters behind the three rates (三率) and the
// hotline totals. Each is counted once per ticket per scope; see Count.
//
//   - received: hotline: tickets filed; department: tickets dispatched to it as lead.
//   - answeredDirectly, rejected, merged, withdrawn, dispatched: hotline only.
//   - accepted, acceptedOnTime: the lead signed for it (by the accept deadline).
//   - due: the ticket's reply came due: the lead replied, or the reply
//     deadline passed without a reply, whichever came first.
//   - repliedOnTime: of due, those replied by the reply deadline.
//   - replied: the lead replied.
//   - rated, satisfied, resolved: the citizen's verdict on the answer (the
//     latest one, if a reopen asked again), resolved when they confirmed
//     the problem was solved.
//   - overdue: the reply deadline passed without a reply.
//   - coHandled, coOpinions: a department's part as co-handler (协办).
//   - filed: category and region scopes, for hotspots (on the filing day).
//
// Rates: onTimeRate = repliedOnTime/due (按时办结率), resolutionRate =
// resolved/rated (解决率), satisfactionRate = satisfied/rated (满意率).
const (
	MetricReceived         = "received"
	MetricAnsweredDirectly = "answeredDirectly"
	MetricRejected         = "rejected"
	MetricMerged           = "merged"
	MetricWithdrawn        = "withdrawn"
	MetricDispatched       = "dispatched"
	MetricAccepted         = "accepted"
	MetricAcceptedOnTime   = "acceptedOnTime"
	MetricDue              = "due"
	MetricRepliedOnTime    = "repliedOnTime"
	MetricReplied          = "replied"
	MetricResolved         = "resolved"
	MetricRated            = "rated"
	MetricSatisfied        = "satisfied"
	MetricOverdue          = "overdue"
	MetricCoHandled        = "coHandled"
	MetricCoOpinions       = "coOpinions"
	MetricFiled            = "filed"
)

// Metric is one counter change caused by an event: N (+1, or -1 when a
// verdict or a category moves) on the scope's metric on the China day of At.
type Metric struct {
	Scope string
	Name  string
	At    time.Time
	N     int
}

// Tally is what a ticket has already counted, so that retries, reopens and
// reassignments never count it twice. It is saved with the ticket, and the
// counters with it in the same transaction, so it is exact under races.
type Tally struct {
	// Counted lists "scope/metric" of the once-only counters.
	Counted []string `json:"counted,omitempty"`
	// Verdict is the rating counted last; a later rating moves it.
	Verdict *Verdict `json:"verdict,omitempty"`
	// Category and Region are counted as filed on the filing day; an
	// operator's correction of the category moves the count.
	Category string `json:"category,omitempty"`
	Region   string `json:"region,omitempty"`
}

// Verdict is a counted rating: the scopes it counted in and on which day.
type Verdict struct {
	Scopes    []string  `json:"scopes"`
	At        time.Time `json:"at"`
	Resolved  bool      `json:"resolved"`
	Satisfied bool      `json:"satisfied"`
}

// Count returns the counter changes the events cause, judged on t as it is
// saved with them, and records them in t.Tally. The store writes the changes
// in the same transaction as the ticket, so each is counted exactly once: a
// save that loses its race writes neither the tally nor the counters.
func (t *Ticket) Count(events []Event) []Metric {
	var out []Metric
	once := func(scope, name string, at time.Time) bool {
		k := scope + "/" + name
		if slices.Contains(t.Tally.Counted, k) {
			return false
		}
		t.Tally.Counted = append(t.Tally.Counted, k)
		out = append(out, Metric{Scope: scope, Name: name, At: at, N: 1})
		return true
	}
	lead := ""
	if t.DepartmentID != "" {
		lead = DepartmentScope(t.DepartmentID)
	}
	// handling counts for the hotline and, when there is one, the lead.
	handling := func(name string, at time.Time) {
		once(ScopeHotline, name, at)
		if lead != "" {
			once(lead, name, at)
		}
	}
	for _, e := range events {
		switch {
		case e.To == StatusReceived, e.Kind == "received" && e.To == "":
			once(ScopeHotline, MetricReceived, e.At)
		case e.To == StatusAnswered:
			once(ScopeHotline, MetricAnsweredDirectly, e.At)
		case e.To == StatusRejected:
			once(ScopeHotline, MetricRejected, e.At)
		case e.To == StatusMerged:
			once(ScopeHotline, MetricMerged, e.At)
		case e.To == StatusWithdrawn:
			once(ScopeHotline, MetricWithdrawn, e.At)
		case e.To == StatusDispatched: // first dispatch, reassignment and reopen alike
			once(ScopeHotline, MetricDispatched, e.At)
			if lead != "" {
				once(lead, MetricReceived, e.At)
			}
			for _, co := range t.CoHandlers {
				once(DepartmentScope(co), MetricCoHandled, e.At)
			}
		case e.To == StatusAccepted && lead != "":
			once(lead, MetricAccepted, e.At)
			if !t.Deadlines.Accept.IsZero() && !e.At.After(t.Deadlines.Accept) {
				once(lead, MetricAcceptedOnTime, e.At)
			}
		case e.To == StatusReplied:
			onTime := !t.Deadlines.Reply.IsZero() && !e.At.After(t.Deadlines.Reply)
			for _, scope := range []string{ScopeHotline, lead} {
				if scope == "" {
					continue
				}
				once(scope, MetricReplied, e.At)
				// Only the reply that makes the ticket due can be on time: a
				// reply after the deadline passed, or after a reopen, is not.
				if once(scope, MetricDue, e.At) && onTime {
					once(scope, MetricRepliedOnTime, e.At)
				}
			}
		case e.Kind == "overdue" && e.To == "":
			handling(MetricOverdue, e.At)
			handling(MetricDue, e.At)
		case e.Kind == "co_opinion" && e.ActorID != "":
			once(DepartmentScope(e.ActorID), MetricCoOpinions, e.At)
		case e.Kind == "rated" && e.To == "" && t.Rating != nil:
			out = append(out, t.countVerdict(lead, e.At)...)
		}
	}
	return append(out, t.countPlace()...)
}

// countVerdict counts the latest rating, taking back the one counted before.
func (t *Ticket) countVerdict(lead string, at time.Time) []Metric {
	var out []Metric
	change := func(v *Verdict, n int) {
		for _, scope := range v.Scopes {
			out = append(out, Metric{Scope: scope, Name: MetricRated, At: v.At, N: n})
			if v.Resolved {
				out = append(out, Metric{Scope: scope, Name: MetricResolved, At: v.At, N: n})
			}
			if v.Satisfied {
				out = append(out, Metric{Scope: scope, Name: MetricSatisfied, At: v.At, N: n})
			}
		}
	}
	if old := t.Tally.Verdict; old != nil {
		change(old, -1)
	}
	v := &Verdict{Scopes: []string{ScopeHotline}, At: at, Resolved: t.Rating.ConfirmsResolved(t.Reply), Satisfied: t.Rating.Satisfied}
	if lead != "" {
		v.Scopes = append(v.Scopes, lead)
	}
	change(v, 1)
	t.Tally.Verdict = v
	return out
}

// ConfirmsResolved is the citizen's word that the problem was solved: their
// answer when asked, else satisfied with an answer that said it was solved
// (or a direct answer, which has no reply).
func (r *Rating) ConfirmsResolved(reply *Reply) bool {
	if r.Resolved != nil {
		return *r.Resolved
	}
	return r.Satisfied && (reply == nil || reply.Result == ResultResolved)
}

// countPlace keeps the filed count of the ticket's category and region on
// the filing day, moving it when an operator corrects the category.
func (t *Ticket) countPlace() []Metric {
	var out []Metric
	move := func(counted *string, now string, scope func(string) string) {
		if *counted == now {
			return
		}
		if *counted != "" {
			out = append(out, Metric{Scope: scope(*counted), Name: MetricFiled, At: t.CreatedAt, N: -1})
		}
		if now != "" {
			out = append(out, Metric{Scope: scope(now), Name: MetricFiled, At: t.CreatedAt, N: 1})
		}
		*counted = now
	}
	move(&t.Tally.Category, countableKey(t.Category), CategoryScope)
	region := ""
	if t.Location != nil {
		region = countableKey(t.Location.Region)
	}
	move(&t.Tally.Region, region, RegionScope)
	return out
}

// countableKey keeps a code that can be part of a counter key.
func countableKey(code string) string {
	if strings.ContainsAny(code, "#/") {
		return ""
	}
	return code
}
