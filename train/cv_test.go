package train

import (
	"context"
	"math"
	"testing"

	"github.com/intentlab/intentlab/datasets"
)

// TestFoldSplits: the k test folds partition the data, and in each fold train, validation and test
// are disjoint and cover every session.
func TestFoldSplits(t *testing.T) {
	exp := tinyExperiment("logreg", "", 1)
	seen := map[string]int{}
	total := 0
	for i := 1; i <= 4; i++ {
		dc := exp.Data
		dc.Folds, dc.Fold = 4, i
		sp, err := LoadSplit(dc)
		if err != nil {
			t.Fatal(err)
		}
		in := map[string]bool{}
		for _, part := range [][]string{ids(sp.Train.Sessions), ids(sp.Val.Sessions), ids(sp.Test.Sessions)} {
			for _, id := range part {
				if in[id] {
					t.Fatalf("fold %d: session %s is in two parts", i, id)
				}
				in[id] = true
			}
		}
		total = len(in)
		for _, id := range ids(sp.Test.Sessions) {
			seen[id]++
		}
	}
	if len(seen) != total {
		t.Errorf("test folds cover %d of %d sessions", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("session %s is in %d test folds", id, n)
		}
	}
	dc := exp.Data
	dc.Folds, dc.Fold = 4, 5
	if _, err := LoadSplit(dc); err == nil {
		t.Error("fold 5 of 4: no error")
	}
}

func ids(ss []datasets.Session) []string {
	out := make([]string, len(ss))
	for i := range ss {
		out[i] = ss[i].ID
	}
	return out
}

// TestCrossValidateSummary: the summary is the mean and sample standard deviation of the folds' test
// metrics, recomputed here from the fold results.
func TestCrossValidateSummary(t *testing.T) {
	cv, err := CrossValidate(context.Background(), tinyExperiment("logreg", "", 2), 3, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.Results) != 3 {
		t.Fatalf("%d fold results, want 3", len(cv.Results))
	}
	var xs []float64
	for _, r := range cv.Results {
		xs = append(xs, r.Tasks[0].Test.ROCAUC)
	}
	mean := (xs[0] + xs[1] + xs[2]) / 3
	std := math.Sqrt(((xs[0]-mean)*(xs[0]-mean) + (xs[1]-mean)*(xs[1]-mean) + (xs[2]-mean)*(xs[2]-mean)) / 2)
	got := cv.Summary["roc_auc"]
	if math.Abs(got.Mean-mean) > 1e-15 || math.Abs(got.Std-std) > 1e-15 {
		t.Errorf("summary %v, recomputed %v ± %v", got, mean, std)
	}
	if std == 0 {
		t.Error("three folds gave the same ROC-AUC: the folds are not different data")
	}
}
