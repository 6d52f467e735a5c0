package plots

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Attention weights may exceed [0, 1] by this much (softmax rounding in float32) and are clamped.
const weightSlack = 1e-5

// annotateCells is the largest number of rows or columns whose cells get their weight written in.
const annotateCells = 12

// Attention draws an attention map as a heat map: one row per query (weights[q], the first query
// on top), one column per key, shaded from white (0) to dark blue (the largest weight, rounded up
// to a tenth, so that the diffuse maps of long sessions stay visible) with a colour bar, tick
// labels from queries and keys (e.g. "3:view"), and the weight written in each cell when there
// are at most 12 rows and columns. Padded keys, which get weight 0, show as white columns.
// It is an error when weights is empty, its rows are ragged, len(queries) differs from the
// number of rows or len(keys) from the number of columns, or a weight is NaN or outside [0, 1].
func Attention(title string, weights [][]float64, queries, keys []string) (*Figure, error) {
	return unitMap(unitMapText{what: "attention", value: "weight", row: "query", col: "key",
		x: "Key (attended event)", y: "Query (event)", scale: "attention weight"}, title, weights, queries, keys)
}

// unitMapText holds the words of a unit heat map: the nouns of its error messages (what starts
// them) and its axis and colour-bar labels.
type unitMapText struct {
	what, value, row, col string
	x, y, scale           string
}

// unitMap draws a heat map of values in [0, 1] (a little outside, up to weightSlack, is clamped):
// values[r] is row r, the first on top, labelled rows[r]; column c is labelled cols[c].
func unitMap(t unitMapText, title string, values [][]float64, rows, cols []string) (*Figure, error) {
	what := t.what
	if len(values) == 0 || len(values[0]) == 0 {
		return nil, fmt.Errorf("plots: %s: empty %s matrix, want at least one %s and %s", what, t.value, t.row, t.col)
	}
	nc := len(values[0])
	if len(rows) != len(values) {
		return nil, fmt.Errorf("plots: %s: %d %s labels for %d rows of %ss", what, len(rows), t.row, len(values), t.value)
	}
	if len(cols) != nc {
		return nil, fmt.Errorf("plots: %s: %d %s labels for %d columns of %ss", what, len(cols), t.col, nc, t.value)
	}
	annotate := len(values) <= annotateCells && nc <= annotateCells
	z := make([][]float64, len(values))
	var labels [][]string
	if annotate {
		labels = make([][]string, len(values))
	}
	for r, row := range values {
		if len(row) != nc {
			return nil, fmt.Errorf("plots: %s: row %d has %d %ss, want %d like row 0", what, r, len(row), t.value, nc)
		}
		z[r] = make([]float64, nc)
		for c, v := range row {
			if math.IsNaN(v) || v < -weightSlack || v > 1+weightSlack {
				return nil, fmt.Errorf("plots: %s: %s[%d][%d] = %v, want a value in [0, 1]", what, t.value, r, c, v)
			}
			z[r][c] = min(max(v, 0), 1)
		}
		if annotate {
			labels[r] = make([]string, nc)
			for c, v := range z[r] {
				labels[r][c] = "0" // exactly zero (attention's padded keys), written short
				if v != 0 {
					labels[r][c] = strconv.FormatFloat(v, 'f', 2, 64)
				}
			}
		}
	}
	p, cmap, err := heatPanel(z, labels, cols, rows, cellTextSize, colourTop(z))
	if err != nil {
		return nil, fmt.Errorf("plots: %s: %w", what, err)
	}
	p.X.Label.Text, p.Y.Label.Text = t.x, t.y
	f := newFigure(title, [][]*plot.Plot{{p}})
	f.colorBar = colorBarPanel(cmap, t.scale)
	f.bodyWidth, f.bodyHeight = 6*vg.Inch, 5*vg.Inch
	// Columns are about (6 in − labels − colour bar) / nc wide; turn long column labels upright.
	if cell := (f.bodyWidth - 2*vg.Inch) / vg.Length(nc); maxWidth(p, cols) > 0.9*cell {
		rotateXLabels(p)
	}
	return f, nil
}

// colourTop is the top of the colour scale of an attention map: its largest weight rounded up to a
// tenth, at least 0.1.
func colourTop(z [][]float64) float64 {
	top := 0.0
	for _, row := range z {
		for _, w := range row {
			top = max(top, w)
		}
	}
	return max(math.Ceil(top*10-1e-9)/10, 0.1)
}
