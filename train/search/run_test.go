package search

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train"
)

// tinySearch searches a small MLP's learning rate and width on 600 short synthetic sessions: a
// trial trains in a fraction of a second.
func tinySearch(t *testing.T, dir string) Config {
	t.Helper()
	exp := train.DefaultExperiment("mlp")
	exp.Data.Spec = "synth:600"
	exp.Data.Options.Synthetic = datasets.SyntheticConfig{Window: 6, NumItems: 20, NumCategories: 4, Seed: 3}
	exp.Train = train.Config{Epochs: 4, BatchSize: 64}
	space, err := ParseSpace([]byte(`{"train.lr": {"log_uniform": [1e-3, 3e-2]}, "model.hidden": {"choice": [[8], [16, 8]]}}`), "json")
	if err != nil {
		t.Fatal(err)
	}
	return Config{Experiment: exp, Space: space, Trials: 5, Sampler: "random", Seed: 11, Study: filepath.Join(dir, "study.db")}
}

// sameOutcome fails unless two studies hold the same trials, but for their times.
func sameOutcome(t *testing.T, what string, want, got []Trial) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d trials, want %d", what, len(got), len(want))
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	for i := range want {
		w, g := want[i], got[i]
		if g.Number != w.Number || g.State != w.State || g.Seed != w.Seed || !same(g.Score, w.Score) ||
			!slices.EqualFunc(g.Intermediate, w.Intermediate, same) || !reflect.DeepEqual(g.Params, w.Params) {
			t.Errorf("%s: trial %d is\n %+v, want\n %+v", what, i, g, w)
		}
	}
}

// TestSearchSurvivesInterruption cancels a search in the middle of its third trial, runs the same
// search again, and gets exactly the study of a search that was never interrupted: the finished
// trials kept, the interrupted one continued from its checkpoint, the budget finished, no trial lost
// or repeated.
func TestSearchSurvivesInterruption(t *testing.T) {
	whole := tinySearch(t, filepath.Join(t.TempDir(), "whole"))
	res, err := Run(context.Background(), whole)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trials) != 5 || res.States[Complete] != 5 {
		t.Fatalf("uninterrupted search: %d trials, states %v", len(res.Trials), res.States)
	}

	cut := tinySearch(t, filepath.Join(t.TempDir(), "cut"))
	ctx, cancel := context.WithCancel(context.Background())
	cut.Progress = cancelOn{"trial 2 epoch 2/4: train loss", cancel}
	if _, err := Run(ctx, cut); !errors.Is(err, train.ErrInterrupted) {
		t.Fatalf("cancelled search: %v, want ErrInterrupted", err)
	}
	st, _, err := OpenStudyReadOnly(cut.Study)
	if err != nil {
		t.Fatal(err)
	}
	before, err := st.Trials()
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 3 || before[2].State != Running || before[1].State != Complete {
		t.Fatalf("after the cancel: %d trials %v, want two complete and trial 2 running", len(before), states(before))
	}
	cut.Progress = nil
	res2, err := Run(context.Background(), cut)
	if err != nil {
		t.Fatal(err)
	}
	sameOutcome(t, "resumed study", res.Trials, res2.Trials)
	for i := range before[:2] {
		if !res2.Trials[i].Finished.Equal(before[i].Finished) {
			t.Errorf("trial %d was finished before the cancel and trained again", i)
		}
	}
	if res2.Best == nil || res.Best == nil || res2.Best.Number != res.Best.Number {
		t.Errorf("best trial %v, want %v", res2.Best, res.Best)
	}
	for _, f := range []string{"history.png", "params.png", "intermediate.png", "summary.json"} {
		if _, err := os.Stat(filepath.Join(strings.TrimSuffix(cut.Study, ".db"), f)); err != nil { // the default Out
			t.Errorf("the study lacks %s", f)
		}
	}
	// The best trial's run holds its test metrics.
	if res2.BestTest == nil || res2.BestTest.Tasks[0].Test == nil {
		t.Errorf("no test metrics for the best trial")
	}
	// A larger budget continues the same study with new trials.
	cut.Trials = 7
	res3, err := Run(context.Background(), cut)
	if err != nil {
		t.Fatal(err)
	}
	if len(res3.Trials) != 7 {
		t.Errorf("after raising the budget to 7: %d trials", len(res3.Trials))
	}
}

func states(ts []Trial) []State {
	var s []State
	for _, t := range ts {
		s = append(s, t.State)
	}
	return s
}

