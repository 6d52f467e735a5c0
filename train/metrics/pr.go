package metrics

import "slices"

// AveragePrecision is the area under the precision–recall step curve, scikit-learn's
// average_precision_score: with the distinct scores t_1 > t_2 > … as thresholds (ties grouped),
//
//	AP = Σ_k (R_k − R_{k−1}) · P_k,   R_0 = 0,
//
// where P_k and R_k are the precision and recall of "predict positive when score >= t_k". No
// interpolation. O(n log n) time, one sort. It returns an error wrapping ErrSingleClass when every
// label is the same (scikit-learn returns 1 when every label is 1, and −0 with a warning when
// every label is 0).
func AveragePrecision(scores, labels []float64) (float64, error) {
	pos, neg, err := classCounts("average precision", scores, labels)
	if err != nil {
		return 0, err
	}
	if err := singleClass("average precision", pos, neg); err != nil {
		return 0, err
	}
	return apSorted(sortDesc(scores, labels), pos), nil
}

// apSorted is AveragePrecision of p, sorted by decreasing score, with pos positives.
func apSorted(p []scored, pos int) float64 {
	ap, prevTP := 0.0, 0
	for c := range cuts(p) {
		if c.tp != prevTP {
			ap += float64(c.tp-prevTP) / float64(pos) * float64(c.tp) / float64(c.tp+c.fp)
		}
		prevTP = c.tp
	}
	return ap
}

// PRCurve returns the precision–recall curve as scikit-learn's precision_recall_curve does:
// thresholds are the distinct scores in increasing order, precision[k] and recall[k] belong to
// "predict positive when score >= thresholds[k]", and a final point (precision 1, recall 0) with no
// threshold ends the curve, so len(precision) = len(recall) = len(thresholds)+1.
// It returns an error wrapping ErrSingleClass when every label is the same.
func PRCurve(scores, labels []float64) (precision, recall, thresholds []float64, err error) {
	pos, neg, err := classCounts("precision-recall curve", scores, labels)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := singleClass("precision-recall curve", pos, neg); err != nil {
		return nil, nil, nil, err
	}
	for c := range cuts(sortDesc(scores, labels)) {
		precision = append(precision, float64(c.tp)/float64(c.tp+c.fp))
		recall = append(recall, float64(c.tp)/float64(pos))
		thresholds = append(thresholds, c.t)
	}
	slices.Reverse(precision)
	slices.Reverse(recall)
	slices.Reverse(thresholds)
	return append(precision, 1), append(recall, 0), thresholds, nil
}
