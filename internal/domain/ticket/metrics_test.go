package ticket

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// counted renders metrics as "scope/metric±n@day" for comparison.
func counted(ms []Metric) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s/%s%+d@%s", m.Scope, m.Name, m.N, m.At.In(China).Format("01-02")))
	}
	slices.Sort(out)
	return out
}

func expectCount(t *testing.T, what string, got []Metric, want ...string) {
	t.Helper()
	slices.Sort(want)
	if g := counted(got); !slices.Equal(g, want) {
		t.Fatalf("%s:\n got %v\nwant %v", what, g, want)
	}
}

// One ticket's life, counted: each metric once per ticket per scope,
// however often it is reopened, reassigned back or retried.
func TestCountOnceThroughATicketsLife(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, China) }
	status := func(to Status, at time.Time) Event { return Event{Kind: "status." + string(to), To: to, At: at} }
	note := func(kind, actor string, at time.Time) Event { return Event{Kind: kind, ActorID: actor, At: at} }
	tk := &Ticket{ID: "T1", Category: "roads.pothole", Location: &Location{Region: "110105"}, CreatedAt: day(2)}

	expectCount(t, "filed", tk.Count([]Event{status(StatusReceived, day(2))}),
		"hotline/received+1@03-02", "category:roads.pothole/filed+1@03-02", "region:110105/filed+1@03-02")
	expectCount(t, "filed again (a retried save)", tk.Count([]Event{status(StatusReceived, day(2))}))

	// An operator corrects the category: the filed count moves, on the filing day.
	tk.Category = "roads.lights"
	tk.DepartmentID, tk.CoHandlers = "roads", []string{"power"}
	tk.Deadlines = Deadlines{Accept: day(3), Reply: day(10)}
	expectCount(t, "dispatched", tk.Count([]Event{status(StatusDispatched, day(3))}),
		"hotline/dispatched+1@03-03", "dept:roads/received+1@03-03", "dept:power/coHandled+1@03-03",
		"category:roads.pothole/filed-1@03-02", "category:roads.lights/filed+1@03-02")
	expectCount(t, "accepted late", tk.Count([]Event{status(StatusAccepted, day(4))}), "dept:roads/accepted+1@03-04")
	expectCount(t, "co-opinion", tk.Count([]Event{note("co_opinion", "power", day(4))}), "dept:power/coOpinions+1@03-04")
	expectCount(t, "second co-opinion", tk.Count([]Event{note("co_opinion", "power", day(5))}))

	tk.Reply = &Reply{Result: ResultResolved}
	expectCount(t, "replied on time", tk.Count([]Event{status(StatusReplied, day(9))}),
		"hotline/replied+1@03-09", "hotline/due+1@03-09", "hotline/repliedOnTime+1@03-09",
		"dept:roads/replied+1@03-09", "dept:roads/due+1@03-09", "dept:roads/repliedOnTime+1@03-09")

	no, yes := false, true
	tk.Rating = &Rating{Satisfied: false, Resolved: &no}
	expectCount(t, "rated unsatisfied", tk.Count([]Event{note("rated", "", day(11))}),
		"hotline/rated+1@03-11", "dept:roads/rated+1@03-11")

	// Reopened to the same department: not received twice; its second reply
	// is neither due again nor on time again.
	tk.Reply, tk.Rating = nil, nil
	expectCount(t, "reopened", tk.Count([]Event{status(StatusDispatched, day(12))}))
	tk.Reply = &Reply{Result: ResultResolved}
	expectCount(t, "replied again", tk.Count([]Event{status(StatusReplied, day(13))}))

	// The second verdict replaces the first, on its own day.
	tk.Rating = &Rating{Satisfied: true, Resolved: &yes}
	expectCount(t, "rated again", tk.Count([]Event{note("rated", "", day(14))}),
		"hotline/rated-1@03-11", "dept:roads/rated-1@03-11",
		"hotline/rated+1@03-14", "hotline/resolved+1@03-14", "hotline/satisfied+1@03-14",
		"dept:roads/rated+1@03-14", "dept:roads/resolved+1@03-14", "dept:roads/satisfied+1@03-14")
	expectCount(t, "closed", tk.Count([]Event{status(StatusClosed, day(14))}))
}

