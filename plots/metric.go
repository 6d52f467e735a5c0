package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one labelled line: Y[i] at X[i].
type Series struct {
	Label string
	X, Y  []float64
}

// MetricByEpoch draws several runs of one metric on one axis: x is "epoch", y is labelled with
// metric (e.g. "validation ROC-AUC"), each run a line with points in its palette colour, and a
// legend above the axis. It is an error to pass an empty metric name, no runs, an empty label,
// a run without points, unequal X and Y lengths, or a non-finite value.
func MetricByEpoch(metric string, runs []Series) (*Figure, error) {
	if metric == "" {
		return nil, fmt.Errorf("plots: metric by epoch: empty metric name, want a y axis label")
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("plots: metric by epoch: no runs")
	}
	p := newPanel("", "epoch", metric)
	p.X.Tick.Marker = niceTicks{integer: true}
	f := newFigure(metric+" by epoch", [][]*plot.Plot{{p}})
	for i, r := range runs {
		what := fmt.Sprintf("plots: metric by epoch: run %d (%q)", i, r.Label)
		if r.Label == "" {
			return nil, fmt.Errorf("%s: empty label, want a name for the legend", what)
		}
		if err := checkXY(what, "X", "Y", r.X, r.Y); err != nil {
			return nil, err
		}
		l, err := line(r.X, r.Y, seriesColor(i), seriesDashes(i))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		s, err := points(r.X, r.Y, seriesColor(i), draw.CircleGlyph{}, vg.Points(2.2))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		p.Add(l, s)
		f.legend = append(f.legend, legendEntry{label: r.Label, thumbs: []plot.Thumbnailer{l, s}})
	}
	return f, nil
}
