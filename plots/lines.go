package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LinesConfig labels a Lines figure. The zero value draws an untitled figure with unlabelled axes
// and a y axis fitted to the data.
type LinesConfig struct {
	Title, X, Y string // figure title and axis labels
	// YMin and YMax fix the y axis when YMin < YMax (0 and 1 for probabilities); a value outside
	// them is an error.
	YMin, YMax float64
}

// Lines draws labelled series on one axis: a line with points per series in its palette colour and
// a legend above the axis. It is MetricByEpoch for any x, such as an event's position in a session;
// x ticks are whole numbers when every X is. It is an error to pass no series, an empty label, a
// series without points, unequal X and Y lengths, a non-finite value, or a value outside a fixed
// y axis.
func Lines(cfg LinesConfig, series []Series) (*Figure, error) {
	title := cfg.Title
	if len(series) == 0 {
		return nil, fmt.Errorf("plots: lines %q: no series", title)
	}
	fixed := cfg.YMin < cfg.YMax
	p := newPanel("", cfg.X, cfg.Y)
	whole := true
	f := newFigure(title, [][]*plot.Plot{{p}})
	for i, s := range series {
		what := fmt.Sprintf("plots: lines %q: series %d (%q)", title, i, s.Label)
		if s.Label == "" {
			return nil, fmt.Errorf("%s: empty label, want a name for the legend", what)
		}
		if err := checkXY(what, "X", "Y", s.X, s.Y); err != nil {
			return nil, err
		}
		for _, x := range s.X {
			whole = whole && x == math.Trunc(x)
		}
		for _, y := range s.Y {
			if fixed && (y < cfg.YMin || y > cfg.YMax) {
				return nil, fmt.Errorf("%s: y = %v outside the fixed axis [%v, %v]", what, y, cfg.YMin, cfg.YMax)
			}
		}
		l, err := line(s.X, s.Y, seriesColor(i), seriesDashes(i))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		pts, err := points(s.X, s.Y, seriesColor(i), draw.CircleGlyph{}, vg.Points(2.2))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		p.Add(l, pts)
		f.legend = append(f.legend, legendEntry{label: s.Label, thumbs: []plot.Thumbnailer{l, pts}})
	}
	p.X.Tick.Marker = niceTicks{integer: whole}
	if fixed {
		p.Y.Min, p.Y.Max = cfg.YMin, cfg.YMax
	}
	return f, nil
}
