package plots

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LossPanel is the loss history of one run or model.
type LossPanel struct {
	Title  string
	Epochs []float64 // epoch numbers, usually 1, 2, …
	Train  []float64 // training loss per epoch, len(Epochs) values
	Val    []float64 // validation loss per epoch; nil when there is none
	// BestEpoch is the epoch number (a value within Epochs) that early stopping restored,
	// marked with a dotted vertical line and a point on the validation curve; 0 means none.
	BestEpoch int
}

// Loss draws one panel per run in a grid of up to three per row: training loss (solid blue) and
// validation loss (dashed orange) against epoch, with a shared legend above the panels. All
// panels share one loss scale so that runs compare at a glance.
// It is an error to pass no panels, a panel without epochs, Train or Val (when not nil) of another
// length than Epochs, a non-finite value, or a BestEpoch outside the range of Epochs.
func Loss(panels []LossPanel) (*Figure, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("plots: loss: no panels")
	}
	trainColor, valColor := seriesColor(0), seriesColor(1)
	lo, hi := math.Inf(1), math.Inf(-1)
	var ps []*plot.Plot
	var hasVal, hasBest bool
	var legend []legendEntry
	for i, lp := range panels {
		what := fmt.Sprintf("plots: loss: panel %d (%q)", i, lp.Title)
		if err := checkXY(what, "Epochs", "Train", lp.Epochs, lp.Train); err != nil {
			return nil, err
		}
		if lp.Val != nil {
			if err := checkXY(what, "Epochs", "Val", lp.Epochs, lp.Val); err != nil {
				return nil, err
			}
		}
		first, last := slices.Min(lp.Epochs), slices.Max(lp.Epochs)
		best := float64(lp.BestEpoch)
		if lp.BestEpoch != 0 && (best < first || best > last) {
			return nil, fmt.Errorf("%s: BestEpoch %d outside the epochs [%g, %g]", what, lp.BestEpoch, first, last)
		}
		p := newPanel(lp.Title, "epoch", "loss")
		p.X.Tick.Marker = niceTicks{integer: true}
		train, err := line(lp.Epochs, lp.Train, trainColor, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		p.Add(train)
		lo, hi = min(lo, slices.Min(lp.Train)), max(hi, slices.Max(lp.Train))
		if i == 0 {
			legend = append(legend, legendEntry{label: "train", thumbs: []plot.Thumbnailer{train}})
		}
		var val *plotter.Line
		if lp.Val != nil {
			if val, err = line(lp.Epochs, lp.Val, valColor, dashed); err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			p.Add(val)
			lo, hi = min(lo, slices.Min(lp.Val)), max(hi, slices.Max(lp.Val))
			if !hasVal {
				legend = append(legend, legendEntry{label: "validation", thumbs: []plot.Thumbnailer{val}})
				hasVal = true
			}
		}
		if lp.BestEpoch != 0 {
			mark := &bestMark{x: best}
			p.Add(mark)
			if k := slices.Index(lp.Epochs, best); k >= 0 && lp.Val != nil {
				s, err := points([]float64{best}, []float64{lp.Val[k]}, valColor, draw.CircleGlyph{}, vg.Points(3.5))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", what, err)
				}
				p.Add(s)
			}
			if !hasBest {
				legend = append(legend, legendEntry{label: "best epoch", thumbs: []plot.Thumbnailer{mark}})
				hasBest = true
			}
		}
		ps = append(ps, p)
	}
	for _, p := range ps { // one loss scale for every panel, with a little room above and below
		pad := 0.05 * (hi - lo)
		p.Y.Min, p.Y.Max = lo-pad, hi+pad
	}
	f := newFigure("Training and validation loss", grid(ps))
	if len(ps) == 1 && ps[0].Title.Text != "" { // one panel: its title heads the figure, above the legend
		f.Title, ps[0].Title.Text = ps[0].Title.Text, ""
	}
	f.legend = legend
	return f, nil
}

// bestMark is a plotter that draws a dotted grey vertical line at x across the data area.
type bestMark struct{ x float64 }

var bestMarkStyle = draw.LineStyle{Color: grey, Width: vg.Points(1.2), Dashes: dotted}

// Plot implements plot.Plotter.
func (m *bestMark) Plot(c draw.Canvas, p *plot.Plot) {
	x, _ := p.Transforms(&c)
	c.StrokeLine2(bestMarkStyle, x(m.x), c.Min.Y, x(m.x), c.Max.Y)
}

// Thumbnail implements plot.Thumbnailer: a short vertical line.
func (m *bestMark) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	c.StrokeLine2(bestMarkStyle, x, c.Min.Y, x, c.Max.Y)
}
