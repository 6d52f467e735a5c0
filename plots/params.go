package plots

import (
	"cmp"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// ParamPanel holds one hyperparameter's values and the scores of the trials that used them.
type ParamPanel struct {
	Name string
	Log  bool // draw the values on a log axis (they must be positive)
	// Values holds the parameter value of each trial: numbers (float64 or any Go integer or
	// float type) for a numeric parameter; anything else makes the parameter categorical, with
	// fmt.Sprint of each value as its category label.
	Values []any
	Scores []float64 // the trial scores, len(Values) finite values
	Pruned []bool    // which trials were pruned; nil means none
}

// ParamScores draws one panel per parameter in a grid of up to three per row: the score (y,
// labelled metric) of each trial against its parameter value (x, labelled with the name, on a
// log axis when Log), complete trials as filled blue points and pruned ones as hollow grey
// points. Categories sit at integer positions labelled with their names (sorted numerically when
// every label is a number, else alphabetically), each point shifted sideways by a small fixed
// amount so that equal values stay visible. It is an error to pass an empty metric, no panels,
// a panel without a name or values, Scores or Pruned (when not nil) of another length than
// Values, a non-finite score or numeric value, or a non-positive value on a log axis.
func ParamScores(panels []ParamPanel, metric string) (*Figure, error) {
	if metric == "" {
		return nil, fmt.Errorf("plots: parameter scores: empty metric name, want a y axis label")
	}
	if len(panels) == 0 {
		return nil, fmt.Errorf("plots: parameter scores: no panels")
	}
	ps := make([]*plot.Plot, len(panels))
	anyPruned := false
	for i, pp := range panels {
		what := fmt.Sprintf("plots: parameter scores: panel %d (%q)", i, pp.Name)
		if pp.Name == "" {
			return nil, fmt.Errorf("%s: empty name, want an x axis label", what)
		}
		if pp.Pruned != nil && len(pp.Pruned) != len(pp.Values) {
			return nil, fmt.Errorf("%s: %d Pruned flags for %d values", what, len(pp.Pruned), len(pp.Values))
		}
		x, p, err := paramAxis(what, pp)
		if err != nil {
			return nil, err
		}
		if err := checkXY(what, "Values", "Scores", x, pp.Scores); err != nil {
			return nil, err
		}
		var done, pruned plotter.XYs
		for k := range x {
			xy := plotter.XY{X: x[k], Y: pp.Scores[k]}
			if pp.Pruned != nil && pp.Pruned[k] {
				pruned = append(pruned, xy)
			} else {
				done = append(done, xy)
			}
		}
		p.Y.Label.Text = metric
		if len(pruned) > 0 {
			s := &plotter.Scatter{XYs: pruned, GlyphStyle: prunedGlyph}
			p.Add(s)
			anyPruned = true
		}
		if len(done) > 0 {
			p.Add(&plotter.Scatter{XYs: done, GlyphStyle: completeGlyph})
		}
		ps[i] = p
	}
	f := newFigure(metric+" by hyperparameter", grid(ps))
	f.legend = []legendEntry{{label: "complete", thumbs: []plot.Thumbnailer{&plotter.Scatter{GlyphStyle: completeGlyph}}}}
	if anyPruned {
		f.legend = append(f.legend, legendEntry{label: "pruned", thumbs: []plot.Thumbnailer{&plotter.Scatter{GlyphStyle: prunedGlyph}}})
	}
	return f, nil
}

// paramAxis returns the x positions of the panel's values and a panel whose x axis shows them.
func paramAxis(what string, pp ParamPanel) ([]float64, *plot.Plot, error) {
	if len(pp.Values) == 0 {
		return nil, nil, fmt.Errorf("%s: no values", what)
	}
	if x, ok := numbers(pp.Values); ok {
		if err := checkFinite(what+": Values", x); err != nil {
			return nil, nil, err
		}
		p := newPanel("", pp.Name, "")
		if pp.Log {
			lo, hi := slices.Min(x), slices.Max(x)
			if lo <= 0 {
				return nil, nil, fmt.Errorf("%s: value %g on a log axis, want values > 0", what, lo)
			}
			pad := max(math.Pow(hi/lo, 0.05), 1.5) // 5% of the decades each side, at least ×1.5
			p.X.Min, p.X.Max = lo/pad, hi*pad
			p.X.Label.Text = pp.Name + " (log scale)"
			p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
		} else {
			lo, hi := slices.Min(x), slices.Max(x)
			pad := max(0.05*(hi-lo), 0.5*math.Max(math.Abs(lo), 1)*0.05) // keep points on the ends inside the axes
			p.X.Min, p.X.Max = lo-pad, hi+pad
		}
		return x, p, nil
	}
	names := make([]string, len(pp.Values))
	for k, v := range pp.Values {
		names[k] = fmt.Sprint(v)
	}
	cats := slices.Compact(slices.SortedFunc(slices.Values(names), compareLabels))
	x := make([]float64, len(names))
	for k, n := range names {
		pos, _ := slices.BinarySearchFunc(cats, n, compareLabels)
		// A fixed golden-ratio sequence in [−0.2, 0.2] spreads repeated values sideways.
		x[k] = float64(pos) + 0.4*(math.Mod(float64(k)*0.6180339887498949, 1)-0.5)
	}
	p := newPanel("", pp.Name, "")
	ticks := make([]plot.Tick, len(cats))
	for k, c := range cats {
		ticks[k] = plot.Tick{Value: float64(k), Label: c}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	return x, p, nil
}

// numbers converts values to float64 when every one is a Go number (of any int, uint or float
// type).
func numbers(values []any) ([]float64, bool) {
	x := make([]float64, len(values))
	for k, v := range values {
		rv := reflect.ValueOf(v)
		switch {
		case rv.CanFloat():
			x[k] = rv.Float()
		case rv.CanInt():
			x[k] = float64(rv.Int())
		case rv.CanUint():
			x[k] = float64(rv.Uint())
		default:
			return nil, false
		}
	}
	return x, true
}

// compareLabels orders category labels numerically when both are numbers, numbers first, and
// alphabetically otherwise.
func compareLabels(a, b string) int {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	switch {
	case errA == nil && errB == nil:
		return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(a, b))
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return cmp.Compare(a, b)
}
