package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// DeLongResult is the outcome of DeLong's test: the two AUCs, their difference Diff = AUCA − AUCB,
// the standard error SE of that difference, Z = Diff/SE, and the two-sided p-value
// P = 2(1 − Φ(|Z|)) of the null hypothesis AUCA = AUCB.
type DeLongResult struct {
	AUCA float64 `json:"auc_a"`
	AUCB float64 `json:"auc_b"`
	Diff float64 `json:"diff"`
	SE   float64 `json:"se"`
	Z    float64 `json:"z"`
	P    float64 `json:"p"`
}

// DeLong tests whether two classifiers scored on the same examples have different ROC-AUCs,
// following DeLong, DeLong & Clarke-Pearson, "Comparing the areas under two or more correlated
// receiver operating characteristic curves: a nonparametric approach", Biometrics 44 (1988).
// Each classifier's AUC is the mean of its structural components (placements): for the m
// positives x_i and n negatives y_j, with ψ(a, b) = [a > b] + ½[a = b],
//
//	V10_i = (1/n) Σ_j ψ(x_i, y_j),   V01_j = (1/m) Σ_i ψ(x_i, y_j),   AUC = mean(V10) = mean(V01)
//
// and the variance of the difference of the two AUCs is estimated from the sample variances
// (divisor m−1 and n−1) of the differences of the components,
//
//	SE² = var(V10_A − V10_B)/m + var(V01_A − V01_B)/n
//
// (the same as S_AA + S_BB − 2 S_AB of the paper's covariance matrix). The components are computed
// from midranks as in Sun & Xu, "Fast implementation of DeLong's algorithm for comparing the areas
// under correlated receiver operating characteristic curves", IEEE Signal Processing Letters 21
// (2014): V10_i = (Tz_i − Tx_i)/n and V01_j = 1 − (Tz_{m+j} − Ty_j)/m, where Tx, Ty and Tz are the
// midranks within the positives, within the negatives and over all examples. O(n log n).
//
// When SE is 0 the test is degenerate: identical placements (for example identical score vectors)
// give Diff 0, Z 0 and P 1; a nonzero difference with zero estimated variance gives Z = ±Inf and
// P 0. It needs at least two positives and two negatives; a single class is an error wrapping
// ErrSingleClass.
func DeLong(scoresA, scoresB, labels []float64) (DeLongResult, error) {
	if len(scoresA) != len(scoresB) {
		return DeLongResult{}, fmt.Errorf("metrics: DeLong test: %d scores for A but %d for B", len(scoresA), len(scoresB))
	}
	pos, neg, err := classCounts("DeLong test (scores A)", scoresA, labels)
	if err != nil {
		return DeLongResult{}, err
	}
	if _, _, err := classCounts("DeLong test (scores B)", scoresB, labels); err != nil {
		return DeLongResult{}, err
	}
	if err := singleClass("DeLong test", pos, neg); err != nil {
		return DeLongResult{}, err
	}
	if pos < 2 || neg < 2 {
		return DeLongResult{}, fmt.Errorf("metrics: DeLong test needs at least 2 positives and 2 negatives, got %d and %d", pos, neg)
	}
	aucA, v10A, v01A := placements(scoresA, labels, pos)
	aucB, v10B, v01B := placements(scoresB, labels, pos)
	for i := range v10A {
		v10A[i] -= v10B[i]
	}
	for j := range v01A {
		v01A[j] -= v01B[j]
	}
	r := DeLongResult{AUCA: aucA, AUCB: aucB, Diff: aucA - aucB}
	r.SE = math.Sqrt(sampleVariance(v10A)/float64(pos) + sampleVariance(v01A)/float64(neg))
	switch {
	case r.SE > 0:
		r.Z = r.Diff / r.SE
		r.P = math.Erfc(math.Abs(r.Z) / math.Sqrt2)
	case r.Diff == 0:
		r.Z, r.P = 0, 1
	default:
		r.Z, r.P = math.Copysign(math.Inf(1), r.Diff), 0
	}
	return r, nil
}

// placements returns the AUC of scores and its structural components V10 (one per positive, in
// input order) and V01 (one per negative), by the midrank method of Sun & Xu (2014).
func placements(scores, labels []float64, pos int) (auc float64, v10, v01 []float64) {
	n := len(scores)
	neg := n - pos
	z := make([]float64, 0, n) // positives first, then negatives
	for i, s := range scores {
		if labels[i] == 1 {
			z = append(z, s)
		}
	}
	for i, s := range scores {
		if labels[i] == 0 {
			z = append(z, s)
		}
	}
	order := make([]int, n)
	tz := midranks(z, order, make([]float64, n))
	tx := midranks(z[:pos], order[:pos], make([]float64, pos))
	ty := midranks(z[pos:], order[:neg], make([]float64, neg))
	v10 = make([]float64, pos)
	v01 = make([]float64, neg)
	sumTz := 0.0
	for i := range pos {
		v10[i] = (tz[i] - tx[i]) / float64(neg)
		sumTz += tz[i]
	}
	for j := range neg {
		v01[j] = 1 - (tz[pos+j]-ty[j])/float64(pos)
	}
	auc = sumTz/(float64(pos)*float64(neg)) - float64(pos+1)/(2*float64(neg))
	return auc, v10, v01
}

// midranks writes into out the 1-based ranks of x, tied values sharing the mean of their ranks,
// and returns out. order is scratch of len(x).
func midranks(x []float64, order []int, out []float64) []float64 {
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	for i := 0; i < len(order); {
		j := i
		for j < len(order) && x[order[j]] == x[order[i]] {
			j++
		}
		r := float64(i+j+1) / 2 // mean of the ranks i+1 … j
		for k := i; k < j; k++ {
			out[order[k]] = r
		}
		i = j
	}
	return out
}

// sampleVariance is Σ (x − x̄)² / (len(x) − 1), for len(x) ≥ 2.
func sampleVariance(x []float64) float64 {
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return ss / float64(len(x)-1)
}
