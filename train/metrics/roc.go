package metrics

import (
	"math"
)

// ROCAUC is the area under the ROC curve: the probability that a random positive scores above a
// random negative, ties counting one half (the Mann–Whitney U statistic over P·N):
//
//	AUC = (1/(P·N)) Σ_{i: y=1} Σ_{j: y=0} [s_i > s_j] + ½[s_i = s_j]
//
// It equals scikit-learn's roc_auc_score. The sum is accumulated in integers (each term is a
// multiple of ½), so the only rounding is the final division. O(n log n) time, one sort.
// It returns an error wrapping ErrSingleClass when every label is the same.
func ROCAUC(scores, labels []float64) (float64, error) {
	pos, neg, err := classCounts("ROC-AUC", scores, labels)
	if err != nil {
		return 0, err
	}
	if err := singleClass("ROC-AUC", pos, neg); err != nil {
		return 0, err
	}
	return aucSorted(sortDesc(scores, labels), pos, neg), nil
}

// aucSorted is the trapezoidal area under the ROC steps of p (sorted by decreasing score):
// each tie group adds dFP·(TP_before + dTP/2), kept doubled as an integer.
func aucSorted(p []scored, pos, neg int) float64 {
	var twice int64 // 2·Σ dFP·(TP_before + dTP/2)
	prevTP, prevFP := 0, 0
	for c := range cuts(p) {
		dtp, dfp := int64(c.tp-prevTP), int64(c.fp-prevFP)
		twice += dfp * (2*int64(prevTP) + dtp)
		prevTP, prevFP = c.tp, c.fp
	}
	return float64(twice) / (2 * float64(pos) * float64(neg))
}

// ROCCurve returns the ROC curve with one point per distinct score, in decreasing order of
// threshold: tpr[k] and fpr[k] are the true- and false-positive rates of "predict positive when
// score >= thresholds[k]". The curve starts at (0, 0) with threshold +Inf and ends at (1, 1) at the
// lowest score. It is scikit-learn's roc_curve(drop_intermediate=False) except for that first
// threshold, which scikit-learn 1.2 sets to max(score)+1 (1.3 and later use +Inf, as here).
// It returns an error wrapping ErrSingleClass when every label is the same.
func ROCCurve(scores, labels []float64) (fpr, tpr, thresholds []float64, err error) {
	pos, neg, err := classCounts("ROC curve", scores, labels)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := singleClass("ROC curve", pos, neg); err != nil {
		return nil, nil, nil, err
	}
	fpr, tpr, thresholds = []float64{0}, []float64{0}, []float64{math.Inf(1)}
	for c := range cuts(sortDesc(scores, labels)) {
		fpr = append(fpr, float64(c.fp)/float64(neg))
		tpr = append(tpr, float64(c.tp)/float64(pos))
		thresholds = append(thresholds, c.t)
	}
	return fpr, tpr, thresholds, nil
}
