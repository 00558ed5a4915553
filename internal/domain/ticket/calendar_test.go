package ticket

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// The shipped 2026 schedule follows 国务院办公厅关于2026年部分节假日安排的通知
// (4 November 2025, published by Xinhua). The weekdays below are the ones the
// notice prints next to each date, so a typo in the file fails here.
func load2026(t testing.TB) Calendar {
	t.Helper()
	data, err := os.ReadFile("../../../config/calendar/2026.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseCalendarFile(data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCalendar(f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func d(s string) Date {
	dt, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return dt
}

func TestShipped2026Calendar(t *testing.T) {
	c := load2026(t)
	if !c.Covers(2026) || c.Covers(2027) {
		t.Errorf("Covers: %v", c.Years)
	}
	notice := []struct {
		from, to string
		first    time.Weekday
		days     int
	}{
		{"2026-01-01", "2026-01-03", time.Thursday, 3}, // 元旦
		{"2026-02-15", "2026-02-23", time.Sunday, 9},   // 春节
		{"2026-04-04", "2026-04-06", time.Saturday, 3}, // 清明节
		{"2026-05-01", "2026-05-05", time.Friday, 5},   // 劳动节
		{"2026-06-19", "2026-06-21", time.Friday, 3},   // 端午节
		{"2026-09-25", "2026-09-27", time.Friday, 3},   // 中秋节
		{"2026-10-01", "2026-10-07", time.Thursday, 7}, // 国庆节
	}
	total := 0
	for _, h := range notice {
		from, to := d(h.from), d(h.to)
		if from.Weekday() != h.first {
			t.Errorf("%s is a %s, notice says %s", from, from.Weekday(), h.first)
		}
		n := 0
		for x := from; !x.Start().After(to.Start()); x = x.AddDays(1) {
			if c.IsWorkingDay(x) || !c.Holidays[x] {
				t.Errorf("%s should be a holiday", x)
			}
			n++
		}
		if n != h.days {
			t.Errorf("%s–%s: %d days, notice says %d", from, to, n, h.days)
		}
		total += n
	}
	if total != len(c.Holidays) {
		t.Errorf("%d holidays in file, %d in notice", len(c.Holidays), total)
	}
	makeUp := map[string]time.Weekday{
		"2026-01-04": time.Sunday, "2026-02-14": time.Saturday, "2026-02-28": time.Saturday,
		"2026-05-09": time.Saturday, "2026-09-20": time.Sunday, "2026-10-10": time.Saturday,
	}
	if len(c.Workdays) != len(makeUp) {
		t.Errorf("%d make-up days, want %d", len(c.Workdays), len(makeUp))
	}
	for s, wd := range makeUp {
		if x := d(s); x.Weekday() != wd || !c.IsWorkingDay(x) {
			t.Errorf("%s: weekday %s working %v", s, x.Weekday(), c.IsWorkingDay(x))
		}
	}
	// Ordinary days keep their weekday rule.
	for s, want := range map[string]bool{"2026-03-02": true, "2026-03-07": false, "2026-03-08": false, "2026-10-09": true, "2026-10-11": false} {
		if got := c.IsWorkingDay(d(s)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v", s, got)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal := load2026(t)
	at := func(s string, h, m int) time.Time {
		x := d(s)
		return time.Date(x.Year, x.Month, x.Day, h, m, 0, 0, China)
	}
	tests := []struct {
		name  string
		cal   Calendar
		start time.Time
		n     int
		want  string
	}{
		{"next day", cal, at("2026-03-02", 10, 0), 1, "2026-03-03"},
		{"three days", cal, at("2026-03-02", 10, 0), 3, "2026-03-05"},
		{"thirteen days", cal, at("2026-03-02", 10, 0), 13, "2026-03-19"},
		{"over a weekend", cal, at("2026-03-06", 16, 0), 1, "2026-03-09"},
		{"three over a weekend", cal, at("2026-03-06", 16, 0), 3, "2026-03-11"},
		{"from a Saturday", cal, at("2026-03-07", 9, 0), 1, "2026-03-09"},
		{"into National Day", cal, at("2026-09-30", 10, 0), 1, "2026-10-08"},
		{"make-up Saturday after National Day", cal, at("2026-09-30", 10, 0), 3, "2026-10-10"},
		{"make-up Sunday before Mid-Autumn", cal, at("2026-09-18", 10, 0), 1, "2026-09-20"},
		{"from inside a holiday", cal, at("2026-10-03", 10, 0), 1, "2026-10-08"},
		{"make-up before Spring Festival", cal, at("2026-02-13", 10, 0), 1, "2026-02-14"},
		{"over Spring Festival", cal, at("2026-02-13", 10, 0), 2, "2026-02-24"},
		{"New Year make-up Sunday", cal, at("2025-12-31", 10, 0), 1, "2026-01-04"},
		{"Labour Day", cal, at("2026-04-30", 10, 0), 1, "2026-05-06"},
		{"Qingming", cal, at("2026-04-03", 10, 0), 1, "2026-04-07"},
		{"Dragon Boat", cal, at("2026-06-18", 10, 0), 1, "2026-06-22"},
		{"zero calendar ignores holidays", Calendar{}, at("2026-09-30", 10, 0), 1, "2026-10-01"},
		{"n=0 on a working day", cal, at("2026-03-02", 10, 0), 0, "2026-03-02"},
		{"n=0 on a Saturday", cal, at("2026-03-07", 10, 0), 0, "2026-03-09"},
		// 15:30 UTC is 23:30 in China: still 2 March.
		{"UTC late evening", cal, time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC), 1, "2026-03-03"},
		// 16:30 UTC is 00:30 on 3 March in China.
		{"UTC past China midnight", cal, time.Date(2026, 3, 2, 16, 30, 0, 0, time.UTC), 1, "2026-03-04"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cal.AddWorkingDays(tc.start, tc.n)
			want := d(tc.want).End()
			if !got.Equal(want) || got.Location() != China {
				t.Errorf("got %s, want %s", got, want)
			}
			if h, m, s := got.Clock(); h != 23 || m != 59 || s != 59 {
				t.Errorf("not end of day: %s", got)
			}
		})
	}
}

func TestComputeDeadlines(t *testing.T) {
	cal := load2026(t)
	mon := time.Date(2026, 3, 2, 10, 0, 0, 0, China)
	fri := time.Date(2026, 3, 6, 10, 0, 0, 0, China)
	lateSat := time.Date(2026, 10, 3, 22, 0, 0, 0, China)
	tests := []struct {
		name          string
		at            time.Time
		level         ServiceLevel
		accept, reply time.Time
	}{
		{"complaint default", mon, DefaultServiceLevel(TypeComplaint), d("2026-03-03").End(), d("2026-03-19").End()},
		{"consultation default", fri, DefaultServiceLevel(TypeConsultation), d("2026-03-09").End(), d("2026-03-11").End()},
		{"two working days to accept", fri, ServiceLevel{AcceptHours: 48, ReplyWorkingDays: 3}, d("2026-03-10").End(), d("2026-03-11").End()},
		{"wall-clock accept", fri, ServiceLevel{AcceptHours: 12, ReplyWorkingDays: 3}, fri.Add(12 * time.Hour), d("2026-03-11").End()},
		{"urgent over a holiday night", lateSat, ServiceLevel{AcceptHours: 1, ReplyHours: 4}, lateSat.Add(time.Hour), lateSat.Add(4 * time.Hour)},
		{"accept pulled in to reply", lateSat, ServiceLevel{AcceptHours: 24, ReplyHours: 4}, lateSat.Add(4 * time.Hour), lateSat.Add(4 * time.Hour)},
		{"reply across National Day", time.Date(2026, 9, 29, 10, 0, 0, 0, China), DefaultServiceLevel(TypeHelp), d("2026-09-30").End(), d("2026-10-09").End()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeDeadlines(tc.at, tc.level, cal)
			if !got.Accept.Equal(tc.accept) || !got.Reply.Equal(tc.reply) {
				t.Errorf("got accept %s reply %s, want %s %s", got.Accept, got.Reply, tc.accept, tc.reply)
			}
		})
	}
}

