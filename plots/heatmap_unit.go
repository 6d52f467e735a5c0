package plots

// HeatmapConfig labels a Heatmap. The zero value draws an untitled map with unlabelled axes and
// colour bar.
type HeatmapConfig struct {
	Title string
	X, Y  string // axis labels: columns, rows
	Scale string // colour-bar label, such as "probability"
}

// Heatmap draws a matrix of values in [0, 1], such as probabilities, as Attention draws attention
// weights: values[r] is row r (the first on top) with the tick label rows[r], column c has the label
// cols[c], cells are shaded from white (0) to dark blue (the largest value rounded up to a tenth)
// with a colour bar, and values are written in the cells when there are at most 12 rows and
// columns. It is an error when values is empty or ragged, the label counts differ from its shape,
// or a value is NaN or outside [0, 1] by more than float32 rounding (within 1e-5 it is clamped).
func Heatmap(cfg HeatmapConfig, values [][]float64, rows, cols []string) (*Figure, error) {
	return unitMap(unitMapText{what: "heatmap", value: "value", row: "row", col: "column",
		x: cfg.X, y: cfg.Y, scale: cfg.Scale}, cfg.Title, values, rows, cols)
}
