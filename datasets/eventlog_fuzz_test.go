package datasets

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// checkLoad asserts the invariants every successful event-log load must satisfy.
func checkLoad(t *testing.T, d *Dataset, sum LoadSummary) {
	t.Helper()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if sum.Rows != sum.BadRows+sum.BuyRows+sum.Events+sum.EventsAfterBuy {
		t.Fatalf("rows %d != bad %d + buys %d + events %d + after buy %d", sum.Rows, sum.BadRows, sum.BuyRows, sum.Events, sum.EventsAfterBuy)
	}
	if sum.Sessions != len(d.Sessions) {
		t.Fatalf("summary says %d sessions, dataset has %d", sum.Sessions, len(d.Sessions))
	}
	events, buyers := 0, 0
	for i := range d.Sessions {
		s := &d.Sessions[i]
		if len(s.Events) == 0 {
			t.Fatalf("session %q has no events", s.ID)
		}
		if l := s.Labels[0]; l != 0 && l != 1 {
			t.Fatalf("session %q: label %v", s.ID, l)
		}
		buyers += int(s.Labels[0])
		events += len(s.Events)
		for j, e := range s.Events {
			if e.Type < 2 || e.Type >= d.Schema.NumEventTypes() {
				t.Fatalf("session %q event %d: type %d outside [2, %d)", s.ID, j, e.Type, d.Schema.NumEventTypes())
			}
			if e.Dwell < 0 || j == len(s.Events)-1 && e.Dwell != 0 {
				t.Fatalf("session %q event %d: dwell %v", s.ID, j, e.Dwell)
			}
			if j > 0 && e.Time < s.Events[j-1].Time {
				t.Fatalf("session %q: events out of time order", s.ID)
			}
		}
		if i > 0 && s.Start < d.Sessions[i-1].Start {
			t.Fatalf("sessions out of start order")
		}
	}
	if events != sum.Events || buyers != sum.Buyers {
		t.Fatalf("summary events %d buyers %d, dataset %d %d", sum.Events, sum.Buyers, events, buyers)
	}
}

func addFixtureSeeds(f *testing.F, paths ...string) []string {
	var out []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// FuzzYooChoose: any input either loads into a dataset meeting checkLoad's invariants or fails
// with a *ParseError; with SkipBad it never fails; loading is deterministic.
func FuzzYooChoose(f *testing.F) {
	s := addFixtureSeeds(f, "testdata/yoochoose/clicks.dat", "testdata/yoochoose/buys.dat",
		"testdata/yoochoose/clicks_bad.dat", "testdata/yoochoose/buys_bad.dat")
	f.Add(s[0], s[1], false)
	f.Add(s[2], s[3], true)
	f.Add(s[0], s[3], true)
	f.Fuzz(func(t *testing.T, clicks, buys string, skip bool) {
		cfg := YooChooseConfig{SkipBad: skip}
		d, sum, err := ReadYooChoose(strings.NewReader(clicks), "c", strings.NewReader(buys), "b", cfg)
		if err != nil {
			var pe *ParseError
			if skip || !errors.As(err, &pe) {
				t.Fatalf("skip=%v: %v", skip, err)
			}
			return
		}
		checkLoad(t, d, sum)
		d2, sum2, _ := ReadYooChoose(strings.NewReader(clicks), "c", strings.NewReader(buys), "b", cfg)
		if !reflect.DeepEqual(d, d2) || !reflect.DeepEqual(sum, sum2) {
			t.Fatal("two loads of the same input differ")
		}
	})
}

// FuzzEventsCSV: as FuzzYooChoose for the generic loader, with a session or a visitor column.
func FuzzEventsCSV(f *testing.F) {
	s := addFixtureSeeds(f, "testdata/events/visitors.csv", "testdata/events/sessions.csv", "testdata/events/bad.csv")
	vis := "timestamp,visitorid,event,itemid,categoryid,price\n"
	ses := "session,ts,event,item,cat,price\n"
	f.Add(s[0], false, false)
	f.Add(s[1], true, false)
	f.Add(s[2], true, true)
	f.Add(vis+"1,a,view,1,2,3\n", false, true)
	f.Add(ses+"a,2020-01-01,buy,1,2,3\n", true, false)
	f.Fuzz(func(t *testing.T, in string, sessionCol, skip bool) {
		cfg := EventsConfig{Visitor: "visitorid", Time: "timestamp", Type: "event", Item: "itemid", Category: "categoryid", Price: "price", SkipBad: skip}
		if sessionCol {
			cfg = EventsConfig{Session: "session", Time: "ts", Type: "event", Item: "item", Category: "cat", Price: "price", SkipBad: skip}
		}
		d, sum, err := ReadEvents(strings.NewReader(in), "e", cfg)
		if err != nil {
			var pe *ParseError
			if skip && errors.As(err, &pe) && !strings.HasPrefix(err.Error(), "header: ") {
				t.Fatalf("skip set, yet a row error: %v", err)
			}
			return // header and configuration errors remain errors under SkipBad
		}
		checkLoad(t, d, sum)
		d2, sum2, _ := ReadEvents(strings.NewReader(in), "e", cfg)
		if !reflect.DeepEqual(d, d2) || !reflect.DeepEqual(sum, sum2) {
			t.Fatal("two loads of the same input differ")
		}
	})
}