func TestCountLateAndReassigned(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, China) }
	status := func(to Status, at time.Time) Event { return Event{Kind: "status." + string(to), To: to, At: at} }
	tk := &Ticket{ID: "T2", DepartmentID: "market", CreatedAt: day(1), Deadlines: Deadlines{Accept: day(2), Reply: day(5)}}
	tk.Count([]Event{status(StatusReceived, day(1))})
	expectCount(t, "dispatched", tk.Count([]Event{status(StatusDispatched, day(1))}), "hotline/dispatched+1@03-01", "dept:market/received+1@03-01")
	expectCount(t, "overdue", tk.Count([]Event{{Kind: "overdue", At: day(6)}}),
		"hotline/overdue+1@03-06", "hotline/due+1@03-06", "dept:market/overdue+1@03-06", "dept:market/due+1@03-06")
	// Returned and given to housing: housing receives it; the hotline has
	// dispatched it once; it is due already, late.
	tk.DepartmentID = "housing"
	tk.Deadlines = Deadlines{Accept: day(8), Reply: day(20)}
	expectCount(t, "reassigned", tk.Count([]Event{status(StatusDispatched, day(7))}), "dept:housing/received+1@03-07")
	tk.Reply = &Reply{Result: ResultExplained}
	expectCount(t, "replied by housing", tk.Count([]Event{status(StatusReplied, day(9))}),
		"hotline/replied+1@03-09", "dept:housing/replied+1@03-09", "dept:housing/due+1@03-09", "dept:housing/repliedOnTime+1@03-09")
	// Satisfied with an explanation: not resolved, unless the citizen says so.
	tk.Rating = &Rating{Satisfied: true}
	expectCount(t, "rated", tk.Count([]Event{{Kind: "rated", At: day(10)}}),
		"hotline/rated+1@03-10", "hotline/satisfied+1@03-10", "dept:housing/rated+1@03-10", "dept:housing/satisfied+1@03-10")
}

func TestCountEndsWithoutDepartment(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, China)
	for to, metric := range map[Status]string{
		StatusAnswered: MetricAnsweredDirectly, StatusRejected: MetricRejected,
		StatusMerged: MetricMerged, StatusWithdrawn: MetricWithdrawn,
	} {
		tk := &Ticket{ID: "T3", CreatedAt: at}
		expectCount(t, string(to), tk.Count([]Event{{Kind: "status." + string(to), To: to, At: at}}), "hotline/"+metric+"+1@03-02")
	}
	// A direct answer the citizen is satisfied with is resolved.
	tk := &Ticket{ID: "T4", CreatedAt: at, Status: StatusAnswered, Rating: &Rating{Satisfied: true}}
	expectCount(t, "answer rated", tk.Count([]Event{{Kind: "rated", At: at}}),
		"hotline/rated+1@03-02", "hotline/resolved+1@03-02", "hotline/satisfied+1@03-02")
}

func TestCountSkipsCodesThatCannotBeKeys(t *testing.T) {
	tk := &Ticket{ID: "T5", Category: "a#b", Location: &Location{Region: "1/2"}, CreatedAt: time.Now()}
	if got := tk.Count(nil); len(got) != 0 {
		t.Fatalf("counted %v", counted(got))
	}
}

func TestScopeKind(t *testing.T) {
	for scope, want := range map[string][2]string{
		ScopeHotline: {"hotline", ""}, DepartmentScope("roads"): {"dept", "roads"},
		CategoryScope("a.b"): {"category", "a.b"}, RegionScope("110105"): {"region", "110105"},
	} {
		if k, id := ScopeKind(scope); k != want[0] || id != want[1] {
			t.Errorf("%s: %s %s", scope, k, id)
		}
	}
	if FamilyOf(DepartmentScope("x")) != FamilyRates || FamilyOf(ScopeHotline) != FamilyRates ||
		FamilyOf(CategoryScope("x")) != FamilyCategory || FamilyOf(RegionScope("x")) != FamilyRegion {
		t.Fatal("families")
	}
}
