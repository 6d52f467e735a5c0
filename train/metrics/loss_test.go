package metrics

import (
	"math"
	"testing"
)

func TestLogLossBrierSklearn(t *testing.T) {
	f := loadFixtures(t)
	checked := 0
	for _, c := range f.Cases {
		if c.LogLoss == nil {
			continue
		}
		checked++
		ll, err := LogLoss(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+": LogLoss", ll, *c.LogLoss)
		br, err := Brier(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+": Brier", br, *c.Brier)
	}
	if checked < 5 {
		t.Fatalf("only %d probability cases in the fixtures", checked)
	}
	// Single-class inputs: scikit-learn refuses them without labels=[0, 1] (recorded), and the
	// value with labels=[0, 1] is what LogLoss returns.
	for _, c := range f.SingleClass {
		if c.SklearnLogLoss.ValueError == "" {
			t.Errorf("%s: expected the fixture to record scikit-learn's ValueError", c.Name)
		}
		ll, err := LogLoss(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+": LogLoss", ll, c.LogLossWithLabels)
		br, err := Brier(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+": Brier", br, c.Brier)
	}
}

// TestLogLossClipping: a confidently wrong prediction costs −log(2⁻⁵²) = 52·ln 2, scikit-learn
// 1.2's clipping for float64 (1e-15 would give 34.54 instead of 36.04), and a confidently right one
// costs almost nothing.
func TestLogLossClipping(t *testing.T) {
	ll, err := LogLoss([]float64{0}, []float64{1})
	if err != nil {
		t.Fatal(err)
	}
	if want := 52 * math.Ln2; math.Abs(ll-want) > 1e-12 {
		t.Errorf("LogLoss(p=0, y=1) = %v, want 52 ln 2 = %v", ll, want)
	}
	ll, err = LogLoss([]float64{1}, []float64{0})
	if err != nil {
		t.Fatal(err)
	}
	if want := 52 * math.Ln2; math.Abs(ll-want) > 1e-12 {
		t.Errorf("LogLoss(p=1, y=0) = %v, want %v", ll, want)
	}
	ll, err = LogLoss([]float64{1, 0}, []float64{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if ll < 0 || ll > 1e-15 {
		t.Errorf("LogLoss of confident right answers = %v, want within [0, 1e-15]", ll)
	}
}
