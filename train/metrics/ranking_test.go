package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestROCAUCSklearn(t *testing.T) {
	for _, c := range loadFixtures(t).Cases {
		got, err := ROCAUC(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+": ROCAUC", got, c.ROCAUC)
	}
}

func TestAveragePrecisionSklearn(t *testing.T) {
	for _, c := range loadFixtures(t).Cases {
		got, err := AveragePrecision(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+": AveragePrecision", got, c.AveragePrecision)
	}
}

// TestROCCurveSklearn compares with roc_curve(drop_intermediate=False). scikit-learn 1.2.1 starts
// the curve at threshold max(score)+1; this package uses +Inf (as scikit-learn 1.3+), so the first
// threshold is checked separately.
func TestROCCurveSklearn(t *testing.T) {
	for _, c := range loadFixtures(t).Cases {
		fpr, tpr, thr, err := ROCCurve(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkSlice(t, c.Name+": fpr", fpr, c.ROC.FPR)
		checkSlice(t, c.Name+": tpr", tpr, c.ROC.TPR)
		if !math.IsInf(thr[0], 1) {
			t.Errorf("%s: first threshold %v, want +Inf", c.Name, thr[0])
		}
		if want := slices.Max(c.Scores) + 1; c.ROC.Thresholds[0] != want {
			t.Errorf("%s: fixture's first threshold %v, expected scikit-learn 1.2's max+1 = %v", c.Name, c.ROC.Thresholds[0], want)
		}
		checkSlice(t, c.Name+": thresholds[1:]", thr[1:], c.ROC.Thresholds[1:])
	}
}

func TestPRCurveSklearn(t *testing.T) {
	for _, c := range loadFixtures(t).Cases {
		p, r, thr, err := PRCurve(c.Scores, c.Labels)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkSlice(t, c.Name+": precision", p, c.PR.Precision)
		checkSlice(t, c.Name+": recall", r, c.PR.Recall)
		checkSlice(t, c.Name+": thresholds", thr, c.PR.Thresholds)
	}
}

// TestROCAUCBruteForce checks ROCAUC against the definition (all positive–negative pairs, ties ½)
// and against the trapezoidal area under ROCCurve, on random data with many ties.
func TestROCAUCBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		n := 2 + rng.IntN(60)
		scores, labels := make([]float64, n), make([]float64, n)
		for i := range n {
			scores[i] = float64(rng.IntN(8)) / 4 // heavy ties
			labels[i] = float64(rng.IntN(2))
		}
		labels[0], labels[1] = 0, 1
		var pairs, wins float64
		for i := range n {
			for j := range n {
				if labels[i] == 1 && labels[j] == 0 {
					pairs++
					switch {
					case scores[i] > scores[j]:
						wins++
					case scores[i] == scores[j]:
						wins += 0.5
					}
				}
			}
		}
		got, err := ROCAUC(scores, labels)
		if err != nil {
			t.Fatal(err)
		}
		if want := wins / pairs; math.Abs(got-want) > 1e-15 {
			t.Fatalf("trial %d: ROCAUC %v, pairwise count %v", trial, got, want)
		}
		fpr, tpr, _, err := ROCCurve(scores, labels)
		if err != nil {
			t.Fatal(err)
		}
		area := 0.0
		for k := 1; k < len(fpr); k++ {
			area += (fpr[k] - fpr[k-1]) * (tpr[k] + tpr[k-1]) / 2
		}
		if math.Abs(area-got) > 1e-12 {
			t.Fatalf("trial %d: trapezoid of ROCCurve %v, ROCAUC %v", trial, area, got)
		}
	}
}

// TestRankingInvariance: AUC and AP depend only on the order of the scores, so a strictly
// increasing transform leaves them unchanged, and reversing the order maps AUC to 1 − AUC.
func TestRankingInvariance(t *testing.T) {
	c := loadFixtures(t).find(t, "logits_400")
	transformed, negated := make([]float64, len(c.Scores)), make([]float64, len(c.Scores))
	for i, s := range c.Scores {
		transformed[i] = math.Exp(s/3) + 7
		negated[i] = -s
	}
	auc, _ := ROCAUC(c.Scores, c.Labels)
	auc2, _ := ROCAUC(transformed, c.Labels)
	auc3, _ := ROCAUC(negated, c.Labels)
	ap, _ := AveragePrecision(c.Scores, c.Labels)
	ap2, _ := AveragePrecision(transformed, c.Labels)
	if auc != auc2 || ap != ap2 {
		t.Errorf("monotone transform changed AUC %v→%v or AP %v→%v", auc, auc2, ap, ap2)
	}
	if math.Abs(auc3-(1-auc)) > 1e-15 {
		t.Errorf("reversed AUC %v, want 1 − %v", auc3, auc)
	}
}

func BenchmarkROCAUC(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 1_000_000
	scores, labels := make([]float64, n), make([]float64, n)
	for i := range n {
		labels[i] = float64(rng.IntN(2))
		scores[i] = rng.NormFloat64() + labels[i]
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ROCAUC(scores, labels); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAveragePrecision(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 1_000_000
	scores, labels := make([]float64, n), make([]float64, n)
	for i := range n {
		labels[i] = float64(rng.IntN(2))
		scores[i] = rng.NormFloat64() + labels[i]
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AveragePrecision(scores, labels); err != nil {
			b.Fatal(err)
		}
	}
}
