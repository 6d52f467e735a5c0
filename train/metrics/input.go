package metrics

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
)

// ErrSingleClass is wrapped by the error of a metric that is undefined because every label is the
// same (ROC-AUC, average precision, DeLong's test, the F1-best threshold, Evaluate).
var ErrSingleClass = errors.New("only one class present")

// classCounts checks that scores and labels are parallel, non-empty, finite and 0/1 labelled, and
// returns the number of positives and negatives. what names the metric in the error.
func classCounts(what string, scores, labels []float64) (pos, neg int, err error) {
	if len(scores) != len(labels) {
		return 0, 0, fmt.Errorf("metrics: %s: %d scores but %d labels", what, len(scores), len(labels))
	}
	if len(scores) == 0 {
		return 0, 0, fmt.Errorf("metrics: %s: empty input", what)
	}
	for i, y := range labels {
		switch y {
		case 1:
			pos++
		case 0:
			neg++
		default:
			return 0, 0, fmt.Errorf("metrics: %s: label %d is %v, want 0 or 1", what, i, y)
		}
		if s := scores[i]; math.IsNaN(s) || math.IsInf(s, 0) {
			return 0, 0, fmt.Errorf("metrics: %s: score %d is %v, want a finite number", what, i, s)
		}
	}
	return pos, neg, nil
}

// checkProbs is classCounts for probabilities: each must also lie in [0, 1].
func checkProbs(what string, probs, labels []float64) (pos, neg int, err error) {
	pos, neg, err = classCounts(what, probs, labels)
	if err != nil {
		return 0, 0, err
	}
	for i, p := range probs {
		if p < 0 || p > 1 {
			return 0, 0, fmt.Errorf("metrics: %s: probability %d is %v, want a value in [0, 1]", what, i, p)
		}
	}
	return pos, neg, nil
}

// singleClass is the error of a metric that needs both classes, or nil when both are present.
func singleClass(what string, pos, neg int) error {
	if pos > 0 && neg > 0 {
		return nil
	}
	label := 1
	if pos == 0 {
		label = 0
	}
	return fmt.Errorf("metrics: %s is undefined when every label is %d (n=%d): %w", what, label, pos+neg, ErrSingleClass)
}

// scored is one example: its score and whether it is positive.
type scored struct {
	s   float64
	pos bool
}

// sortDesc returns the examples ordered by decreasing score: the one allocation of the ranking
// metrics.
func sortDesc(scores, labels []float64) []scored {
	p := make([]scored, len(scores))
	for i, s := range scores {
		p[i] = scored{s: s, pos: labels[i] == 1}
	}
	// The scores were checked finite, so a plain comparison orders them totally.
	slices.SortFunc(p, func(a, b scored) int {
		switch {
		case a.s > b.s:
			return -1
		case a.s < b.s:
			return 1
		}
		return 0
	})
	return p
}

// cut is one distinct threshold t of a sorted score list, with the true and false positives of the
// rule "predict positive when score >= t".
type cut struct {
	t      float64
	tp, fp int
}

// cuts yields the distinct scores of p (sorted by decreasing score) from the highest down, each with
// the cumulative counts of positives and negatives scoring at or above it, as scikit-learn's
// _binary_clf_curve does.
func cuts(p []scored) iter.Seq[cut] {
	return func(yield func(cut) bool) {
		tp, fp := 0, 0
		for i := 0; i < len(p); {
			j := i
			for ; j < len(p) && p[j].s == p[i].s; j++ {
				if p[j].pos {
					tp++
				} else {
					fp++
				}
			}
			if !yield(cut{t: p[i].s, tp: tp, fp: fp}) {
				return
			}
			i = j
		}
	}
}