func TestDefaultServiceLevel(t *testing.T) {
	want := map[Type]int{TypeConsultation: 3, TypeHelp: 3, TypeComplaint: 13, TypeSuggestion: 13, TypeReport: 13, TypePraise: 5}
	for _, ty := range Types {
		l := DefaultServiceLevel(ty)
		if err := l.Validate(); err != nil {
			t.Errorf("%s: %v", ty, err)
		}
		if l.ReplyWorkingDays != want[ty] || l.AcceptHours != 24 {
			t.Errorf("%s: %+v", ty, l)
		}
	}
}

func TestServiceLevelValidate(t *testing.T) {
	tests := []struct {
		l  ServiceLevel
		ok bool
	}{
		{ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 13}, true},
		{ServiceLevel{AcceptHours: 1, ReplyHours: 4}, true},
		{ServiceLevel{ReplyWorkingDays: 3}, false},
		{ServiceLevel{AcceptHours: 24}, false},
		{ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 3, ReplyHours: 4}, false},
		{ServiceLevel{AcceptHours: 24, ReplyWorkingDays: -1}, false},
		{ServiceLevel{AcceptHours: 24, ReplyWorkingDays: 61}, false},
		{ServiceLevel{AcceptHours: 721, ReplyWorkingDays: 3}, false},
		{ServiceLevel{AcceptHours: 24, ReplyHours: 721}, false},
	}
	for _, tc := range tests {
		err := tc.l.Validate()
		var se *ServiceLevelError
		if (err == nil) != tc.ok || (err != nil && !errors.As(err, &se)) {
			t.Errorf("%+v: %v", tc.l, err)
		}
	}
}

func TestParseCalendarFileErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"year range", `{"year": 1999, "holidays": []}`, "out of range"},
		{"short date", `{"year": 2026, "holidays": ["2026-1-01"]}`, "YYYY-MM-DD"},
		{"impossible date", `{"year": 2026, "holidays": ["2026-02-30"]}`, "YYYY-MM-DD"},
		{"other year", `{"year": 2026, "holidays": ["2025-06-01"]}`, "outside 2026"},
		{"duplicate", `{"year": 2026, "holidays": ["2026-10-01", "2026-10-01"]}`, "twice"},
		{"both", `{"year": 2026, "holidays": ["2026-10-10"], "workdays": ["2026-10-10"]}`, "also a holiday"},
		{"weekday make-up", `{"year": 2026, "workdays": ["2026-10-09"]}`, "not a weekend day"},
		{"unknown field", `{"year": 2026, "holiday": []}`, "unknown field"},
		{"not an object", `[2026]`, "JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCalendarFile([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
	// Adjacent December is allowed: 2019's notice made 29 Dec 2018 a workday.
	if _, err := ParseCalendarFile([]byte(`{"year": 2019, "holidays": ["2018-12-30", "2018-12-31", "2019-01-01"], "workdays": ["2018-12-29"]}`)); err != nil {
		t.Errorf("cross-year schedule: %v", err)
	}
	var ce *CalendarError
	a := CalendarFile{Year: 2026, Holidays: []string{"2026-12-31"}}
	b := CalendarFile{Year: 2027, Workdays: []string{"2026-12-27"}, Holidays: []string{}}
	if _, err := NewCalendar(a, a); !errors.As(err, &ce) {
		t.Errorf("same year twice: %v", err)
	}
	c := CalendarFile{Year: 2027, Workdays: []string{"2026-12-31"}}
	if _, err := NewCalendar(a, c); err == nil {
		// 2026-12-31 is a Thursday so c is already invalid on its own.
		t.Error("conflicting files accepted")
	}
	if cal, err := NewCalendar(a, b); err != nil || !cal.Covers(2027) || cal.IsWorkingDay(d("2026-12-31")) || !cal.IsWorkingDay(d("2026-12-27")) {
		t.Errorf("merge: %v", err)
	}
}

func FuzzParseCalendarFile(f *testing.F) {
	data, err := os.ReadFile("../../../config/calendar/2026.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"year": 2019, "holidays": ["2018-12-30"], "workdays": ["2018-12-29"]}`))
	f.Add([]byte(`{"year": 2026, "holidays": ["2026-02-30", "+2026-01-01"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := ParseCalendarFile(data)
		if err != nil {
			var ce *CalendarError
			var pe *ParseError
			var tl *TooLargeError
			if !errors.As(err, &ce) && !errors.As(err, &pe) && !errors.As(err, &tl) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		cal, err := NewCalendar(cf)
		if err != nil {
			t.Fatalf("validated file rejected by NewCalendar: %v", err)
		}
		for _, s := range cf.Workdays {
			if !cal.IsWorkingDay(d(s)) {
				t.Fatalf("make-up day %s not working", s)
			}
		}
		for _, s := range cf.Holidays {
			if cal.IsWorkingDay(d(s)) {
				t.Fatalf("holiday %s working", s)
			}
		}
		end := cal.AddWorkingDays(time.Date(cf.Year, 1, 1, 0, 0, 0, 0, China), 20)
		if !cal.IsWorkingDay(DateOf(end)) {
			t.Fatalf("deadline on a non-working day")
		}
	})
}
