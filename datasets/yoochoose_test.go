package datasets

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// unixMS is the reference clock for the fixtures: Go's time package, independent of parseISO.
func unixMS(t *testing.T, iso string) int64 {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, iso)
	if err != nil {
		t.Fatal(err)
	}
	return v.UnixMilli()
}

// wantSession is the expected content of one loaded session.
type wantSession struct {
	id          string
	label       float64
	times       []string // ISO times of the seen events, in order
	items, cats []int
	types       []int
	prices      []float64
	numeric     []float64
	categorical []int
}

func checkSession(t *testing.T, got *Session, w wantSession, hasTime bool) {
	t.Helper()
	if got.ID != w.id {
		t.Fatalf("session ID %q, want %q", got.ID, w.id)
	}
	if !reflect.DeepEqual(got.Labels, []float64{w.label}) {
		t.Errorf("session %s: labels %v, want [%v]", w.id, got.Labels, w.label)
	}
	if len(got.Events) != len(w.items) {
		t.Fatalf("session %s: %d events, want %d", w.id, len(got.Events), len(w.items))
	}
	for i, e := range got.Events {
		if e.Item != w.items[i] || e.Category != w.cats[i] || e.Type != w.types[i] {
			t.Errorf("session %s event %d: item %d cat %d type %d, want %d %d %d", w.id, i, e.Item, e.Category, e.Type, w.items[i], w.cats[i], w.types[i])
		}
		if w.prices != nil && e.Price != w.prices[i] {
			t.Errorf("session %s event %d: price %v, want %v", w.id, i, e.Price, w.prices[i])
		}
		if !hasTime {
			if e.Time != 0 || e.Dwell != 0 {
				t.Errorf("session %s event %d: time %d dwell %v without a clock, want 0 0", w.id, i, e.Time, e.Dwell)
			}
			continue
		}
		ms := unixMS(t, w.times[i])
		if e.Time != ms/1000 {
			t.Errorf("session %s event %d: time %d, want %d", w.id, i, e.Time, ms/1000)
		}
		wantDwell := 0.0 // the last seen event's dwell is 0 (eventlog.go)
		if i+1 < len(w.times) {
			wantDwell = float64(unixMS(t, w.times[i+1])-ms) / 1000
		}
		if e.Dwell != wantDwell {
			t.Errorf("session %s event %d: dwell %v, want %v", w.id, i, e.Dwell, wantDwell)
		}
	}
	if hasTime && got.Start != unixMS(t, w.times[0])/1000 {
		t.Errorf("session %s: start %d, want %d", w.id, got.Start, unixMS(t, w.times[0])/1000)
	}
	if !reflect.DeepEqual(got.Numeric, w.numeric) {
		t.Errorf("session %s: numeric %v, want %v", w.id, got.Numeric, w.numeric)
	}
	if !reflect.DeepEqual(got.Categorical, w.categorical) {
		t.Errorf("session %s: categorical %v, want %v", w.id, got.Categorical, w.categorical)
	}
}

