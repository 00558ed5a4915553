package client

import (
	"context"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"strconv"
)

// SearchQuery filters GET /v1/tickets (operators, supervisors, admins). Empty
// fields do not filter. From and To are China days ("YYYY-MM-DD", see Day) of
// the filing time; without DepartmentID, Escalated, or both Category and a
// county Region, the search covers at most 366 days (the last 31 by default).
type SearchQuery struct {
	Status       Status
	DepartmentID string // the lead department
	Category     string // a leaf code
	Region       string // a division code; a province or prefecture matches the counties under it
	From, To     string
	Overdue      bool
	Escalated    bool
	Q            string // 2–100 characters of the content, address, involved unit, answer, reply or id
	PageQuery
}

func (s SearchQuery) values() url.Values {
	q := s.PageQuery.values()
	// The API refuses parameters it does not know and empty ones it cannot
	// read, so only what filters is sent.
	for k, v := range map[string]string{
		"status": string(s.Status), "departmentId": s.DepartmentID, "category": s.Category,
		"region": s.Region, "from": s.From, "to": s.To, "q": s.Q,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if s.Overdue {
		q.Set("overdue", "true")
	}
	if s.Escalated {
		q.Set("escalated", "true")
	}
	return q
}

// SearchTickets returns one page of the tickets that match, newest filing
// day first. A page may hold fewer tickets than the limit, even none, and
// still have a NextCursor; a cursor works only with the filters it came with.
func (c *Client) SearchTickets(ctx context.Context, q SearchQuery) (*TicketList, error) {
	return c.list(ctx, "/v1/tickets", q.values())
}

// SearchTicketsAll walks every match from q.Cursor on, page after page.
func (c *Client) SearchTicketsAll(ctx context.Context, q SearchQuery) iter.Seq2[TicketSummary, error] {
	return c.listAll(ctx, "/v1/tickets", q.values())
}

// ExportFormat is the format of a download.
type ExportFormat string

// Export formats: CSV is UTF-8 with a byte order mark and CRLF line ends, as
// Excel opens it; XLSX is an Excel workbook.
const (
	FormatCSV  ExportFormat = "csv"
	FormatXLSX ExportFormat = "xlsx"
)

// contentTypes are the media types of the downloads.
var contentTypes = map[ExportFormat]string{
	FormatCSV:  "text/csv",
	FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// Export is a download being read: close it when done.
type Export struct {
	io.ReadCloser
	ContentType string
	// Filename is the name Content-Disposition gives the file.
	Filename string
	// TruncatedAt is the row limit a search export stopped at (5,000), 0
	// when it holds every match.
	TruncatedAt int
}

// export GETs a download of the route in format.
func (c *Client) export(ctx context.Context, p string, q url.Values, format ExportFormat) (*Export, error) {
	ct, ok := contentTypes[format]
	if !ok {
		return nil, fmt.Errorf("hotline: export format %q: want csv or xlsx", format)
	}
	q.Set("format", string(format))
	cl := &call{method: http.MethodGet, path: p, query: q, header: http.Header{"Accept": {ct}}, auth: authToken}
	resp, err := c.send(ctx, cl)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || mediaType(resp.Header) != ct {
		defer drain(resp.Body)
		return nil, unexpected(resp, fmt.Errorf("want 200 %s", ct))
	}
	e := &Export{ReadCloser: resp.Body, ContentType: resp.Header.Get("Content-Type")}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		e.Filename = params["filename"]
	}
	e.TruncatedAt, _ = strconv.Atoi(resp.Header.Get("X-Export-Truncated"))
	return e, nil
}

// ExportTickets downloads every match of the search (up to 5,000 rows; see
// Export.TruncatedAt), without contacts. Cursor and Limit are ignored.
func (c *Client) ExportTickets(ctx context.Context, q SearchQuery, format ExportFormat) (*Export, error) {
	q.PageQuery = PageQuery{}
	return c.export(ctx, "/v1/tickets", q.values(), format)
}

// StatsQuery asks for the statistics of the China days From–To (inclusive,
// at most 366). DepartmentID picks one department's row; a department's
// token gets only its own.
type StatsQuery struct {
	From, To     string
	DepartmentID string
}

func (s StatsQuery) values() url.Values {
	q := url.Values{"from": {s.From}, "to": {s.To}}
	if s.DepartmentID != "" {
		q.Set("departmentId", s.DepartmentID)
	}
	return q
}

// Stats returns the counts and the three rates (三率) per department and for
// the whole hotline.
func (c *Client) Stats(ctx context.Context, q StatsQuery) (*Stats, error) {
	var out Stats
	cl := &call{method: http.MethodGet, path: "/v1/stats", query: q.values(), auth: authToken}
	if _, _, err := c.do(ctx, cl, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// ExportStats downloads the statistics.
func (c *Client) ExportStats(ctx context.Context, q StatsQuery, format ExportFormat) (*Export, error) {
	return c.export(ctx, "/v1/stats", q.values(), format)
}

// HotspotsQuery asks for the hotspots of the China days From–To. By is
// "category" (the default) or "region"; Level ("county", "prefecture",
// "province") adds regions up; Limit is 1–100 (0: the API's 10).
type HotspotsQuery struct {
	From, To string
	By       string
	Level    string
	Limit    int
}

func (h HotspotsQuery) values() url.Values {
	q := url.Values{"from": {h.From}, "to": {h.To}}
	if h.By != "" {
		q.Set("by", h.By)
	}
	if h.Level != "" {
		q.Set("level", h.Level)
	}
	if h.Limit != 0 {
		q.Set("limit", strconv.Itoa(h.Limit))
	}
	return q
}

// Hotspots returns the categories or regions most filed in the period against
// the period of the same length before, rising issues first.
func (c *Client) Hotspots(ctx context.Context, q HotspotsQuery) (*Hotspots, error) {
	var out Hotspots
	cl := &call{method: http.MethodGet, path: "/v1/stats/hotspots", query: q.values(), auth: authToken}
	if _, _, err := c.do(ctx, cl, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// ExportHotspots downloads the hotspots.
func (c *Client) ExportHotspots(ctx context.Context, q HotspotsQuery, format ExportFormat) (*Export, error) {
	return c.export(ctx, "/v1/stats/hotspots", q.values(), format)
}
