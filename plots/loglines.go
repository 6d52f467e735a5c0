package plots

import (
	"fmt"

	"gonum.org/v1/plot"
)

// LinesLogX is Lines with the x axis on a log scale, for a quantity swept over decades such as a
// learning rate or a regularisation strength: every power of ten is labelled (and 2 and 5 times it
// when the axis spans less than a decade or two), the other multiples are unlabelled minor ticks.
// It is an error to pass any X that is not positive, and every error of Lines.
func LinesLogX(cfg LinesConfig, series []Series) (*Figure, error) {
	for i, s := range series {
		for _, x := range s.X {
			if !(x > 0) {
				return nil, fmt.Errorf("plots: lines %q: series %d (%q): x = %v on a log axis, want every x > 0", cfg.Title, i, s.Label, x)
			}
		}
	}
	f, err := Lines(cfg, series)
	if err != nil {
		return nil, err
	}
	p := f.panels[0][0]
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
	return f, nil
}
