package plots

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/intentlab/intentlab/train/metrics"
)

// Confusion draws the confusion matrix c as a 2×2 heat map: rows are the actual class (buyer on
// top, non-buyer below), columns the predicted class. Each cell shows its count and its share of
// the row (the true positive rate, false negative rate, false positive rate and true negative
// rate), and is shaded by that share, so the minority class reads as clearly as the majority.
// The figure title is title (or "Confusion matrix" when empty) followed by the threshold.
// It is an error when a count is negative, every count is zero, or threshold is NaN.
func Confusion(title string, c metrics.Confusion, threshold float64) (*Figure, error) {
	if c.TP < 0 || c.FP < 0 || c.TN < 0 || c.FN < 0 {
		return nil, fmt.Errorf("plots: confusion: negative count in %+v, want counts >= 0", c)
	}
	if c.TP+c.FP+c.TN+c.FN == 0 {
		return nil, fmt.Errorf("plots: confusion: empty matrix %+v, want at least one example", c)
	}
	if math.IsNaN(threshold) {
		return nil, fmt.Errorf("plots: confusion: threshold is NaN")
	}
	counts := [2][2]int{{c.TP, c.FN}, {c.FP, c.TN}}
	names := [2]string{"buyers", "non-buyers"}
	tags := [2][2]string{{"TP", "FN"}, {"FP", "TN"}}
	z := make([][]float64, 2)
	labels := make([][]string, 2)
	for r := range 2 {
		total := counts[r][0] + counts[r][1]
		z[r], labels[r] = make([]float64, 2), make([]string, 2)
		for k := range 2 {
			share := "no " + names[r]
			if total > 0 {
				z[r][k] = float64(counts[r][k]) / float64(total)
				share = fmt.Sprintf("%.1f%% of %s", 100*z[r][k], names[r])
			}
			labels[r][k] = fmt.Sprintf("%s %d\n%s", tags[r][k], counts[r][k], share)
		}
	}
	p, _, err := heatPanel(z, labels, []string{"buyer", "non-buyer"}, []string{"buyer", "non-buyer"}, cellTextSize+1, 1)
	if err != nil {
		return nil, fmt.Errorf("plots: confusion: %w", err)
	}
	p.X.Label.Text, p.Y.Label.Text = "Predicted class", "Actual class"
	p.Y.Tick.Label.Rotation = math.Pi / 2 // the row names read along the axis
	p.Y.Tick.Label.XAlign, p.Y.Tick.Label.YAlign = -0.5, 0
	if title == "" {
		title = "Confusion matrix"
	}
	f := newFigure(fmt.Sprintf("%s (threshold %s)", title, strconv.FormatFloat(threshold, 'g', 3, 64)),
		[][]*plot.Plot{{p}})
	f.bodyWidth, f.bodyHeight = 5*vg.Inch, 4*vg.Inch
	return f, nil
}
