package metrics

import (
	"math"
	"slices"
)

// Quantile is the q-quantile of sorted (ascending) by linear interpolation between the order
// statistics at positions ⌊h⌋ and ⌈h⌉, h = (len−1)·q: numpy.quantile's default ("linear"). It is NaN
// for no values or a q outside [0, 1].
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 || !(q >= 0 && q <= 1) {
		return math.NaN()
	}
	h := float64(len(sorted)-1) * q
	i := int(math.Floor(h))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

// Median is the median of xs (in any order; xs is not changed): the middle value, or the mean of the
// middle two for an even count. It is NaN for no values.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
