package open311

import (
	"slices"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Bounds of GET requests (the spec's "Response Volume": 90 days or the
// first 1000 requests, whichever is smallest).
const (
	MaxSpan    = 90 * 24 * time.Hour
	MaxResults = 1000
	// MaxIDs bounds service_request_id: each is a read.
	MaxIDs = 100
)

// Query is what GET requests asks for.
type Query struct {
	// IDs, when set, are the requests asked for; they override the rest.
	IDs []string
	// Codes are the services asked for; none means all.
	Codes []string
	// From and To bound the filing time: From <= requested < To.
	From, To time.Time
	// Statuses are "open" and "closed"; none means both.
	Statuses []string
}

// ParseQuery reads GET requests' parameters. API Gateway joins a repeated
// parameter with commas, as the spec's lists are written, so both forms of
// a list arrive the same. Parameters the spec does not define are ignored
// (jurisdiction_id: one jurisdiction; api_key is checked by the caller).
func ParseQuery(params map[string]string, now time.Time) (Query, error) {
	var q Query
	var problems []Problem
	bad := func(format string, args ...any) {
		problems = append(problems, BadRequest(format, args...).Problems...)
	}
	if v := strings.TrimSpace(params["service_request_id"]); v != "" {
		for id := range strings.SplitSeq(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				q.IDs = append(q.IDs, id)
			}
		}
		if len(q.IDs) > MaxIDs {
			return Query{}, BadRequest("service_request_id: at most %d ids", MaxIDs)
		}
		// "This overrides all other arguments."
		return q, nil
	}
	for code := range strings.SplitSeq(params["service_code"], ",") {
		code = strings.TrimSpace(code)
		switch {
		case code == "":
		case !ticket.ValidLeafCode(code):
			// Codes that are no longer services may still have requests,
			// so only the form is checked.
			bad("service_code: %s is not a service code", clip(code))
		case !slices.Contains(q.Codes, code):
			q.Codes = append(q.Codes, code)
		}
	}
	for s := range strings.SplitSeq(params["status"], ",") {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
		case s != StatusOpen && s != StatusClosed:
			bad("status: open or closed")
		case !slices.Contains(q.Statuses, s):
			q.Statuses = append(q.Statuses, s)
		}
	}
	start, startOK := dateParam(params, "start_date", false, bad)
	end, endOK := dateParam(params, "end_date", true, bad)
	switch {
	case !startOK || !endOK:
	case !start.IsZero() && !end.IsZero():
		q.From, q.To = start, end
	case !start.IsZero():
		q.From, q.To = start, start.Add(MaxSpan)
	case !end.IsZero():
		q.From, q.To = end.Add(-MaxSpan), end
	default:
		q.From, q.To = now.Add(-MaxSpan), now.Add(time.Millisecond)
	}
	if startOK && endOK {
		switch {
		case !q.To.After(q.From):
			bad("end_date: must be after start_date")
		case q.To.Sub(q.From) > MaxSpan+time.Millisecond: // an inclusive end's millisecond
			bad("start_date/end_date: the range may not span more than 90 days")
		}
	}
	if len(problems) > 0 {
		return Query{}, &Error{Status: problems[0].Code, Problems: problems}
	}
	q.From, q.To = q.From.UTC(), q.To.UTC()
	return q, nil
}

// dateParam reads a W3C date-time parameter (catalog.ParseDatetime). An
// end date is inclusive: it is the first instant after the period it names
// (2026-11-29 ends at midnight of the 30th; a full time, a millisecond
// later, the store's precision).
func dateParam(params map[string]string, name string, end bool, bad func(string, ...any)) (time.Time, bool) {
	s := strings.TrimSpace(params[name])
	if s == "" {
		return time.Time{}, true
	}
	t, err := catalog.ParseDatetime(s)
	if err != nil {
		bad("%s: must be a W3C date-time such as 2010-01-01T00:00:00Z", name)
		return time.Time{}, false
	}
	if !end {
		return t, true
	}
	switch len(s) {
	case len("2006"):
		return t.AddDate(1, 0, 0), true
	case len("2006-01"):
		return t.AddDate(0, 1, 0), true
	case len("2006-01-02"):
		return t.AddDate(0, 0, 1), true
	}
	return t.Add(time.Millisecond), true
}

// Matches says whether a listed request passes the query's filters.
func (q Query) Matches(t *ticket.Ticket) bool {
	if len(q.Codes) > 0 && !slices.Contains(q.Codes, t.Category) {
		return false
	}
	return len(q.Statuses) == 0 || slices.Contains(q.Statuses, Status(t.Status))
}
