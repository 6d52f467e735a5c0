package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/intentlab/intentlab/train/metrics"
)

// CalibrationCurve is one model's reliability diagram: its bins (as from metrics.Calibration) and
// expected calibration error.
type CalibrationCurve struct {
	Label string
	Bins  []metrics.CalibrationBin
	ECE   float64
}

// Calibration draws a reliability diagram: for each non-empty bin, the mean predicted probability
// against the observed fraction of positives, joined by lines, with the diagonal of perfect
// calibration (dotted grey) and a legend "label (ECE 0.031)" above the axis. Empty bins
// (Count 0) are skipped. It is an error to pass no curves, an empty label, a curve whose bins are
// all empty, a negative count, a MeanPred or FracPos outside [0, 1], or an ECE outside [0, 1].
func Calibration(curves []CalibrationCurve) (*Figure, error) {
	if len(curves) == 0 {
		return nil, fmt.Errorf("plots: calibration: no curves")
	}
	p := newPanel("", "Mean predicted probability (per bin)", "Observed fraction positive")
	setUnitAxes(p)
	diagonal := guide(0, 0, 1, 1, grey, dotted)
	p.Add(diagonal)
	f := newFigure("Calibration (reliability diagram)", [][]*plot.Plot{{p}})
	f.legend = append(f.legend, legendEntry{label: "perfectly calibrated", thumbs: []plot.Thumbnailer{diagonal}})
	for i, c := range curves {
		what := fmt.Sprintf("plots: calibration: curve %d (%q)", i, c.Label)
		if c.Label == "" {
			return nil, fmt.Errorf("%s: empty label, want a name for the legend", what)
		}
		x, y, err := binPoints(what, c.Bins)
		if err != nil {
			return nil, err
		}
		if err := checkScore(what+": ECE", c.ECE); err != nil {
			return nil, err
		}
		l, err := line(x, y, seriesColor(i), seriesDashes(i))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		s, err := points(x, y, seriesColor(i), draw.CircleGlyph{}, vg.Points(2.5))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		p.Add(l, s)
		f.legend = append(f.legend, legendEntry{
			label: fmt.Sprintf("%s (ECE %.3f)", c.Label, c.ECE), thumbs: []plot.Thumbnailer{l, s},
		})
	}
	return f, nil
}

// binPoints returns (MeanPred, FracPos) of the non-empty bins.
func binPoints(what string, bins []metrics.CalibrationBin) (x, y []float64, err error) {
	for j, b := range bins {
		switch {
		case b.Count < 0:
			return nil, nil, fmt.Errorf("%s: bin %d has count %d, want >= 0", what, j, b.Count)
		case b.Count == 0:
			continue
		case !inUnit(b.MeanPred) || !inUnit(b.FracPos):
			return nil, nil, fmt.Errorf("%s: bin %d has MeanPred %v and FracPos %v, want values in [0, 1]",
				what, j, b.MeanPred, b.FracPos)
		}
		x, y = append(x, b.MeanPred), append(y, b.FracPos)
	}
	if len(x) == 0 {
		return nil, nil, fmt.Errorf("%s: %d bins, none with examples", what, len(bins))
	}
	return x, y, nil
}

func inUnit(v float64) bool { return v >= 0 && v <= 1 && !math.IsNaN(v) }
