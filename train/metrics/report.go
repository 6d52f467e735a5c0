package metrics

import (
	"fmt"
	"math"
)

// calibrationBins is the number of equal-width bins Evaluate uses for the ECE.
const calibrationBins = 10

// Report gathers the evaluation of a probabilistic binary classifier on one data set; Evaluate
// fills it. Accuracy, Precision, Recall, F1 and Confusion are at Threshold.
type Report struct {
	N         int       `json:"n"`
	Positives int       `json:"positives"`
	ROCAUC    float64   `json:"roc_auc"`
	PRAUC     float64   `json:"pr_auc"` // average precision
	LogLoss   float64   `json:"log_loss"`
	Brier     float64   `json:"brier"`
	Threshold float64   `json:"threshold"`
	Accuracy  float64   `json:"accuracy"`
	Precision float64   `json:"precision"`
	Recall    float64   `json:"recall"`
	F1        float64   `json:"f1"`
	Confusion Confusion `json:"confusion"`
	ECE       float64   `json:"ece"` // expected calibration error over 10 equal-width bins
}

// Evaluate computes every metric of Report for probabilities of label 1 at the given threshold
// (predict positive when prob >= threshold), sorting the data once. Probabilities must lie in
// [0, 1], the threshold must not be NaN, and both classes must be present (otherwise the error
// wraps ErrSingleClass).
func Evaluate(probs, labels []float64, threshold float64) (Report, error) {
	pos, neg, err := checkProbs("evaluate", probs, labels)
	if err != nil {
		return Report{}, err
	}
	if err := singleClass("evaluation", pos, neg); err != nil {
		return Report{}, err
	}
	if math.IsNaN(threshold) {
		return Report{}, fmt.Errorf("metrics: evaluate: threshold is NaN")
	}
	r := Report{N: len(probs), Positives: pos, Threshold: threshold}
	sorted := sortDesc(probs, labels)
	r.ROCAUC = aucSorted(sorted, pos, neg)
	r.PRAUC = apSorted(sorted, pos)
	if r.LogLoss, err = LogLoss(probs, labels); err != nil {
		return Report{}, err
	}
	if r.Brier, err = Brier(probs, labels); err != nil {
		return Report{}, err
	}
	if r.Confusion, err = ConfusionAt(probs, labels, threshold); err != nil {
		return Report{}, err
	}
	r.Accuracy = r.Confusion.Accuracy()
	r.Precision = r.Confusion.Precision()
	r.Recall = r.Confusion.Recall()
	r.F1 = r.Confusion.F1()
	if _, r.ECE, err = Calibration(probs, labels, calibrationBins); err != nil {
		return Report{}, err
	}
	return r, nil
}
