package metrics

import "testing"

// TestCalibrationSklearn compares the non-empty bins with calibration_curve(n_bins=10,
// strategy="uniform"), and the bin edges with numpy.linspace(0, 1, 11). The ties_1dp case puts
// many probabilities exactly on bin edges (0.1, 0.2, …), where the edge rule matters.
func TestCalibrationSklearn(t *testing.T) {
	f := loadFixtures(t)
	for _, c := range f.Cases {
		w := c.Calibration
		if w == nil {
			continue
		}
		bins, ece, err := Calibration(c.Scores, c.Labels, f.CalibrationBins)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if len(bins) != f.CalibrationBins {
			t.Fatalf("%s: %d bins, want %d", c.Name, len(bins), f.CalibrationBins)
		}
		var nonempty []int
		total := 0
		for b, bin := range bins {
			if bin.Lo != w.Edges[b] || bin.Hi != w.Edges[b+1] {
				t.Errorf("%s: bin %d is [%v, %v], want edges %v, %v", c.Name, b, bin.Lo, bin.Hi, w.Edges[b], w.Edges[b+1])
			}
			total += bin.Count
			if bin.Count > 0 {
				nonempty = append(nonempty, b)
			}
		}
		if total != len(c.Scores) {
			t.Errorf("%s: bins hold %d examples, want %d", c.Name, total, len(c.Scores))
		}
		if len(nonempty) != len(w.NonemptyBins) {
			t.Fatalf("%s: non-empty bins %v, want %v", c.Name, nonempty, w.NonemptyBins)
		}
		for k, b := range nonempty {
			if b != w.NonemptyBins[k] || bins[b].Count != w.Counts[k] {
				t.Fatalf("%s: non-empty bin %d (count %d), want bin %d (count %d)", c.Name, b, bins[b].Count, w.NonemptyBins[k], w.Counts[k])
			}
			checkNear(t, c.Name+": FracPos", bins[b].FracPos, w.FracPos[k])
			checkNear(t, c.Name+": MeanPred", bins[b].MeanPred, w.MeanPred[k])
		}
		checkNear(t, c.Name+": ECE", ece, w.ECE)
	}
}

// TestCalibrationPerfect: when every bin's labels match its mean prediction, ECE is 0. Two examples
// at 0.5 (one positive) and four at 0.75 (three positive), computed by hand; with 4 bins, 0.5 and
// 0.75 lie on the upper edges of bins 1 and 2.
func TestCalibrationPerfect(t *testing.T) {
	p := []float64{0.5, 0.5, 0.75, 0.75, 0.75, 0.75}
	y := []float64{1, 0, 1, 1, 0, 1}
	bins, ece, err := Calibration(p, y, 4)
	if err != nil {
		t.Fatal(err)
	}
	if ece != 0 {
		t.Errorf("ECE = %v, want 0", ece)
	}
	if bins[1].Count != 2 || bins[2].Count != 4 || bins[1].FracPos != 0.5 || bins[2].FracPos != 0.75 {
		t.Errorf("bins %+v", bins)
	}
	if _, _, err := Calibration(p, y, 0); err == nil {
		t.Error("0 bins: no error")
	}
}
