package plots

import (
	"fmt"
	"math"
)

// checkFinite reports the first NaN or ±Inf in xs, naming the series.
func checkFinite(what string, xs []float64) error {
	for i, v := range xs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s[%d] is %v, want a finite number", what, i, v)
		}
	}
	return nil
}

// checkXY checks that x and y are non-empty, of equal length and finite.
func checkXY(what, xName, yName string, x, y []float64) error {
	if len(x) == 0 {
		return fmt.Errorf("%s: no points", what)
	}
	if len(x) != len(y) {
		return fmt.Errorf("%s: %d %s values but %d %s values, want equal lengths", what, len(x), xName, len(y), yName)
	}
	if err := checkFinite(what+": "+xName, x); err != nil {
		return err
	}
	return checkFinite(what+": "+yName, y)
}

// checkUnit checks that every value lies in [0, 1].
func checkUnit(what string, xs []float64) error {
	for i, v := range xs {
		if v < 0 || v > 1 {
			return fmt.Errorf("%s[%d] = %g, want a value in [0, 1]", what, i, v)
		}
	}
	return nil
}

// checkScore checks a summary number shown in a legend (AUC, AP, ECE): finite, in [0, 1].
func checkScore(what string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 1 {
		return fmt.Errorf("%s = %v, want a value in [0, 1]", what, v)
	}
	return nil
}
