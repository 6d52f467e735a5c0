package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BarsConfig labels a Bars figure.
type BarsConfig struct {
	Title string // figure title
	X     string // the value axis, such as "drop in ROC-AUC"
}

// Bar is one labelled bar: Value, with a whisker of ± Err when Err > 0 (a standard deviation over
// repeats, say).
type Bar struct {
	Label string
	Value float64
	Err   float64
}

// Bars draws labelled horizontal bars, the first at the top (pass them sorted, largest first, for a
// ranking such as permutation importance), with ± Err whiskers and a thin line at 0; negative values
// extend to the left. The figure grows with the number of bars so that labels never overlap. It is an
// error to pass no bars, an empty label, or a non-finite or negative Err or non-finite Value.
func Bars(cfg BarsConfig, bars []Bar) (*Figure, error) {
	if len(bars) == 0 {
		return nil, fmt.Errorf("plots: bars %q: no bars", cfg.Title)
	}
	n := len(bars)
	vals := make(plotter.Values, n)
	var errs xErrs
	lo, hi := 0.0, 0.0
	ticks := make([]plot.Tick, n)
	for i, b := range bars {
		what := fmt.Sprintf("plots: bars %q: bar %d (%q)", cfg.Title, i, b.Label)
		if b.Label == "" {
			return nil, fmt.Errorf("%s: empty label", what)
		}
		if math.IsNaN(b.Value) || math.IsInf(b.Value, 0) || math.IsNaN(b.Err) || math.IsInf(b.Err, 0) || b.Err < 0 {
			return nil, fmt.Errorf("%s: value %v ± %v, want a finite value and a finite Err ≥ 0", what, b.Value, b.Err)
		}
		y := float64(n - 1 - i) // the first bar on top
		vals[n-1-i] = b.Value
		ticks[i] = plot.Tick{Value: y, Label: b.Label}
		lo, hi = min(lo, b.Value-b.Err), max(hi, b.Value+b.Err)
		if b.Err > 0 {
			errs = append(errs, xErr{x: b.Value, y: y, err: b.Err})
		}
	}
	p := newPanel("", cfg.X, "")
	chart, err := plotter.NewBarChart(vals, vg.Points(9))
	if err != nil {
		return nil, fmt.Errorf("plots: bars %q: %w", cfg.Title, err)
	}
	chart.Horizontal = true
	chart.Color = seriesColor(0)
	chart.LineStyle.Width = 0
	p.Add(chart)
	if len(errs) > 0 {
		eb, err := plotter.NewXErrorBars(errs)
		if err != nil {
			return nil, fmt.Errorf("plots: bars %q: %w", cfg.Title, err)
		}
		eb.LineStyle = draw.LineStyle{Color: black, Width: guideWidth}
		eb.CapWidth = vg.Points(5)
		p.Add(eb)
	}
	p.Add(guide(0, -0.6, 0, float64(n)-0.4, grey, nil))
	pad := 0.05 * math.Max(hi-lo, 1e-9)
	p.X.Min, p.X.Max = lo-pad, hi+pad
	if lo == 0 {
		p.X.Min = 0
	}
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Padding = vg.Points(2)
	f := newFigure(cfg.Title, [][]*plot.Plot{{p}})
	f.bodyWidth, f.bodyHeight = singleWidth, max(singleHeight, vg.Points(float64(18*n+60)))
	return f, nil
}

type xErr struct{ x, y, err float64 }

type xErrs []xErr

func (e xErrs) Len() int                        { return len(e) }
func (e xErrs) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e xErrs) XError(i int) (float64, float64) { return e[i].err, e[i].err }
