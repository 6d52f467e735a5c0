package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// BootstrapCI is the percentile bootstrap confidence interval of a statistic of n examples
// (Efron & Tibshirani, An Introduction to the Bootstrap, 1993, ch. 13). Each of reps resamples
// draws n indices uniformly with replacement from [0, n) using rng and calls stat on them; lo and hi
// are the (1−level)/2 and (1+level)/2 quantiles of the results (linear interpolation between order
// statistics, as numpy.quantile's default). level is in (0, 1), for example 0.95.
//
// stat must not keep idx: the slice is reused by the next resample. A resample on which stat
// returns an error or a NaN/Inf value (a resample with a single class, for example) is skipped; if
// more than half of them are skipped, BootstrapCI returns an error naming the first failure.
// The same rng state gives the same interval.
//
// For the ROC-AUC of scores and labels:
//
//	s, y := make([]float64, n), make([]float64, n)
//	lo, hi, err := metrics.BootstrapCI(n, func(idx []int) (float64, error) {
//		for k, i := range idx {
//			s[k], y[k] = scores[i], labels[i]
//		}
//		return metrics.ROCAUC(s, y)
//	}, 2000, 0.95, rand.New(rand.NewPCG(1, 2)))
func BootstrapCI(n int, stat func(idx []int) (float64, error), reps int, level float64, rng *rand.Rand) (lo, hi float64, err error) {
	switch {
	case n < 1:
		return 0, 0, fmt.Errorf("metrics: bootstrap: n is %d, want at least 1", n)
	case reps < 1:
		return 0, 0, fmt.Errorf("metrics: bootstrap: reps is %d, want at least 1", reps)
	case !(level > 0 && level < 1):
		return 0, 0, fmt.Errorf("metrics: bootstrap: level is %v, want a value in (0, 1)", level)
	case stat == nil:
		return 0, 0, fmt.Errorf("metrics: bootstrap: nil statistic")
	case rng == nil:
		return 0, 0, fmt.Errorf("metrics: bootstrap: nil random source")
	}
	idx := make([]int, n)
	vals := make([]float64, 0, reps)
	failed := 0
	var firstErr error
	for r := range reps {
		for k := range idx {
			idx[k] = rng.IntN(n)
		}
		v, err := stat(idx)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			err = fmt.Errorf("statistic is %v", v)
		}
		if err != nil {
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("resample %d: %w", r, err)
			}
			continue
		}
		vals = append(vals, v)
	}
	if 2*failed > reps {
		return 0, 0, fmt.Errorf("metrics: bootstrap: %d of %d resamples failed, first: %w", failed, reps, firstErr)
	}
	slices.Sort(vals)
	return Quantile(vals, (1-level)/2), Quantile(vals, (1+level)/2), nil
}
