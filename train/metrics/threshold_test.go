package metrics

import (
	"math"
	"testing"
)

func TestConfusionAtSklearn(t *testing.T) {
	for _, c := range loadFixtures(t).Cases {
		if c.AtHalf == nil {
			continue
		}
		w := c.AtHalf
		got, err := ConfusionAt(c.Scores, c.Labels, 0.5)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if want := (Confusion{TP: w.TP, FP: w.FP, TN: w.TN, FN: w.FN}); got != want {
			t.Errorf("%s: confusion %+v, want %+v", c.Name, got, want)
		}
		checkNear(t, c.Name+": Accuracy", got.Accuracy(), w.Accuracy)
		checkNear(t, c.Name+": Precision", got.Precision(), w.Precision)
		checkNear(t, c.Name+": Recall", got.Recall(), w.Recall)
		checkNear(t, c.Name+": F1", got.F1(), w.F1)
	}
}

// TestConfusionZeroDivision: each ratio is 0 when its denominator is 0 (zero_division=0).
func TestConfusionZeroDivision(t *testing.T) {
	var empty Confusion
	noPredictions := Confusion{TN: 3, FN: 2}
	for _, c := range []Confusion{empty, noPredictions} {
		for name, v := range map[string]float64{"precision": c.Precision(), "recall": c.Recall(), "f1": c.F1()} {
			if v != 0 {
				t.Errorf("%+v: %s = %v, want 0", c, name, v)
			}
		}
	}
	if a := empty.Accuracy(); a != 0 {
		t.Errorf("accuracy of an empty matrix = %v, want 0", a)
	}
	if a := noPredictions.Accuracy(); a != 0.6 {
		t.Errorf("accuracy = %v, want 3/5", a)
	}
}

// TestConfusionAtInfinite: threshold +Inf predicts nothing positive, −Inf everything.
func TestConfusionAtInfinite(t *testing.T) {
	s, y := []float64{0.1, 0.9, 0.4}, []float64{0, 1, 1}
	c, err := ConfusionAt(s, y, math.Inf(1))
	if err != nil || c != (Confusion{TN: 1, FN: 2}) {
		t.Errorf("+Inf: %+v, %v", c, err)
	}
	c, err = ConfusionAt(s, y, math.Inf(-1))
	if err != nil || c != (Confusion{TP: 2, FP: 1}) {
		t.Errorf("−Inf: %+v, %v", c, err)
	}
}

// TestBestF1ThresholdSklearn compares with the fixture's brute-force search (exact rational F1
// over every distinct score, highest threshold among ties) and scikit-learn's f1_score there, and
// checks that ConfusionAt at the returned threshold reproduces the returned F1.
func TestBestF1ThresholdSklearn(t *testing.T) {
	for _, c := range loadFixtures(t).Cases {
		thr, f1, err := BestF1Threshold(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if thr != c.BestF1.Threshold {
			t.Errorf("%s: threshold %v, want %v", c.Name, thr, c.BestF1.Threshold)
		}
		checkNear(t, c.Name+": best F1", f1, c.BestF1.F1)
		conf, err := ConfusionAt(c.Scores, c.Labels, thr)
		if err != nil {
			t.Fatal(err)
		}
		if conf.F1() != f1 {
			t.Errorf("%s: F1 at the returned threshold %v, returned %v", c.Name, conf.F1(), f1)
		}
	}
}
