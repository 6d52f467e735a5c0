package plots

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Trial states, as train/search records them.
const (
	StateComplete = "complete"
	StatePruned   = "pruned"
	StateFailed   = "failed"
	StateRunning  = "running"
)

// Trial is one trial of a hyperparameter search study.
type Trial struct {
	Number       int
	State        string    // StateComplete, StatePruned, StateFailed or StateRunning
	Score        float64   // final score (complete) or last value (pruned); NaN when none
	Intermediate []float64 // validation score per epoch, epoch 1 first
}

// checkTrial validates the fields the search figures read.
func checkTrial(what string, t Trial) error {
	switch t.State {
	case StateComplete, StatePruned, StateFailed, StateRunning:
	default:
		return fmt.Errorf("%s: trial %d has state %q, want complete, pruned, failed or running", what, t.Number, t.State)
	}
	if t.State == StateComplete && math.IsNaN(t.Score) {
		return fmt.Errorf("%s: complete trial %d has a NaN score", what, t.Number)
	}
	if math.IsInf(t.Score, 0) {
		return fmt.Errorf("%s: trial %d has score %v, want a finite number or NaN", what, t.Number, t.Score)
	}
	return checkFinite(fmt.Sprintf("%s: trial %d: Intermediate", what, t.Number), t.Intermediate)
}

var (
	completeGlyph = draw.GlyphStyle{Color: seriesColor(0), Shape: draw.CircleGlyph{}, Radius: vg.Points(3)}
	prunedGlyph   = draw.GlyphStyle{Color: grey, Shape: draw.RingGlyph{}, Radius: vg.Points(3)}
)

// SearchHistory draws the score of each trial against its number: complete trials as filled blue
// points, pruned trials as hollow grey points at their last value (omitted when NaN), failed and
// running trials not at all, and a step line "best so far" through the best complete score up to
// each trial (higher is better). The y axis is labelled metric; the legend sits above the axis.
// It is an error to pass an empty metric, no trials, an unknown state, a complete trial with a
// NaN score, an infinite score, or trials of which none has a score to show.
func SearchHistory(trials []Trial, metric string) (*Figure, error) {
	const what = "plots: search history"
	if metric == "" {
		return nil, fmt.Errorf("%s: empty metric name, want a y axis label", what)
	}
	if len(trials) == 0 {
		return nil, fmt.Errorf("%s: no trials", what)
	}
	sorted := slices.Clone(trials)
	slices.SortStableFunc(sorted, func(a, b Trial) int { return cmp.Compare(a.Number, b.Number) })
	var done, pruned plotter.XYs
	for _, t := range sorted {
		if err := checkTrial(what, t); err != nil {
			return nil, err
		}
		switch {
		case t.State == StateComplete:
			done = append(done, plotter.XY{X: float64(t.Number), Y: t.Score})
		case t.State == StatePruned && !math.IsNaN(t.Score):
			pruned = append(pruned, plotter.XY{X: float64(t.Number), Y: t.Score})
		}
	}
	if len(done)+len(pruned) == 0 {
		return nil, fmt.Errorf("%s: %d trials, none complete or pruned with a score", what, len(trials))
	}
	p := newPanel("", "Trial number", metric)
	p.X.Tick.Marker = niceTicks{integer: true}
	f := newFigure("Search history", [][]*plot.Plot{{p}})
	var bestLine *plotter.Line
	if best := bestSoFar(sorted); len(best) > 0 { // drawn first, under the points
		bestLine = &plotter.Line{XYs: best, StepStyle: plotter.PostStep}
		bestLine.LineStyle = draw.LineStyle{Color: seriesColor(3), Width: curveWidth}
		p.Add(bestLine)
	}
	if len(pruned) > 0 {
		s := &plotter.Scatter{XYs: pruned, GlyphStyle: prunedGlyph}
		p.Add(s)
		f.legend = append(f.legend, legendEntry{label: "pruned (last value)", thumbs: []plot.Thumbnailer{s}})
	}
	if len(done) > 0 {
		s := &plotter.Scatter{XYs: done, GlyphStyle: completeGlyph}
		p.Add(s)
		f.legend = append([]legendEntry{{label: "complete", thumbs: []plot.Thumbnailer{s}}}, f.legend...)
	}
	if bestLine != nil {
		f.legend = append(f.legend, legendEntry{label: "best so far", thumbs: []plot.Thumbnailer{bestLine}})
	}
	return f, nil
}

