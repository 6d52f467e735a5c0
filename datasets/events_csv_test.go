package datasets

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestEventsVisitors cuts visitor streams (CRLF, no final newline, rows out of time order) into
// sessions by the 30-minute gap. Expected values are worked out by hand from the fixture rows;
// t0 = 1433221332117 ms = 2015-06-02T05:02:12.117Z, a Tuesday (Python's datetime).
func TestEventsVisitors(t *testing.T) {
	cfg := EventsConfig{Visitor: "visitorid", Time: "timestamp", Type: "event", Item: "itemid", Category: "categoryid", Price: "price"}
	d, sum, err := LoadEvents("testdata/events/visitors.csv", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Schema.EventTypes, []string{"addtocart", "view"}) {
		t.Fatalf("event types %v", d.Schema.EventTypes)
	}
	const addtocart, view = 2, 3
	at := func(offset time.Duration) string {
		return time.UnixMilli(1433221332117).Add(offset).UTC().Format(time.RFC3339Nano)
	}
	want := []wantSession{
		{id: "v1/1", label: 0, times: []string{at(0), at(time.Minute), at(2 * time.Minute)},
			items: []int{355908, 248676, 355908}, cats: []int{1016, 1016, 1016}, types: []int{view, view, addtocart},
			prices: []float64{9.5, 12, 9.5}, numeric: []float64{3, 120, 2, 1, 5}, categorical: []int{2, 6}},
		{id: "v3/1", label: 0, times: []string{at(0), at(5 * time.Second)},
			items: []int{8, 9}, cats: []int{1, 1}, types: []int{view, view},
			prices: []float64{2, 2}, numeric: []float64{2, 5, 2, 1, 5}, categorical: []int{2, 6}},
		// 38 minutes after v1/1 ends: a new session, bought a minute later; the view after the buy is unseen.
		{id: "v1/2", label: 1, times: []string{at(40 * time.Minute)},
			items: []int{111016}, cats: []int{RawID("S12")}, types: []int{view},
			prices: []float64{0}, numeric: []float64{1, 0, 1, 1, 5}, categorical: []int{2, 6}},
	}
	if len(d.Sessions) != len(want) {
		t.Fatalf("%d sessions, want %d: %+v", len(d.Sessions), len(want), d.Sessions)
	}
	for i := range want {
		checkSession(t, &d.Sessions[i], want[i], true)
	}
	wantSum := LoadSummary{Rows: 10, Sessions: 3, Buyers: 1, Events: 6, BuyRows: 2, EventsAfterBuy: 2,
		Dropped: map[string]int{DropBuyFirst: 1}}
	if !reflect.DeepEqual(sum, wantSum) {
		t.Errorf("summary %+v, want %+v", sum, wantSum)
	}
}

// TestEventsGap: a gap of exactly Gap stays in the session; one millisecond more cuts it.
func TestEventsGap(t *testing.T) {
	in := "v,t,e\nx,0,view\nx,1800000,view\nx,3600001,view\n"
	d, _, err := ReadEvents(strings.NewReader(in), "gap.csv", EventsConfig{Visitor: "v", Time: "t", Type: "e", TimeFormat: TimeUnixMS})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sessions) != 2 || len(d.Sessions[0].Events) != 2 || len(d.Sessions[1].Events) != 1 || d.Sessions[1].ID != "x/2" {
		t.Fatalf("sessions %+v", d.Sessions)
	}
}

// TestEventsSessions: a session column, RFC 3339 times with an offset, quoted fields holding commas.
// 2020-01-01 was a Wednesday.
func TestEventsSessions(t *testing.T) {
	cfg := EventsConfig{Session: "session", Time: "ts", Type: "event", Item: "item", Category: "cat", Price: "price"}
	d, sum, err := LoadEvents("testdata/events/sessions.csv", cfg)
	if err != nil {
		t.Fatal(err)
	}
	const cart, view = 2, 3
	el := RawID("electronics")
	want := []wantSession{
		{id: "s1", label: 1, times: []string{"2020-01-01T10:00:00Z", "2020-01-01T10:00:30Z"},
			items: []int{RawID("1,000"), RawID("1,000")}, cats: []int{el, el}, types: []int{view, cart},
			prices: []float64{5, 5}, numeric: []float64{2, 30, 1, 1, 10}, categorical: []int{3, 1}},
		{id: "s2", label: 0, times: []string{"2020-01-01T10:00:00Z", "2020-01-01T10:00:10Z"},
			items: []int{42, 43}, cats: []int{RawID("books"), RawID("books")}, types: []int{view, view},
			prices: []float64{0, 0}, numeric: []float64{2, 10, 2, 1, 10}, categorical: []int{3, 1}},
	}
	if len(d.Sessions) != len(want) {
		t.Fatalf("%d sessions, want %d", len(d.Sessions), len(want))
	}
	for i := range want {
		checkSession(t, &d.Sessions[i], want[i], true)
	}
	if sum.Rows != 5 || sum.BuyRows != 1 || sum.Events != 4 || sum.Buyers != 1 || sum.EventsAfterBuy != 0 {
		t.Errorf("summary %+v", sum)
	}
	if RawID("1,000") >= 0 || RawID("books") == RawID("electronics") {
		t.Errorf("named ids must be negative and distinct")
	}
}