// cancelOn cancels a context when a progress line contains a marker.
type cancelOn struct {
	marker string
	cancel context.CancelFunc
}

func (c cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.marker) {
		c.cancel()
	}
	return len(p), nil
}

// TestASHASpendsTheBudgetOnMoreTrials: with the same budget of epochs, a search with ASHA pruning
// finishes more trials than one without, and its pruned trials are marked so, with their last
// validation score as their score.
func TestASHASpendsTheBudgetOnMoreTrials(t *testing.T) {
	run := func(pruner string) *Result {
		cfg := tinySearch(t, t.TempDir())
		cfg.Experiment.Train.Epochs = 9
		cfg.Trials, cfg.MaxEpochs = 100, 36
		cfg.Pruner = pruner
		cfg.PrunerConfig = PrunerConfig{MinResource: 1, Reduction: 3}
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	none, asha := run("none"), run("asha")
	if len(none.Trials) != 4 || none.States[Pruned] != 0 {
		t.Errorf("no pruning: %d trials (states %v), want 36/9 = 4 complete", len(none.Trials), none.States)
	}
	if len(asha.Trials) <= len(none.Trials) || asha.States[Pruned] == 0 {
		t.Errorf("ASHA: %d trials (states %v), want more than %d and some pruned", len(asha.Trials), asha.States, len(none.Trials))
	}
	for _, tr := range asha.Trials {
		if tr.State != Pruned {
			continue
		}
		n := len(tr.Intermediate)
		if n != 1 && n != 3 {
			t.Errorf("trial %d pruned after %d epochs, not at a rung (1, 3)", tr.Number, n)
		}
		if tr.Score != tr.Intermediate[n-1] {
			t.Errorf("pruned trial %d: score %v, last value %v", tr.Number, tr.Score, tr.Intermediate[n-1])
		}
	}
	t.Logf("same budget of 36 epochs: no pruning %d trials, ASHA %d trials (%v)", len(none.Trials), len(asha.Trials), asha.States)
}

// TestSearchBadInput: a space that names a setting the model lacks, and a study file that is not a
// study, each fail before any training with one clear error.
func TestSearchBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg := tinySearch(t, dir)
	cfg.Space.Params = append(cfg.Space.Params, Param{Name: "model.hiden", Kind: Uniform, Low: 0, High: 1})
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), `"hiden"`) {
		t.Errorf("unknown parameter: %v", err)
	}
	if _, err := os.Stat(cfg.Study); err == nil {
		t.Errorf("a refused search created its study file")
	}
	cfg = tinySearch(t, dir)
	if err := os.WriteFile(cfg.Study, []byte("not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "is not an intentlab study file") {
		t.Errorf("a text file as the study: %v", err)
	}
	// The same study file with another space is refused, naming the difference.
	cfg = tinySearch(t, filepath.Join(dir, "other"))
	cfg.Trials = 1
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Space.Params[0].High = 0.1
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "space") {
		t.Errorf("another space on the same study: %v", err)
	}
}

// TestParallelWorkers: three workers share one study; every trial gets its own number, seed and
// run directory, and all complete.
func TestParallelWorkers(t *testing.T) {
	cfg := tinySearch(t, t.TempDir())
	cfg.Workers, cfg.Trials = 3, 6
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[uint64]bool{}
	for i, tr := range res.Trials {
		if tr.Number != i || tr.State != Complete || len(tr.Intermediate) != cfg.Experiment.Train.Epochs {
			t.Errorf("trial %d: number %d, state %s, %d epochs", i, tr.Number, tr.State, len(tr.Intermediate))
		}
		if tr.Seed != TrialSeed(cfg.Seed, tr.Number) || seeds[tr.Seed] {
			t.Errorf("trial %d: seed %d, want TrialSeed = %d and distinct", i, tr.Seed, TrialSeed(cfg.Seed, tr.Number))
		}
		seeds[tr.Seed] = true
		sum, err := train.ReadSummary(TrialDir(strings.TrimSuffix(cfg.Study, ".db"), tr.Number))
		if err != nil {
			t.Fatal(err)
		}
		if sum.History[len(sum.History)-1].ValROCAUC[0] != tr.Intermediate[len(tr.Intermediate)-1] {
			t.Errorf("trial %d: the study's last score differs from its run's", i)
		}
	}
	if len(res.Trials) != 6 {
		t.Errorf("%d trials, want 6", len(res.Trials))
	}
}
