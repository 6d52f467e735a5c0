package plots

import (
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
)

// niceTicks labels a linear axis every 1, 2 or 5 × 10^k, four to seven labels across the range,
// all with the same number of decimals. With integer set the step is at least 1 (epochs, trial
// numbers).
type niceTicks struct{ integer bool }

// Ticks implements plot.Ticker.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	raw := (hi - lo) / 6
	e := math.Floor(math.Log10(raw))
	step, decimals := 0.0, 0
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * math.Pow(10, e); step >= raw*(1-1e-9) {
			decimals = int(max(0, -e))
			if m == 10 {
				decimals = int(max(0, -e-1))
			}
			break
		}
	}
	if t.integer && step < 1 {
		step, decimals = 1, 0
	}
	first := math.Ceil(lo/step - 1e-9)
	var ts []plot.Tick
	for i := first; i*step <= hi+1e-9*step; i++ {
		v := i * step
		if math.Abs(v) < 1e-9*step {
			v = 0 // not −0 or −1e-17, which would print as "-0.0"
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return ts
}

// logTicks labels a log axis at the powers of ten inside [min, max]; when fewer than two fall
// inside, at 1, 2 and 5 times the powers of ten; when still fewer than two, at every integer
// multiple. Unlabelled minor ticks mark the other multiples. lo and hi must be positive.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var all []plot.Tick
	var mult []int
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				all, mult = append(all, plot.Tick{Value: v}), append(mult, m)
			}
		}
	}
	label := func(i int) { all[i].Label = strconv.FormatFloat(all[i].Value, 'g', 3, 64) }
	for _, labelled := range [][]int{{1}, {1, 2, 5}} {
		n := 0
		for i := range all {
			if slices.Contains(labelled, mult[i]) {
				label(i)
				n++
			}
		}
		if n >= 2 {
			return all
		}
	}
	if len(all) > 0 { // a narrow range: label its ends as well
		label(0)
		label(len(all) - 1)
	}
	return all
}