// TestEventsNoTime: without a time column the file order is the event order and the schema has no
// time features.
func TestEventsNoTime(t *testing.T) {
	d, sum, err := LoadEvents("testdata/events/notime.csv", EventsConfig{Session: "sid", Type: "kind", Item: "item"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Schema.Numeric, []string{"events", "duration_s", "distinct_items", "distinct_categories"}) || len(d.Schema.Categorical) != 0 {
		t.Errorf("schema %+v", d.Schema)
	}
	want := []wantSession{
		{id: "a", label: 1, items: []int{1, 2}, cats: []int{0, 0}, types: []int{2, 2}, numeric: []float64{2, 0, 2, 1}, categorical: []int{}},
		{id: "b", label: 0, items: []int{3}, cats: []int{0}, types: []int{2}, numeric: []float64{1, 0, 1, 1}, categorical: []int{}},
	}
	for i := range want {
		checkSession(t, &d.Sessions[i], want[i], false)
	}
	if sum.Rows != 4 || sum.BuyRows != 1 || sum.Sessions != 2 {
		t.Errorf("summary %+v", sum)
	}
}

func TestEventsBadRows(t *testing.T) {
	cfg := EventsConfig{Session: "session", Time: "ts", Type: "event", Item: "item", Category: "cat", Price: "price"}
	_, _, err := LoadEvents("testdata/events/bad.csv", cfg)
	want := `testdata/events/bad.csv:3: column 2 (ts): want unix time or ISO-8601 time, got "yesterday"`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	cfg.SkipBad = true
	d, sum, err := LoadEvents("testdata/events/bad.csv", cfg)
	if err != nil {
		t.Fatal(err)
	}
	wantEx := []string{
		want,
		`testdata/events/bad.csv:4: want 6 columns as in the header, got 5`,
		`testdata/events/bad.csv:5: column 3: want a field without quotes, or all in quotes, got "vi\"ew"`,
		`testdata/events/bad.csv:6: column 6 (price): want a finite number, got "abc"`,
	}
	if !reflect.DeepEqual(sum.BadExamples, wantEx) {
		t.Errorf("bad examples:\n%s\nwant:\n%s", strings.Join(sum.BadExamples, "\n"), strings.Join(wantEx, "\n"))
	}
	if sum.Rows != 6 || sum.BadRows != 4 || len(d.Sessions) != 1 || len(d.Sessions[0].Events) != 2 || d.Sessions[0].Events[1].Item != 3 {
		t.Errorf("summary %+v sessions %+v", sum, d.Sessions)
	}
}

func TestEventsConfigErrors(t *testing.T) {
	in := "a,b,c\n1,2,3\n"
	for _, tc := range []struct {
		cfg  EventsConfig
		want string
	}{
		{EventsConfig{Type: "c"}, "set the session or the visitor column"},
		{EventsConfig{Visitor: "a", Type: "c"}, "needs the time column"},
		{EventsConfig{Session: "a"}, "set the event type column"},
		{EventsConfig{Session: "a", Type: "zz"}, `x.csv:1: no column "zz" in the header (have a,b,c)`},
		{EventsConfig{Session: "a", Type: "c", Time: "b", TimeFormat: "weird"}, `time format "weird"`},
		{EventsConfig{Session: "a", Type: "c", Gap: -time.Second}, "want a positive duration"},
	} {
		_, _, err := ReadEvents(strings.NewReader(in), "x.csv", tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want it to contain %q", tc.cfg, err, tc.want)
		}
	}
	if _, _, err := ReadEvents(strings.NewReader(""), "e.csv", EventsConfig{Session: "a", Type: "c"}); err == nil {
		t.Error("empty file: no error")
	}
}

// TestParseTime checks the time parsers against Go's time package on a few forms.
func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		format, in string
		want       string // RFC 3339 reference, "" for a parse failure
	}{
		{TimeAuto, "1433221332117", "2015-06-02T05:02:12.117Z"},
		{TimeAuto, "1433221332", "2015-06-02T05:02:12Z"},
		{TimeAuto, "1433221332.5", "2015-06-02T05:02:12.5Z"},
		{TimeAuto, "2014-04-07T10:51:09.277Z", "2014-04-07T10:51:09.277Z"},
		{TimeAuto, "2014-04-07 10:51:09", "2014-04-07T10:51:09Z"},
		{TimeAuto, "2014-04-07T10:51:09.277123+05:30", "2014-04-07T05:21:09.277Z"},
		{TimeAuto, "2014-04-07T10:51-0100", "2014-04-07T11:51:00Z"},
		{TimeAuto, "2000-02-29", "2000-02-29T00:00:00Z"},
		{TimeAuto, "1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.5Z"},
		{TimeAuto, "1900-02-29", ""},
		{TimeAuto, "2014-13-01", ""},
		{TimeAuto, "2014-04-07T24:00:00Z", ""},
		{TimeAuto, "2014-04-07T10:51:09.Z", ""},
		{TimeAuto, "yesterday", ""},
		{TimeAuto, "", ""},
		{TimeUnix, "1433221332", "2015-06-02T05:02:12Z"},
		{TimeUnix, "2014-04-07", ""},
		{TimeUnixMS, "1433221332", "1970-01-17T14:07:01.332Z"},
		{TimeUnixMS, "1.5", ""},
		{"02/01/2006 15:04", "07/04/2014 10:51", "2014-04-07T10:51:00Z"},
	} {
		p, err := newTimeParser(tc.format)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseTime(p, tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("%s %q: parsed as %d, want a failure", tc.format, tc.in, got)
			}
			continue
		}
		if !ok || got != unixMS(t, tc.want) {
			t.Errorf("%s %q: %d %v, want %d", tc.format, tc.in, got, ok, unixMS(t, tc.want))
		}
		if got2, ok2 := parseTime(p, []byte(tc.in)); got2 != got || ok2 != ok {
			t.Errorf("%s %q: bytes and string parse differ", tc.format, tc.in)
		}
	}
}

