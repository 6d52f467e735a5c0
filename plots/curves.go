package plots

import (
	"fmt"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ROCCurve is one receiver operating characteristic curve: the points (FPR[i], TPR[i]) in the
// order given (as from metrics' ROC curve), its area, and a legend label.
type ROCCurve struct {
	Label    string
	FPR, TPR []float64
	AUC      float64
	// Reference marks a benchmark such as the Bayes oracle: drawn dashed and black.
	Reference bool
}

// ROC draws the curves on one axis with the chance diagonal (dotted grey), both axes on [0, 1]
// and a legend "label (AUC 0.884)" in the lower right corner, which ROC curves leave empty.
// Curves take the palette colours in order, references excepted.
// It is an error to pass no curves, an empty label, unequal FPR and TPR lengths, or a value
// outside [0, 1] (NaN included) in FPR, TPR or AUC.
func ROC(curves []ROCCurve) (*Figure, error) {
	if len(curves) == 0 {
		return nil, fmt.Errorf("plots: ROC: no curves")
	}
	p := newPanel("", "False positive rate", "True positive rate")
	setUnitAxes(p)
	p.Add(guide(0, 0, 1, 1, grey, dotted))
	legend := &insetLegend{}
	colour := 0
	for i, c := range curves {
		what := fmt.Sprintf("plots: ROC: curve %d (%q)", i, c.Label)
		if err := checkCurve(what, c.Label, "FPR", "TPR", c.FPR, c.TPR, "AUC", c.AUC); err != nil {
			return nil, err
		}
		l, err := curveLine(c.FPR, c.TPR, c.Reference, &colour)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		p.Add(l)
		legend.entries = append(legend.entries, legendEntry{
			label: fmt.Sprintf("%s (AUC %.3f)", c.Label, c.AUC), thumbs: []plot.Thumbnailer{l},
		})
	}
	p.Add(legend)
	return newFigure("ROC curves", [][]*plot.Plot{{p}}), nil
}

// PRCurve is one precision-recall curve: the points (Recall[i], Precision[i]) in the order given,
// its average precision and a legend label.
type PRCurve struct {
	Label             string
	Recall, Precision []float64
	AP                float64
	// Reference marks a benchmark such as the Bayes oracle: drawn dashed and black.
	Reference bool
}

// PR draws the curves on one axis with a dotted grey horizontal line at the base rate (the
// precision of a random ranking), labelled "base rate 0.15", both axes on [0, 1], and a legend
// "label (AP 0.610)" above the axis. It is an error to pass no curves, an empty label, unequal
// lengths, a value outside [0, 1] in Recall, Precision or AP, or a base rate outside (0, 1).
func PR(curves []PRCurve, baseRate float64) (*Figure, error) {
	if len(curves) == 0 {
		return nil, fmt.Errorf("plots: PR: no curves")
	}
	if !(baseRate > 0 && baseRate < 1) {
		return nil, fmt.Errorf("plots: PR: base rate %v, want a value in (0, 1)", baseRate)
	}
	p := newPanel("", "Recall", "Precision")
	setUnitAxes(p)
	p.Add(guide(0, baseRate, 1, baseRate, grey, dotted))
	p.Add(&note{x: 0, y: baseRate, text: "base rate " + strconv.FormatFloat(baseRate, 'g', 3, 64)})
	f := newFigure("Precision-recall curves", [][]*plot.Plot{{p}})
	colour := 0
	for i, c := range curves {
		what := fmt.Sprintf("plots: PR: curve %d (%q)", i, c.Label)
		if err := checkCurve(what, c.Label, "Recall", "Precision", c.Recall, c.Precision, "AP", c.AP); err != nil {
			return nil, err
		}
		l, err := curveLine(c.Recall, c.Precision, c.Reference, &colour)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		p.Add(l)
		f.legend = append(f.legend, legendEntry{
			label: fmt.Sprintf("%s (AP %.3f)", c.Label, c.AP), thumbs: []plot.Thumbnailer{l},
		})
	}
	return f, nil
}

// checkCurve validates one labelled curve whose coordinates and score lie in [0, 1].
func checkCurve(what, label, xName, yName string, x, y []float64, scoreName string, score float64) error {
	if label == "" {
		return fmt.Errorf("%s: empty label, want a name for the legend", what)
	}
	if err := checkXY(what, xName, yName, x, y); err != nil {
		return err
	}
	if err := checkUnit(what+": "+xName, x); err != nil {
		return err
	}
	if err := checkUnit(what+": "+yName, y); err != nil {
		return err
	}
	return checkScore(what+": "+scoreName, score)
}

// curveLine draws a curve in the next palette colour, or dashed black for a reference.
func curveLine(x, y []float64, reference bool, colour *int) (*plotter.Line, error) {
	if reference {
		return line(x, y, black, dashed)
	}
	l, err := line(x, y, seriesColor(*colour), seriesDashes(*colour))
	*colour++
	return l, err
}

// note is a plotter that writes a short grey text just above and right of a data coordinate.
type note struct {
	x, y float64
	text string
}

// Plot implements plot.Plotter.
func (n *note) Plot(c draw.Canvas, p *plot.Plot) {
	x, y := p.Transforms(&c)
	sty := textStyle(legendSize, false)
	sty.Color = grey
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	c.FillText(sty, vg.Point{X: x(n.x) + vg.Points(3), Y: y(n.y) + vg.Points(2)}, n.text)
}