// TestYooChooseFixture loads a CRLF clicks file without a final newline (rows out of time order,
// a blank line) and a buys file. Expected values are worked out by hand from the fixture rows;
// weekdays from a calendar (2014-04-06 was a Sunday).
func TestYooChooseFixture(t *testing.T) {
	d, sum, err := LoadYooChoose("testdata/yoochoose/clicks.dat", "testdata/yoochoose/buys.dat", YooChooseConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []wantSession{
		{id: "5", label: 0, times: []string{"2014-04-06T23:59:59.999Z"},
			items: []int{214839313}, cats: []int{2053841256}, types: []int{2},
			numeric: []float64{1, 0, 1, 1, 23}, categorical: []int{7, 4}},
		{id: "1", label: 0,
			times: []string{"2014-04-07T10:51:09.277Z", "2014-04-07T10:54:09.868Z", "2014-04-07T10:54:46.998Z"},
			items: []int{214536502, 214536500, 214536506}, cats: []int{0, 0, 0}, types: []int{2, 2, 2},
			numeric: []float64{3, 217.721, 3, 1, 10}, categorical: []int{1, 4}},
		// Buyer: first buy 13:58:00.000, so the clicks at 13:58:00.000 and 13:59 are unseen.
		{id: "2", label: 1, times: []string{"2014-04-07T13:56:00.000Z", "2014-04-07T13:57:30.500Z"},
			items: []int{214825110, 214662742}, cats: []int{5, RawID("S")}, types: []int{2, 2},
			numeric: []float64{2, 90.5, 2, 2, 13}, categorical: []int{1, 4}},
	}
	if len(d.Sessions) != len(want) {
		t.Fatalf("%d sessions, want %d", len(d.Sessions), len(want))
	}
	for i := range want {
		checkSession(t, &d.Sessions[i], want[i], true)
	}
	wantSum := LoadSummary{Rows: 13, Sessions: 3, Buyers: 1, Events: 6, BuyRows: 4, EventsAfterBuy: 3,
		Dropped: map[string]int{DropBuyFirst: 1, DropBuyWithoutClicks: 1}}
	if !reflect.DeepEqual(sum, wantSum) {
		t.Errorf("summary %+v, want %+v", sum, wantSum)
	}
	if !reflect.DeepEqual(d.Schema.EventTypes, []string{"click"}) || !reflect.DeepEqual(d.Schema.Tasks, []string{TaskPurchase}) {
		t.Errorf("schema types %v tasks %v", d.Schema.EventTypes, d.Schema.Tasks)
	}
}

func TestYooChooseBadRow(t *testing.T) {
	_, _, err := LoadYooChoose("testdata/yoochoose/clicks_bad.dat", "testdata/yoochoose/buys.dat", YooChooseConfig{})
	want := `testdata/yoochoose/clicks_bad.dat:3: column 2 (timestamp): want ISO-8601 time, got "yesterday"`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	_, _, err = LoadYooChoose("testdata/yoochoose/clicks.dat", "testdata/yoochoose/buys_bad.dat", YooChooseConfig{})
	want = `testdata/yoochoose/buys_bad.dat:1: column 5 (quantity): want integer quantity, got "one"`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
}

// TestYooChooseSkipBad: the three bad click rows and the bad buy row are skipped and counted, so
// session 6 is a non-buyer and session 1 keeps its two good clicks.
func TestYooChooseSkipBad(t *testing.T) {
	d, sum, err := LoadYooChoose("testdata/yoochoose/clicks_bad.dat", "testdata/yoochoose/buys_bad.dat", YooChooseConfig{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 7 || sum.BadRows != 4 || sum.Events != 3 || sum.Sessions != 2 || sum.Buyers != 0 {
		t.Errorf("summary %+v", sum)
	}
	wantEx := []string{
		`testdata/yoochoose/buys_bad.dat:1: column 5 (quantity): want integer quantity, got "one"`,
		`testdata/yoochoose/clicks_bad.dat:3: column 2 (timestamp): want ISO-8601 time, got "yesterday"`,
		`testdata/yoochoose/clicks_bad.dat:4: want 4 columns (session_id,timestamp,item_id,category), got 3`,
		`testdata/yoochoose/clicks_bad.dat:5: column 1 (session_id): want integer session id, got "x"`,
	}
	if !reflect.DeepEqual(sum.BadExamples, wantEx) {
		t.Errorf("bad examples:\n%s\nwant:\n%s", strings.Join(sum.BadExamples, "\n"), strings.Join(wantEx, "\n"))
	}
	if len(d.Sessions) != 2 || d.Sessions[0].ID != "1" || len(d.Sessions[0].Events) != 2 || d.Sessions[1].ID != "6" {
		t.Errorf("sessions %+v", d.Sessions)
	}
}

func TestYooChooseMissingFile(t *testing.T) {
	_, _, err := LoadYooChoose("testdata/yoochoose/nope.dat", "testdata/yoochoose/buys.dat", YooChooseConfig{})
	if err == nil || !strings.Contains(err.Error(), "nope.dat") {
		t.Fatalf("error %v, want one naming nope.dat", err)
	}
}

func TestYooChooseLongLine(t *testing.T) {
	clicks := "1,2014-04-07T10:51:09.277Z,1,0\n1,2014-04-07T10:51:09.277Z,1," + strings.Repeat("9", maxLineBytes) + "\n1,2014-04-07T10:51:10Z,2,0\n"
	_, _, err := ReadYooChoose(strings.NewReader(clicks), "c", strings.NewReader(""), "b", YooChooseConfig{})
	if err == nil || !strings.HasPrefix(err.Error(), "c:2: want a line of at most") {
		t.Fatalf("error %v", err)
	}
	d, sum, err := ReadYooChoose(strings.NewReader(clicks), "c", strings.NewReader(""), "b", YooChooseConfig{SkipBad: true})
	if err != nil || sum.BadRows != 1 || sum.Rows != 3 || len(d.Sessions) != 1 || len(d.Sessions[0].Events) != 2 {
		t.Fatalf("err %v summary %+v", err, sum)
	}
}
