package train

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/datasets"
)

// importanceData: the label is drawn from x0 alone (P(y = 1) = σ(3 x0)); x1 is pure noise; xcopy is
// x0 itself (so a score that reads only x0 ignores it); c is a categorical code of no use.
func importanceData(n int) *datasets.Dataset {
	rng := rand.New(rand.NewPCG(1, 2))
	d := &datasets.Dataset{Schema: datasets.Schema{Name: "importance", Numeric: []string{"x0", "x1", "xcopy"},
		Categorical: []string{"c"}, CategoricalSizes: []int{4}, Tasks: []string{datasets.TaskPurchase}}}
	for i := range n {
		x0 := rng.NormFloat64()
		y := 0.0
		if rng.Float64() < 1/(1+math.Exp(-3*x0)) {
			y = 1
		}
		d.Sessions = append(d.Sessions, datasets.Session{ID: string(rune('a' + i%26)),
			Numeric: []float64{x0, rng.NormFloat64(), x0}, Categorical: []int{1 + rng.IntN(3)}, Labels: []float64{y}})
	}
	return d
}

// readsX0 is a model that reads x0 only: its permutation importance is known. Ignored features
// must have a drop of exactly 0; x0's drop is the baseline ROC-AUC minus about 0.5 (a random
// ranking), since permuting it cuts its link to the label entirely.
func readsX0(d *datasets.Dataset) ([]float64, error) {
	p := make([]float64, len(d.Sessions))
	for i, s := range d.Sessions {
		p[i] = 1 / (1 + math.Exp(-3*s.Numeric[0]))
	}
	return p, nil
}

func TestPermutationImportanceKnown(t *testing.T) {
	d := importanceData(2000)
	before := d.Sessions[5].Numeric[0]
	imp, err := PermutationImportance(readsX0, d, ImportanceConfig{Repeats: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d.Sessions[5].Numeric[0] != before {
		t.Fatal("PermutationImportance changed the data it was given")
	}
	if imp.Metric != "roc_auc" || len(imp.Features) != 4 {
		t.Fatalf("metric %q, %d features; want roc_auc and 4", imp.Metric, len(imp.Features))
	}
	if imp.Features[0].Feature != "x0" || imp.Features[0].Kind != "numeric" {
		t.Fatalf("most important %+v, want x0", imp.Features[0])
	}
	// With P(y=1) = σ(3x), the oracle's AUC is about 0.85; permuted, about 0.5 (±0.02 at n = 2000).
	if d := imp.Features[0].Drop.Mean; math.Abs(d-(imp.Baseline-0.5)) > 0.03 || d < 0.25 {
		t.Errorf("x0: drop %.4f, want baseline %.4f − 0.5", d, imp.Baseline)
	}
	if len(imp.Features[0].Drops) != 4 || imp.Features[0].Drop.Std == 0 {
		t.Errorf("x0: drops %v: want 4 different values", imp.Features[0].Drops)
	}
	for _, f := range imp.Features[1:] {
		if f.Drop.Mean != 0 || f.Drop.Std != 0 {
			t.Errorf("%s: the model ignores it, drop %v, want exactly 0", f.Feature, f.Drop)
		}
	}
}

// TestPermutationImportanceLogLoss: the sign is such that a positive drop means the model got worse
// for the loss too.
func TestPermutationImportanceLogLoss(t *testing.T) {
	imp, err := PermutationImportance(readsX0, importanceData(500), ImportanceConfig{Metric: "log_loss", Repeats: 2})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Features[0].Feature != "x0" || !(imp.Features[0].Drop.Mean > 0.1) {
		t.Errorf("log loss: most important %+v, want x0 with a clearly positive drop", imp.Features[0])
	}
}

func TestPermutationImportanceErrors(t *testing.T) {
	d := importanceData(50)
	short := func(d *datasets.Dataset) ([]float64, error) { return make([]float64, 3), nil }
	for _, c := range []struct {
		cfg   ImportanceConfig
		score func(*datasets.Dataset) ([]float64, error)
		want  string
	}{
		{ImportanceConfig{Metric: "accuracy"}, readsX0, "metric"},
		{ImportanceConfig{Repeats: -1}, readsX0, "repeats"},
		{ImportanceConfig{Task: "cart"}, readsX0, "cart"},
		{ImportanceConfig{}, short, "3 probabilities"},
	} {
		if _, err := PermutationImportance(c.score, d, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one naming %q", c.cfg, err, c.want)
		}
	}
	if _, err := PermutationImportance(readsX0, &datasets.Dataset{}, ImportanceConfig{}); err == nil {
		t.Error("empty dataset: no error")
	}
}

// TestSavedRunPermutationImportance: through a trained run, the baseline is the run's own test
// ROC-AUC, and every static feature and the event sequence are measured.
func TestSavedRunPermutationImportance(t *testing.T) {
	res, sr, sp := trainAndOpen(t, tinyExperiment("logreg", "", 2))
	imp, err := sr.PermutationImportance(sp.Test, ImportanceConfig{Repeats: 2, Events: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := res.Tasks[0].Test.ROCAUC; math.Abs(imp.Baseline-want) > 1e-12 {
		t.Errorf("baseline %v, the run's test ROC-AUC %v", imp.Baseline, want)
	}
	n := len(sp.Test.Schema.Numeric) + len(sp.Test.Schema.Categorical) + 1
	if len(imp.Features) != n {
		t.Fatalf("%d features, want %d (static and events)", len(imp.Features), n)
	}
	seq := 0
	for _, f := range imp.Features {
		if f.Kind == "events" && f.Feature == "event_sequence" {
			seq++
		}
		if len(f.Drops) != 2 {
			t.Errorf("%s: %d drops, want 2", f.Feature, len(f.Drops))
		}
	}
	if seq != 1 {
		t.Errorf("%d event-sequence features, want 1", seq)
	}
}

// TestCrossValidatedImportance: the pooled result holds every fold's repeats, and its baseline is the
// mean of the folds' test ROC-AUCs.
func TestCrossValidatedImportance(t *testing.T) {
	dir := t.TempDir()
	cv, err := CrossValidate(context.Background(), tinyExperiment("logreg", "", 1), 2, dir)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := CrossValidatedImportance(dir, 2, ImportanceConfig{Repeats: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := cv.Summary["roc_auc"].Mean; math.Abs(imp.Baseline-want) > 1e-12 {
		t.Errorf("baseline %v, want the folds' mean test ROC-AUC %v", imp.Baseline, want)
	}
	for _, f := range imp.Features {
		if len(f.Drops) != 4 {
			t.Fatalf("%s: %d drops, want 2 folds × 2 repeats", f.Feature, len(f.Drops))
		}
	}
	if _, err := CrossValidatedImportance(dir, 3, ImportanceConfig{}); err == nil || !strings.Contains(err.Error(), "fold3") {
		t.Errorf("a missing fold: error %v, want one naming fold3", err)
	}
}
