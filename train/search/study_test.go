package search

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func testInfo() StudyInfo {
	return StudyInfo{
		Name: "lstm-tune", Model: "lstm", Metric: "val_roc_auc",
		Space:   json.RawMessage(`{"lr": {"kind": "log-uniform", "low": 1e-4, "high": 1e-1}}`),
		Sampler: "tpe", Pruner: "asha", Seed: 1<<63 + 7, // above int64: seeds are stored as text
		Experiment: json.RawMessage(`{"train": {"epochs": 20, "batch": 64}, "model": "lstm"}`),
	}
}

func mustOpen(t *testing.T, path string, info StudyInfo) *Study {
	t.Helper()
	s, err := OpenStudy(path, info)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameTrials reports how got and want differ, NaN equal to NaN, or "" when they do not.
func sameTrials(got, want []Trial) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d trials, want %d", len(got), len(want))
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	for i := range got {
		g, w := got[i], want[i]
		ok := g.Number == w.Number && reflect.DeepEqual(g.Params, w.Params) && g.Seed == w.Seed &&
			g.State == w.State && same(g.Score, w.Score) && g.Err == w.Err &&
			g.Started.Equal(w.Started) && g.Finished.Equal(w.Finished) &&
			len(g.Intermediate) == len(w.Intermediate)
		for e := 0; ok && e < len(g.Intermediate); e++ {
			ok = same(g.Intermediate[e], w.Intermediate[e])
		}
		if !ok {
			return fmt.Sprintf("trial %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	return ""
}

func TestStudyRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	s := mustOpen(t, path, testInfo())
	nan := math.NaN()

	// Params go in with Go types and come back as JSON decodes them: numbers as float64.
	a, err := s.Begin(Values{"lr": 0.01, "layers": 2, "opt": "adam", "norm": true,
		"sizes": []int{64, 32}, "extra": nil}, 11)
	if err != nil {
		t.Fatal(err)
	}
	wantParams := Values{"lr": 0.01, "layers": 2.0, "opt": "adam", "norm": true,
		"sizes": []any{64.0, 32.0}, "extra": nil}
	if !reflect.DeepEqual(a.Params, wantParams) {
		t.Errorf("Begin params %#v, want %#v", a.Params, wantParams)
	}
	for e, v := range []float64{0.61, nan, 0.7} {
		if err := s.Report(a.Number, e+1, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Report(a.Number, 2, 0.65); err != nil { // a resumed trial re-reports epoch 2
		t.Fatal(err)
	}
	before := time.Now()
	if err := s.Finish(a.Number, Complete, 0.7, ""); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	b, _ := s.Begin(Values{"lr": 0.5}, 12)
	s.Report(b.Number, 1, 0.52)
	if err := s.Finish(b.Number, Pruned, 0.52, ""); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Begin(Values{"lr": 3.0}, 13)
	if err := s.Finish(c.Number, Failed, 0.9, "loss is NaN at epoch 1"); err != nil {
		t.Fatal(err)
	}
	d, _ := s.Begin(nil, 14)
	s.Report(d.Number, 1, math.Inf(-1))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, path, testInfo())
	defer s.Close()
	got, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	// Finish stamps its own time: trial 0's lies between the clock readings around the call.
	if f := got[0].Finished; f.Before(before) || f.After(after) {
		t.Errorf("trial 0 finished at %v, want within [%v, %v]", f, before, after)
	}
	want := []Trial{
		{Number: 0, Params: wantParams, Seed: 11, State: Complete, Score: 0.7,
			Intermediate: []float64{0.61, 0.65, 0.7}, Started: a.Started, Finished: got[0].Finished},
		{Number: 1, Params: Values{"lr": 0.5}, Seed: 12, State: Pruned, Score: 0.52,
			Intermediate: []float64{0.52}, Started: b.Started, Finished: got[1].Finished},
		{Number: 2, Params: Values{"lr": 3.0}, Seed: 13, State: Failed, Score: nan,
			Err: "loss is NaN at epoch 1", Started: c.Started, Finished: got[2].Finished},
		{Number: 3, Params: nil, Seed: 14, State: Running, Score: nan,
			Intermediate: []float64{math.Inf(-1)}, Started: d.Started},
	}
	if d := sameTrials(got, want); d != "" {
		t.Error(d)
	}
	if !got[0].Finished.After(got[0].Started) || got[1].Finished.Before(got[0].Finished) {
		t.Errorf("finish times out of order: %v", got)
	}
	// The info comes back compacted, its seed above 2^63 intact.
	wantInfo, _ := testInfo().normalized()
	if !reflect.DeepEqual(s.Info(), wantInfo) {
		t.Errorf("Info %+v, want %+v", s.Info(), wantInfo)
	}
}

func TestStudyBeginConcurrent(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "study.db"), testInfo())
	defer s.Close()
	const workers, each = 8, 5
	numbers := make(chan int, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				tr, err := s.Begin(Values{"w": w, "i": i}, uint64(w))
				if err != nil {
					t.Error(err)
					return
				}
				numbers <- tr.Number
			}
		}()
	}
	wg.Wait()
	close(numbers)
	var got []int
	for n := range numbers {
		got = append(got, n)
	}
	sort.Ints(got)
	for i, n := range got { // distinct and consecutive from 0: sorted, they are 0, 1, …, 39
		if n != i {
			t.Fatalf("numbers %v, want 0..%d each once", got, workers*each-1)
		}
	}
	if len(got) != workers*each {
		t.Fatalf("%d numbers, want %d", len(got), workers*each)
	}
}

func TestStudyInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	s := mustOpen(t, path, testInfo())
	t0, _ := s.Begin(Values{"x": 0}, 1)
	s.Finish(t0.Number, Complete, 0.5, "")
	t1, _ := s.Begin(Values{"x": 1}, 2)
	s.Report(t1.Number, 1, 0.4)
	s.Report(t1.Number, 2, 0.45)
	s.Begin(Values{"x": 2}, 3)
	if got, _ := s.Interrupted(); len(got) != 0 { // begun by this process: not interrupted
		t.Errorf("Interrupted before a reopen = %v, want none", got)
	}
	s.Close()

	s = mustOpen(t, path, testInfo())
	defer s.Close()
	s.Begin(Values{"x": 3}, 4) // running, but begun since the reopen
	got, err := s.Interrupted()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Number != 1 || got[1].Number != 2 || got[0].Seed != 2 ||
		!reflect.DeepEqual(got[0].Params, Values{"x": 1.0}) ||
		!reflect.DeepEqual(got[0].Intermediate, []float64{0.4, 0.45}) {
		t.Fatalf("Interrupted = %+v, want trials 1 (2 epochs) and 2", got)
	}
	// A resume restarts trial 1 from its epoch-1 checkpoint, then finishes it.
	if err := s.Truncate(1, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Report(1, 3, 0.5); err == nil {
		t.Error("Report of epoch 3 after truncating to 1 epoch succeeded, want an error")
	}
	s.Report(1, 2, 0.47)
	s.Finish(1, Complete, 0.47, "")
	got, _ = s.Interrupted()
	if len(got) != 1 || got[0].Number != 2 {
		t.Errorf("Interrupted after finishing trial 1 = %+v, want trial 2 alone", got)
	}
	all, _ := s.Trials()
	if !reflect.DeepEqual(all[1].Intermediate, []float64{0.4, 0.47}) {
		t.Errorf("trial 1 scores %v, want [0.4 0.47]", all[1].Intermediate)
	}
}

func TestStudyWriteErrors(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "study.db"), testInfo())
	defer s.Close()
	tr, _ := s.Begin(Values{}, 1)
	s.Report(tr.Number, 1, 0.5)
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"epoch 0", s.Report(tr.Number, 0, 0.5), "want 1 or more"},
		{"skipped epoch", s.Report(tr.Number, 3, 0.5), "1 epochs reported, so the next is 2"},
		{"no such trial", s.Report(9, 1, 0.5), "no trial 9"},
		{"finish running", s.Finish(tr.Number, Running, 0.5, ""), "want complete, pruned or failed"},
		{"finish twice", func() error {
			s.Finish(tr.Number, Complete, 0.5, "")
			return s.Finish(tr.Number, Pruned, 0.5, "")
		}(), "it is complete, not running"},
		{"report finished", s.Report(tr.Number, 2, 0.5), "it is complete, not running"},
		{"truncate finished", s.Truncate(tr.Number, 0), "complete, not running"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, c.err, c.want)
		}
	}
}

func TestStudyInfoMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	mustOpen(t, path, testInfo()).Close()

	// Reordered keys and other spacing are the same JSON.
	same := testInfo()
	same.Experiment = json.RawMessage(`{"model":"lstm","train":{"batch":64,"epochs":20}}`)
	mustOpen(t, path, same).Close()

	for _, c := range []struct {
		change func(*StudyInfo)
		want   string
	}{
		{func(i *StudyInfo) { i.Name = "other" }, `name "lstm-tune", not "other"`},
		{func(i *StudyInfo) { i.Model = "gru" }, `model "lstm", not "gru"`},
		{func(i *StudyInfo) { i.Metric = "val_pr_auc" }, `metric "val_roc_auc", not "val_pr_auc"`},
		{func(i *StudyInfo) { i.Sampler = "random" }, `sampler "tpe", not "random"`},
		{func(i *StudyInfo) { i.Pruner = "median" }, `pruner "asha", not "median"`},
		{func(i *StudyInfo) { i.Seed = 7 }, `seed "9223372036854775815", not "7"`},
		{func(i *StudyInfo) { i.Space = json.RawMessage(`{"lr":{"kind":"uniform","low":1e-4,"high":0.1}}`) },
			`space at lr.kind "log-uniform", not "uniform"`},
		{func(i *StudyInfo) {
			i.Experiment = json.RawMessage(`{"train":{"epochs":30,"batch":64},"model":"lstm"}`)
		}, `experiment at train.epochs 20, not 30`},
		{func(i *StudyInfo) { i.Experiment = nil }, `experiment {"model":"lstm",`},
	} {
		info := testInfo()
		c.change(&info)
		_, err := OpenStudy(path, info)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "another --study file") {
			t.Errorf("error %v, want one saying %q and to use another --study file", err, c.want)
		}
	}
	// A refused open leaves the study unlocked.
	mustOpen(t, path, testInfo()).Close()
}

