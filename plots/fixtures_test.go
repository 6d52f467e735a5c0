package plots

import (
	"math"
	"slices"

	"github.com/intentlab/intentlab/train/metrics"
)

// A small fixed test set: 20 sessions, 6 buyers, scored by two models and an oracle. The
// scores were written by hand so that the oracle ranks best, then "lstm", then "logreg".
var (
	fixLabels = []float64{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	fixScores = map[string][]float64{
		"oracle": {0.95, 0.90, 0.80, 0.70, 0.55, 0.30, 0.60, 0.40, 0.35, 0.25, 0.20, 0.18, 0.15, 0.12, 0.10, 0.08, 0.06, 0.05, 0.03, 0.02},
		"lstm":   {0.90, 0.85, 0.60, 0.50, 0.30, 0.20, 0.70, 0.55, 0.40, 0.35, 0.25, 0.22, 0.15, 0.12, 0.10, 0.08, 0.06, 0.05, 0.03, 0.02},
		"logreg": {0.80, 0.45, 0.40, 0.35, 0.30, 0.10, 0.75, 0.60, 0.50, 0.38, 0.25, 0.22, 0.20, 0.15, 0.12, 0.08, 0.06, 0.05, 0.03, 0.02},
	}
	fixModels = []string{"logreg", "lstm", "oracle"}
)

// bruteROC returns the ROC points of "positive when score >= t" for t = +Inf and every distinct
// score in decreasing order, and the AUC as the fraction of (positive, negative) pairs ranked
// correctly, ties counting one half (the Mann-Whitney statistic); an independent check on
// whatever train/metrics computes.
func bruteROC(scores, labels []float64) (fpr, tpr []float64, auc float64) {
	pos, neg := 0.0, 0.0
	for _, l := range labels {
		if l == 1 {
			pos++
		} else {
			neg++
		}
	}
	ts := slices.Clone(scores)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	slices.Reverse(ts)
	fpr, tpr = []float64{0}, []float64{0}
	for _, t := range ts {
		tp, fp := 0.0, 0.0
		for i, s := range scores {
			if s >= t && labels[i] == 1 {
				tp++
			} else if s >= t {
				fp++
			}
		}
		fpr, tpr = append(fpr, fp/neg), append(tpr, tp/pos)
	}
	for i, si := range scores {
		for j, sj := range scores {
			if labels[i] == 1 && labels[j] == 0 {
				switch {
				case si > sj:
					auc++
				case si == sj:
					auc += 0.5
				}
			}
		}
	}
	return fpr, tpr, auc / (pos * neg)
}

// brutePR returns precision and recall at every distinct score threshold (decreasing) and the
// average precision AP = Σ_k (R_k − R_{k−1}) P_k (scikit-learn's definition).
func brutePR(scores, labels []float64) (recall, precision []float64, ap float64) {
	pos := 0.0
	for _, l := range labels {
		pos += l
	}
	ts := slices.Clone(scores)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	slices.Reverse(ts)
	prevR := 0.0
	for _, t := range ts {
		tp, n := 0.0, 0.0
		for i, s := range scores {
			if s >= t {
				n++
				tp += labels[i]
			}
		}
		r, p := tp/pos, tp/n
		ap += (r - prevR) * p
		prevR = r
		recall, precision = append(recall, r), append(precision, p)
	}
	return recall, precision, ap
}

func fixROC() []ROCCurve {
	var cs []ROCCurve
	for _, m := range fixModels {
		fpr, tpr, auc := bruteROC(fixScores[m], fixLabels)
		cs = append(cs, ROCCurve{Label: m, FPR: fpr, TPR: tpr, AUC: auc, Reference: m == "oracle"})
	}
	return cs
}

func fixPR() []PRCurve {
	var cs []PRCurve
	for _, m := range fixModels {
		r, p, ap := brutePR(fixScores[m], fixLabels)
		cs = append(cs, PRCurve{Label: m, Recall: r, Precision: p, AP: ap, Reference: m == "oracle"})
	}
	return cs
}

func fixCalibration() ([]CalibrationCurve, error) {
	var cs []CalibrationCurve
	for _, m := range []string{"logreg", "lstm"} {
		bins, ece, err := metrics.Calibration(fixScores[m], fixLabels, 5)
		if err != nil {
			return nil, err
		}
		cs = append(cs, CalibrationCurve{Label: m, Bins: bins, ECE: ece})
	}
	return cs, nil
}

// decay returns n values a + b·exp(−k·e) + w·sin(e) for e = 1..n: a smooth, slightly wavy loss.
func decay(n int, a, b, k, w float64) []float64 {
	ys := make([]float64, n)
	for e := range ys {
		x := float64(e + 1)
		ys[e] = a + b*math.Exp(-k*x) + w*math.Sin(x)
	}
	return ys
}

func fixLoss() []LossPanel {
	return []LossPanel{
		{Title: "logreg", Epochs: epochs(12), Train: decay(12, 0.36, 0.3, 0.5, 0), Val: decay(12, 0.37, 0.28, 0.5, 0.003), BestEpoch: 11},
		{Title: "lstm", Epochs: epochs(12), Train: decay(12, 0.22, 0.4, 0.35, 0), Val: addRamp(decay(12, 0.30, 0.3, 0.5, 0.004), 7, 0.012), BestEpoch: 7},
		{Title: "transformer", Epochs: epochs(12), Train: decay(12, 0.20, 0.45, 0.4, 0), Val: addRamp(decay(12, 0.29, 0.35, 0.6, 0.003), 9, 0.01), BestEpoch: 9},
		{Title: "mlp (no validation)", Epochs: epochs(8), Train: decay(8, 0.33, 0.3, 0.6, 0)},
	}
}

// addRamp adds slope·(e − from) to ys for epochs e > from: validation loss rising with overfitting.
func addRamp(ys []float64, from int, slope float64) []float64 {
	for e := from; e < len(ys); e++ {
		ys[e] += slope * float64(e+1-from)
	}
	return ys
}

// fixAttention is a 6 × 6 attention map over a session of four events padded to six: rows sum to
// one over the four real keys and the two padded keys get weight 0.
func fixAttention() ([][]float64, []string, []string) {
	w := [][]float64{
		{0.70, 0.10, 0.15, 0.05, 0, 0},
		{0.20, 0.50, 0.25, 0.05, 0, 0},
		{0.05, 0.15, 0.60, 0.20, 0, 0},
		{0.02, 0.08, 0.30, 0.60, 0, 0},
		{0.25, 0.25, 0.25, 0.25, 0, 0},
		{0.25, 0.25, 0.25, 0.25, 0, 0},
	}
	keys := []string{"0:view", "1:view", "2:cart", "3:view", "4:pad", "5:pad"}
	return w, keys, keys
}

func fixMetricRuns() []Series {
	return []Series{
		{Label: "seed 1", X: epochs(10), Y: decay(10, 0.88, -0.2, 0.45, 0.002)},
		{Label: "seed 2", X: epochs(10), Y: decay(10, 0.875, -0.25, 0.4, 0.003)},
		{Label: "seed 3", X: epochs(8), Y: decay(8, 0.87, -0.22, 0.5, -0.002)},
	}
}

// fixTrials is a 12-trial study: 7 complete, 4 pruned (one without a score), 1 failed.
func fixTrials() []Trial {
	nan := math.NaN()
	return []Trial{
		{Number: 0, State: StateComplete, Score: 0.842, Intermediate: decay(10, 0.842, -0.2, 0.4, 0)},
		{Number: 1, State: StatePruned, Score: 0.70, Intermediate: decay(3, 0.75, -0.2, 0.5, 0)},
		{Number: 2, State: StateComplete, Score: 0.861, Intermediate: decay(10, 0.861, -0.25, 0.35, 0)},
		{Number: 3, State: StateFailed, Score: nan},
		{Number: 4, State: StateComplete, Score: 0.855, Intermediate: decay(10, 0.855, -0.3, 0.5, 0)},
		{Number: 5, State: StatePruned, Score: 0.78, Intermediate: decay(5, 0.80, -0.15, 0.4, 0)},
		{Number: 6, State: StateComplete, Score: 0.874, Intermediate: decay(10, 0.874, -0.3, 0.45, 0)},
		{Number: 7, State: StatePruned, Score: nan},
		{Number: 8, State: StateComplete, Score: 0.869, Intermediate: decay(10, 0.869, -0.2, 0.3, 0)},
		{Number: 9, State: StatePruned, Score: 0.81, Intermediate: decay(4, 0.83, -0.2, 0.45, 0)},
		{Number: 10, State: StateComplete, Score: 0.879, Intermediate: decay(10, 0.879, -0.35, 0.5, 0)},
		{Number: 11, State: StateComplete, Score: 0.876, Intermediate: decay(10, 0.876, -0.25, 0.4, 0)},
	}
}

func fixParams() []ParamPanel {
	pruned := []bool{false, true, false, false, true, false, false, true, false, false}
	scores := []float64{0.842, 0.70, 0.861, 0.855, 0.78, 0.874, 0.869, 0.81, 0.879, 0.876}
	return []ParamPanel{
		{Name: "learning rate", Log: true, Values: []any{3e-4, 1e-2, 1e-3, 5e-4, 5e-3, 2e-3, 8e-4, 4e-3, 1.5e-3, 1.2e-3}, Scores: scores, Pruned: pruned},
		{Name: "hidden units", Values: []any{32, 16, 64, 64, 128, 128, 32, 16, 128, 64}, Scores: scores, Pruned: pruned},
		{Name: "model", Values: []any{"lstm", "mlp", "transformer", "lstm", "mlp", "transformer", "lstm", "gru", "transformer", "gru"}, Scores: scores, Pruned: pruned},
		{Name: "dropout", Values: []any{0.0, 0.5, 0.1, 0.2, 0.4, 0.1, 0.3, 0.5, 0.15, 0.2}, Scores: scores, Pruned: pruned},
	}
}