// TestCivilDays checks daysFromCivil and civilFromDays against Go's time package over 1600–2400.
func TestCivilDays(t *testing.T) {
	for d := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2400; d = d.AddDate(0, 0, 17) {
		days := d.Unix() / 86400
		if got := daysFromCivil(d.Year(), int(d.Month()), d.Day()); got != days {
			t.Fatalf("%v: daysFromCivil %d, want %d", d, got, days)
		}
		if y, m, dd := civilFromDays(days); y != d.Year() || m != int(d.Month()) || dd != d.Day() {
			t.Fatalf("%v: civilFromDays %d-%d-%d", d, y, m, dd)
		}
	}
}

// TestEventsQuoting: RFC 4180 quoting as encoding/csv reads it, including a doubled quote and a
// quoted field spanning a CRLF line end (read as "\n"); the record keeps its first line number.
func TestEventsQuoting(t *testing.T) {
	in := "s,e,i\r\n\"a\",\"view\",\"x\"\"y\"\r\na,view,\"two\r\nlines\"\r\na,view,3,\r\n"
	_, _, err := ReadEvents(strings.NewReader(in), "q.csv", EventsConfig{Session: "s", Type: "e", Item: "i"})
	want := "q.csv:5: want 3 columns as in the header, got 4"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	d, _, err := ReadEvents(strings.NewReader(in), "q.csv", EventsConfig{Session: "s", Type: "e", Item: "i", SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	ev := d.Sessions[0].Events
	if len(ev) != 2 || ev[0].Item != RawID(`x"y`) || ev[1].Item != RawID("two\nlines") {
		t.Fatalf("events %+v", ev)
	}
	for _, tc := range []struct{ in, want string }{
		{"s,e\na,\"view\n", `u.csv:2: column 2: want a closing quote, got "end of input"`},
		{"s,e\na,\"view\"x\n", `u.csv:2: column 2: want a comma or the line end after a closing quote, got "x"`},
	} {
		_, _, err := ReadEvents(strings.NewReader(tc.in), "u.csv", EventsConfig{Session: "s", Type: "e"})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: error %v, want %s", tc.in, err, tc.want)
		}
	}
}