func TestStudyNotAStudy(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("these are not the tables you are looking for\n"), 0o644)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	foreign := filepath.Join(dir, "foreign.db")
	db, err := openDB(foreign, "rwc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE trials (id INTEGER); INSERT INTO trials VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	version := filepath.Join(dir, "v2.db")
	mustOpen(t, version, testInfo()).Close()
	db, _ = openDB(version, "rw")
	if _, err := db.Exec(`UPDATE study SET schema_version = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for path, why := range map[string]string{text: "not a database", empty: `no "study" table`,
		foreign: `no "study" table`, version: "schema version 2; this intentlab reads version 1"} {
		before, _ := os.ReadFile(path)
		_, err := OpenStudy(path, testInfo())
		_, _, roErr := OpenStudyReadOnly(path)
		for _, err := range []error{err, roErr} {
			if err == nil || !strings.Contains(err.Error(), path+" is not an intentlab study file") ||
				!strings.Contains(err.Error(), why) {
				t.Errorf("%s: error %v, want one naming the file as not a study (%s)", path, err, why)
			}
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("%s: changed by a refused open", path)
		}
	}
	if _, _, err := OpenStudyReadOnly(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("OpenStudyReadOnly of a missing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("OpenStudyReadOnly created the missing file")
	}
}

func TestStudyLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	s := mustOpen(t, path, testInfo())
	tr, _ := s.Begin(Values{"lr": 0.1}, 5)
	s.Report(tr.Number, 1, 0.6)

	_, err := OpenStudy(path, testInfo())
	if err == nil || !strings.Contains(err.Error(), "being run by another process") {
		t.Fatalf("second OpenStudy: error %v, want it refused as being run", err)
	}
	// Reading needs no lock, and sees what the running study wrote.
	ro, info, err := OpenStudyReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "lstm-tune" {
		t.Errorf("read-only info name %q, want lstm-tune", info.Name)
	}
	s.Report(tr.Number, 2, 0.62) // written while the reader is open
	trials, err := ro.Trials()
	if err != nil || len(trials) != 1 || !reflect.DeepEqual(trials[0].Intermediate, []float64{0.6, 0.62}) {
		t.Errorf("read-only Trials = %+v, %v; want trial 0 with [0.6 0.62]", trials, err)
	}
	if err := ro.Report(tr.Number, 3, 0.7); err == nil {
		t.Error("Report through a read-only study succeeded")
	}
	ro.Close()

	s.Close()
	s = mustOpen(t, path, testInfo()) // the lock went with Close
	s.Close()

	// With nobody writing (no -wal or -shm file left), a read-only open still works.
	ro, _, err = OpenStudyReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if trials, err := ro.Trials(); err != nil || len(trials) != 1 {
		t.Errorf("read-only Trials after close = %v, %v; want 1 trial", trials, err)
	}
}

// TestStudyMissingDir checks that a study in a missing directory is an error naming it.
func TestStudyMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "study.db")
	_, err := OpenStudy(path, testInfo())
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v, want one naming %s", err, path)
	}
}

func ExampleOpenStudy() {
	dir, err := os.MkdirTemp("", "study")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "lstm.study")
	info := StudyInfo{Name: "lstm", Model: "lstm", Metric: "val_roc_auc", Sampler: "random", Pruner: "none", Seed: 1}

	s, err := OpenStudy(path, info) // creates the file
	if err != nil {
		fmt.Println(err)
		return
	}
	t, _ := s.Begin(Values{"lr": 0.003, "hidden": 64}, 42)
	s.Report(t.Number, 1, 0.71)
	s.Report(t.Number, 2, 0.74)
	s.Finish(t.Number, Complete, 0.74, "")
	s.Close()

	s, _, err = OpenStudyReadOnly(path) // as `intentlab search show` would
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	trials, _ := s.Trials()
	for _, t := range trials {
		fmt.Println(t.Number, t.Params, t.Seed, t.State, t.Intermediate, t.Score)
	}
	// Output:
	// 0 map[hidden:64 lr:0.003] 42 complete [0.71 0.74] 0.74
}
