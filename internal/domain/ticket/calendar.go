package ticket

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Date is a civil date in China time.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the China-time date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(China).Date()
	return Date{y, m, d}
}

// ParseDate parses exactly YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, China)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", clip(s, 20))
	}
	return DateOf(t), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Start is midnight at the beginning of d, China time.
func (d Date) Start() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, China) }

// End is 23:59:59 on d, China time: the moment a "by the end of the day"
// deadline expires.
func (d Date) End() time.Time { return time.Date(d.Year, d.Month, d.Day, 23, 59, 59, 0, China) }

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, China))
}

// Weekday of d.
func (d Date) Weekday() time.Weekday { return d.Start().Weekday() }

// Calendar says which days are working days: Monday to Friday, minus
// Holidays, plus Workdays (调休: weekend days that are worked to make up for a
// bridged holiday). The zero Calendar is plain Monday–Friday.
type Calendar struct {
	Holidays map[Date]bool
	Workdays map[Date]bool
	// Years lists the years whose official schedule is loaded; outside them the
	// calendar silently falls back to Monday–Friday (see Covers).
	Years map[int]bool
}

// IsWorkingDay reports whether d is a working day.
func (c Calendar) IsWorkingDay(d Date) bool {
	if c.Workdays[d] {
		return true
	}
	if c.Holidays[d] {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Covers reports whether the official holiday schedule of year is loaded, so
// operators can be warned before deadlines run into an unknown year.
func (c Calendar) Covers(year int) bool { return c.Years[year] }

// Uncovered lists the years from the China-time date of from to that of to
// whose holiday schedule is not loaded: a deadline counted through them
// treats every weekday as a working day, which may be wrong.
func (c Calendar) Uncovered(from, to time.Time) []int {
	var out []int
	for y := DateOf(from).Year; y <= DateOf(to).Year; y++ {
		if !c.Years[y] {
			out = append(out, y)
		}
	}
	return out
}

// AddWorkingDays returns the end (23:59:59 China time) of the n-th working day
// after the China-time date of start; the start day itself never counts, even
// when it is a working day, because the clock starts at dispatch (DESIGN.md §1).
// For n <= 0 it returns the end of the first working day on or after the
// start day.
func (c Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	d := DateOf(start)
	if n <= 0 {
		for !c.IsWorkingDay(d) {
			d = d.AddDays(1)
		}
		return d.End()
	}
	// Terminates: the holiday sets are finite, so working days keep coming.
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d.End()
}

// AddHours returns start plus h wall-clock hours, for urgent categories that
// are handled around the clock.
func AddHours(start time.Time, h int) time.Time {
	return start.Add(time.Duration(h) * time.Hour).In(China)
}

// CalendarFile is one year's official schedule as admins upload it
// (GET|PUT /v1/admin/calendar/{year}, config/calendar/<year>.json):
//
//	{"year": 2026, "holidays": ["2026-10-01", ...], "workdays": ["2026-09-20", ...]}
type CalendarFile struct {
	Year     int      `json:"year"`
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// MaxCalendarBytes bounds a calendar file.
const MaxCalendarBytes = 64 << 10

// CalendarError lists every problem found in calendar files.
type CalendarError struct {
	Problems []string
}

func (e *CalendarError) Error() string {
	return "invalid calendar: " + strings.Join(e.Problems, "; ")
}

// ParseCalendarFile decodes one year's schedule strictly and validates it.
func ParseCalendarFile(data []byte) (CalendarFile, error) {
	var f CalendarFile
	if err := decodeStrict(data, MaxCalendarBytes, &f); err != nil {
		return CalendarFile{}, err
	}
	if err := f.Validate(); err != nil {
		return CalendarFile{}, err
	}
	return f, nil
}

// Validate checks the year (2000–2100); that every date is YYYY-MM-DD and lies
// in the year or the adjacent December/January (a New Year make-up day may fall
// in the previous December); no duplicates; no date both holiday and workday;
// and every make-up workday is a Saturday or Sunday (otherwise it changes nothing).
func (f CalendarFile) Validate() error {
	var p []string
	if f.Year < 2000 || f.Year > 2100 {
		p = append(p, fmt.Sprintf("year %d out of range 2000–2100", f.Year))
		return &CalendarError{Problems: p}
	}
	if len(f.Holidays) > 366 || len(f.Workdays) > 366 {
		p = append(p, "more than 366 dates in a list")
		return &CalendarError{Problems: p}
	}
	lo := Date{f.Year - 1, time.December, 1}.Start()
	hi := Date{f.Year + 1, time.January, 31}.Start()
	holidays := map[Date]bool{}
	check := func(list string, s string, seen map[Date]bool) (Date, bool) {
		d, err := ParseDate(s)
		if err != nil {
			p = append(p, list+": "+err.Error())
			return d, false
		}
		if t := d.Start(); t.Before(lo) || t.After(hi) {
			p = append(p, fmt.Sprintf("%s: %s is outside %d", list, d, f.Year))
			return d, false
		}
		if seen[d] {
			p = append(p, fmt.Sprintf("%s: %s listed twice", list, d))
			return d, false
		}
		seen[d] = true
		return d, true
	}
	for _, s := range f.Holidays {
		check("holidays", s, holidays)
	}
	workdays := map[Date]bool{}
	for _, s := range f.Workdays {
		d, ok := check("workdays", s, workdays)
		if !ok {
			continue
		}
		if holidays[d] {
			p = append(p, fmt.Sprintf("workdays: %s is also a holiday", d))
		}
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			p = append(p, fmt.Sprintf("workdays: %s is a %s, not a weekend day", d, wd))
		}
	}
	if len(p) > 0 {
		return &CalendarError{Problems: p}
	}
	return nil
}

// NewCalendar merges validated yearly schedules into one calendar. A year may
// appear only once; a date may not be a holiday in one file and a workday in
// another.
func NewCalendar(files ...CalendarFile) (Calendar, error) {
	c := Calendar{Holidays: map[Date]bool{}, Workdays: map[Date]bool{}, Years: map[int]bool{}}
	var p []string
	for _, f := range files {
		if err := f.Validate(); err != nil {
			p = append(p, fmt.Sprintf("year %d: %v", f.Year, err))
			continue
		}
		if c.Years[f.Year] {
			p = append(p, fmt.Sprintf("year %d given twice", f.Year))
			continue
		}
		c.Years[f.Year] = true
		for _, s := range f.Holidays {
			d, _ := ParseDate(s)
			c.Holidays[d] = true
		}
		for _, s := range f.Workdays {
			d, _ := ParseDate(s)
			c.Workdays[d] = true
		}
	}
	for d := range c.Workdays {
		if c.Holidays[d] {
			p = append(p, fmt.Sprintf("%s is a holiday in one year's file and a workday in another", d))
		}
	}
	if len(p) > 0 {
		sort.Strings(p)
		return Calendar{}, &CalendarError{Problems: p}
	}
	return c, nil
}