// bestSoFar returns the corners of the "best so far" step line of trials sorted by number: a
// point at each complete trial that beats every earlier one, and one at the last trial.
func bestSoFar(sorted []Trial) plotter.XYs {
	var best plotter.XYs
	for _, t := range sorted {
		if t.State == StateComplete && (len(best) == 0 || t.Score > best[len(best)-1].Y) {
			best = append(best, plotter.XY{X: float64(t.Number), Y: t.Score})
		}
	}
	if len(best) > 0 {
		best = append(best, plotter.XY{X: float64(sorted[len(sorted)-1].Number), Y: best[len(best)-1].Y})
	}
	return best
}

// Intermediate draws each trial's validation score against epoch (1, 2, …): complete trials as
// coloured lines, pruned trials as grey lines ending in a cross where they were stopped; failed
// and running trials and trials without intermediate values are left out. The legend above the
// axis names the complete trials (up to nine; beyond that one "complete" entry) and explains the
// pruned ones. It is an error to pass an empty metric, no trials, an invalid trial (see
// SearchHistory), a non-finite intermediate value, or trials of which none has values to show.
func Intermediate(trials []Trial, metric string) (*Figure, error) {
	const what = "plots: intermediate values"
	if metric == "" {
		return nil, fmt.Errorf("%s: empty metric name, want a y axis label", what)
	}
	if len(trials) == 0 {
		return nil, fmt.Errorf("%s: no trials", what)
	}
	var complete, pruned []Trial
	for _, t := range trials {
		if err := checkTrial(what, t); err != nil {
			return nil, err
		}
		if len(t.Intermediate) == 0 {
			continue
		}
		switch t.State {
		case StateComplete:
			complete = append(complete, t)
		case StatePruned:
			pruned = append(pruned, t)
		}
	}
	if len(complete)+len(pruned) == 0 {
		return nil, fmt.Errorf("%s: %d trials, none complete or pruned with intermediate values", what, len(trials))
	}
	p := newPanel("", "epoch", metric)
	p.X.Tick.Marker = niceTicks{integer: true}
	f := newFigure("Intermediate values", [][]*plot.Plot{{p}})
	var prunedEntry []legendEntry
	cross := draw.GlyphStyle{Color: grey, Shape: draw.CrossGlyph{}, Radius: vg.Points(3.5)}
	for i, t := range pruned { // grey first, so the complete trials are drawn on top
		l, err := line(epochs(len(t.Intermediate)), t.Intermediate, lightGrey, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: trial %d: %w", what, t.Number, err)
		}
		l.LineStyle.Width = vg.Points(1.2)
		end := &plotter.Scatter{XYs: plotter.XYs{{X: float64(len(t.Intermediate)), Y: t.Intermediate[len(t.Intermediate)-1]}}, GlyphStyle: cross}
		p.Add(l, end)
		if i == 0 {
			prunedEntry = []legendEntry{{label: "pruned (× = stopped)", thumbs: []plot.Thumbnailer{l, end}}}
		}
	}
	for i, t := range complete {
		l, err := line(epochs(len(t.Intermediate)), t.Intermediate, seriesColor(i), seriesDashes(i))
		if err != nil {
			return nil, fmt.Errorf("%s: trial %d: %w", what, t.Number, err)
		}
		p.Add(l)
		switch {
		case len(complete) <= len(tab10):
			f.legend = append(f.legend, legendEntry{label: fmt.Sprintf("trial %d", t.Number), thumbs: []plot.Thumbnailer{l}})
		case i == 0:
			f.legend = append(f.legend, legendEntry{label: "complete (one colour each)", thumbs: []plot.Thumbnailer{l}})
		}
	}
	f.legend = append(f.legend, prunedEntry...)
	return f, nil
}

// epochs returns 1, 2, …, n.
func epochs(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	return xs
}
