package metrics

import (
	"fmt"
	"math"
)

// Confusion is the confusion matrix of a thresholded classifier: true and false positives, true
// and false negatives.
type Confusion struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	TN int `json:"tn"`
	FN int `json:"fn"`
}

// ratio is a/b, or 0 when b is 0 (scikit-learn's zero_division=0).
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Accuracy is (TP+TN)/(TP+FP+TN+FN), 0 for an empty matrix.
func (c Confusion) Accuracy() float64 { return ratio(c.TP+c.TN, c.TP+c.FP+c.TN+c.FN) }

// Precision is TP/(TP+FP), 0 when nothing is predicted positive.
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall is TP/(TP+FN), 0 when there are no positives.
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall, 2TP/(2TP+FP+FN), 0 when TP = 0.
func (c Confusion) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

// ConfusionAt counts the confusion matrix of "predict positive when score >= threshold".
// The threshold may be ±Inf but not NaN. A single-class input is accepted.
func ConfusionAt(scores, labels []float64, threshold float64) (Confusion, error) {
	if _, _, err := classCounts("confusion matrix", scores, labels); err != nil {
		return Confusion{}, err
	}
	if math.IsNaN(threshold) {
		return Confusion{}, fmt.Errorf("metrics: confusion matrix: threshold is NaN")
	}
	var c Confusion
	for i, s := range scores {
		switch pred, pos := s >= threshold, labels[i] == 1; {
		case pred && pos:
			c.TP++
		case pred:
			c.FP++
		case pos:
			c.FN++
		default:
			c.TN++
		}
	}
	return c, nil
}

// BestF1Threshold returns the threshold, one of the scores, whose rule "predict positive when
// score >= threshold" has the highest F1 = 2TP/(2TP+FP+FN), and that F1. Among equally good
// thresholds it returns the highest. Choose it on validation data and apply it to test data with
// ConfusionAt; choosing it on the test data overstates F1. O(n log n).
// It returns an error wrapping ErrSingleClass when every label is the same.
func BestF1Threshold(scores, labels []float64) (threshold, f1 float64, err error) {
	pos, neg, err := classCounts("F1-best threshold", scores, labels)
	if err != nil {
		return 0, 0, err
	}
	if err := singleClass("F1-best threshold", pos, neg); err != nil {
		return 0, 0, err
	}
	bestNum, bestDen := -1, 1 // the best F1 as the fraction 2TP/(2TP+FP+FN), compared exactly
	for c := range cuts(sortDesc(scores, labels)) {
		num, den := 2*c.tp, 2*c.tp+c.fp+(pos-c.tp)
		if int64(num)*int64(bestDen) > int64(bestNum)*int64(den) {
			bestNum, bestDen, threshold = num, den, c.t
		}
	}
	return threshold, float64(bestNum) / float64(bestDen), nil
}
